"""One run over a project: its root and Python files, the index of its modules with the on-disk
cache, and the checking of files against it, in worker processes when there are several CPUs.

The project root is the folder of the pyproject.toml that configures the run, else the top of
the git repository, else the common folder of the paths (`--project-root` overrides). Every
Python file under it that the excludes keep is a module of the index, whichever files are
checked: pre-commit passes only the staged files and flake8 one file, and both must see the
wrapper in `llm.py` that a staged `routes.py` calls.

A checked file's findings are cached under its key (analysis/project.py and cache.py say how
keys are made): a run with nothing changed reads every result from the cache and parses nothing.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from phi_lint.analysis.imports import import_statements
from phi_lint.analysis.project import ModuleMap, ProjectIndex, ProjectView
from phi_lint.analysis.routes import may_define_router, may_mount
from phi_lint.analysis.settings_defaults import may_use_settings_default, named_settings
from phi_lint.cache import DEFAULT_DIR, Cache, config_digest, encode, stored_part
from phi_lint.config import Config, FileConfigs
from phi_lint.engine import engine_for, fewer_collections, split_lines
from phi_lint.model import CheckResult, FileResult
from phi_lint.notebook import check_notebook, is_notebook
from phi_lint.paths import absolute

MODULE_SUFFIXES = (".py", ".pyi")
# `import a.b as c, d` and `from .a.b import (x, y)`: what a module may import, read from its text
# (a superset is harmless: it only makes a key depend on one more module)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.M)
_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)", re.M)
PARALLEL_FROM = 8  # fewer files to check than this: one process (starting workers costs more)


def project_root(paths: list[str], config: Config, override: str | None = None) -> Path:
    """Where the project starts: `--project-root`, else the folder of the pyproject.toml that
    configures the run, else the top of the git repository, else the common folder of the paths."""
    from phi_lint.gitdiff import repo_root

    if override:
        return absolute(Path(override))
    if config.source is not None:
        return absolute(config.source.parent)
    start = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
    top = repo_root(start if start.is_dir() else start.parent)
    if top is not None:
        return absolute(top)
    folders = [absolute(Path(p) if Path(p).is_dir() else Path(p).parent) for p in paths if p != "-"] or [absolute(Path.cwd())]
    return Path(os.path.commonpath([str(f) for f in folders]))


def cache_folder(root: Path, config: Config, option: str | None = None, disabled: bool = False) -> Path | None:
    """Where the cache lives: none with --no-cache (or PHI_LINT_NO_CACHE), else --cache-dir, else
    PHI_LINT_CACHE_DIR, else `cache-dir` in [tool.phi-lint], else .phi-lint-cache at the root."""
    if disabled or os.environ.get("PHI_LINT_NO_CACHE"):
        return None
    chosen = option or os.environ.get("PHI_LINT_CACHE_DIR")
    if chosen:
        return absolute(Path(chosen))
    if config.cache_dir:
        return absolute(config.root / config.cache_dir)
    return root / DEFAULT_DIR


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunSettings:
    """What a worker process needs to rebuild the workspace of the run (all of it picklable)."""

    root: Path
    modules: tuple[str, ...]  # project-relative POSIX paths of every module of the project
    config_for: Callable[[Path], Config]
    cache_folder: Path | None
    keys: tuple[tuple[str, str], ...] = ()  # module -> key, computed once by the parent


class Workspace:
    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.root = settings.root
        self.modules = ModuleMap(settings.root, settings.modules)
        self.cache = Cache(settings.cache_folder) if settings.cache_folder is not None else None
        self.keys: dict[str, str] = dict(settings.keys)
        self._data: dict[str, bytes | None] = {}
        self._entries: dict[str, dict | None] = {}
        self._imports: dict[str, set[str]] = {}
        self._module_of: dict[str, str | None] = {}  # path as given -> module (resolving a path is slow)
        self.index = ProjectIndex(self.modules, self._open, self._names_worth_a_pass, self._stored if self.cache else None, self.guarding_modules)
        self._mounting: dict[str, set[str]] = {}  # modules that mount routers -> the modules they import
        self._naming: dict[str, set[str]] = {}  # entry points -> the settings modules they name
        self._scanned = False
        self.checked: dict[str, tuple[str, str, list]] = {}  # module -> (shown, config digest, findings) for the cache

    # ------------------------------------------------------------------ files
    def module_of(self, path: Path) -> str | None:
        """The project-relative POSIX path of a file under the root; None outside it."""
        key = str(path)
        if key not in self._module_of:
            try:
                self._module_of[key] = absolute(path).relative_to(self.root).as_posix()
            except ValueError:
                self._module_of[key] = None
        return self._module_of[key]

    def data(self, module: str) -> bytes | None:
        if module not in self._data:
            from phi_lint.runner import read_regular

            try:
                self._data[module] = read_regular(self.root / module)
            except OSError:
                self._data[module] = None
        return self._data[module]

    def _engine(self, module: str):
        return engine_for(self.settings.config_for(self.root / module))

    def _text(self, module: str) -> str | None:
        data = self.data(module)
        return data.decode("utf-8", "replace") if data is not None else None

    def _open(self, module: str, view: ProjectView):
        text = self._text(module)
        if text is None:
            return None
        try:
            tree = ast.parse(text, filename=module)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None
        return self._engine(module).module_analysis(tree, text, split_lines(text), view.display(module), view)

    def _names_worth_a_pass(self, module: str) -> frozenset[str] | None:
        text = self._text(module)
        if text is None:
            return frozenset()
        names, reading = self._engine(module).read_for_importers(text)
        if reading is not None:
            self.index.keep_reading(module, text, reading)
        return names

    def _entry(self, module: str) -> dict | None:
        if module not in self._entries:
            self._entries[module] = self.cache.read(module) if self.cache is not None else None
        return self._entries[module]

    def _stored(self, module: str):
        key = self.keys.get(module)
        if key is None:
            return None
        entry = self._entry(module)
        facts = stored_part(entry, key, "facts")
        return (facts, stored_part(entry, key, "summaries") or {}) if facts is not None else None

    # ------------------------------------------------------------------ keys
    def imports_of(self, module: str) -> set[str]:
        """The project modules a module may import (read from its text, without parsing it)."""
        found = self._imports.get(module)
        if found is None:
            found = self._imports[module] = self._read_imports(module)
        return found

    def _read_imports(self, module: str) -> set[str]:
        text = self._text(module)
        if not text:
            return set()
        package = self.modules.package(module)
        names: set[str] = set()
        for match in import_statements(text, _IMPORT, _FROM):
            if match.re is _IMPORT:
                names.update(part.split()[0] for part in match.group(1).split(",") if part.split())
                continue
            base = match.group(1)
            dots = len(base) - len(base.lstrip("."))
            if dots:
                stem = package[: len(package) - dots + 1] if dots > 1 else package
                base = ".".join([*stem, base.lstrip(".")] if base.lstrip(".") else stem)
            listed = re.sub(r"#[^\n]*", "", match.group(2)).strip("()")
            targets = [part.split()[0] for part in listed.split(",") if part.split()]
            names.update(f"{base}.{t}" if base else t for t in targets if t != "*")
            if base:
                names.add(base)
        found = set()
        for name in names:
            hit = self.modules.find(module, name)
            if hit is not None and hit[0] != module:
                found.add(hit[0])
        return found

    def guarding_modules(self, module: str) -> set[str]:
        """The project modules whose code may guard the routes of `module`, so its findings depend
        on them: those that may mount its routers (`app.include_router(notes.router,
        dependencies=[...])` in main.py, which imports it), and, for a framework with a default
        guard in its settings, the entry points that name the settings module and that module
        (manage.py's DJANGO_SETTINGS_MODULE). Read from the texts, without parsing: a superset."""
        text = self._text(module)
        if not text:
            return set()
        access = self._engine(module).catalog.access
        found: set[str] = set()
        if may_define_router(text, access):
            self._scan(access)
            found |= {other for other, imported in self._mounting.items() if module in imported}
        if may_use_settings_default(text, access):
            self._scan(access)
            found |= {m for entry, named in self._naming.items() for m in (entry, *named)}
        return found - {module}

    def _scan(self, access) -> None:
        """Every module's text, once: which mount routers, which name a settings module."""
        if self._scanned:
            return
        from phi_lint.runner import read_regular

        self._scanned = True
        for other in sorted(self.modules.files):
            try:  # read, not kept: only the few modules that mount something or name settings are
                data = self._data[other] if other in self._data else read_regular(self.root / other)
            except OSError:
                continue
            text = data.decode("utf-8", "replace") if data is not None else ""
            if may_mount(text, access):
                self._mounting[other] = self.imports_of(other)
            named = named_settings(text, access)
            if named:
                self._naming[other] = {hit[0] for hit in (self.modules.find(other, n) for n in named) if hit is not None}

    def compute_keys(self, wanted: Iterable[str]) -> dict[str, str]:
        """The key of every module that `wanted` import, directly or not (and of `wanted`): a hash
        of its bytes, its configuration and the keys of what it imports (and of the modules that
        may guard its routes); a module of an import cycle shares one key with the whole cycle."""
        deps: dict[str, list[str]] = {}

        def deps_of(node: str) -> list[str]:
            deps[node] = sorted(self.imports_of(node) | self.guarding_modules(node))
            return deps[node]

        keys: dict[str, str] = {}
        for component in dependency_order(wanted, deps_of):
            digest = hashlib.sha256()
            for member in sorted(component):  # the same key whatever the walk's order
                data = self.data(member) or b""
                config = config_digest(self.settings.config_for(self.root / member))
                digest.update(hashlib.sha256(data + b"\0" + config.encode()).hexdigest().encode())
            outside = sorted({keys[d] for member in component for d in deps[member] if d not in component})
            digest.update("".join(outside).encode())
            for member in component:
                keys[member] = digest.hexdigest()[:32]
        self.keys.update(keys)
        return keys

    def dependencies_first(self, files: list[Path]) -> list[Path]:
        """`files` with the modules each imports before it (import cycles in any order)."""
        by_module = {m: f for m, f in ((self.module_of(f), f) for f in files) if m is not None}
        order = dependency_order(by_module, lambda node: sorted(self.imports_of(node)))
        return [f for f in files if self.module_of(f) is None] + [by_module[m] for c in order for m in c if m in by_module]

    # ------------------------------------------------------------------ checking
    def cached_result(self, path: Path) -> FileResult | None:
        """The result of the last run for this file, when nothing it depends on changed."""
        from phi_lint.runner import display_path

        module = self.module_of(path)
        key = self.keys.get(module) if module is not None else None
        if key is None:
            return None
        findings = stored_part(self._entry(module), key, "findings")
        if not findings:
            return None
        shown = display_path(path)
        if findings[0] != shown or findings[1] != config_digest(self.settings.config_for(path)):
            return None
        data = self.data(module)
        if data is None:
            return None
        return FileResult(shown, list(findings[2]), data.decode("utf-8", "replace"))

    def check(self, path: Path) -> FileResult:
        """Check one file against the project (check_project has looked in the cache already)."""
        from phi_lint.runner import display_path, read_regular

        shown = display_path(path)
        module = self.module_of(path)
        try:
            data = self.data(module) if module is not None else read_regular(path)
            if data is None:
                data = read_regular(path)  # raises the error to report
        except OSError as exc:
            return FileResult(shown, [], None, error=f"{shown}: cannot read: {exc.strerror or exc}")
        config = self.settings.config_for(path)
        engine = engine_for(config)
        view = self.index.view(module) if module is not None else None
        try:
            if is_notebook(shown):
                return check_notebook(engine, data, shown, project=view)
            findings = engine.check_source(data, shown, project=view)
            if module is not None:
                self.index.learn(module)
        except Exception as exc:  # a bug in phi-lint must not hide the other files' findings
            return FileResult(shown, [], None, error=f"{shown}: internal error ({type(exc).__name__}: {exc}); please report it")
        if module is not None and module in self.keys:
            self.checked[module] = (shown, config_digest(config), findings)
        return FileResult(shown, findings, data.decode("utf-8", "replace"))

    def check_all(self, paths: list[Path]) -> list[FileResult]:
        """Check files in this order (the modules each imports first)."""
        self.index.expect([m for m in map(self.module_of, paths) if m is not None], self.imports_of)
        results = []
        with _collector_paused() as freeze, fewer_collections():
            for path in paths:
                results.append(self.check(path))
                freeze()
        return results

    def view_of(self, shown: str) -> ProjectView | None:
        """The project as the file a result shows (its display path) sees it."""
        module = self.module_of(Path(shown))
        return self.index.view(module) if module is not None else None

    def entries(self) -> dict[str, dict]:
        """What this run learnt, as cache entries to write: per module, under its key."""
        out: dict[str, dict] = {}
        for module in set(self.index.computed) | set(self.checked):
            key = self.keys.get(module)
            if key is None:
                continue
            entry = {"key": key}
            old = self._entry(module)
            facts = self.index.known_facts(module)
            summaries = dict(stored_part(old, key, "summaries") or {})
            summaries.update(self.index.computed.get(module, {}))
            if facts is not None:
                entry["facts"] = encode(facts)
                entry["summaries"] = encode(summaries)
            elif old is not None and old.get("key") == key and "facts" in old:
                entry["facts"], entry["summaries"] = old["facts"], old.get("summaries", encode({}))
            if module in self.checked:
                entry["findings"] = encode(self.checked[module])
            elif old is not None and old.get("key") == key and "findings" in old:
                entry["findings"] = old["findings"]
            out[module] = entry
        return out

    def save(self, entries: dict[str, dict]) -> None:
        if self.cache is not None:
            for module, entry in sorted(entries.items()):
                self.cache.write(module, entry)


def dependency_order(starts: Iterable[str], deps_of: Callable[[str], list[str]]) -> list[list[str]]:
    """The strongly connected components of the graph reachable from `starts` (Tarjan's, without
    recursion), dependencies first; the members of a component in the order the walk finished
    them (within an import cycle, what a module imports mostly comes before it)."""
    order: list[list[str]] = []
    graph: dict[str, list[str]] = {}  # each node's dependencies, asked once
    finished: dict[str, int] = {}  # node -> when the walk was done with it (a post-order)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in starts:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
                graph[node] = deps_of(node)
            deps = graph[node]
            if i < len(deps):
                work.append((node, i + 1))
                nxt = deps[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            finished[node] = len(finished)
            for dep in deps:
                if dep in on_stack and dep != node:
                    low[node] = min(low[node], low[dep])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                order.append(sorted(component, key=finished.__getitem__))
            elif work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return order


# ---------------------------------------------------------------------- a run
_worker: Workspace | None = None


def _start_worker(settings: RunSettings) -> None:
    global _worker
    _worker = Workspace(settings)


def _check_in_worker(paths: list[str]) -> tuple[list[FileResult], dict[str, dict]]:
    return _worker.check_all([Path(p) for p in paths]), _worker.entries()


@contextlib.contextmanager
def _collector_paused():
    """The garbage collector leaves alone what earlier files' checks left behind: the index's
    facts and summaries grow into hundreds of thousands of long-lived objects, which each full
    collection walked again for nothing (a fifth of a stdlib check). After each file (whose
    let-go analyses are released by then, their cycles broken), everything alive is frozen out
    of the collector's sight; a file's own garbage is still collected while it is checked. The
    collector's threshold stays raised (`fewer_collections`) from one file to the next: lowered
    after each, it collected what each file left young (a twentieth of a stdlib check), for the
    few cycles in it; they are frozen with the rest now, and collected once the run ends."""
    if not gc.isenabled():
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def run_settings(files: list[Path], config: Config, config_for: Callable[[Path], Config] | None = None,
                 root: str | None = None, cache: Path | None = None) -> RunSettings:
    """The settings of a run over `files`: the project they belong to and how each is configured."""
    top = project_root([str(f) for f in files] or ["."], config, root)
    return RunSettings(top, project_modules(top, config), config_for or FileConfigs(fixed=config), cache)


def check_project(files: list[Path], settings: RunSettings, jobs: int) -> tuple[CheckResult, Workspace]:
    """Check `files` against the project, from the cache where nothing changed, in `jobs` worker
    processes when there is enough to do; findings are the same whatever the job count. The
    workspace stays usable (fixes check their passes against the same project)."""
    workspace = Workspace(settings)
    modules = [m for m in (workspace.module_of(f) for f in files) if m is not None]
    if workspace.cache is not None:
        workspace.compute_keys(modules)
    results: dict[str, FileResult] = {}
    todo: list[Path] = []
    for file in files:
        cached = workspace.cached_result(file)
        if cached is not None:
            results[str(file)] = cached
        else:
            todo.append(file)
    todo = workspace.dependencies_first(todo)
    entries: dict[str, dict] = {}
    if jobs > 1 and len(todo) >= PARALLEL_FROM:
        shared = RunSettings(settings.root, settings.modules, settings.config_for, settings.cache_folder, tuple(workspace.keys.items()))
        size = max(1, len(todo) // (jobs * 4))
        batches = [[str(f) for f in todo[i:i + size]] for i in range(0, len(todo), size)]
        from concurrent.futures import ProcessPoolExecutor  # here: a one-file check must not pay for multiprocessing

        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(shared,)) as pool:
            for done, learnt in pool.map(_check_in_worker, batches):
                for result in done:
                    results[result.path] = result
                for module, entry in learnt.items():
                    _merge_entry(entries, module, entry)
    else:
        for result in workspace.check_all(todo):
            results[result.path] = result
        entries = workspace.entries()
    workspace.save(entries)
    ordered = sorted(results.values(), key=lambda r: r.path)
    return CheckResult(ordered, [r.error for r in ordered if r.error]), workspace


def _merge_entry(entries: dict[str, dict], module: str, entry: dict) -> None:
    """Two workers learnt about one module: keep the findings of the one that checked it and
    both sets of summaries."""
    old = entries.get(module)
    if old is None or old.get("key") != entry.get("key"):
        entries[module] = entry
        return
    if "findings" in entry:
        old["findings"] = entry["findings"]
    if "summaries" in entry:
        merged = dict(old.get("summaries", {"@d": []})["@d"]) if "summaries" in old else {}
        merged.update(dict(entry["summaries"]["@d"]))
        old["summaries"] = {"@d": [[k, v] for k, v in sorted(merged.items())]}
        old.setdefault("facts", entry.get("facts"))


_open_workspaces: dict[tuple[Path, Config], Workspace] = {}


def workspace_for(file: Path, config: Config) -> Workspace:
    """The workspace of the project a file belongs to, made once per process (the flake8 front
    checks one file at a time, all against the same project)."""
    root = project_root([str(file)], config)
    key = (root, config)
    if key not in _open_workspaces:
        _open_workspaces[key] = Workspace(RunSettings(root, project_modules(root, config), FileConfigs(fixed=config), cache_folder(root, config)))
    return _open_workspaces[key]


def view_for_file(file: Path, config: Config) -> ProjectView | None:
    """The project as one file sees it (flake8's file, an editor's buffer named by
    --stdin-filename): what the cache holds of the other modules is used as it is."""
    workspace = workspace_for(file, config)
    module = workspace.module_of(file)
    if module is None:
        return None
    workspace.compute_keys([module])
    return workspace.index.view(module)


def project_modules(root: Path, config: Config) -> tuple[str, ...]:
    """Every Python module under the project root that the excludes (and .gitignore) keep."""
    from phi_lint.runner import discover

    found = discover([str(root)], config)
    out = []
    for path in found:
        if path.name.endswith(MODULE_SUFFIXES):
            try:
                out.append(absolute(path).relative_to(root).as_posix())
            except ValueError:
                continue
    return tuple(sorted(out))
