"""Where a wrapping fix goes.

The analysis reports the tainted parts of a sink argument. When such a part is a local variable
that is assigned once and used only at this sink (`messages = [...]` then
`create(messages=messages)`), wrapping the variable would mask the whole prompt, or, for a list
of chat messages, not mask its free text at all. The fix then goes where the data enters the
variable's value: the tainted parts of its definition, found by running the analysis of the
function again (quietly: it records nothing).

Everything here is computed once per file or once per scope and kept in `ModuleAnalysis.derived`
(parents, the names each scope binds and reads, the tainted parts of each assignment), so that
building every fix of a file costs time linear in its size, however many findings it has.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from phi_lint.analysis.interpreter import FunctionAnalysis
from phi_lint.analysis.labels import real
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.analysis.summaries import FunctionInfo
from phi_lint.analysis.syntax import parameters_of

MAX_DEPTH = 3  # variables defined from variables, followed this far
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)


def fix_targets(ctx, targets: list[ast.expr], labels: tuple[str, ...]) -> list[ast.expr] | None:
    """The expressions a wrapping fix should wrap; None when no sound place exists."""
    analysis = ctx.analysis
    if analysis is None:
        return list(targets)
    out: list[ast.expr] = []
    for node in targets:
        found = _resolve(analysis, node, labels, MAX_DEPTH)
        if found is None:
            return None
        out += [keyed_value(analysis, _awaited(analysis, n)) for n in found]
    return out


def _awaited(m: ModuleAnalysis, node: ast.expr) -> ast.expr:
    """`await request.json()`: what is redacted is the awaited value, never the coroutine."""
    parents = parents_of(m)
    while isinstance(parents.get(id(node)), ast.Await):
        node = parents[id(node)]
    return node


def keyed_value(m: ModuleAnalysis, node: ast.expr) -> ast.expr:
    """The whole value of a dict entry whose key names sensitive data (`"diagnoses": ", ".join(...)`):
    the key alone makes the value PHI, so it is the value that must pass the redactor."""
    parents = parents_of(m)
    child: ast.AST = node
    while id(child) in parents and not isinstance(child, ast.stmt):
        parent = parents[id(child)]
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values):
                if value is child and isinstance(key, ast.Constant) and isinstance(key.value, str) and m.classifier.classify(key.value):
                    return value
        if isinstance(parent, _SCOPES):
            break
        child = parent
    return node


def _resolve(m: ModuleAnalysis, node: ast.expr, labels: tuple[str, ...], depth: int) -> list[ast.expr] | None:
    if not isinstance(node, ast.Name) or depth == 0:
        return [node]
    found = single_use_definition(m, node)
    if found is None:
        return _resolve_definitions(m, node, labels, depth)
    scope, definition = found
    atoms = _atoms_at(m, scope, definition, labels)
    value = definition.value
    if atoms and all(a is value or a is getattr(value, "value", None) and isinstance(value, ast.Await) for a in atoms):
        return [node]  # the whole value is the data: wrapping it where it is used reads better
    if not atoms:
        # the parts cannot be told apart: wrapping a list or dict of messages would leave its
        # free text as it is, so no fix is better than a fix that only silences the finding
        return None if isinstance(definition.value, _CONTAINERS) else [node]
    out: list[ast.expr] = []
    for atom in atoms:
        deeper = _resolve(m, atom, labels, depth - 1)
        if deeper is None:
            return None
        out += deeper
    return out


def _resolve_definitions(m: ModuleAnalysis, node: ast.Name, labels: tuple[str, ...], depth: int) -> list[ast.expr] | None:
    """A variable assigned more than once (`note = ...` in two branches) whose every read is a
    tainted part of a sink argument: the fix goes into each definition's tainted parts, so that
    the variable is never wrapped whole (which would mask a whole prompt). [node] when the
    variable does not have that shape."""
    found = definitions(m, node)
    if found is None:
        return [node]
    scope, statements = found
    out: list[ast.expr] = []
    for definition in statements:
        for atom in _atoms_at(m, scope, definition, labels):
            deeper = _resolve(m, atom, labels, depth - 1)
            if deeper is None:
                return None
            out += deeper
    return out or [node]


def definitions(m: ModuleAnalysis, use: ast.Name) -> tuple[ast.AST, list[ast.stmt]] | None:
    """(scope, plain assignments) of a variable its function binds only by plain assignments and
    reads only as tainted parts of sink arguments."""
    parents = parents_of(m)
    scope = _enclosing_scope(parents, use)
    if not isinstance(scope, _FUNCTIONS):
        return None
    index = _names_of(m, scope)
    name = use.id
    if name in index.parameters or name in index.bound_otherwise or index.nested or index.rebinding_syntax:
        return None  # a nested scope might read or bind it; `:=` and `**rest` bind it out of sight
    sink_atoms = _sink_atoms(m)
    if any(id(load) not in sink_atoms for load in index.loads.get(name, ())):
        return None
    statements: list[ast.stmt] = []
    for store in index.stores.get(name, ()):
        statement = parents.get(id(store))
        if isinstance(statement, ast.Assign) and statement.targets == [store]:
            statements.append(statement)
        elif isinstance(statement, ast.AnnAssign) and statement.target is store and statement.value is not None:
            statements.append(statement)
        else:
            return None  # `+=`, a loop target, `with ... as`, a tuple target
    return (scope, statements) if statements else None


def parameter_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _enclosing_scope(parents: dict[int, ast.AST], node: ast.AST) -> ast.AST | None:
    """The innermost function, lambda or class around `node`; None at module level."""
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, _SCOPES):
            return node
    return None


def parents_of(m: ModuleAnalysis) -> dict[int, ast.AST]:
    """Every node's parent (by id), once per file. Walked by hand: `ast.walk` with
    `iter_child_nodes` took 0.2 s for a large module (litellm's proxy server)."""
    parents = m.derived.get("parents")
    if parents is None:
        parents = m.derived["parents"] = {}
        todo = [m.tree]
        while todo:
            node = todo.pop()
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for child in value:
                        if isinstance(child, ast.AST):
                            parents[id(child)] = node
                            todo.append(child)
                elif isinstance(value, ast.AST) and name != "ctx":  # one `Load()` is shared by every name
                    parents[id(value)] = node
                    todo.append(value)
    return parents


def block_of(m: ModuleAnalysis, stmt: ast.stmt) -> list[ast.stmt] | None:
    """The statement list that holds `stmt` (a body, an else, a finally, a handler's body)."""
    parent = parents_of(m).get(id(stmt))
    if parent is None:
        return None
    for block in (getattr(parent, name, None) for name in ("body", "orelse", "finalbody")):
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return None


def single_use_definition(m: ModuleAnalysis, use: ast.Name) -> tuple[ast.AST, ast.Assign | ast.AnnAssign] | None:
    """(scope, statement) when `use` reads a variable its scope binds once, by a plain
    assignment, and reads nowhere else."""
    parents = parents_of(m)
    scope = _enclosing_scope(parents, use) or m.tree
    if isinstance(scope, (ast.Lambda, ast.ClassDef)):
        return None
    index = _names_of(m, scope)
    name = use.id
    if name in index.parameters or name in index.bound_otherwise:
        return None
    stores = index.stores.get(name, ())
    loads = index.loads.get(name, ())
    if len(stores) != 1 or len(loads) != 1 or loads[0] is not use:
        return None
    statement = parents.get(id(stores[0]))
    if isinstance(statement, ast.Assign) and statement.targets == [stores[0]]:
        return scope, statement
    if isinstance(statement, ast.AnnAssign) and statement.target is stores[0] and statement.value is not None:
        return scope, statement
    return None


@dataclass
class ScopeNames:
    """The names one scope (a function, or the module) binds and reads, nested scopes included:
    built once per scope, read by every fix in it."""

    parameters: frozenset[str]
    loads: dict[str, list[ast.Name]] = field(default_factory=dict)
    stores: dict[str, list[ast.Name]] = field(default_factory=dict)  # plain Name targets (del too)
    bound_otherwise: set[str] = field(default_factory=set)  # global, except, import, match, def, class
    local: set[str] = field(default_factory=set)  # every name a call spelled here would find bound locally
    nested: bool = False  # holds a nested def, class or lambda
    rebinding_syntax: bool = False  # holds `:=` or a `**rest` mapping pattern


def _names_of(m: ModuleAnalysis, scope: ast.AST) -> ScopeNames:
    key = ("scope-names", id(scope))
    cached = m.derived.get(key)
    if cached is not None:
        return cached
    parameters = frozenset(parameter_names(scope.args)) if isinstance(scope, (*_FUNCTIONS, ast.Lambda)) else frozenset()
    index = ScopeNames(parameters, local=set(parameters))
    body = scope.body if isinstance(scope.body, list) else [scope.body]
    for sub in (n for stmt in body for n in ast.walk(stmt)):
        kind = type(sub)
        if kind is ast.Name:
            if isinstance(sub.ctx, ast.Load):
                index.loads.setdefault(sub.id, []).append(sub)
            else:
                index.stores.setdefault(sub.id, []).append(sub)
                index.local.add(sub.id)
        elif kind in (ast.Global, ast.Nonlocal):
            index.bound_otherwise.update(sub.names)
        elif kind is ast.ExceptHandler and sub.name:
            index.bound_otherwise.add(sub.name)
        elif kind in (ast.Import, ast.ImportFrom):
            index.bound_otherwise.update((a.asname or a.name).split(".", 1)[0] for a in sub.names)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            index.bound_otherwise.add(sub.name)
            index.nested = True
        elif kind is ast.Lambda:
            index.nested = True
        elif kind is ast.arg:
            index.local.add(sub.arg)  # a nested lambda's or def's parameters: harmless to avoid too
        elif kind.__name__ in ("MatchAs", "MatchStar") and sub.name:
            index.bound_otherwise.add(sub.name)
        elif kind.__name__ == "MatchMapping":
            index.rebinding_syntax = True
            if sub.rest:
                index.bound_otherwise.add(sub.rest)
        elif kind is ast.NamedExpr:
            index.rebinding_syntax = True
    index.local |= index.bound_otherwise
    m.derived[key] = index
    return index


def local_names(m: ModuleAnalysis | None, nodes) -> frozenset[str]:
    """Names bound in the function scopes enclosing `nodes` (parameters, assignments, loop and
    `with` targets, imports, nested defs, except and match names, comprehension variables):
    a call spelled with one of them would call the local value, not the import."""
    if m is None:
        return frozenset()
    parents = parents_of(m)
    names: set[str] = set()
    seen: set[int] = set()
    for node in nodes:
        current: ast.AST = node
        while id(current) in parents:
            current = parents[id(current)]
            if isinstance(current, (*_FUNCTIONS, ast.Lambda)) and id(current) not in seen:
                seen.add(id(current))
                names |= _names_of(m, current).local
    return frozenset(names)


def _sink_atoms(m: ModuleAnalysis) -> set[int]:
    """Every tainted part of every sink argument of the file (ids), once per file."""
    found = m.derived.get("sink-atoms")
    if found is None:
        found = m.derived["sink-atoms"] = {id(atom) for event in m.events.values() for atom, _ in event.atoms}
    return found


def sink_kinds(m: ModuleAnalysis, atoms: list[ast.expr]) -> set[str]:
    """The sink kinds (LOG, MODEL_CONTENT, ...) whose arguments hold any of `atoms`."""
    by_atom = m.derived.get("atom-kinds")
    if by_atom is None:
        by_atom = m.derived["atom-kinds"] = {}
        for event in m.events.values():
            for atom, _ in event.atoms:
                by_atom.setdefault(id(atom), set()).add(event.kind)
    return set().union(*(by_atom.get(id(a), ()) for a in atoms))


class _Probe(FunctionAnalysis):
    """The analysis of one unit again, noting the tainted parts of every assignment's value."""

    def __init__(self, m: ModuleAnalysis, unit, cls) -> None:
        super().__init__(m, unit, cls)
        self.quiet = 1  # records no events, calls or constants: the real run did
        self.found: dict[int, list[tuple[ast.expr, dict]]] = {}

    def statement(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None:
            self.found[id(s)] = self.atoms(s.value)  # loops come back here: the last pass has the fixpoint
        super().statement(s)


def _atoms_at(m: ModuleAnalysis, scope: ast.AST, definition: ast.stmt, labels: tuple[str, ...]) -> list[ast.expr]:
    key = ("assignment-atoms", id(scope))
    found = m.derived.get(key)
    if found is None:
        try:
            if isinstance(scope, ast.Module):
                probe = _Probe(m, None, None)
                probe.run_body(scope.body)
            else:
                unit, cls = _unit_of(m, scope)
                probe = _Probe(m, unit, cls)
                probe.run_function()
            found = probe.found
        except RecursionError:
            found = {}
        m.derived[key] = found
    return [node for node, taint in found.get(id(definition), ()) if any(label in real(taint) for label in labels)]


def _unit_of(m: ModuleAnalysis, node: ast.AST):
    """A fresh FunctionInfo for the function `node` (its class, if a method), to analyse it again."""
    units = m.derived.get("units")
    if units is None:
        units = m.derived["units"] = {id(info.node): (info, None) for info in m.functions.values()}
        units.update((id(info.node), (info, cls)) for cls in m.classes.values() for info in cls.methods.values())
    info, cls = units.get(id(node), (None, None))
    if info is None:  # a nested function
        return FunctionInfo(node, None, parameters_of(node, method=False)), None
    return FunctionInfo(node, cls, info.params), cls
