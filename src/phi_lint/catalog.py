"""A typed, cached view of the knowledge in rules/*.toml.

The TOML files ship inside the wheel as `phi_lint/rules/`; in a source checkout they are read
from the repository's top-level `rules/` folder.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import marshal
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

SINK_KINDS = ("MODEL_CONTENT", "MODEL_EMBED", "MODEL_METADATA", "LOG", "EXCEPTION")
SOURCE_LABELS = ("CLINICAL_TEXT", "PHI_RECORD", "PAYLOAD")
# What must hold of a source call's argument (or receiver) for its result to be patient data:
# "" always; "path" a file whose name says it is clinical; "sql" a query of a patient table;
# "fhir-url" a URL of a FHIR resource; "table" a table or collection named after patients;
# "speech-url" a speech-to-text endpoint.
SOURCE_MATCHES = ("", "path", "sql", "fhir-url", "table", "speech-url")
MODEL_KINDS = frozenset({"MODEL_CONTENT", "MODEL_EMBED", "MODEL_METADATA"})  # what a model (its vendor) receives


@functools.lru_cache(maxsize=1)
def rules_dir() -> Path:
    """The folder holding the catalogue: inside the installed package (the wheel force-includes
    it as phi_lint/rules), else the checkout's. A plain path, not importlib.resources: phi-lint
    is never imported from a zip, and that import costs a one-file check ~6 ms."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "rules"


def load_toml(name: str) -> dict:
    """A catalogue file's data. Its parsed form is kept beside it in `__pycache__`, as Python
    keeps bytecode, checked against the file's bytes (size and CRC-32), so that a one-file check
    does not parse the catalogue's TOML again on every start. A folder that cannot be written,
    or a copy that is stale or unreadable, only means parsing."""
    path = rules_dir() / name
    source = path.read_bytes()
    stamp = (len(source), zlib.crc32(source), marshal.version, tuple(sys.version_info[:2]))
    cached = path.parent / "__pycache__" / f"{name}.marshal"
    try:
        found_stamp, data = marshal.loads(cached.read_bytes())
        if tuple(found_stamp) == stamp and isinstance(data, dict):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = tomllib.loads(source.decode("utf-8"))
    try:
        _keep(cached, marshal.dumps((stamp, data)))
    except ValueError:  # a TOML date or time: marshal cannot hold it, so this file is parsed each time
        pass
    return data


def _keep(path: Path, blob: bytes) -> None:
    """Write a cache file atomically (a temporary name, then a rename); never fail for it."""
    try:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(blob)
        os.replace(temporary, path)
    except OSError:
        pass


def _list(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class Category:
    """A category of sensitive data (rules/sensitive-data.toml) and why it is sensitive."""

    id: str
    kind: str  # "identifier" or "health"
    why: str
    flags_are_data: bool = False  # `has_hiv` is health information; `has_ssn`, `has_transcript` are not


@dataclass(frozen=True)
class Vocabulary:
    """Terms are tuples of words; each maps to (category, strong)."""

    terms: dict[tuple[str, ...], tuple[Category, bool]]
    subjects: frozenset[str]
    record_subjects: frozenset[str]
    record_words: frozenset[str]
    neutral_words: frozenset[str]
    opaque_words: frozenset[str]
    fhir_resources: frozenset[str]
    max_term_words: int
    record_sources: frozenset[str] = frozenset()  # `fhir`, `ehr`: with a record word, a record
    record_containers: frozenset[str] = frozenset()  # `rec["demographics"]`, `resp["Item"]`: still the record
    document_words: frozenset[str] = frozenset()  # a file named `chart`, `dictation`: a clinical document
    path_words: frozenset[str] = frozenset()  # `path`, `file`, `pdf`: how a file name says it is a file
    word_forms: dict[str, str] = field(default_factory=dict)  # `transcribed` -> `transcript`
    profiles: dict[str, dict] = field(default_factory=dict)  # `pii`: more subjects and terms, switched on in config
    weak_subject_terms: frozenset[tuple[str, ...]] = frozenset()  # what counts on a bare `member`
    flag_prefixes: tuple[tuple[str, ...], ...] = ()  # `has_ssn`: a flag, not the identifier
    count_prefixes: tuple[tuple[str, ...], ...] = ()  # `n_diagnoses`
    other_party_words: frozenset[str] = frozenset()  # `provider_name`: the care team's, not the patient's
    cohort_words: frozenset[str] = frozenset()  # `patients_with_visits`: a count or a cohort
    metadata_words: frozenset[tuple[str, ...]] = frozenset()  # `status_code`: about a value, not its content
    tally_words: frozenset[str] = frozenset()  # `scores["anamnesis"]`: numbers about what the keys name


@dataclass(frozen=True)
class SinkSpec:
    """Which arguments of a call reach a sink, of what kind, and what the call returns."""

    kind: str
    positions: tuple[int, ...] | str  # "*" for all
    keywords: tuple[str, ...] | str
    excluded: frozenset[str]
    returns: str  # "response", "prompt", "cleared" or "" (carry the data on)
    what: str
    http: bool = False

    def carries(self, position: int | None, keyword: str | None) -> bool:
        if keyword is not None:
            if keyword in self.excluded:
                return False
            return self.keywords == "*" or keyword in self.keywords
        return self.positions == "*" or position in self.positions


@dataclass(frozen=True)
class SourceSpec:
    """A call whose result is patient data no name gives away (rules/sources.toml)."""

    label: str  # CLINICAL_TEXT, PHI_RECORD or PAYLOAD
    why: str  # a sentence a human can read
    match: str = ""  # one of SOURCE_MATCHES
    positions: tuple[int, ...] = (0,)  # where `match` looks
    keywords: tuple[str, ...] = ()
    receiver: bool = False  # `match` looks at the receiver (`Path(note).read_text()`)
    taints_receiver: bool = False  # `cursor.execute(sql)`: the cursor holds the rows afterwards
    reads_only: bool = False  # `open(path, "w")` writes: not a source


@dataclass(frozen=True)
class TypeSpec:
    """A client or object type of an SDK: its provider, constructor and methods."""

    name: str
    provider: str
    keeps_type: frozenset[str]
    pipe: bool
    service: str


@dataclass(frozen=True)
class WebFramework:
    """How one web framework registers routes (rules/access-control.toml)."""

    name: str
    apps: tuple[str, ...] = ()
    routers: tuple[str, ...] = ()
    route_decorators: frozenset[str] = frozenset()
    default_method: str = "GET"
    include: frozenset[str] = frozenset()
    guard_keywords: tuple[str, ...] = ()
    prefix_keywords: tuple[str, ...] = ()
    hooks: frozenset[str] = frozenset()
    route_calls: tuple[str, ...] = ()
    view_modules: tuple[str, ...] = ()
    view_bases: tuple[str, ...] = ()
    view_methods: frozenset[str] = frozenset()
    view_decorators: tuple[str, ...] = ()
    expects: str = ""
    # a default guard set in the project's settings module, named by this environment variable
    # (`DJANGO_SETTINGS_MODULE`), as `SETTING.KEY` (`REST_FRAMEWORK.DEFAULT_PERMISSION_CLASSES`)
    settings_variable: str = ""
    default_guard: str = ""


@dataclass(frozen=True)
class AccessControl:
    """Routes and the guards that authenticate their callers (rules/access-control.toml)."""

    frameworks: tuple[WebFramework, ...] = ()
    method_decorators: tuple[tuple[str, tuple[str, ...]], ...] = ()
    method_list_decorators: tuple[str, ...] = ()
    guard_decorators: tuple[str, ...] = ()
    mixins: tuple[str, ...] = ()
    dependency_markers: tuple[str, ...] = ()
    security_markers: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    auth_words: tuple[tuple[str, ...], ...] = ()
    check_attributes: frozenset[str] = frozenset()
    check_calls: tuple[str, ...] = ()
    verify_calls: tuple[str, ...] = ()
    abort_calls: tuple[str, ...] = ()
    public_permissions: tuple[str, ...] = ()
    permission_attribute: str = ""
    permission_decorators: tuple[str, ...] = ()
    public_decorators: tuple[str, ...] = ()


@functools.lru_cache(maxsize=16384)
def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    """Is `name` one of `patterns` (exactly, or by a `*` pattern that may cross dots)?"""
    return any(p == name or ("*" in p and fnmatch.fnmatchcase(name, p)) for p in patterns)


_EXTRA_SOURCE_WORDS = {"PHI_FIELD": "PHI", "PHI_RECORD": "a PHI record", "CLINICAL_TEXT": "clinical text", "PAYLOAD": "a request body"}


@dataclass
class Catalog:
    """Everything rules/*.toml say, typed and compiled once per process."""

    vocabulary: Vocabulary
    types: dict[str, TypeSpec]
    # exact constructor names -> type names; patterns are kept apart and matched once per name
    constructors: dict[str, list[tuple[str, str]]]  # name -> [(type, service)]
    constructor_patterns: list[tuple[str, str, str]]  # (pattern, type, service)
    instances: dict[str, str]
    sinks: dict[str, list[SinkSpec]]  # callee key -> specs
    sink_patterns: list[tuple[str, SinkSpec]]
    controls: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    endpoints: dict
    key_shapes: list[tuple[str, re.Pattern, frozenset[str]]]  # (provider, regex, only-as)
    placeholder_words: tuple[str, ...]
    provider_hosts: tuple[str, ...]
    region_host_patterns: tuple[re.Pattern, ...]
    web: dict = field(default_factory=dict)
    pipe_types: frozenset[str] = field(default_factory=frozenset)
    hooks: tuple[dict, ...] = ()  # callback methods whose parameters hold prompts or answers
    answer_state: dict = field(default_factory=dict)  # what lets an answer to literals hold stored data
    ui_output: tuple[str, ...] = ()  # the app's display calls (`st.write`): not a log, and return no data
    sources: dict[str, list[SourceSpec]] = field(default_factory=dict)  # callee key -> specs
    source_patterns: list[tuple[str, SourceSpec]] = field(default_factory=list)
    source_methods: dict[str, list[SourceSpec]] = field(default_factory=dict)  # methods of any receiver
    source_names: frozenset[str] = frozenset()  # last names of every source callee: a cheap first look
    access: AccessControl = field(default_factory=AccessControl)
    data_groups: dict[str, frozenset[str]] = field(default_factory=dict)  # what a prompt data policy names
    pseudonymous: frozenset[str] = frozenset()  # identifier categories a pseudonym can stand in for
    content_attributes: dict = field(default_factory=dict)  # telemetry keys that record prompts and answers
    control_titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (framework, control) -> heading
    log_files: dict = field(default_factory=dict)  # how a file opened for writing says it is a log
    stores: dict[str, list[tuple[frozenset[str], str, str]]] = field(default_factory=dict)  # type -> (attributes, kind, what)
    event_hooks: tuple[dict, ...] = ()  # functions an SDK calls with the event it sends

    def with_extras(self, sinks: tuple[tuple[str, str], ...], sources: tuple[tuple[str, str], ...], loggers: tuple[str, ...]) -> "Catalog":
        """This catalogue and a project's own code outside the project (`extra-sinks`,
        `extra-sources`, `extra-loggers`: an internal gateway, a logging package), by dotted name.
        `sinks` and `sources` map a name to a sink kind or a label; a method
        (`contoso.gateway.Client.ask`) makes instances of its class (`contoso.gateway.Client(...)`)
        known too."""
        if not (sinks or sources or loggers):
            return self
        out = dataclasses.replace(
            self, types=dict(self.types), constructors={k: list(v) for k, v in self.constructors.items()},
            instances=dict(self.instances), sinks={k: list(v) for k, v in self.sinks.items()},
            sources={k: list(v) for k, v in self.sources.items()},
        )
        for name, kind in sinks:
            returns = "response" if kind == "MODEL_CONTENT" else ""
            out.sinks.setdefault(name, []).append(SinkSpec(kind, "*", "*", frozenset(), returns, f"`{name}`"))
        for name, label in sources:
            what = _EXTRA_SOURCE_WORDS.get(label, "patient data")
            out.sources.setdefault(name, []).append(SourceSpec(label, f"`{name}` returns {what} (`extra-sources`)"))
        out.source_names = self.source_names | {name.rpartition(".")[2] for name, _ in sources}
        for name in loggers:
            out.constructors.setdefault(name, []).append(("logging.Logger", ""))
            out.instances[name] = "logging.Logger"
        for name in [n for n, _ in sinks + sources]:
            owner = name.rpartition(".")[0]
            if owner.rpartition(".")[2][:1].isupper() and owner not in out.types:  # a method: its class is a type
                out.types[owner] = TypeSpec(owner, "", frozenset(), False, "")
                out.constructors.setdefault(owner, []).append((owner, ""))
        return out

    @functools.lru_cache(maxsize=8192)  # noqa: B019
    def matches(self, table: str, name: str) -> bool:
        """Is `name` listed (exactly or by a `*` pattern) in the web-frameworks.toml list `table`?"""
        return any(p == name or ("*" in p and fnmatch.fnmatchcase(name, p)) for p in self.web.get(table, ()))

    @functools.lru_cache(maxsize=8192)  # noqa: B019
    def shows_to_user(self, callee: str) -> bool:
        """Is `callee` a display call of the app's own user interface (`streamlit.write`)?"""
        return any(p == callee or ("*" in p and fnmatch.fnmatchcase(callee, p)) for p in self.ui_output)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the catalogue lives for the process
    def constructed_types(self, callee: str) -> tuple[tuple[str, str], ...]:
        """The (type, service) pairs a call to `callee` may construct."""
        found = list(self.constructors.get(callee, ()))
        if self._any_pattern("constructor_patterns")(callee):
            for pattern, type_name, service in self.constructor_patterns:
                if fnmatch.fnmatchcase(callee, pattern):
                    found.append((type_name, service))
        return tuple(found)

    @functools.lru_cache(maxsize=8192)  # noqa: B019
    def sinks_for(self, callee: str) -> tuple[SinkSpec, ...]:
        found = list(self.sinks.get(callee, ()))
        if self._any_pattern("sink_patterns")(callee):
            for pattern, spec in self.sink_patterns:
                if fnmatch.fnmatchcase(callee, pattern):
                    found.append(spec)
        return tuple(found)

    @functools.lru_cache(maxsize=8192)  # noqa: B019
    def sources_for(self, callee: str) -> tuple[SourceSpec, ...]:
        found = list(self.sources.get(callee, ()))
        if self._any_pattern("source_patterns")(callee):
            for pattern, spec in self.source_patterns:
                if fnmatch.fnmatchcase(callee, pattern):
                    found.append(spec)
        return tuple(found)

    @functools.lru_cache(maxsize=8)  # noqa: B019
    def _any_pattern(self, table: str) -> Callable[[str], re.Match | None]:
        """A match for all the `*` patterns of a table at once: most callees match none, and a
        loop of `fnmatch` over sixty patterns is what told them so."""
        patterns = [entry[0] for entry in getattr(self, table)]
        return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)").match

    def __hash__(self) -> int:  # lru_cache on methods needs a hashable self
        return id(self)


def _vocabulary(data: dict) -> Vocabulary:
    terms: dict[tuple[str, ...], tuple[Category, bool]] = {}
    for entry in data["category"]:
        category = Category(entry["id"], entry["kind"], entry["why"], bool(entry.get("flags-are-data", entry["kind"] == "health")))
        for strong, key in ((True, "strong"), (False, "context")):
            for term in entry.get(key, ()):
                terms.setdefault(tuple(term.lower().split()), (category, strong))
    return Vocabulary(
        terms=terms,
        subjects=frozenset(data["subjects"]),
        record_subjects=frozenset(data["record-subjects"]),
        record_words=frozenset(data["record-words"]),
        neutral_words=frozenset(data["neutral-words"]),
        opaque_words=frozenset(data.get("opaque-words", ())),
        fhir_resources=frozenset(data["fhir-resources"]),
        max_term_words=max(len(t) for t in terms),
        record_sources=frozenset(data.get("record-sources", ())),
        record_containers=frozenset(data.get("record-containers", ())),
        document_words=frozenset(data.get("document-words", ())),
        path_words=frozenset(data.get("path-words", ())),
        word_forms=dict(data.get("word-forms", {})),
        profiles=dict(data.get("profile", {})),
        weak_subject_terms=frozenset(tuple(t.split()) for t in data.get("weak-subject-terms", ())),
        flag_prefixes=tuple(tuple(t.split()) for t in data.get("flag-prefixes", ())),
        count_prefixes=tuple(tuple(t.split()) for t in data.get("count-prefixes", ())),
        other_party_words=frozenset(data.get("other-party-words", ())),
        cohort_words=frozenset(data.get("cohort-words", ())),
        metadata_words=frozenset(tuple(t.split()) for t in data.get("metadata-words", ())),
        tally_words=frozenset(data.get("tally-words", ())),
    )


def _add_types_and_sinks(data: dict, catalog: Catalog) -> None:
    for entry in data.get("type", ()):
        spec = TypeSpec(
            name=entry["name"],
            provider=entry.get("provider", ""),
            keeps_type=frozenset(entry.get("keeps-type", ())),
            pipe=bool(entry.get("pipe", False)),
            service=entry.get("service", ""),
        )
        catalog.types.setdefault(spec.name, spec)
        for ctor in entry.get("constructors", ()):
            pair = (spec.name, spec.service)
            if "*" in ctor:
                catalog.constructor_patterns.append((ctor, *pair))
            else:
                catalog.constructors.setdefault(ctor, []).append(pair)
        for inst in entry.get("instances", ()):
            catalog.instances[inst] = spec.name
    for entry in data.get("sink", ()):
        kind = entry["kind"]
        if kind not in SINK_KINDS:
            raise ValueError(f"unknown sink kind {kind!r} in the catalogue")
        positions = entry.get("positions", ())
        keywords = entry.get("keywords", ())
        spec = SinkSpec(
            kind=kind,
            positions=positions if positions == "*" else tuple(positions),
            keywords=keywords if keywords == "*" else tuple(keywords) if "*" not in keywords else "*",
            excluded=frozenset(entry.get("except", ())),
            returns=entry.get("returns", "response" if kind == "MODEL_CONTENT" else ""),
            what=entry.get("what", "{method}"),
            http=bool(entry.get("http", False)),
        )
        _register(_callee_keys(entry), spec, catalog.sinks, catalog.sink_patterns)


def _callee_keys(entry: dict) -> list[str]:
    """The callees an entry names: `on` + `methods` (methods of catalogue types) and `calls`."""
    return [f"{on}.{m}" for on in _list(entry.get("on")) for m in entry.get("methods", ())] + list(entry.get("calls", ()))


def _register(keys: list[str], spec, exact: dict, patterns: list) -> None:
    for key in keys:
        if "*" in key:
            patterns.append((key, spec))
        else:
            exact.setdefault(key, []).append(spec)


def _add_sources(data: dict, catalog: Catalog) -> None:
    names = set(catalog.source_names)
    for entry in data.get("source", ()):
        label, match = entry["label"], entry.get("match", "")
        if label not in SOURCE_LABELS or match not in SOURCE_MATCHES:
            raise ValueError(f"unknown source label {label!r} or match {match!r} in the catalogue")
        spec = SourceSpec(
            label=label,
            why=entry["why"],
            match=match,
            positions=tuple(entry.get("positions", (0,))),
            keywords=tuple(entry.get("keywords", ())),
            receiver=bool(entry.get("receiver", False)),
            taints_receiver=bool(entry.get("taints-receiver", False)),
            reads_only=bool(entry.get("reads-only", False)),
        )
        keys = _callee_keys(entry)
        _register(keys, spec, catalog.sources, catalog.source_patterns)
        names.update(key.rpartition(".")[2] for key in keys)
        for method in entry.get("any-receiver", ()):
            catalog.source_methods.setdefault(method, []).append(spec)
            names.add(method)
    catalog.source_names = frozenset(names)


def _access_control(data: dict) -> AccessControl:
    frameworks = tuple(
        WebFramework(
            name=entry["name"],
            apps=tuple(entry.get("apps", ())),
            routers=tuple(entry.get("routers", ())),
            route_decorators=frozenset(entry.get("route-decorators", ())),
            default_method=entry.get("default-method", "GET"),
            include=frozenset(entry.get("include", ())),
            guard_keywords=tuple(entry.get("guard-keywords", ())),
            prefix_keywords=tuple(entry.get("prefix-keywords", ())),
            hooks=frozenset(entry.get("hooks", ())),
            route_calls=tuple(entry.get("route-calls", ())),
            view_modules=tuple(entry.get("view-modules", ())),
            view_bases=tuple(entry.get("view-bases", ())),
            view_methods=frozenset(entry.get("view-methods", ())),
            view_decorators=tuple(entry.get("view-decorators", ())),
            expects=entry.get("expects", ""),
            settings_variable=entry.get("settings-variable", ""),
            default_guard=entry.get("default-guard", ""),
        )
        for entry in data.get("framework", ())
    )
    guards, public = data.get("guards", {}), data.get("public", {})
    return AccessControl(
        frameworks=frameworks,
        method_decorators=tuple((name, tuple(methods)) for name, methods in data.get("method-decorators", {}).items()),
        method_list_decorators=tuple(data.get("method-list-decorators", {}).get("names", ())),
        guard_decorators=tuple(guards.get("decorators", ())),
        mixins=tuple(guards.get("mixins", ())),
        dependency_markers=tuple(guards.get("dependency-markers", ())),
        security_markers=tuple(guards.get("security-markers", ())),
        dependencies=tuple(guards.get("dependencies", ())),
        auth_words=tuple(tuple(term.lower().split()) for term in guards.get("auth-words", ())),
        check_attributes=frozenset(guards.get("check-attributes", ())),
        check_calls=tuple(guards.get("check-calls", ())),
        verify_calls=tuple(guards.get("verify-calls", ())),
        abort_calls=tuple(guards.get("abort-calls", ())),
        public_permissions=tuple(public.get("permissions", ())),
        permission_attribute=public.get("permission-attribute", ""),
        permission_decorators=tuple(public.get("permission-decorators", ())),
        public_decorators=tuple(public.get("decorators", ())),
    )


@dataclass(frozen=True)
class Vendor:
    """What a model vendor's public terms say about the data it receives (rules/vendors.toml).
    Shown beside the vendor in the model-call inventory; never decides a finding."""

    id: str
    name: str
    hosts: tuple[str, ...]
    providers: tuple[str, ...]
    constructors: tuple[str, ...]
    self_hosted: bool
    baa: str  # "yes", "no", "unknown"
    baa_scope: str
    trains_by_default: str  # "yes", "no", "unknown"
    training: str
    retention: str
    zero_retention: str
    residency: str
    checked: str
    sources: tuple[str, ...]

    def owns_host(self, host: str) -> bool:
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.hosts)


_VENDOR_ANSWERS = ("yes", "no", "unknown")


@functools.lru_cache(maxsize=1)
def load_vendors() -> tuple[Vendor, ...]:
    """The vendor catalogue, checked: every entry says when and where its facts were read."""
    vendors = []
    for entry in load_toml("vendors.toml").get("vendor", ()):
        vendor = Vendor(
            id=entry["id"], name=entry["name"], hosts=tuple(entry.get("hosts", ())), providers=tuple(entry.get("providers", ())),
            constructors=tuple(entry.get("constructors", ())), self_hosted=bool(entry.get("self-hosted", False)),
            baa=entry["baa"], baa_scope=entry["baa-scope"], trains_by_default=entry["trains-by-default"],
            training=entry["training"], retention=entry["retention"], zero_retention=entry["zero-retention"],
            residency=entry["residency"], checked=entry["checked"], sources=tuple(entry["sources"]),
        )
        if vendor.baa not in _VENDOR_ANSWERS or vendor.trains_by_default not in _VENDOR_ANSWERS or not vendor.sources:
            raise ValueError(f"vendor {vendor.id!r} in rules/vendors.toml: baa and trains-by-default are yes/no/unknown, sources are required")
        vendors.append(vendor)
    return tuple(vendors)


def vendor_for(host: str | None, constructor: str | None, provider: str | None) -> Vendor | None:
    """The vendor an endpoint host names; without a host, the one a wrapper class or an SDK's
    provider names. None for a host no vendor owns (your own gateway)."""
    vendors = load_vendors()
    if host:
        return next((v for v in vendors if v.owns_host(host)), None)
    by_class = next((v for v in vendors if constructor and matches_any(constructor, v.constructors)), None)
    return by_class or next((v for v in vendors if provider and provider in v.providers), None)


@functools.lru_cache(maxsize=1)
def load() -> Catalog:
    endpoints = load_toml("endpoints.toml")
    sensitive = load_toml("sensitive-data.toml")
    controls = load_toml("controls.toml")
    catalog = Catalog(
        vocabulary=_vocabulary(sensitive),
        types={},
        constructors={},
        constructor_patterns=[],
        instances={},
        sinks={},
        sink_patterns=[],
        controls={
            code: (tuple(v.get("soc2", ())), tuple(v.get("hipaa", ())))
            for code, v in controls.items() if code != "titles"
        },
        endpoints=endpoints,
        key_shapes=[
            (k["provider"], re.compile(k["pattern"]), frozenset(k.get("only-as", ())))
            for k in endpoints.get("key", ())
        ],
        placeholder_words=tuple(endpoints.get("placeholder-words", ())),
        provider_hosts=tuple(endpoints.get("provider-hosts", ())),
        region_host_patterns=tuple(re.compile(p) for p in endpoints.get("region-host-patterns", ())),
    )
    catalog.web = load_toml("web-frameworks.toml")
    catalog.data_groups = {name: frozenset(ids) for name, ids in sensitive.get("data-groups", {}).items()}
    catalog.pseudonymous = frozenset(sensitive.get("pseudonyms", {}).get("categories", ()))
    for name in ("model-sdks.toml", "log-sinks.toml", "sources.toml"):
        data = load_toml(name)
        _add_types_and_sinks(data, catalog)
        _add_sources(data, catalog)
        catalog.hooks += tuple(data.get("hook", ()))
        catalog.answer_state.update({k: frozenset(v) for k, v in data.get("answer-state", {}).items()})
        catalog.content_attributes.update(data.get("content-attributes", {}))
        catalog.log_files.update(data.get("log-files", {}))
        for entry in data.get("store", ()):
            if entry["kind"] not in SINK_KINDS:
                raise ValueError(f"unknown sink kind {entry['kind']!r} in the catalogue")
            for owner in _list(entry["on"]):
                catalog.stores.setdefault(owner, []).append((frozenset(entry["attributes"]), entry["kind"], entry["what"]))
        catalog.event_hooks += tuple(data.get("event-hook", ()))
        catalog.ui_output += tuple(data.get("ui-output", {}).get("calls", ()))
    catalog.pipe_types = frozenset(t.name for t in catalog.types.values() if t.pipe)
    catalog.access = _access_control(load_toml("access-control.toml"))
    catalog.control_titles = {("SOC 2" if framework == "soc2" else "HIPAA", control): title
                              for framework, titles in controls.get("titles", {}).items() for control, title in titles.items()}
    return catalog


# ---------------------------------------------------------------- JavaScript/TypeScript
# js-model-sdks.toml, js-log-sinks.toml and js-sources.toml: what the semgrep pack's
# JavaScript/TypeScript rules are generated from (src/phi_lint/semgrep/javascript.py).


@dataclass(frozen=True)
class JsType:
    """What an object is, and the ways code gets one."""

    name: str
    provider: str = ""
    packages: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()  # `new Name(...)`; `Prefix*` for a family of classes
    factories: tuple[str, ...] = ()  # `name(...)`, `ns.name(...)`
    made_by: tuple[str, ...] = ()  # `anything.chain(...)`
    callbacks: tuple[str, ...] = ()  # `anything.method(..., (param) => ...)`


@dataclass(frozen=True)
class JsCall:
    """The calls an entry is about: any of the ways listed."""

    chains: tuple[str, ...] = ()  # `anything.chain(...)`
    on: tuple[str, ...] = ()  # with `methods`: methods of instances of these JsTypes
    methods: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()  # `name(...)`, `ns.name(...)`
    classes: tuple[str, ...] = ()  # `new Name(...)`


@dataclass(frozen=True)
class JsArguments:
    """The arguments of a call that carry data: properties of the options object at
    `options_at`, and whole arguments at `positions` ("*": all)."""

    options: tuple[str, ...] = ()
    options_at: int = 0
    positions: tuple[int, ...] | str = ()


@dataclass(frozen=True)
class JsSink:
    kind: str
    call: JsCall
    arguments: JsArguments
    answers: bool = True  # the call's result is the model's answer (MODEL_CONTENT only)


@dataclass(frozen=True)
class JsHttp:
    """HTTP calls whose body is model content when the URL is on a provider host."""

    functions: tuple[str, ...]
    arguments: JsArguments
    url_option: str = ""  # the URL is this option, not the first argument


@dataclass(frozen=True)
class JsClient:
    """Where the clients a class or factory makes send their requests (PHI301-PHI303)."""

    provider: str
    classes: tuple[str, ...] = ()
    factories: tuple[str, ...] = ()
    endpoint: tuple[str, ...] = ()  # options that set the endpoint (`configuration.baseURL`: nested)
    env: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    default: str = ""  # the public endpoint when none is given ("": none phi-lint can judge)
    default_instances: tuple[str, ...] = ()  # ready-made clients of `packages`
    packages: tuple[str, ...] = ()
    vertex_switch: str = ""


@dataclass(frozen=True)
class JsRetention:
    chains: tuple[str, ...]
    option: str
    value: str
    off: str
    why: str
    default: bool = False  # on unless the request turns it off


@dataclass(frozen=True)
class JsCatalog:
    types: dict[str, JsType]
    sinks: tuple[JsSink, ...]
    answers: tuple[JsCall, ...]  # calls whose result is a model's answer besides MODEL_CONTENT sinks
    prompts: tuple[JsCall, ...]  # calls whose result is a prompt built for a model
    http: tuple[JsHttp, ...]
    clients: tuple[JsClient, ...]
    retention: tuple[JsRetention, ...]
    tracing: dict
    transport: dict
    request: dict
    records: dict
    content_words: tuple[str, ...]
    sources: tuple[tuple[str, JsCall], ...]  # (label, calls whose result is patient data)
    sanitizers: tuple[str, ...]  # function or method names that clear data in every project
    throw: JsArguments


def _only(entry: dict, allowed: set[str], where: str) -> dict:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in {where}")
    return entry


_CALL_KEYS = {"chains", "on", "methods", "functions", "classes"}
_ARGUMENT_KEYS = {"options", "options-at", "positions"}


def _js_call(entry: dict) -> JsCall:
    return JsCall(*(tuple(entry.get(k, ())) for k in ("chains", "on", "methods", "functions", "classes")))


def _js_arguments(entry: dict) -> JsArguments:
    positions = entry.get("positions", ())
    return JsArguments(tuple(entry.get("options", ())), int(entry.get("options-at", 0)), positions if positions == "*" else tuple(positions))


@functools.lru_cache(maxsize=1)
def load_js() -> JsCatalog:
    sdks, logs, sources = load_toml("js-model-sdks.toml"), load_toml("js-log-sinks.toml"), load_toml("js-sources.toml")
    types: dict[str, JsType] = {}
    sinks: list[JsSink] = []
    for name, data in (("js-model-sdks.toml", sdks), ("js-log-sinks.toml", logs), ("js-sources.toml", sources)):
        for entry in data.get("type", ()):
            _only(entry, {"name", "provider", "packages", "classes", "factories", "made-by", "callbacks"}, f"[[type]] of {name}")
            types[entry["name"]] = JsType(
                entry["name"], entry.get("provider", ""),
                *(tuple(entry.get(k, ())) for k in ("packages", "classes", "factories", "made-by", "callbacks")),
            )
        for entry in data.get("sink", ()):
            _only(entry, {"kind", "answers"} | _CALL_KEYS | _ARGUMENT_KEYS, f"[[sink]] of {name}")
            if entry["kind"] not in SINK_KINDS:
                raise ValueError(f"unknown sink kind {entry['kind']!r} in {name}")
            sinks.append(JsSink(entry["kind"], _js_call(entry), _js_arguments(entry), bool(entry.get("answers", True))))
    for sink in sinks:
        missing = [t for t in sink.call.on if t not in types]
        if missing:
            raise ValueError(f"a [[sink]] is `on` the unknown type {missing[0]!r}")
    http = []
    for entry in sdks.get("http", ()):
        _only(entry, {"functions", "url-option"} | _ARGUMENT_KEYS, "[[http]] of js-model-sdks.toml")
        http.append(JsHttp(tuple(entry["functions"]), _js_arguments(entry), entry.get("url-option", "")))
    clients = []
    for entry in sdks.get("client", ()):
        _only(entry, {"provider", "classes", "factories", "endpoint", "env", "region", "default", "default-instances", "packages", "vertex-switch"}, "[[client]] of js-model-sdks.toml")
        clients.append(JsClient(
            entry["provider"], *(tuple(entry.get(k, ())) for k in ("classes", "factories", "endpoint", "env", "region")),
            entry.get("default", ""), tuple(entry.get("default-instances", ())), tuple(entry.get("packages", ())), entry.get("vertex-switch", ""),
        ))
    retention = [JsRetention(tuple(e["chains"]), e["option"], e["value"], e["off"], e["why"], bool(e.get("default", False))) for e in sdks.get("retention", ())]
    throw = logs.get("throw", {})
    return JsCatalog(
        types=types,
        sinks=tuple(sinks),
        answers=tuple(_js_call(_only(e, _CALL_KEYS, "[[answer]]")) for e in sdks.get("answer", ())),
        prompts=tuple(_js_call(_only(e, _CALL_KEYS, "[[prompt]]")) for e in sdks.get("prompt", ())),
        http=tuple(http),
        clients=tuple(clients),
        retention=tuple(retention),
        tracing=sdks.get("tracing", {}),
        transport=sdks.get("transport", {}),
        request=sources.get("request", {}),
        records=sources.get("records", {}),
        content_words=tuple(sources.get("content-words", ())),
        sources=tuple((e["label"], _js_call(_only(e, _CALL_KEYS | {"label"}, "[[source]] of js-sources.toml"))) for e in sources.get("source", ())),
        sanitizers=tuple(sources.get("sanitizers", ())),
        throw=_js_arguments(throw),
    )
