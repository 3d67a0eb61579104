"""The model calls of one file and the routes that reach them, read from the facts the engine
recorded: every call to a model (not only those with findings), where it goes, whether the
policy approves it, which data reaches it, and from which module, function and route."""

from __future__ import annotations

import ast

from phi_lint.analysis.endpoints import host_of, is_approved, is_loopback, region_of_host
from phi_lint.analysis.facts import CallFact, FlowEvent
from phi_lint.analysis.labels import PATIENT_DATA, real, sanitised_labels
from phi_lint.analysis.routes import model_flows, returns_answer, routes_of
from phi_lint.catalog import MODEL_KINDS, Catalog, vendor_for
from phi_lint.checks.access import what_reaches
from phi_lint.checks.base import Context
from phi_lint.checks.endpoints import Target, clients_of, destination_of, region_arguments, shown_url
from phi_lint.checks.policy import allowed_data
from phi_lint.evidence.model import ALLOWED, APPROVED, SANITISED, SENT, UNAPPROVED, UNKNOWN, DataReach, ModelCall, RouteRecord
from phi_lint.model import Finding

# The order a call's kinds are named in: what it is for first.
_KIND_ORDER = ("MODEL_CONTENT", "MODEL_EMBED", "MODEL_METADATA")


def model_calls(ctx: Context, path: str, module: str) -> list[ModelCall]:
    """Every model call of the file; `path` is its path from the repository root, `module` its
    dotted name."""
    m = ctx.analysis
    if m is None:
        return []
    routes = _routes_by_argument(ctx)
    arguments = _events_by_argument(m)
    out = []
    seen: set[int] = set()
    for call in m.calls:
        if id(call.node) in seen:
            continue  # a call in a loop is recorded once per pass
        seen.add(id(call.node))
        kinds = {s.kind for s in m.catalog.sinks_for(call.key) if s.kind in MODEL_KINDS}
        given = _arguments(call.node)
        target = destination_of(ctx, given[0]) if given else None
        if not kinds or (_is_http(m.catalog, call.key) and target is None):
            continue  # an HTTP call is a model call only when it goes to a model endpoint
        client = next(clients_of(ctx, call), None)
        region = _region(call, client, target, m.catalog)
        provider = _provider(m.catalog, call, client)
        host = host_of(target.url) if target is not None else None
        made_by = client.key if client is not None else call.key
        if host and is_loopback(host):  # a model server on this machine: only a self-hosted runtime is named
            local = vendor_for(None, made_by, provider)
            vendor = local if local is not None and local.self_hosted else None
        else:
            vendor = vendor_for(host, made_by, provider)
        approval, why = _approval(ctx, target, region)
        allowed = allowed_data(ctx.config, m.catalog, target.url if target is not None else None)[0]
        events = [e for a in given for e in arguments.get(id(a), ())]
        out.append(ModelCall(
            path=path, line=call.node.lineno, module=module, function=_function_of(m, call.stmt),
            call=ast.unparse(call.node.func), sink=_sink_name(m.catalog, call.key, kinds, events), provider=provider,
            vendor=vendor.id if vendor is not None else None,
            endpoint=shown_url(target.url) if target is not None else None, region=region,
            approval=approval, approval_why=why, data=_data(events, allowed),
            routes=tuple(sorted({r for a in given for r in routes.get(id(a), ())})),
        ))
    return out


def route_records(ctx: Context, path: str, findings: list[Finding], baselined: set[str]) -> list[RouteRecord]:
    """The routes whose handlers send patient data to a model, guarded or not, with the PHI5xx
    finding each has (`findings`: the file's, suppressed and baselined ones included) and how it
    was accepted."""
    m = ctx.analysis
    if m is None:
        return []
    by_line = {(f.line, f.code): f for f in findings if f.code.startswith("PHI5")}
    out = []
    for route in routes_of(m, ctx.config.auth_guards):
        flows = model_flows(m, route)
        if not flows:
            continue
        anchor = route.public[0].node if route.public and not route.guards else route.anchor
        finding = None if route.guards else by_line.get((anchor.lineno, "PHI502" if route.public else "PHI501"))
        accepted = None
        if finding is not None and finding.suppression is not None:
            accepted = finding.suppression.reason or "suppressed without a reason"
        elif finding is not None and finding.fingerprint in baselined:
            accepted = "in the baseline"
        out.append(RouteRecord(
            path=path, line=anchor.lineno, framework=route.framework.name, route=route.name,
            handler=route.qualname, guards=tuple(route.guards), public=tuple(p.text for p in route.public),
            sends=what_reaches(flows, returns_answer(m, route)), finding=finding.code if finding is not None else None,
            accepted=accepted,
        ))
    return out


# ------------------------------------------------------------------------------ where it goes
def _region(call: CallFact, client: CallFact | None, target: Target | None, catalog: Catalog) -> str | None:
    """The region a call runs in: in its endpoint's host, or chosen on the call or its client
    (Bedrock `region_name`, Vertex `location`)."""
    if target is not None:
        region = region_of_host(host_of(target.url), catalog)
        if region:
            return region
    for fact in (call, client):
        for found in (region_arguments(fact, catalog) if fact is not None else ()):
            region = fact.scope.const_str(found)
            if region:
                return region
    return None


def _approval(ctx: Context, target: Target | None, region: str | None) -> tuple[str, str]:
    config = ctx.config
    if target is not None and not is_approved(target.url, config.approved_endpoints):
        return UNAPPROVED, "not in `approved-endpoints`" + (" (the SDK's default)" if target.default else "")
    if region is not None and config.approved_regions and region not in config.approved_regions:
        return UNAPPROVED, f"region {region} is not in `approved-regions`"
    if target is not None:
        return APPROVED, "loopback" if is_loopback(host_of(target.url)) else "in `approved-endpoints`"
    if region is not None and config.approved_regions:
        return APPROVED, f"region {region} is in `approved-regions`"
    if region is not None:
        return UNKNOWN, f"region {region}; no `approved-regions` policy"
    return UNKNOWN, "the endpoint is set outside this file (environment, another module)"


def _provider(catalog: Catalog, call: CallFact, client: CallFact | None) -> str:
    """The SDK's provider (`OpenAI`, `LangChain`): of the client, else of the call's own type."""
    for fact in (client, call):
        for type_name in (fact.types if fact is not None else ()):
            spec = catalog.types.get(type_name)
            if spec is not None and spec.provider:
                return spec.provider
    owner = next((t for t in catalog.types if call.key.startswith(t + ".")), None)
    spec = catalog.types.get(owner) if owner else None
    return spec.provider if spec is not None and spec.provider else call.key.split(".", 1)[0]


def _is_http(catalog: Catalog, key: str) -> bool:
    return any(spec.http for spec in catalog.sinks_for(key))


# ------------------------------------------------------------------------------ what reaches it
def _events_by_argument(m) -> dict[int, list[FlowEvent]]:
    """Flow events by the argument they reach, each unit's own (callers of one helper apart)."""
    out: dict[int, list[FlowEvent]] = {}
    for events in m.unit_events.values():
        for event in events:
            if event.kind in MODEL_KINDS:
                out.setdefault(id(event.node), []).append(event)
    return out


def _data(events: list[FlowEvent], allowed: frozenset[str]) -> tuple[DataReach, ...]:
    """The categories that reach a call: sent, allowed there by the prompt data policy, or
    cleared by a sanitizer on the way."""
    found: dict[tuple[str, str, str], DataReach] = {}
    for event in events:
        for _, taint in [*event.atoms, (event.node, event.taint)]:
            live, cleared = real(taint), sanitised_labels(taint)
            for label in PATIENT_DATA:
                for sent, origins in ((True, live), (False, cleared)):
                    origin = origins.get(label)
                    for category in sorted(origin.categories) if origin is not None else ():
                        state = (ALLOWED if category in allowed else SENT) if sent else SANITISED
                        found.setdefault((state, category, origin.source), DataReach(category, state, origin.source))
    order = {SENT: 0, ALLOWED: 1, SANITISED: 2}
    return tuple(sorted(found.values(), key=lambda d: (order[d.state], d.category, d.source)))


def _routes_by_argument(ctx: Context) -> dict[int, set[str]]:
    """The routes whose handlers' flows reach each model-call argument."""
    m = ctx.analysis
    out: dict[int, set[str]] = {}
    for route in routes_of(m, ctx.config.auth_guards):
        for event in model_flows(m, route):
            out.setdefault(id(event.node), set()).add(route.name)
    return out


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(kw.value for kw in call.keywords)]


def _sink_name(catalog: Catalog, key: str, kinds: set[str], events: list[FlowEvent]) -> str:
    if events:
        return events[0].sink
    spec = next(s for kind in _KIND_ORDER for s in catalog.sinks_for(key) if s.kind == kind and kind in kinds)
    owner = next((t for t in catalog.types if key.startswith(t + ".")), None)
    method = key[len(owner) + 1 :] if owner else key.rpartition(".")[2]
    return spec.what.format(method=method)


# ------------------------------------------------------------------------------ where it is
def _function_of(m, stmt: ast.stmt | None) -> str:
    """The function or method holding a statement (`TriageView.post`); `<module>` at top level."""
    if stmt is None:
        return "<module>"
    line = stmt.lineno
    for node in m.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return node.name
        if isinstance(node, ast.ClassDef) and node.lineno <= line <= (node.end_lineno or node.lineno):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.lineno <= line <= (item.end_lineno or item.lineno):
                    return f"{node.name}.{item.name}"
            return node.name
    return "<module>"
