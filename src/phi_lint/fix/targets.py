"""Where a wrapping fix goes.

The analysis reports the tainted parts of a sink argument. When such a part is a local variable
that is assigned once and used only at this sink (`messages = [...]` then
`create(messages=messages)`), wrapping the variable would mask the whole prompt, or, for a list
of chat messages, not mask its free text at all. The fix then goes where the data enters the
variable's value: the tainted parts of its definition, found by running the analysis of the
function again up to that statement (quietly: it records nothing).
"""

from __future__ import annotations

import ast

from phi_lint.analysis.interpreter import FunctionAnalysis
from phi_lint.analysis.labels import real
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.analysis.summaries import FunctionInfo
from phi_lint.analysis.syntax import parameters_of

MAX_DEPTH = 3  # variables defined from variables, followed this far
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
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
        out += [_keyed_value(analysis, _awaited(analysis, n)) for n in found]
    return out


def _awaited(m: ModuleAnalysis, node: ast.expr) -> ast.expr:
    """`await request.json()`: what is redacted is the awaited value, never the coroutine."""
    parents = _parents(m.tree)
    while isinstance(parents.get(id(node)), ast.Await):
        node = parents[id(node)]
    return node


def _keyed_value(m: ModuleAnalysis, node: ast.expr) -> ast.expr:
    """The whole value of a dict entry whose key names sensitive data (`"diagnoses": ", ".join(...)`):
    the key alone makes the value PHI, so it is the value that must pass the redactor."""
    parents = _parents(m.tree)
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
    found = _single_use_definition(m.tree, node)
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
    found = _definitions(m, node)
    if found is None:
        return [node]
    scope, definitions = found
    out: list[ast.expr] = []
    for definition in definitions:
        for atom in _atoms_at(m, scope, definition, labels):
            deeper = _resolve(m, atom, labels, depth - 1)
            if deeper is None:
                return None
            out += deeper
    return out or [node]


def _definitions(m: ModuleAnalysis, use: ast.Name) -> tuple[ast.AST, list[ast.stmt]] | None:
    """(scope, plain assignments) of a variable its function binds only by plain assignments and
    reads only as tainted parts of sink arguments."""
    parents = _parents(m.tree)
    scope = _enclosing_scope(parents, use)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    name = use.id
    if name in parameter_names(scope.args):
        return None
    sink_atoms = {id(atom) for event in m.events.values() for atom, _ in event.atoms}
    statements: list[ast.stmt] = []
    for sub in (n for stmt in scope.body for n in ast.walk(stmt)):
        if isinstance(sub, ast.Name) and sub.id == name:
            if isinstance(sub.ctx, ast.Load):
                if id(sub) not in sink_atoms:
                    return None
                continue
            statement = parents.get(id(sub))
            if isinstance(statement, ast.Assign) and statement.targets == [sub]:
                statements.append(statement)
            elif isinstance(statement, ast.AnnAssign) and statement.target is sub and statement.value is not None:
                statements.append(statement)
            else:
                return None  # `+=`, a loop target, `with ... as`, a tuple target
        elif _binds_otherwise(sub, name):
            return None
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return None  # a nested scope might read or bind it
        elif type(sub).__name__ in ("MatchMapping", "NamedExpr"):
            return None
    return (scope, statements) if statements else None


def parameter_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _binds_otherwise(sub: ast.AST, name: str) -> bool:
    """Does `sub` bind `name` other than by a plain assignment (global, except, import, match)?"""
    if isinstance(sub, (ast.Global, ast.Nonlocal)):
        return name in sub.names
    if isinstance(sub, ast.ExceptHandler):
        return sub.name == name
    if isinstance(sub, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name).split(".")[0] == name for a in sub.names)
    return type(sub).__name__ in ("MatchAs", "MatchStar") and getattr(sub, "name", None) == name


def _enclosing_scope(parents: dict[int, ast.AST], node: ast.AST) -> ast.AST | None:
    """The innermost function, lambda or class around `node`; None at module level."""
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, _SCOPES):
            return node
    return None


def _parents(tree: ast.Module) -> dict[int, ast.AST]:
    cached = getattr(tree, "_phi_lint_parents", None)
    if cached is None:
        cached = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        tree._phi_lint_parents = cached
    return cached


def _single_use_definition(tree: ast.Module, use: ast.Name) -> tuple[ast.AST, ast.Assign | ast.AnnAssign] | None:
    """(scope, statement) when `use` reads a variable its scope binds once, by a plain
    assignment, and reads nowhere else."""
    parents = _parents(tree)
    scope = _enclosing_scope(parents, use) or tree
    if isinstance(scope, (ast.Lambda, ast.ClassDef)):
        return None
    name = use.id
    bindings: list[ast.AST] = []
    loads: list[ast.Name] = []
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in parameter_names(scope.args):
        return None
    for stmt in scope.body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name) and sub.id == name:
                (loads if isinstance(sub.ctx, ast.Load) else bindings).append(sub)
            elif _binds_otherwise(sub, name):
                return None
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub.name == name:
                return None
    if len(bindings) != 1 or loads != [use]:
        return None
    statement = parents.get(id(bindings[0]))
    if isinstance(statement, ast.Assign) and statement.targets == [bindings[0]]:
        return scope, statement
    if isinstance(statement, ast.AnnAssign) and statement.target is bindings[0] and statement.value is not None:
        return scope, statement
    return None


class _Probe(FunctionAnalysis):
    """The analysis of one unit, stopping to note the tainted parts of one statement's value."""

    def __init__(self, m: ModuleAnalysis, unit, cls, probe: ast.stmt) -> None:
        super().__init__(m, unit, cls)
        self.quiet = 1  # records no events, calls or constants: the real run did
        self.probe = probe
        self.found: list[tuple[ast.expr, dict]] | None = None

    def statement(self, s: ast.stmt) -> None:
        if s is self.probe:
            self.found = self.atoms(s.value)  # loops come back here: the last pass has the fixpoint
        super().statement(s)


def _atoms_at(m: ModuleAnalysis, scope: ast.AST, definition: ast.stmt, labels: tuple[str, ...]) -> list[ast.expr]:
    try:
        if isinstance(scope, ast.Module):
            probe = _Probe(m, None, None, definition)
            probe.run_body(scope.body)
        else:
            unit, cls = _unit_of(m, scope)
            probe = _Probe(m, unit, cls, definition)
            probe.run_function()
    except RecursionError:
        return []
    return [node for node, taint in probe.found or () if any(label in real(taint) for label in labels)]


def _unit_of(m: ModuleAnalysis, node: ast.AST):
    for info in m.functions.values():
        if info.node is node:
            return FunctionInfo(node, None, info.params), None
    for cls in m.classes.values():
        for info in cls.methods.values():
            if info.node is node:
                return FunctionInfo(node, cls, info.params), cls
    return FunctionInfo(node, None, parameters_of(node, method=False)), None  # a nested function
