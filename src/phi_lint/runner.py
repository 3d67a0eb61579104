"""Find the files to check and run the engine on each: what the CLI's `check` does."""

from __future__ import annotations

import fnmatch
import os
import stat
from pathlib import Path
from typing import Callable

from phi_lint.engine import engine_for
from phi_lint.config import Config
from phi_lint.model import CheckResult, FileResult
from phi_lint.notebook import check_notebook, is_notebook
from phi_lint.paths import absolute, resolved_folder

# JavaScript/TypeScript: checked through semgrep with the pack (phi_lint.semgrep.run)
SCRIPT_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx")
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb") + SCRIPT_SUFFIXES


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/*") or rel.startswith(pattern + "/"):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False


class GitIgnore:
    """The .gitignore files that apply to paths under `top` (the repository, else the folder
    checked): each file's patterns are relative to its own folder, a deeper file overrides a
    shallower one, and a later pattern (a `!negation` too) overrides an earlier one, as in git."""

    def __init__(self, start: Path) -> None:
        from phi_lint.gitdiff import repo_root

        self.top = repo_root(start) or start
        self._specs: dict[Path, object | None] = {}

    def _spec(self, folder: Path):
        if folder not in self._specs:
            import pathspec

            ignore = folder / ".gitignore"
            lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines() if ignore.is_file() else []
            self._specs[folder] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        try:
            parts = path.relative_to(self.top).parts
        except ValueError:
            return False
        verdict = None
        folder = self.top
        for depth in range(len(parts)):
            spec = self._spec(folder)
            if spec is not None:
                rel = "/".join(parts[depth:]) + ("/" if is_dir else "")
                result = spec.check_file(rel)
                if result.include is not None:
                    verdict = result.include
            folder = folder / parts[depth]
        return bool(verdict)


def excluded(config: Config) -> Callable[[Path, bool], bool]:
    """`skip(path, is_dir)`: whether the default and configured excludes, or a .gitignore, leave
    a path out."""
    root = absolute(config.root)
    gitignore = GitIgnore(root) if config.respect_gitignore else None

    def skip(path: Path, is_dir: bool) -> bool:
        full = absolute(path)
        try:
            rel = full.relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix().lstrip("./")
        if _excluded(rel, config.excludes):
            return True
        return bool(gitignore and gitignore.ignored(full, is_dir))

    return skip


def discover(paths: list[str], config: Config, force_exclude: bool = False, notes: list[str] | None = None) -> list[Path]:
    """Python, JavaScript and TypeScript files under `paths`, minus excludes (default ones, config, .gitignore).
    Files named explicitly are always checked unless `force_exclude`. A FIFO, socket or device
    is never read (it could block the run forever): it is left out with a line in `notes`."""
    skip = excluded(config)
    found: list[Path] = []
    seen: set[Path] = set()

    def add(file: Path) -> None:
        if file in seen:
            return
        seen.add(file)
        if is_special(file):
            if notes is not None:
                notes.append(f"{display_path(file)}: not a regular file, skipped")
            return
        found.append(file)

    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            if os.path.lexists(path) and not (force_exclude and skip(path, False)):
                add(path)  # a symlink loop too: reading it reports `cannot read`
            continue
        if force_exclude and path != Path(".") and skip(path, True):
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not skip(here / d, True))
            for name in sorted(files):
                if is_source_name(name):
                    file = here / name
                    if not skip(file, False):
                        add(file)
    return found


def is_source_name(name: str) -> bool:
    return name.endswith(SOURCE_SUFFIXES)


def is_special(path: Path) -> bool:
    """A FIFO, socket or device (a symlink to one too); False for what cannot be looked at."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file. Anything else is an OSError, checked on the open file so
    that a FIFO put in a file's place after discovery cannot block the run either."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def display_path(path: Path) -> str:
    """Paths relative to the current directory, POSIX style, as users expect: a symlink by its
    own name (not its target's, which may not even exist)."""
    cwd = resolved_folder(os.getcwd())
    for made_absolute in (os.path.abspath, absolute):  # resolved only when the plain path is not under the folder
        try:
            return Path(made_absolute(path)).relative_to(cwd).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def check_paths(files: list[Path], config: Config, jobs: int = 1, config_for: Callable[[Path], Config] | None = None,
                root: str | None = None, cache: Path | None = None) -> CheckResult:
    """Check files against their project (flows through every module of it), each with
    `config_for(file)` when given (the nearest pyproject.toml, like ruff), else with `config`."""
    from phi_lint.workspace import check_project, run_settings

    return check_project(files, run_settings(files, config, config_for, root, cache), jobs)[0]


def check_stdin(data: bytes, filename: str, config: Config) -> CheckResult:
    """Source read from stdin (an editor's buffer), checked as the file it names would be: against
    the rest of its project."""
    from phi_lint.workspace import view_for_file

    project = view_for_file(Path(filename), config) if filename not in ("-", "") else None
    if is_notebook(filename):
        return CheckResult([check_notebook(engine_for(config), data, filename, project=project)])
    findings = engine_for(config).check_source(data, filename, project=project)
    return CheckResult([FileResult(filename, findings, data.decode("utf-8", "replace"))])
