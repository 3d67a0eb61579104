"""The project: which file each imported module name is, and what each module exports.

Real apps are never one file: the prompt is built in `prompts.py`, sent by a wrapper in `llm.py`
with a client from a factory in `clients.py`, and logged with the logger of `logging_setup.py`.
The index answers, for any module, what a name it imports from the project is (a function and
its summary, a class and its facts, a client, a logger, a constant) so that the interpreter
follows a flow through any number of modules.

Summaries are computed on demand: a module's facts when another module first looks one of its
names up, a function's summary when a caller first needs it (its module is parsed and analysed
then, and kept for a while). Only what the checked files reach is ever analysed, and nothing is
analysed twice in a run. Facts and summaries are plain data (analysis/exports.py): the cache
keeps them between runs.

Module names resolve per importing file, as Python would for an app run from its own folder:
within the file's own package root first (the nearest folder above it without an
`__init__.py`), then in each folder above that up to the project root, nearest first, then in the
project's source roots (`src/`). Two services with a package of the same name each see their
own. What does not resolve to a project file stays unknown: never guessed from a name.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable

from phi_lint.analysis.exports import (
    ClassFacts, Constant, FunctionSummary, ModuleFacts, ValueFacts, class_key, function_summary, is_class_key, module_facts,
    module_outline,
)
from phi_lint.analysis.summaries import Recursion
from phi_lint.paths import resolved_folder

if TYPE_CHECKING:
    import ast

    from phi_lint.analysis.module import ModuleAnalysis

MAX_ALIASES = 8  # re-exports followed this far (`from .llm import complete` in `__init__.py`)
# the analyses kept for summaries asked of them later, in lines of source: a line costs about a
# kilobyte of memory (half the stdlib, some 150 MB)
KEPT_LINES = 160_000
CYCLE_ROUNDS = 3  # an import cycle's module facts are computed again this many times at most
SOURCE_ROOTS = ("src",)


class ModuleMap:
    """The project's Python files, and the module names they answer to from each file."""

    def __init__(self, root: Path, files: Iterable[str]) -> None:
        self.root = root
        self.files = frozenset(files)  # project-relative POSIX paths
        self.source_roots = tuple(r for r in SOURCE_ROOTS if any(f.startswith(r + "/") for f in self.files))
        self._roots: dict[str, tuple[str, ...]] = {}
        self._found: dict[tuple[str, ...], dict[str, tuple[str, tuple[str, ...]] | None]] = {}  # search roots -> dotted -> found
        self._answers: dict[str, dict[str, tuple[str, tuple[str, ...]] | None]] = {}  # importer -> its roots' answers

    def package_root(self, path: str) -> str:
        """The nearest folder above `path` that is not a package (has no `__init__.py`): what
        its absolute imports start from ('' is the project root)."""
        folder = _parent(path)
        while folder and (f"{folder}/__init__.py" in self.files or f"{folder}/__init__.pyi" in self.files):
            folder = _parent(folder)
        return folder

    def module_name(self, path: str) -> str:
        """`app/llm.py` -> `app.llm`; `app/__init__.py` -> `app` (from its package root)."""
        root = self.package_root(path)
        rel = path[len(root) + 1:] if root else path
        parts = rel.rsplit(".", 1)[0].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def package(self, path: str) -> list[str]:
        """The package relative imports of `path` start from."""
        name = self.module_name(path).split(".") if self.module_name(path) else []
        return name if PurePosixPath(path).stem == "__init__" else name[:-1]

    def search_roots(self, path: str) -> tuple[str, ...]:
        roots = self._roots.get(path)
        if roots is None:
            found: list[str] = []
            folder = self.package_root(path)
            while True:
                found.append(folder)
                if not folder:
                    break
                folder = _parent(folder)
            found += [r for r in self.source_roots if r not in found]
            roots = self._roots[path] = tuple(found)
        return roots

    def find(self, importer: str, dotted: str) -> tuple[str, list[str]] | None:
        """(file, attribute names after it) of the longest prefix of `dotted` that names a project
        module, as `importer` imports it; None when no project file answers to it."""
        answers = self._answers.get(importer)
        if answers is None:  # shared by the files with the same search roots (most files share them)
            answers = self._answers[importer] = self._found.setdefault(self.search_roots(importer), {})
        if dotted not in answers:
            answers[dotted] = self._find(self.search_roots(importer), dotted)
        found = answers[dotted]
        return (found[0], list(found[1])) if found is not None else None

    def _find(self, roots: tuple[str, ...], dotted: str) -> tuple[str, tuple[str, ...]] | None:
        parts = dotted.split(".")
        for root in roots:
            for n in range(len(parts), 0, -1):
                base = "/".join(([root] if root else []) + parts[:n])
                for candidate in (base + ".py", base + "/__init__.py", base + ".pyi"):
                    if candidate in self.files:
                        return candidate, tuple(parts[n:])
        return None


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


@dataclass(frozen=True)
class Symbol:
    """What a dotted name from the project is."""

    kind: str  # "function", "class", "value", "method", "constant", "module"
    path: str  # the file that defines it
    name: str  # its name there (`Summariser.run` for a method)
    facts: object = None  # ClassFacts, ValueFacts, the constant, or a function's parameters


class ProjectIndex:
    """Every module of the project, looked up and analysed on demand. `open_module(path, view)`
    parses one file and gives its (not yet run) analysis, None when it cannot;
    `names_worth_a_pass(path)` says, from its text, what of a module could leak on its own (None:
    all of it, for an SDK, a framework or a sensitive name in its module-level code; else the
    functions and classes with a sensitive name); `stored(path)` gives what the cache holds of a
    module that did not change, if anything."""

    def __init__(self, modules: ModuleMap, open_module: Callable[[str, "ProjectView"], ModuleAnalysis | None],
                 names_worth_a_pass: Callable[[str], frozenset[str] | None],
                 stored: Callable[[str], tuple[ModuleFacts | None, dict[str, FunctionSummary]] | None] | None = None,
                 guarding_modules: Callable[[str], Iterable[str]] | None = None) -> None:
        self.modules = modules
        self._guarding_modules = guarding_modules
        self._open = open_module
        self._names_worth_a_pass = names_worth_a_pass
        self._interesting: dict[str, frozenset[str] | None] = {}
        self._readings: dict[str, tuple[bytes, object]] = {}  # see keep_reading
        self._shown: dict[str, str] = {}
        self._stored = stored
        self._facts: dict[str, ModuleFacts | None] = {}
        self._summaries: dict[tuple[str, str], FunctionSummary | None] = {}
        self._analyses: OrderedDict[str, ModuleAnalysis] = OrderedDict()  # least recently used first
        self._kept_lines: dict[str, int] = {}  # of each analysis kept
        self._kept_total = 0
        # for each module, the number of checks after which no module still to be checked
        # imports it, directly or not (see expect); the others' analyses are let go of first
        self._needed_until: dict[str, int] = {}
        self._checks = 0  # checks finished
        # of the analyses kept: each one's number above, how many have each number, and how many
        # are needed no more (so that letting go of one scans the kept ones only when it helps)
        self._kept_need: dict[str, int] = {}
        self._kept_by_need: Counter[int] = Counter()
        self._kept_unneeded = 0
        # let go of, to release once the check that did it ends; weakly held: one nothing holds any
        # more is left to the collector, so that a check opening thousands of modules keeps none
        self._dropped: list[tuple[str, weakref.ref[ModuleAnalysis]]] = []
        self._busy: list[str] = []  # modules whose facts are being computed, innermost last
        self._provisional: set[str] = set()  # facts computed while a module they read was busy
        self._exporting: set[str] = set()  # busy modules whose facts so far are being exported
        self.computed: dict[str, dict[str, FunctionSummary]] = {}  # what this run computed, per module (for the cache)
        self._outlines: dict[str, ModuleFacts | None] = {}  # see outline()
        self._outlining: set[str] = set()
        self._learnt_facts: dict[str, ModuleFacts] = {}  # from checks (`learn`), until a module asks
        self._learnt_summaries: dict[tuple[str, str], FunctionSummary] = {}
        self._asked: set[tuple[str, str]] = set()  # summaries being computed
        self.recursion = Recursion()  # the units being summarised, across the project's modules

    def view(self, path: str) -> ProjectView:
        return ProjectView(self, path)

    # ------------------------------------------------------------------ analyses
    def adopt(self, path: str, analysis: ModuleAnalysis) -> None:
        """The analysis a check made of a file: summaries asked of it later come from it."""
        self._keep(path, analysis)

    def expect(self, modules: list[str], imports_of: Callable[[str], Iterable[str]]) -> None:
        """The modules about to be checked, in order: from then on, the analysis of a module that
        none of those still to be checked imports, directly or through others, is the first let
        go of. A module's summaries are asked by the modules that import it: this keeps what
        will be asked again, rather than what was asked last."""
        until = self._needed_until
        for position, module in enumerate(modules, start=self._checks):
            until[module] = position
        todo = list(modules)
        while todo:  # the last modules first: most imports get their final number at once
            module = todo.pop()
            for imported in imports_of(module):
                if until.get(imported, -1) < until[module]:
                    until[imported] = until[module]
                    todo.append(imported)
        kept = list(self._kept_need)
        self._kept_need, self._kept_by_need, self._kept_unneeded = {}, Counter(), 0
        for path in kept:
            self._count_kept(path, +1)

    def learn(self, path: str) -> None:
        """Keep, as plain data, what the check of a module worked out (its facts, once its body
        ran, and the summaries of the functions it ran), so that modules checked after it read
        them instead of opening it again once its analysis is let go of. What no module asks
        for is not written to the cache (a run with nothing changed reads less)."""
        self._checks += 1
        self._kept_unneeded += self._kept_by_need.get(self._checks - 1, 0)  # needed until the check just done
        m = self._analyses.get(path)
        if m is None:
            return
        if m.module_scope is None:  # nothing ran: what its definitions tell
            if path not in self._facts and path not in self._outlines:
                self._outlines[path] = module_outline(m, path)
            return
        if path not in self._facts:
            self._learnt_facts[path] = module_facts(m, path)
        units = [(name, info) for name, info in m.functions.items()]
        units += [(f"{cls}.{name}", info) for cls, c in m.classes.items() for name, info in c.methods.items()]
        for qualname, unit in units:
            if unit.summary is not None and (path, qualname) not in self._summaries:
                self._learnt_summaries[(path, qualname)] = function_summary(m, unit, unit.summary, path)

    def analysis(self, path: str) -> ModuleAnalysis | None:
        """The module parsed, its definitions collected (its body runs when something needs
        it): from memory, else opened now."""
        m = self._analyses.get(path)
        if m is None:
            m = self._open(path, self.view(path))
            if m is None:
                return None
            self._keep(path, m)
        self._analyses.move_to_end(path)
        return m

    def parsed(self, path: str, lines: list[str]) -> ast.Module | None:
        """The syntax tree of a module kept from opening it for another module's sake, if it was
        parsed from these very lines: the module's own check need not parse it again (in a large
        import cycle, most modules are opened before their check)."""
        m = self._analyses.get(path)
        return m.tree if m is not None and m.lines == lines else None

    def _keep(self, path: str, analysis: ModuleAnalysis) -> None:
        """Keep an analysis, and let go of others past KEPT_LINES: first the least recently used
        of those no module still to be checked imports, else the least recently used."""
        replaced = self._analyses.get(path)
        if replaced is None:
            self._count_kept(path, +1)
        elif replaced is not analysis:
            self._dropped.append((path, weakref.ref(replaced)))
        self._analyses[path] = analysis
        self._analyses.move_to_end(path)
        self._kept_total += len(analysis.lines) - self._kept_lines.get(path, 0)
        self._kept_lines[path] = len(analysis.lines)
        while self._kept_total > KEPT_LINES:
            victim = None
            if self._kept_unneeded:
                victim = next((p for p in self._analyses if p != path and p not in self._busy and self._kept_need[p] < self._checks), None)
            if victim is None:
                victim = next((p for p in self._analyses if p != path and p not in self._busy), None)
                if victim is None:
                    break
            self._let_go(victim)

    def _count_kept(self, path: str, sign: int) -> None:
        need = self._needed_until.get(path, -1) if sign > 0 else self._kept_need.pop(path)
        if sign > 0:
            self._kept_need[path] = need
        self._kept_by_need[need] += sign
        if need < self._checks:
            self._kept_unneeded += sign

    def _let_go(self, path: str) -> None:
        analysis = self._analyses.pop(path, None)
        if analysis is not None:
            self._count_kept(path, -1)
            self._dropped.append((path, weakref.ref(analysis)))
            self._kept_total -= self._kept_lines.pop(path)

    def release_dropped(self) -> None:
        """Release the analyses no longer kept. Only between checks: one let go of during a
        check may still be read further up the stack until the check ends. A check stopped by
        an error may have left summaries pending: with nothing running, they are as final as
        they will get."""
        for path, ref in self._dropped:
            analysis = ref()
            if analysis is not None and self._analyses.get(path) is not analysis:
                analysis.release()
        self._dropped.clear()
        if not self.recursion.running:
            for _, unit in self.recursion.provisional:
                unit.pending = unit.provisional = False
            self.recursion.provisional.clear()

    # ------------------------------------------------------------------ facts
    def facts(self, path: str, asked_by: str | None = None) -> ModuleFacts | None:
        if path in self._facts:
            return self._facts[path]
        if path in self._busy:  # an import cycle: what is known so far, and the asker is asked again later
            if asked_by is not None:
                self._provisional.add(asked_by)
            m = self._analyses.get(path)
            if m is None or path in self._exporting:  # exporting them looked the module up again
                return None
            self._exporting.add(path)
            try:
                return module_facts(m, path)
            finally:
                self._exporting.discard(path)
        recalled = self._recalled_facts(path)
        if recalled is not None:
            return recalled
        facts = self._facts[path] = self._computed_facts(path)
        self.computed.setdefault(path, {})
        if not self._busy:
            self._settle_cycles()
        return facts

    def _recalled_facts(self, path: str) -> ModuleFacts | None:
        """Facts this run has without running the module: learnt from its check, or read from
        the cache (with the summaries stored beside them)."""
        learnt = self._learnt_facts.pop(path, None)
        if learnt is not None:
            self._facts[path] = learnt
            self.computed.setdefault(path, {})
            return learnt
        stored = self._stored(path) if self._stored is not None else None
        if stored is not None and stored[0] is not None:
            self._facts[path] = stored[0]
            for qualname, summary in stored[1].items():
                self._summaries.setdefault((path, qualname), summary)
            return stored[0]
        return None

    def outline(self, path: str) -> ModuleFacts | None:
        """What a module's definitions tell without its body running: its functions, its classes
        (but not the attributes their `__init__` sets) and the names it imports and does not
        assign (see `module_outline`); its whole facts when this run has them. A lookup that
        finds its name here runs nothing: most lookups name a function or a class, and running
        a module's body to learn them opened every module that body calls into."""
        found = self._facts.get(path) or self._outlines.get(path)
        if found is not None or path in self._outlines:
            return found
        found = self._recalled_facts(path)
        if found is not None or path in self._outlining:
            return found
        self._outlining.add(path)
        try:
            m = self.analysis(path)
            found = self._outlines[path] = module_outline(m, path) if m is not None else None
        finally:
            self._outlining.discard(path)
        return found

    def _computed_facts(self, path: str) -> ModuleFacts | None:
        """The module analysed (its body run) and its facts exported; it is busy meanwhile, so
        an import cycle that comes back to it gets what is known so far."""
        self._busy.append(path)
        try:
            m = self.analysis(path)
            if m is None:
                return None
            m.run_module()
            return module_facts(m, path)
        finally:
            self._busy.pop()

    def _settle_cycles(self) -> None:
        """Facts computed while a module of their import cycle was half done are computed again,
        until they stop changing (or CYCLE_ROUNDS)."""
        for _ in range(CYCLE_ROUNDS):
            if not self._provisional:
                return
            again, self._provisional = self._provisional, set()
            changed = False
            for path in sorted(again):
                old = self._facts.pop(path, None)
                self._let_go(path)
                self._summaries = {k: v for k, v in self._summaries.items() if k[0] != path}
                new = self._facts[path] = self._computed_facts(path)
                changed |= new != old
            if not changed:
                self._provisional.clear()
                return

    def guarding_modules(self, path: str) -> tuple[str, ...]:
        """The modules whose code may guard a module's routes: those that may mount its routers
        (they import it and call `include_router`, `register_blueprint`), and the entry points
        that name the settings of its framework (`DJANGO_SETTINGS_MODULE` in manage.py)."""
        return tuple(sorted(self._guarding_modules(path))) if self._guarding_modules is not None else ()

    def known_facts(self, path: str) -> ModuleFacts | None:
        """The facts of a module, if this run has them (computed or read from the cache)."""
        return self._facts.get(path)

    def display(self, path: str) -> str:
        """A project file as every path is shown: relative to the current folder."""
        shown = self._shown.get(path)
        if shown is None:
            absolute = self.modules.root / path
            try:
                shown = absolute.relative_to(resolved_folder(os.getcwd())).as_posix()
            except ValueError:
                shown = absolute.as_posix()
            self._shown[path] = shown
        return shown

    def worth_a_pass(self, path: str, names: frozenset[str] | None) -> None:
        """What `names_worth_a_pass` gives for a module, as its check worked it out from the
        text it checked: the modules checked after it need not read that text again."""
        self._interesting.setdefault(path, names)

    def keep_reading(self, path: str, text: str, reading: object) -> None:
        """What the engine read of a module's text to answer its importers (`names_worth_a_pass`)
        before the module's own check: given back to that check if it reads the very same text."""
        self._readings[path] = (_digest(text), reading)

    def reading(self, path: str, text: str) -> object | None:
        """What `keep_reading` kept of a module, if read from this text (once)."""
        kept = self._readings.pop(path, None)
        return kept[1] if kept is not None and kept[0] == _digest(text) else None

    def worth_names(self, path: str) -> frozenset[str] | None:
        """What of a module could leak on its own: all of it (None), or the functions and classes
        named (see `names_worth_a_pass`)."""
        if path not in self._interesting:
            self._interesting[path] = self._names_worth_a_pass(path)
        return self._interesting[path]

    # ------------------------------------------------------------------ summaries
    def summary(self, path: str, qualname: str) -> FunctionSummary | None:
        """The summary of a function (`complete`) or method (`Summariser.run`) of a module."""
        key = (path, qualname)
        if key in self._summaries:
            return self._summaries[key]
        learnt = self._learnt_summaries.pop(key, None)
        if learnt is not None:
            self._summaries[key] = learnt
            self.computed.setdefault(path, {})[qualname] = learnt
            return learnt
        if key in self._asked:  # recursion across modules
            m = self._analyses.get(path)
            unit = _unit(m, qualname) if m is not None else None
            if unit is None or not unit.running:  # through an analysis let go of: nothing known yet
                return None
            return function_summary(m, unit, m.summary(unit), path)  # what is known so far (its users are redone)
        self._asked.add(key)
        try:
            m = self.analysis(path)
            unit = _unit(m, qualname) if m is not None else None
            found = function_summary(m, unit, m.summary(unit), path) if unit is not None else None
        finally:
            self._asked.discard(key)
        if unit is not None and (unit.running or unit.pending):
            return found  # not final yet: asked again, it is exported again
        self._summaries[key] = found
        if found is not None:
            self.computed.setdefault(path, {})[qualname] = found
        return found


def _unit(m: ModuleAnalysis, qualname: str):
    owner, _, name = qualname.rpartition(".")
    if not owner:
        return m.functions.get(name)
    cls = m.classes.get(owner)
    return cls.method(name) if cls is not None else None


class ProjectView:
    """The project as one module sees it: its imported names looked up in the files they name."""

    def __init__(self, index: ProjectIndex, path: str) -> None:
        self.index = index
        self.path = path
        self.package = index.modules.package(path)

    def display(self, path: str) -> str:
        """How a project file is shown in a trace: relative to the current folder, like every path."""
        return self.index.display(path)

    def lookup(self, dotted: str) -> Symbol | None:
        return self._lookup(self.path, dotted, 0)

    def _lookup(self, importer: str, dotted: str, depth: int) -> Symbol | None:
        found = self.index.modules.find(importer, dotted)
        if found is None or depth > MAX_ALIASES:
            return None
        path, rest = found
        if not rest:
            return Symbol("module", path, "")
        name, more = rest[0], rest[1:]
        facts = self._facts_naming(path, name)
        if facts is None:
            return None
        if name in facts.functions and not more:
            return Symbol("function", path, name, facts.functions[name])
        if name in facts.classes:
            cls = facts.classes[name]
            return Symbol("class", path, name, cls) if not more else _member_of_class(path, name, cls, more)
        if name in facts.values:
            value = facts.values[name]
            if not more:
                return Symbol("value", path, name, value)
            held = self.class_facts(value.type) if len(more) == 1 else None
            return _member_of_class(path, value.type.split("::")[1], held, more) if held is not None else None
        if name in facts.aliases:  # a re-export: follow it from the module that made it
            return self._lookup(path, ".".join([facts.aliases[name], *more]), depth + 1)
        return None

    def _facts_naming(self, path: str, name: str) -> ModuleFacts | None:
        """The facts of a module that say what `name` is: its outline when that names it (a
        function, a class, an import), else its whole facts (its body run)."""
        outline = self.index.outline(path)
        if outline is not None and (name in outline.functions or name in outline.classes or name in outline.aliases):
            return outline
        return self.index.facts(path, asked_by=self.path)

    def outside_name(self, dotted: str) -> str | None:
        """The name outside the project that a project name stands for: `app.logging_setup.logger`
        where logging_setup.py did `from loguru import logger` is `loguru.logger`. None when
        `dotted` is defined in the project, or is not a project name at all."""
        importer = self.path
        for depth in range(MAX_ALIASES + 1):
            found = self.index.modules.find(importer, dotted)
            if found is None:
                return dotted if depth else None
            path, rest = found
            facts = self._facts_naming(path, rest[0]) if rest else None
            if facts is None or rest[0] not in facts.aliases:
                return None
            importer, dotted = path, ".".join([facts.aliases[rest[0]], *rest[1:]])
        return None

    # ------------------------------------------------------------------ what the interpreter asks
    def function(self, dotted: str) -> tuple[Symbol, FunctionSummary] | None:
        symbol = self.lookup(dotted)
        if symbol is None or symbol.kind not in ("function", "method"):
            return None
        summary = self.index.summary(symbol.path, symbol.name)
        return (symbol, summary) if summary is not None else None

    def method(self, type_key: str, name: str, depth: int = 0) -> tuple[Symbol, FunctionSummary] | None:
        """A method of a project class instance (`type_key` is `path::Class`), its bases' in
        other modules included."""
        path, _, cls = type_key.partition("::")
        facts = self.class_facts(type_key, attributes=False)
        if facts is None:
            return None
        if name not in dict(facts.methods):
            for base in facts.bases if depth < MAX_ALIASES else ():
                symbol = self._lookup(path, base, 0)
                if symbol is not None and symbol.kind == "class":
                    found = self.method(class_key(symbol.path, symbol.name), name, depth + 1)
                    if found is not None:
                        return found
            return None
        summary = self.index.summary(path, f"{cls}.{name}")
        return (Symbol("method", path, f"{cls}.{name}"), summary) if summary is not None else None

    def class_facts(self, type_key: str | None, attributes: bool = True) -> ClassFacts | None:
        """The facts of a project class; `attributes=False`: what its definition alone tells
        (not the attributes `__init__` sets), so its module's body need not run."""
        if not is_class_key(type_key):
            return None
        path, _, name = type_key.partition("::")
        facts = self.index.facts(path, asked_by=self.path) if attributes else self._facts_naming(path, name)
        return facts.classes.get(name) if facts is not None else None

    def value(self, dotted: str) -> ValueFacts | None:
        symbol = self.lookup(dotted)
        return symbol.facts if symbol is not None and symbol.kind == "value" else None

    def value_type(self, dotted: str) -> str | None:
        value = self.value(dotted)
        return value.type if value is not None else None

    def constant(self, dotted: str) -> Constant | None:
        symbol = self.lookup(dotted)
        if symbol is None:
            return None
        if symbol.kind == "constant":
            return symbol.facts
        if symbol.kind == "value":
            return symbol.facts.value
        return None

    def call_type(self, dotted: str) -> str | None:
        """What calling a project name gives: a function's return type, a class's instance."""
        symbol = self.lookup(dotted)
        if symbol is None:
            return None
        if symbol.kind == "class":  # a service or client class; records and request models stay data
            return None if symbol.facts.record or symbol.facts.is_model else class_key(symbol.path, symbol.name)
        if symbol.kind in ("function", "method"):
            summary = self.index.summary(symbol.path, symbol.name)
            return summary.return_type if summary is not None else None
        return None

    def record_why(self, dotted: str) -> str | None:
        symbol = self.lookup(dotted)
        return symbol.facts.record if symbol is not None and symbol.kind == "class" else None

    def is_model(self, dotted: str) -> bool:
        symbol = self.lookup(dotted)
        return symbol is not None and symbol.kind == "class" and symbol.facts.is_model

    def guarding_modules(self) -> tuple[str, ...]:
        """The modules whose code may guard this module's routes (`app.include_router(notes.router,
        dependencies=[...])` in main.py, the settings that manage.py names)."""
        return self.index.guarding_modules(self.path)

    def resolve(self, dotted: str, depth: int = 0) -> tuple[str, str] | None:
        """(file, name) of a name this module imports from another module of the project
        (`app.api.notes.router`), through re-exports; None when it names no such thing."""
        found = self.index.modules.find(self.path, dotted)
        if found is None or len(found[1]) != 1 or depth > MAX_ALIASES:
            return None
        path, (name,) = found
        facts = self._facts_naming(path, name)
        alias = facts.aliases.get(name) if facts is not None else None
        return self.index.view(path).resolve(alias, depth + 1) if alias else (path, name)

    def interesting_part(self, dotted: str) -> frozenset[str] | None:
        """What of an imported name is worth a pass (an SDK, a framework, a sensitive name): all of
        it (None), when the module it comes from is, or the function or class of that module it
        names; the members so named of a module imported whole (`helpers` -> `load_patient`);
        else nothing (empty)."""
        found = self.index.modules.find(self.path, dotted)
        if found is None:
            return frozenset()
        path, rest = found
        names = self.index.worth_names(path)
        if names is None or (rest and rest[0] in names):
            return None
        return frozenset() if rest else names


def _member_of_class(path: str, cls: str, facts: ClassFacts | None, more: list[str]) -> Symbol | None:
    """`Settings.base_url` (a class-level default), `settings.base_url` of an instance, or
    `Summariser.run` (a method)."""
    if facts is None or len(more) != 1:
        return None
    name = more[0]
    defaults = dict(facts.defaults)
    if name in defaults:
        return Symbol("constant", path, f"{cls}.{name}", defaults[name])
    if name in dict(facts.methods):
        return Symbol("method", path, f"{cls}.{name}", dict(facts.methods)[name])
    return None


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
