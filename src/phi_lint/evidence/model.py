"""The evidence a report shows, as plain data: every renderer (HTML, Markdown, JSON) reads the
same `Evidence`, so the three forms cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

# How data reached a model call: sent as it is, cleared by a sanitizer on the way, or sent as
# the prompt data policy allows for that endpoint.
SENT, SANITISED, ALLOWED = "sent", "sanitised", "allowed"
# Whether the policy approves where a model call goes.
APPROVED, UNAPPROVED, UNKNOWN = "approved", "unapproved", "unknown"


@dataclass(frozen=True)
class DataReach:
    """One category of data that reaches a model call."""

    category: str  # a vocabulary category (`name`, `diagnosis`), `record`, `payload`, `clinical-text`
    state: str  # SENT, SANITISED or ALLOWED
    source: str  # where it comes from, as written (`patient['first_name']`)
    module: str  # the module that sends it (dotted): the call's own, or one that hands it to a wrapper there
    route: str | None = None  # the web route whose handler sends it (`POST /triage`)


@dataclass(frozen=True)
class ModelCall:
    """A call that sends a request to a model, found in the code."""

    path: str  # from the repository root
    line: int
    module: str  # dotted (`clinic_ai.api`)
    function: str  # the function or method it is in; `<module>` at top level
    call: str  # as written (`client.chat.completions.create`)
    sink: str  # what it is (`OpenAI chat.completions.create`)
    provider: str  # the SDK's provider (`OpenAI`, `LangChain`)
    vendor: str | None  # rules/vendors.toml id of who receives the data; None: your own endpoint
    endpoint: str | None  # where requests go (scheme, host, path; never a secret); None: unknown
    region: str | None
    approval: str  # APPROVED, UNAPPROVED or UNKNOWN
    approval_why: str
    data: tuple[DataReach, ...] = ()  # from every checked file
    routes: tuple[str, ...] = ()  # the web routes whose handlers send it data (`POST /triage`), in any module

    @property
    def senders(self) -> tuple[str, ...]:
        """Where its data comes from, as the tables name it: each route (`POST /triage`), with its
        module when that is another one (`POST /soap (scribe.routes)`), then each other module
        that sends it data outside a route."""
        routes = {(d.route, d.module) for d in self.data if d.route}
        shown = [route if module == self.module else f"{route} ({module})" for route, module in sorted(routes)]
        shown += sorted({d.module for d in self.data if not d.route and d.module != self.module})
        return tuple(shown)

    @property
    def destination(self) -> str:
        """How the diagram and tables name where it goes: the endpoint, a region, or the vendor."""
        return self.endpoint or (f"{self.provider} ({self.region})" if self.region else f"{self.provider} (endpoint unknown)")


@dataclass(frozen=True)
class RouteRecord:
    """A web route whose handler sends patient data to a model, and what guards it."""

    path: str
    line: int
    framework: str
    route: str  # `POST /triage`, or the view for a route whose path lives in a URLconf
    handler: str
    guards: tuple[str, ...]
    public: tuple[str, ...]  # explicit public markers (`permission_classes = [AllowAny]`)
    sends: str  # what reaches which model, as the finding says it
    finding: str | None  # PHI501, PHI502, or None when guarded
    accepted: str | None = None  # the reason when the finding is suppressed or in the baseline


@dataclass(frozen=True)
class VendorRecord:
    """A vendor that receives data from the code, with what its public terms say."""

    id: str
    name: str
    baa: str
    baa_scope: str
    trains_by_default: str
    training: str
    retention: str
    zero_retention: str
    residency: str
    checked: str
    sources: tuple[str, ...]
    self_hosted: bool
    calls: int  # model calls in the code that reach it
    endpoints: tuple[str, ...]


@dataclass(frozen=True)
class FindingRecord:
    code: str
    name: str
    severity: str
    path: str
    line: int
    message: str
    soc2: tuple[str, ...]
    hipaa: tuple[str, ...]
    fingerprint: str


@dataclass(frozen=True)
class AcceptedRisk:
    """A finding someone accepted: suppressed with a reason in the code, or in the baseline."""

    finding: FindingRecord
    how: str  # "suppression" or "baseline"
    reason: str | None  # the suppression's reason; a baseline entry has none of its own
    where: str  # the comment's `path:line`, or the baseline file
    author: str | None = None  # who added it, from git blame
    date: str | None = None  # when (YYYY-MM-DD)
    commit: str | None = None


@dataclass(frozen=True)
class ControlRow:
    """One SOC 2 criterion or HIPAA section: how its findings stand."""

    framework: str  # "SOC 2" or "HIPAA"
    control: str
    title: str
    open: int
    accepted: int
    fixed: int  # since the base (--diff-base); 0 without one
    rules: tuple[str, ...]


@dataclass(frozen=True)
class RunInfo:
    version: str
    commit: str | None
    date: str
    paths: tuple[str, ...]
    policy_file: str | None
    policy: tuple[tuple[str, str], ...]  # (key, value as written) of the policy in force
    diff_base: str | None
    baseline_file: str | None


@dataclass
class Evidence:
    run: RunInfo
    controls: list[ControlRow] = field(default_factory=list)
    open: list[FindingRecord] = field(default_factory=list)
    accepted: list[AcceptedRisk] = field(default_factory=list)
    fixed: list[FindingRecord] = field(default_factory=list)
    model_calls: list[ModelCall] = field(default_factory=list)
    vendors: list[VendorRecord] = field(default_factory=list)
    routes: list[RouteRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
