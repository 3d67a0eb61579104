"""The model calls of the checked files and the data and routes that reach them, read from the
facts the engine recorded: every call to a model (not only those with findings), where it goes,
whether the policy approves it, which data reaches it, and from which module and route.

Data reaches a model call from its own file or from another one, through a wrapper there
(`complete(prompt)` in routes.py sends to the client in llm.py). Each file is read once into plain
data (`FileInventory`): its model calls with the places of their arguments, and what it sends to
model calls anywhere, named by the place of the argument it reaches (a flow into another module
ends its trace at that argument, in that file). `join` then puts each file's data on the calls it
reaches: exact places, nothing matched by name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from phi_lint.analysis.endpoints import host_of, is_approved, is_loopback, region_of_host
from phi_lint.analysis.facts import CallFact, FlowEvent
from phi_lint.analysis.labels import PATIENT_DATA, real, sanitised_labels
from phi_lint.analysis.routes import model_events, model_flows, returns_answer, routes_of
from phi_lint.analysis.syntax import char_column
from phi_lint.catalog import MODEL_KINDS, Catalog, vendor_for
from phi_lint.checks.access import what_reaches
from phi_lint.checks.base import Context
from phi_lint.checks.endpoints import Target, clients_of, destination_of, region_arguments, shown_url
from phi_lint.checks.policy import allowed_data
from phi_lint.evidence.model import ALLOWED, APPROVED, SANITISED, SENT, UNAPPROVED, UNKNOWN, DataReach, ModelCall, RouteRecord
from phi_lint.model import Finding

# The order a call's kinds are named in: what it is for first.
_KIND_ORDER = ("MODEL_CONTENT", "MODEL_EMBED", "MODEL_METADATA")

# A place in the project: (file, line, character column); the file as the project index names it.
Place = tuple[str, int, int]


@dataclass(frozen=True)
class Reach:
    """One category of data that a file sends to a model call (its own or another file's)."""

    to: Place  # the model call's argument it reaches
    category: str
    sent: bool  # False: cleared by a sanitizer on the way
    source: str  # where it comes from, as written
    module: str  # the module that sends it (dotted)
    route: str | None  # the route whose handler sends it


@dataclass
class FileInventory:
    """What one file tells the inventory, before the files are joined."""

    calls: list[ModelCall] = field(default_factory=list)  # without data and routes yet
    arguments: dict[Place, int] = field(default_factory=dict)  # each call's arguments -> the call's index
    allowed: list[frozenset[str]] = field(default_factory=list)  # per call: what the prompt data policy allows there
    reaches: list[Reach] = field(default_factory=list)


def model_calls(ctx: Context, path: str, module: str) -> list[ModelCall]:
    """Every model call of one file with the data the file itself sends it; `path` is its path
    from the repository root, `module` its dotted name."""
    return join({path: file_inventory(ctx, path, module, path)})


def file_inventory(ctx: Context, path: str, module: str, place: str) -> FileInventory:
    """One file's model calls and what it sends to model calls; `place` names the file as trace
    steps in other files do (its project-relative path)."""
    inventory = FileInventory()
    m = ctx.analysis
    if m is None:
        return inventory
    arguments = _events_by_argument(m)
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
        events = [e for a in given for e in arguments.get(id(a), ())]
        for a in given:
            inventory.arguments[(place, a.lineno, char_column(m.lines, a.lineno, a.col_offset))] = len(inventory.calls)
        inventory.allowed.append(allowed_data(ctx.config, m.catalog, target.url if target is not None else None)[0])
        inventory.calls.append(ModelCall(
            path=path, line=call.node.lineno, module=module, function=_function_of(m, call.stmt),
            call=ast.unparse(call.node.func), sink=_sink_name(m.catalog, call.key, kinds, events), provider=provider,
            vendor=vendor.id if vendor is not None else None,
            endpoint=shown_url(target.url) if target is not None else None, region=region,
            approval=approval, approval_why=why,
        ))
    inventory.reaches = _reaches(ctx, module, place)
    return inventory


def join(inventories: dict[str, FileInventory]) -> list[ModelCall]:
    """Every model call of the files, with the data each file sends it (judged by the prompt data
    policy where the call goes) and the routes it comes from."""
    found: dict[tuple[str, int], dict[tuple, DataReach]] = {}
    for inventory in inventories.values():
        for reach in inventory.reaches:
            target = inventories.get(reach.to[0])
            index = target.arguments.get(reach.to) if target is not None else None
            if index is None:
                continue  # a call in a file not checked, or not a model call after all
            state = (ALLOWED if reach.category in target.allowed[index] else SENT) if reach.sent else SANITISED
            data = DataReach(reach.category, state, reach.source, reach.module, reach.route)
            found.setdefault((reach.to[0], index), {}).setdefault(_data_key(data), data)
    out = []
    for place, inventory in inventories.items():
        for index, call in enumerate(inventory.calls):
            data = sorted(found.get((place, index), {}).values(), key=_data_key)
            out.append(replace(call, data=tuple(data), routes=tuple(sorted({d.route for d in data if d.route}))))
    return out


_STATE_ORDER = {SENT: 0, ALLOWED: 1, SANITISED: 2}


def _data_key(d: DataReach) -> tuple:
    return (_STATE_ORDER[d.state], d.category, d.source, d.module, d.route or "")


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
    return UNKNOWN, "the endpoint is not in the code (environment, deploy-time settings, a client passed in)"


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


def _reaches(ctx: Context, module: str, place: str) -> list[Reach]:
    """The patient data the file sends to model calls, its own or another file's, each category
    with the routes whose handlers send it."""
    m = ctx.analysis
    routes: dict[int, list[str]] = {}
    for route in routes_of(m, ctx.config.auth_guards):
        for event in model_events(m, route):
            routes.setdefault(id(event), []).append(route.name)
    out: list[Reach] = []
    for events in m.unit_events.values():
        for event in events:
            if event.kind not in MODEL_KINDS:
                continue
            to = _sink_place(event, m.lines, place)
            for category, sent, source in _categories(event):
                out += [Reach(to, category, sent, source, module, route) for route in routes.get(id(event), [None])]
    return out


def _sink_place(event: FlowEvent, lines: list[str], place: str) -> Place:
    """The argument of the model call an event reaches: where its trace ends when that is in
    another file (data handed to a wrapper there), else the event's own argument."""
    last = next((o.steps[-1] for o in event.taint.values() if o.steps), None)
    if last is not None and last.path is not None:
        return (last.path, last.line, last.col)
    return (place, event.node.lineno, char_column(lines, event.node.lineno, event.node.col_offset))


def _categories(event: FlowEvent):
    """(category, sent, source) of the patient data an event carries: sent as it is, or cleared
    by a sanitizer on the way (sent False)."""
    for _, taint in [*event.atoms, (event.node, event.taint)]:
        for sent, origins in ((True, real(taint)), (False, sanitised_labels(taint))):
            for label in PATIENT_DATA:
                origin = origins.get(label)
                for category in sorted(origin.categories) if origin is not None else ():
                    yield category, sent, origin.source


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
