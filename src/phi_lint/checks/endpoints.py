"""PHI301-PHI304: model calls to endpoints, regions and settings the policy does not approve."""

from __future__ import annotations

import ast
import fnmatch
import functools
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

from phi_lint.analysis.endpoints import host_of, is_approved, is_loopback, is_model_endpoint, region_of_host
from phi_lint.analysis.facts import CallFact
from phi_lint.checks.base import Context, Report, Rule
from phi_lint.checks.providers import configured_endpoint, litellm_provider, unset_environment
from phi_lint.checks.tracing import keyword
from phi_lint.fix.build import add_keyword, endpoint_fix, https_fix, region_fix, remove_argument, set_value
from phi_lint.model import Severity


@dataclass
class Target:
    """Where one model call or client sends its requests."""

    url: str
    node: ast.AST  # the expression that gave the URL (the call itself for an SDK default)
    call: CallFact
    default: bool  # the SDK's default endpoint, not written in the code
    who: str  # "OpenAI client", "requests.post"
    partial: bool = False  # the URL is the literal prefix of an f-string: judged, never rewritten


def model_targets(ctx: Context) -> Iterator[Target]:
    """Every client construction and HTTP call whose endpoint phi-lint can judge."""
    for call in ctx.analysis.calls:
        yield from targets_of(ctx, call)


def targets_of(ctx: Context, call: CallFact) -> Iterator[Target]:
    """Where one client construction or HTTP call sends its requests, when phi-lint can tell."""
    m = ctx.analysis
    spec = m.catalog.endpoints
    approved = ctx.config.approved_endpoints
    entry = _client_entry(call, spec)
    if entry is not None:
        who = f"`{ast.unparse(call.node.func)}` client"
        found = _endpoint_param(call, entry)
        written = ctx.once("environment-writes", lambda: _environment_writes(m))
        configured = configured_endpoint(m, entry) if found is None else None
        if found is not None:
            node, url = found
            unset = unset_environment(m, call, node) if url is None and entry.get("default") else None
            if url and (not entry.get("model-endpoints-only") or is_model_endpoint(url, m.catalog, approved)):
                yield Target(url, node, call, False, who)
            elif unset:  # `base_url=os.getenv("OPENAI_BASE_URL")`: the default when it is unset
                yield Target(entry["default"], node, call, True, f"{who} (with {unset} unset)", partial=True)
        elif configured is not None:  # `genai.configure(client_options={"api_endpoint": ...})`
            node, url = configured
            if url:
                yield Target(url, node, call, False, who)
        elif any(name in written for name in entry.get("env", ())):
            # the module sets the variable the SDK reads (OPENAI_BASE_URL): that is the endpoint
            node, url = next(written[name] for name in entry["env"] if name in written)
            if url:
                yield Target(url, node, call, False, who)
        elif entry.get("default") and not any(k.arg is None for k in call.node.keywords):
            # the SDK's default, unless `**options` may carry the endpoint
            yield Target(entry["default"], call.node.func, call, True, who)
    for entry in spec.get("call-endpoint", ()):
        if call.key in entry["calls"]:
            given = [kw for kw in (keyword(call.node, p) for p in entry["params"]) if kw is not None]
            for kw in given:
                url = call.scope.const_str(kw.value)
                if url:
                    yield Target(url, kw.value, call, False, f"`{ast.unparse(call.node.func)}`")
            if not given and entry.get("default"):
                yield from _module_default(m, call, entry)
    provider = litellm_provider(call, spec)
    if provider is not None and provider[2].get("default"):
        value, prefix, known = provider  # `model="groq/..."`: the provider's public endpoint
        yield Target(known["default"], value, call, True, f"`{ast.unparse(call.node.func)}` with a `{prefix}/` model", partial=True)
    if call.key in _http_keys(m.catalog):
        node = _url_argument(call)
        url = call.scope.url_str(node) if node is not None else None
        if url and is_model_endpoint(url, m.catalog, approved):
            yield Target(url, node, call, False, f"`{ast.unparse(call.node.func)}`", call.scope.const_str(node) is None)


def _module_default(m, call: CallFact, entry: dict) -> Iterator[Target]:
    """A module-level SDK function (`genai.generate_text`, `dashscope.Generation.call`): the
    endpoint the module configured for it, else the SDK's public default."""
    who = f"`{ast.unparse(call.node.func)}`"
    configured = configured_endpoint(m, entry)
    if configured is None:
        yield Target(entry["default"], call.node.func, call, True, who)
    elif configured[1]:
        yield Target(configured[1], configured[0], call, False, who)


def destination_of(ctx: Context, argument: ast.AST) -> Target | None:
    """Where the model request that `argument` is given to sends it: the endpoint of the call
    itself (an HTTP call to a provider, `litellm.completion(api_base=...)`) or of the client,
    model or chain the request is made on (`client = AzureOpenAI(azure_endpoint=...)`,
    `chain = prompt | llm`). None when phi-lint cannot tell (a client made in another module, an
    endpoint read at deploy time). The one place that answers this question for the rules."""
    m = ctx.analysis
    requests = ctx.once("requests-by-argument", lambda: {
        id(value): call for call in m.calls for value in [*call.node.args, *(kw.value for kw in call.node.keywords)]})
    call = requests.get(id(argument))
    if call is None:
        return None
    own = next(targets_of(ctx, call), None)
    if own is not None:
        return own
    for fact in clients_of(ctx, call):
        target = next(targets_of(ctx, fact), None)
        if target is not None:
            return target
    return _factory_client(ctx, call) or _imported_client(ctx, call)


def client_target(ctx: Context, made: CallFact) -> Target | None:
    """Where a client sends its requests, given the call that made it: a constructor
    (`AzureOpenAI(azure_endpoint=...)`), or a factory of another module (`make_client()`)."""
    return next(targets_of(ctx, made), None) or _factory_target(ctx, made)


def _factory_client(ctx: Context, call: CallFact) -> Target | None:
    """A request on a client a factory of another module made (`azure = make_client()`,
    `self.client = make_client()`): where the client that factory returns sends."""
    if ctx.analysis.project is None:
        return None
    calls = ctx.once("calls-by-node", lambda: {id(c.node): c for c in ctx.analysis.calls})
    receiver = call.node.func
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
        for made in call.scope.constructors_behind(receiver):
            fact = calls.get(id(made))
            target = _factory_target(ctx, fact) if fact is not None else None
            if target is not None:
                return target
    return None


def _factory_target(ctx: Context, made: CallFact) -> Target | None:
    """The endpoint a factory of another module gives the client it returns, as its summary says."""
    if made.types or ctx.analysis.project is None:
        return None
    found = ctx.analysis.project.function(made.key)
    endpoint = found[1].return_endpoint if found is not None else None
    return Target(endpoint, made.node, made, False, f"the `{ast.unparse(made.node.func)}()` client") if endpoint else None


def _imported_client(ctx: Context, call: CallFact) -> Target | None:
    """A request on a client another module of the project made (`from app.llm import client`):
    the endpoint that module gives it."""
    m = ctx.analysis
    if m.project is None:
        return None
    receiver = call.node.func
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
        dotted = m.imports.resolve(receiver) if isinstance(receiver, (ast.Name, ast.Attribute)) else None
        value = m.project.value(dotted) if dotted else None
        if value is not None and value.endpoint:
            return Target(value.endpoint, receiver, call, False, f"`{ast.unparse(receiver)}` client")
    return None


def clients_of(ctx: Context, call: CallFact) -> Iterator[CallFact]:
    """The constructions of the client, model or chain a request is made on, nearest first
    (`client` in `client.chat.completions.create`, `llm` in `(prompt | llm).invoke`)."""
    constructions = ctx.once("constructions", lambda: {id(c.node): c for c in ctx.analysis.calls if c.types})
    receiver = call.node.func
    while isinstance(receiver, ast.Attribute):  # `client.chat.completions`, `client.chat`, `client`
        receiver = receiver.value
        for made in call.scope.constructors_behind(receiver):
            fact = constructions.get(id(made))
            if fact is not None:
                yield fact


def _environment_writes(m) -> dict[str, tuple[ast.expr, str | None]]:
    """Environment variables the module sets (`os.environ[NAME] = v`, `os.environ.setdefault(NAME,
    v)`): name -> (value node, its constant value, None when unknown)."""
    out: dict[str, tuple[ast.expr, str | None]] = {}
    for fact in m.assigns:
        if fact.target.startswith("os.environ[") and fact.target.endswith("]"):
            out[fact.target[len("os.environ[") : -1]] = (fact.value, fact.scope.const_str(fact.value))
    for call in m.calls:
        if call.key in ("os.environ.setdefault", "os.putenv") and len(call.node.args) >= 2:
            name = call.scope.const_str(call.node.args[0])
            if name:
                out.setdefault(name, (call.node.args[1], call.scope.const_str(call.node.args[1])))
    return out


def _client_entry(call: CallFact, spec: dict) -> dict | None:
    """The [[client-endpoint]] entry of a client construction: the first that matches, None when
    it matches none or its endpoint is judged elsewhere (Bedrock and Vertex flavours, by region)."""
    if not call.types:
        return None
    for entry in spec.get("client-endpoint", ()):
        if call.key in entry.get("constructors", ()) or set(call.types) & set(entry.get("types", ())):
            if call.key in entry.get("skip-constructors", ()):
                return None
            vertex = entry.get("vertex-switch")
            if vertex and (kw := keyword(call.node, vertex)) is not None and call.scope.const_value(kw.value):
                return None
            return entry
    return None


@functools.lru_cache(maxsize=4)
def _http_keys(catalog) -> frozenset[str]:
    """Callees that send a request body over HTTP (requests.post, httpx.Client.post, ...)."""
    return frozenset(key for key, specs in catalog.sinks.items() if any(s.http for s in specs))


def _endpoint_param(call: CallFact, entry: dict):
    """(node, url) of the parameter that sets the endpoint; url None when it is not a constant."""
    for param in entry["params"]:
        if "." in param:  # http_options.base_url
            outer, inner = param.split(".", 1)
            kw = keyword(call.node, outer)
            if kw is None:
                continue
            value = kw.value
            if isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values):
                    if call.scope.const_str(k) == inner:
                        return v, call.scope.const_str(v)
            elif isinstance(value, ast.Call) and (inner_kw := keyword(value, inner)) is not None:
                return inner_kw.value, call.scope.const_str(inner_kw.value)
            continue
        kw = keyword(call.node, param)
        if kw is not None:
            url = call.scope.const_str(kw.value)
            if param in entry.get("url-only", ()) and (url is None or "://" not in url):
                continue
            return kw.value, url
    return None


def _url_argument(call: CallFact) -> ast.expr | None:
    kw = keyword(call.node, "url")
    if kw is not None:
        return kw.value
    args = call.node.args
    if call.key.endswith(".request"):
        return args[1] if len(args) > 1 else None
    if args:
        return args[0]
    return None


class UnapprovedModelEndpoint(Rule):
    """## What it does
    Finds model clients and HTTP calls that send requests to an endpoint not listed in
    `approved-endpoints`, including an SDK's default public endpoint (`OpenAI()` with no
    `base_url` goes to `https://api.openai.com/v1`, `ChatAnthropic()` to Anthropic's API) and URLs
    of known provider hosts given to requests, httpx or aiohttp. Module constants,
    `os.getenv("X", "default")` defaults and base-URL variables the module sets
    (`OPENAI_BASE_URL`) are resolved; an endpoint only known at deploy time is not judged.
    Loopback is always approved.

    ## Why is this bad?
    PHI may only go to a vendor that signed a Business Associate Agreement, on the endpoint the
    agreement covers (often a private Azure OpenAI or Bedrock deployment). A client that silently
    uses a public default endpoint sends PHI to a vendor the organisation has no BAA with.

    ## Example
    ```python
    client = OpenAI()  # https://api.openai.com/v1
    ```

    ## Use instead
    ```python
    client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
    ```
    and list the endpoint in `[tool.phi-lint] approved-endpoints`.

    ## Fix safety
    Unsafe, and offered only when exactly one approved endpoint that is not loopback fits the
    provider of the client or URL (an Azure OpenAI host fits OpenAI clients, never Anthropic's):
    the fix points the client at it (a `base_url=` for an SDK default; a full request URL keeps its
    path), which changes where requests go.

    ## Controls
    SOC 2 CC9.2, CC6.7; HIPAA §164.308(b)(1), §164.502(e).

    ## References
    - 45 CFR §164.308(b)(1), §164.502(e): business associate contracts
    """

    code = "PHI301"
    name = "unapproved-model-endpoint"
    severity = Severity.WARNING
    policy_key = "approved_endpoints"
    message = "{who} sends requests to {url}{default}, which is not in `approved-endpoints`"
    fix_title = "Use the approved endpoint"

    def check(self, ctx: Context) -> Iterator[Report]:
        for target in model_targets(ctx):
            if not is_approved(target.url, ctx.config.approved_endpoints):
                default = " (the SDK's default)" if target.default else ""
                yield Report(node=target.node, message=self.message.format(who=target.who, url=shown_url(target.url), default=default), stmt=target.call.stmt,
                             fix=None if target.partial else endpoint_fix(ctx, target, self.fix_title))


class InsecureModelTransport(Rule):
    """## What it does
    Finds model requests over plain `http://` to a host that is not loopback, and TLS
    verification switched off on a model call or on the HTTP client given to a model SDK
    (`verify=False`, `ssl.CERT_NONE`).

    ## Why is this bad?
    Prompts carry PHI. Without TLS, or with certificates unchecked, anyone on the path can read or
    alter them: HIPAA's transmission security standard requires integrity and encryption.

    ## Example
    ```python
    client = OpenAI(base_url="http://llm-gateway.internal:8000/v1", http_client=httpx.Client(verify=False))
    ```

    ## Use instead
    ```python
    client = OpenAI(base_url="https://llm-gateway.internal:8000/v1")
    ```

    ## Fix safety
    Safe: the fix writes `https://` and removes `verify=False`. If the server has no TLS yet the
    call fails loudly instead of leaking quietly.

    ## Controls
    SOC 2 CC6.7, CC6.1; HIPAA §164.312(e)(1), §164.312(e)(2)(ii).

    ## References
    - 45 CFR §164.312(e): transmission security
    """

    code = "PHI302"
    name = "insecure-model-transport"
    severity = Severity.WARNING
    policy_key = "approved_endpoints"
    message = "{what}"
    fix_title = "Use https:// and keep TLS verification on"

    def check(self, ctx: Context) -> Iterator[Report]:
        m = ctx.analysis
        for target in model_targets(ctx):
            if urlsplit(target.url).scheme == "http" and not is_loopback(host_of(target.url)):
                yield Report(node=target.node, message=f"{target.who} sends prompts over plain http:// to {shown_url(target.url)}", stmt=target.call.stmt,
                             fix=None if target.partial else https_fix(ctx, target, self.fix_title))
            if not target.default:  # a request (or HTTP client) aimed at a model endpoint
                yield from self._unverified(ctx, target.call.node, target.call, target.who)
                receiver = _receiver_ctor(target.call)
                if receiver is not None:
                    yield from self._unverified(ctx, receiver, target.call, f"the HTTP client of {target.who}")
        model_types = _model_types(m)
        for call in m.calls:
            if not set(call.types) & model_types:
                continue
            # boto3's `verify=False`, Ollama's httpx keywords: TLS switched off on the client itself
            yield from self._unverified(ctx, call.node, call, f"`{ast.unparse(call.node.func)}` client")
            for name in HTTP_CLIENT_KEYWORDS:
                kw = keyword(call.node, name)
                inner = call.scope.constructor_of(kw.value) if kw is not None else None
                if inner is not None:
                    yield from self._unverified(ctx, inner, call, f"the HTTP client of `{ast.unparse(call.node.func)}`")
        attributes = m.catalog.endpoints.get("tls-off-attributes", ())
        for fact in m.assigns:
            if fact.target in attributes and fact.scope.const_value(fact.value) is False:
                yield Report(node=fact.value, message=f"`{fact.target} = {ast.unparse(fact.value)}` turns TLS verification off for every model call", stmt=fact.stmt,
                             fix=set_value(ctx, fact.value, "True", self.fix_title))

    def _unverified(self, ctx: Context, node: ast.Call, call: CallFact, who: str) -> Iterator[Report]:
        for name in TLS_KEYWORDS:
            kw = keyword(node, name)
            if kw is None:
                continue
            value = call.scope.const_value(kw.value)
            text = ast.unparse(kw.value)
            if value is False or text.endswith("CERT_NONE") or "unverified" in text:
                yield Report(node=kw, message=f"{who} turns TLS verification off (`{name}={text}`)", stmt=call.stmt,
                             fix=remove_argument(ctx, node, kw, self.fix_title))


# Keywords that switch TLS verification (httpx/requests `verify`, aiohttp `ssl`/`verify_ssl`,
# botocore `verify`) and that hand a model SDK its HTTP client.
TLS_KEYWORDS = ("verify", "verify_ssl", "ssl", "use_ssl")
HTTP_CLIENT_KEYWORDS = ("http_client", "http_async_client", "client", "session", "async_client")


def _receiver_ctor(call: CallFact) -> ast.Call | None:
    """`client.post(...)` where `client = httpx.Client(...)`: that constructor call."""
    func = call.node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Call)):
        return call.scope.constructor_of(func.value)
    return None


def _region_argument(node: ast.Call, params, positions=()) -> ast.expr | None:
    """The region a call is given: by keyword, or by position (`boto3.client("bedrock-runtime", "eu-west-1")`)."""
    for param in params:
        kw = keyword(node, param)
        if kw is not None:
            return kw.value
    for position in positions:
        if position < len(node.args) and not isinstance(node.args[position], ast.Starred):
            return node.args[position]
    return None


def region_arguments(call: CallFact, catalog) -> Iterator[ast.expr]:
    """The arguments that choose the region of a client or init call (Bedrock `region_name`,
    Vertex `location`), or of the session it is made from."""
    for entry in catalog.endpoints.get("region-param", ()):
        if not any(fnmatch.fnmatchcase(call.key, p) for p in entry["calls"]):
            continue
        only = entry.get("only-for-types")
        if only and not set(call.types) & set(only):
            continue
        found = _region_argument(call.node, entry["params"], entry.get("positions", ()))
        if found is None and entry.get("from-receiver"):
            receiver = _receiver_ctor(call)  # session.client("bedrock-runtime"): the session's region
            found = _region_argument(receiver, entry["params"]) if receiver is not None else None
        if found is not None:
            yield found


def _model_types(m) -> set[str]:
    return {t for t, spec in m.catalog.types.items() if spec.provider}


class UnapprovedModelRegion(Rule):
    """## What it does
    Finds a Bedrock `region_name`, a Vertex AI `location`, or a region in a model endpoint's host
    that is not listed in `approved-regions`. Silent until `approved-regions` is configured: a
    region is only unapproved against a policy.

    ## Why is this bad?
    Data residency commitments (state law, contracts, the BAA itself) name the regions where PHI
    may be processed. A model call in another region moves PHI there.

    ## Example
    ```python
    bedrock = boto3.client("bedrock-runtime", region_name="eu-west-1")
    ```

    ## Use instead
    ```python
    bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
    ```

    ## Fix safety
    Unsafe, offered when exactly one approved region belongs to the same cloud as the one found
    (`us-east-1` for `eu-west-1`, `us-central1` for `europe-west4`): the model may not be
    available there.

    ## Controls
    SOC 2 CC9.2, C1.1; HIPAA §164.308(b)(1).

    ## References
    - AWS Bedrock: supported Regions; Google Vertex AI: data residency
    """

    code = "PHI303"
    name = "unapproved-model-region"
    severity = Severity.WARNING
    policy_key = "approved_regions"
    message = "{who} uses region {region}, which is not in `approved-regions` ({approved})"
    fix_title = "Use the approved region"

    def check(self, ctx: Context) -> Iterator[Report]:
        approved = ctx.config.approved_regions
        if not approved:
            return
        m = ctx.analysis
        shown = ", ".join(approved)
        for call in m.calls:
            for found in region_arguments(call, m.catalog):
                region = call.scope.const_str(found)
                if region and region not in approved:
                    who = f"`{ast.unparse(call.node.func)}`"
                    yield Report(node=found, message=self.message.format(who=who, region=region, approved=shown), stmt=call.stmt,
                                 fix=region_fix(ctx, call, found, region, self.fix_title))
        for target in model_targets(ctx):
            region = region_of_host(host_of(target.url), m.catalog)
            if region and region not in approved:
                yield Report(node=target.node, message=self.message.format(who=target.who, region=region, approved=shown), stmt=target.call.stmt,
                             fix=None if target.partial else region_fix(ctx, target.call, target.node, region, self.fix_title))


class VendorDataRetention(Rule):
    """## What it does
    Finds requests that opt into the vendor storing or reusing their content: OpenAI `store=True`
    (stored completions for evals and distillation), the Responses API called without
    `store=False` (it stores by default), `background=True` on the Responses API,
    `ChatOpenAI(store=True)`, and the other switches in rules/endpoints.toml.

    ## Why is this bad?
    A BAA with zero data retention covers requests that are not kept. Opting into storage keeps
    the prompt, which holds PHI, in the vendor's dashboard, visible to everyone in the project,
    for as long as the vendor keeps it.

    ## Example
    ```python
    client.chat.completions.create(model="gpt-4o", messages=messages, store=True)
    ```

    ## Use instead
    ```python
    client.chat.completions.create(model="gpt-4o", messages=messages, store=False)
    ```

    ## Fix safety
    Safe: the fix sets the switch off; nothing in the response changes.

    ## Controls
    SOC 2 CC9.2, C1.2, P6.1; HIPAA §164.502(e), §164.504(e).

    ## References
    - OpenAI API reference: `store` on chat completions and responses
    """

    code = "PHI304"
    name = "vendor-data-retention"
    severity = Severity.WARNING
    message = "`{keyword}={value}` {why}"
    fix_title = "Switch vendor storage off"

    def check(self, ctx: Context) -> Iterator[Report]:
        m = ctx.analysis
        entries = _retention_entries(m.catalog)
        for call in m.calls:
            for keys, entry in entries:
                if call.key not in keys:
                    continue
                name = entry["keyword"]
                kw = keyword(call.node, name)
                if kw is not None:
                    if call.scope.const_value(kw.value) == entry["value"]:
                        yield Report(node=kw.value, message=self.message.format(keyword=name, value=ast.unparse(kw.value), why=entry["why"]), stmt=call.stmt,
                                     fix=set_value(ctx, kw.value, entry.get("off"), self.fix_title))
                elif entry.get("default") and not any(k.arg is None for k in call.node.keywords):
                    # on unless switched off, and no **kwargs that might switch it off
                    method = ast.unparse(call.node.func)
                    yield Report(node=call.node.func, message=f"`{method}(...)` without `{name}={entry['off']}` {entry['why']}", stmt=call.stmt,
                                 fix=add_keyword(ctx, call.node, name, entry["off"], self.fix_title))


@functools.lru_cache(maxsize=4)
def _retention_entries(catalog) -> tuple[tuple[frozenset[str], dict], ...]:
    """Each [[retention]] entry with the callee keys it applies to."""
    out = []
    for entry in catalog.endpoints.get("retention", ()):
        keys = {f"{on}.{meth}" for on in entry.get("on", ()) for meth in entry.get("methods", ())}
        keys.update(entry.get("calls", ()))
        keys.update(entry.get("constructors", ()))
        out.append((frozenset(keys), entry))
    return tuple(out)


def shown_url(url: str) -> str:
    """scheme://host[:port]/path without query or credentials (never print a secret in a URL)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else url
