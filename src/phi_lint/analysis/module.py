"""The analysis of one module: its definitions, the facts its units record, and the summaries
of its functions, computed on demand."""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import TYPE_CHECKING

from phi_lint.analysis.classify import Classifier, Sensitivity
from phi_lint.analysis.facts import AssignFact, CallFact, ConstantFact, FlowEvent
from phi_lint.analysis.imports import ImportMap
from phi_lint.analysis.interpreter import FunctionAnalysis
from phi_lint.analysis.records import promote_records
from phi_lint.analysis.labels import union
from phi_lint.analysis.summaries import ClassInfo, FunctionInfo, Recursion, Summary
from phi_lint.analysis.syntax import IDENTIFIER, MUTATORS, bindings_of, parameters_of
from phi_lint.catalog import Catalog

# functions that call each other: their summaries are computed again at most this many times
RECURSION_ROUNDS = 3

if TYPE_CHECKING:
    from phi_lint.analysis.project import ProjectView


class ModuleAnalysis:
    """Per-file facts and the analysis of every unit (module body, functions, methods)."""

    def __init__(self, tree: ast.Module, path: str, lines: list[str], catalog: Catalog, classifier: Classifier,
                 sanitizers: tuple[str, ...], approved_endpoints: tuple[str, ...], scan_keys: bool,
                 project: ProjectView | None = None) -> None:
        self.tree = tree
        # the other modules of the project, as this one imports them (None: this file alone)
        self.project = project
        # where a request or a client of this module sends (the endpoint rules' knowledge, set by
        # the engine): `request(argument)` and `client(construction)` give a URL or None
        self.endpoints = None
        self.path = path
        self.lines = lines
        self.catalog = catalog
        self.classifier = classifier
        self.sanitizers = frozenset(sanitizers) | {"phi_lint.redact.redact", "phi_lint.redact"}
        # `pkg.mod.Class.method` sanitizers: instances of `pkg.mod.Class` are tracked like clients,
        # so `engine = Class(); engine.method(x)` resolves to the configured name
        self.sanitizer_classes = frozenset(
            owner for owner, _, _ in (name.rpartition(".") for name in self.sanitizers)
            if owner.rpartition(".")[2][:1].isupper()
        )
        self.approved_endpoints = approved_endpoints
        self.scan_keys = scan_keys
        self.imports = ImportMap(path, project.package if project is not None else None)
        self.imports.collect(tree.body)
        self.module_imports = dict(self.imports.names)  # those of module-level code (functions may add theirs)
        self.top_modules = self.imports.top_modules()
        self.web = catalog.web
        self.django_style = bool(self.top_modules & set(self.web.get("request-param-frameworks", ())))
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.events: dict[tuple, FlowEvent] = {}
        # the flows each unit (function node; None: the module body) recorded, as it saw them:
        # events of several callers of one helper merge in `events`, these do not
        self.unit_events: dict[ast.AST | None, list[FlowEvent]] = {}
        self._unit: ast.AST | None = None  # the unit being analysed
        self.calls: list[CallFact] = []
        self.assigns: list[AssignFact] = []
        self.constants: list[ConstantFact] = []
        self.module_scope: FunctionAnalysis | None = None
        self._scopes: list[FunctionAnalysis] = []  # every unit's interpreter, for release()
        self._recursion = project.index.recursion if project is not None else Recursion()
        self._module_bindings: dict[str, list] | None = None
        self._body_readers: set[str] | None = None  # see needs_body
        self._assigned: set[str] | None = None  # see assigned_names
        # what other stages derive from the finished analysis once per file (fix targets: parents,
        # the names of each scope, the tainted parts of assignments), so that no finding pays for a walk
        self.derived: dict = {}
        self._collect_definitions()

    # ------------------------------------------------------------------ definitions
    def _collect_definitions(self) -> None:
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = FunctionInfo(stmt, None, parameters_of(stmt, method=False))
            elif isinstance(stmt, ast.ClassDef):
                self._collect_class(stmt)
        promote_records(self)

    def _collect_class(self, node: ast.ClassDef) -> None:
        fields: set[str] = set()
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                fields.add(stmt.target.id)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                key = self.imports.resolve(stmt.value.func) or ""
                if self.catalog.matches("record-field-calls", key):
                    fields.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        bases = [self.imports.resolve(b) or (b.id if isinstance(b, ast.Name) else "") for b in node.bases]
        record = None
        by_name = self.classifier.classify(node.name)
        if node.name in self.catalog.vocabulary.fhir_resources or (by_name and by_name.record):
            record = Sensitivity("record", "record", f"`{node.name}` is a record about a person", record=True)
        else:
            for name in sorted(fields):
                hit = self.classifier.classify(name)
                if hit and not hit.record:
                    record = Sensitivity("record", "record", f"instances of `{node.name}` hold PHI ({hit.why})", record=True)
                    break
        info = ClassInfo(node, record, fields)
        info.is_model = any(self.catalog.matches("model-bases", b) for b in bases) or any(
            b in self.classes and self.classes[b].is_model for b in bases) or (
            self.project is not None and any(self.project.is_model(b) for b in bases if "." in b))
        info.bases = [self.classes[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in self.classes]
        info.outside_bases = tuple(b for b in bases if "." in b)
        self.classes[node.name] = info
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in stmt.decorator_list)
                info.methods[stmt.name] = FunctionInfo(stmt, info, parameters_of(stmt, method=not is_static))

    # ------------------------------------------------------------------ running
    def run(self, wanted: set[int] | None) -> None:
        """Analyse the module body, then every function whose lines are in `wanted` (None: all)."""
        self.run_module(as_script=True)
        units = list(self.functions.values()) + [m for c in self.classes.values() for m in c.methods.values()]
        for unit in units:
            if wanted is None or _overlaps(unit.node, wanted):
                self.summary(unit)

    def run_module(self, as_script: bool = False) -> None:
        """Analyse the module body (once): its names' values, types and constants. Its check runs
        it as a script; a module opened for another module's sake runs as imported, without an
        `if __name__ == "__main__":` block that only calls the module's functions or imported
        ones (`main()`, `sys.exit(main())`): on import it never runs and changes nothing another
        module sees, while running it summarised whatever the script calls (inspect's `_main`
        opened argparse, gettext and locale for any module asking about `inspect.signature`)."""
        if self.module_scope is None:
            self.module_scope = self._scope(None, None)
            callable_names = set(self.functions) | set(self.module_imports)
            body = self.tree.body if as_script else [s for s in self.tree.body if not _script_calls(s, callable_names)]
            self.module_scope.run_body(body)

    def needs_body(self, unit: FunctionInfo) -> bool:
        """Does a function read what only the module body gives (a name it assigns: `logger =
        logging.getLogger()`, `client = OpenAI()`, `TEMPLATE = "..."`), itself or through a
        function or class of the module it names? A module opened for a summary runs its body
        only then: most functions of a library module read only their parameters, imports and
        other definitions, and the body's calls would open more modules. Read from the text,
        so a name in a string or a comment counts too (the body runs when in doubt)."""
        if self._body_readers is None:
            self._body_readers = self._units_reading_the_body()
        if unit.cls is not None:
            return unit.cls.node.name in self._body_readers
        if self.functions.get(unit.node.name) is unit:
            return unit.node.name in self._body_readers
        # a function nested in another: its own text decides
        return bool(_identifiers(self.lines, unit.node) & (self.assigned_names() | self._body_readers))

    def _units_reading_the_body(self) -> set[str]:
        """The top-level functions and classes whose text names an assigned name, or one of them."""
        assigned = self.assigned_names()
        if not assigned:
            return set()
        names = {name: _identifiers(self.lines, info.node) for name, info in self.functions.items()}
        for name, info in self.classes.items():
            names[name] = _identifiers(self.lines, info.node)
        readers = {name for name, idents in names.items() if idents & assigned}
        grown = bool(readers)
        while grown:  # `def run(): return _helper()` where `_helper` reads `logger`
            called = readers | {m for name in readers if name in self.classes for m in self.classes[name].methods}
            more = {name for name, idents in names.items() if name not in readers and idents & called}
            readers |= more
            grown = bool(more)
        return readers

    def assigned_names(self) -> set[str]:
        """The names module-level code gives a value (what only running the body tells), and
        those a function declares `global`; not those it binds by `def`, `class` and `import`."""
        if self._assigned is not None:
            return self._assigned
        names = _assigned_at_module_level(self.tree.body)
        text = "\n".join(self.lines)  # searched whole: a loop over the lines cost more than the join
        for declared in _GLOBAL.finditer(text) if "global" in text else ():
            names.update(IDENTIFIER.findall(declared.group(1)))  # `global cache, session` in a function: assigned out of sight
        if ":=" in text:  # `if (match := PATTERN.search(...)):` at module level
            module_level = [stmt for stmt in self.tree.body if not isinstance(stmt, _OWN_SCOPES)]
            names.update(sub.target.id for stmt in module_level for sub in ast.walk(stmt)
                         if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name))
        self._assigned = names
        return names

    def summary(self, unit: FunctionInfo) -> Summary:
        """A function's summary, computed once. Functions that call each other are computed
        again until their summaries stop changing (at most RECURSION_ROUNDS times), so that
        what a check finds does not depend on which of them was asked first (the whole module
        run in order, or one function from the file a pre-commit hook was given)."""
        running, provisional = self._recursion.running, self._recursion.provisional
        if unit.summary is None and self.module_scope is None and self.needs_body(unit):
            self.run_module()
        if unit.summary is not None:
            if unit.pending and running:  # not final yet: nor is what reads it
                running[-1].provisional = True
            return unit.summary
        if unit.cls is not None:
            self.run_init(unit.cls, unit)
        if unit.running:  # recursion: what is known so far; what used it is provisional
            at = next(n for n, other in enumerate(running) if other is unit)
            unit.recursed = True
            for caller in running[at + 1:]:
                caller.provisional = True
            return unit.so_far or Summary()
        unit.running = True
        running.append(unit)
        outer, self._unit = self._unit, unit.node
        first = len(provisional)
        try:
            for round_ in range(RECURSION_ROUNDS):
                found = self._scope(unit, unit.cls).run_function()
                if not unit.recursed or found == (unit.so_far or Summary()) or round_ == RECURSION_ROUNDS - 1:
                    break
                # it called itself (through others) and learnt more: what used the old summary again
                unit.so_far, unit.recursed = found, False
                for module, stale in provisional[first:]:
                    stale.summary, stale.pending = None, False
                    module.unit_events.pop(stale.node, None)
                del provisional[first:]
                self.unit_events.pop(unit.node, None)
            unit.summary = found
        finally:
            unit.running = unit.recursed = False
            running.pop()
            self._unit = outer
        if unit.provisional:  # it used the summary of a function still being computed
            unit.provisional, unit.pending = False, True
            provisional.append((self, unit))
        else:  # what it used is final: so is every summary computed meanwhile
            for _, settled in provisional[first:]:
                settled.pending = False
            del provisional[first:]
        return unit.summary

    def run_init(self, cls: ClassInfo, caller: FunctionInfo | None = None) -> None:
        """Run the class's `__init__` (its own, or a base's of this module) if nothing has: the
        attributes it sets (`self.client`) are what its other methods, and its facts, see."""
        init = cls.method("__init__")
        if init is not None and init is not caller and init.summary is None and not init.running:
            self.summary(init)

    def _scope(self, unit: FunctionInfo | None, cls: ClassInfo | None) -> FunctionAnalysis:
        scope = FunctionAnalysis(self, unit, cls)
        self._scopes.append(scope)
        return scope

    def release(self) -> None:
        """Let go of everything, once nothing reads this analysis again. Its scopes, facts and
        units refer to each other (a scope's module, a fact's scope, a method's class), so without
        this the whole file, tree and all, waits for a full garbage collection: on the stdlib a
        project check left 3.6M such objects, a sixth of its time and half its peak memory."""
        for scope in self._scopes:
            scope.__dict__.clear()
        for cls in self.classes.values():
            cls.methods.clear()
        self.__dict__.clear()

    def module_bindings(self) -> dict[str, list]:
        """Module-level names -> the values given to them (None: not a plain assignment)."""
        if self._module_bindings is None:
            self._module_bindings = bindings_of(
                [s for s in self.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))], params=False)
            for sub in ast.walk(self.tree):  # `global NAME` in a function: assigned out of sight
                if isinstance(sub, ast.Global):
                    for name in sub.names:
                        self._module_bindings.setdefault(name, []).append(None)
        return self._module_bindings

    def record_event(self, event: FlowEvent) -> None:
        self.unit_events.setdefault(self._unit, []).append(event)
        key = (id(event.node), event.kind)
        old = self.events.get(key)
        if old is None:
            self.events[key] = dataclasses.replace(event, atoms=list(event.atoms))  # merged into below; the unit's own stays as it was
        else:
            old.taint = union(old.taint, event.taint)
            known = {id(a): n for n, (a, _) in enumerate(old.atoms)}
            for atom, taint in event.atoms:
                if id(atom) in known:
                    n = known[id(atom)]
                    old.atoms[n] = (atom, union(old.atoms[n][1], taint))
                else:
                    old.atoms.append((atom, taint))

    def line_text(self, node: ast.AST) -> str:
        return source_text(self.lines, node)


_GLOBAL = re.compile(r"^[ \t]*global[ \t]+([A-Za-z_][\w \t,]*)", re.MULTILINE)
_OWN_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _script_calls(stmt: ast.stmt, callable_names: set[str]) -> bool:
    """Is `stmt` an `if __name__ == "__main__":` block (without `else`) of calls alone, each of a
    function of the module or an imported name (`main()`, `unittest.main()`, `sys.exit(main())`,
    `asyncio.run(main(sys.argv[1:]))`), nothing else: no binding, no mutator (`.append`)?"""
    if not (isinstance(stmt, ast.If) and not stmt.orelse and _is_main_test(stmt.test)):
        return False
    for line in stmt.body:
        value = line.value.value if isinstance(line, ast.Expr) and isinstance(line.value, ast.Await) else getattr(line, "value", None)
        if not (isinstance(line, ast.Expr) and isinstance(value, ast.Call) and _plain_call(value, callable_names)):
            return False
    return True


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides) and any(
        isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)


def _plain_call(call: ast.Call, callable_names: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
        return False
    while isinstance(func, ast.Attribute):
        func = func.value
    if not (isinstance(func, ast.Name) and func.id in callable_names):
        return False
    return all(_plain_argument(arg, callable_names) for arg in [*call.args, *(kw.value for kw in call.keywords)])


def _plain_argument(node: ast.expr, callable_names: set[str]) -> bool:
    """An argument that reads and binds nothing new: names, constants, their attributes and
    items, and plain calls."""
    if isinstance(node, ast.Call):
        return _plain_call(node, callable_names)
    if isinstance(node, (ast.Starred, ast.Await)):
        return _plain_argument(node.value, callable_names)
    if isinstance(node, (ast.Attribute, ast.Subscript)):
        return _plain_argument(node.value, callable_names) and (not isinstance(node, ast.Subscript) or _plain_argument(node.slice, callable_names))
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_plain_argument(e, callable_names) for e in node.elts)
    if isinstance(node, ast.Slice):
        return all(part is None or _plain_argument(part, callable_names) for part in (node.lower, node.upper, node.step))
    return isinstance(node, (ast.Name, ast.Constant))


def _assigned_at_module_level(body: list[ast.stmt]) -> set[str]:
    """Names that module-level statements bind by assignment: any target (loops, `with`,
    `except ... as`), a mutating call (`REGISTRY.append(x)`) or a store into an attribute or an
    item (`app.state.x = ...`). Only targets are read, not the values (a module of large
    literal tables is quick), and functions and classes are not looked into: what they bind is
    their own."""
    names: set[str] = set()
    todo = list(body)
    while todo:
        stmt = todo.pop()
        kind = type(stmt)
        if kind in (ast.Assign, ast.AnnAssign, ast.AugAssign):
            for target in stmt.targets if kind is ast.Assign else [stmt.target]:
                _add_targets(target, names)
        elif kind in (ast.For, ast.AsyncFor):
            _add_targets(stmt.target, names)
        elif kind in (ast.With, ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    _add_targets(item.optional_vars, names)
        elif kind is ast.Expr:
            call = stmt.value
            if (type(call) is ast.Call and type(call.func) is ast.Attribute and call.func.attr in MUTATORS
                    and type(call.func.value) is ast.Name):
                names.add(call.func.value.id)
        elif kind is ast.ExceptHandler and stmt.name:
            names.add(stmt.name)
        elif kind is ast.match_case:
            names.update(n for sub in ast.walk(stmt.pattern) for n in (getattr(sub, "name", None), getattr(sub, "rest", None)) if n)
        if kind not in _OWN_SCOPES:
            for block in ("body", "orelse", "finalbody", "handlers", "cases"):
                todo.extend(getattr(stmt, block, None) or ())
    return names


def _add_targets(target: ast.expr, names: set[str]) -> None:
    """The names an assignment target binds: itself, the parts it unpacks into, the object an
    attribute or item is stored into."""
    while isinstance(target, (ast.Attribute, ast.Subscript, ast.Starred)):
        target = target.value
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _add_targets(element, names)


def _identifiers(lines: list[str], node: ast.AST) -> set[str]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return set(IDENTIFIER.findall("\n".join(lines[start - 1 : node.end_lineno])))


def _overlaps(node: ast.AST, wanted: set[int]) -> bool:
    end = getattr(node, "end_lineno", node.lineno) or node.lineno
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return any(start <= line <= end for line in wanted)


def source_text(lines: list[str], node: ast.AST, limit: int = 80) -> str:
    """The source of a node (first line only, shortened): cheap, for messages."""
    try:
        line = lines[node.lineno - 1]
    except (IndexError, AttributeError):
        return "<expr>"
    raw = line.encode("utf-8")
    end = node.end_col_offset if node.end_lineno == node.lineno else len(raw)
    text = raw[node.col_offset : end].decode("utf-8", "replace")
    if node.end_lineno != node.lineno:
        text += " ..."
    return text if len(text) <= limit else text[: limit - 3] + "..."

