"""Find the files to check and run the engine on each: what the CLI's `check` does."""

from __future__ import annotations

import fnmatch
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

from phi_lint.analysis.engine import engine_for
from phi_lint.config import Config
from phi_lint.model import CheckResult, FileResult

PYTHON_SUFFIXES = (".py", ".pyi")


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


def _gitignore_spec(root: Path):
    """The .gitignore patterns of `root` (and its parents up to the repository top)."""
    import pathspec

    lines: list[str] = []
    folder = root
    for candidate in (folder, *folder.parents):
        ignore = candidate / ".gitignore"
        if ignore.is_file():
            prefix = os.path.relpath(candidate, root).replace(os.sep, "/")
            for raw in ignore.read_text(encoding="utf-8", errors="replace").splitlines():
                raw = raw.strip()
                if raw and not raw.startswith("#") and prefix == ".":
                    lines.append(raw)
        if (candidate / ".git").exists():
            break
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def discover(paths: list[str], config: Config, force_exclude: bool = False) -> list[Path]:
    """Python files under `paths`, minus excludes (default ones, config, .gitignore).
    Files named explicitly are always checked unless `force_exclude`."""
    root = config.root.resolve()
    excludes = config.excludes
    spec = _gitignore_spec(root) if config.respect_gitignore else None
    found: list[Path] = []
    seen: set[Path] = set()

    def rel_of(path: Path) -> str:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return path.as_posix().lstrip("./")

    def skip(path: Path, is_dir: bool) -> bool:
        rel = rel_of(path)
        if _excluded(rel, excludes):
            return True
        return bool(spec and spec.match_file(rel + ("/" if is_dir else "")))

    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if force_exclude and skip(path, False):
                continue
            if path not in seen:
                seen.add(path)
                found.append(path)
            continue
        if not path.is_dir():
            continue
        if force_exclude and path != Path(".") and skip(path, True):
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not skip(here / d, True))
            for name in sorted(files):
                if name.endswith(PYTHON_SUFFIXES):
                    file = here / name
                    if not skip(file, False) and file not in seen:
                        seen.add(file)
                        found.append(file)
    return found


def display_path(path: Path) -> str:
    """Paths relative to the current directory, POSIX style, as users expect."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_file(path: Path, config: Config) -> FileResult:
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(shown, [], None, error=f"{shown}: cannot read: {exc.strerror or exc}")
    try:
        findings = engine_for(config).check_source(data, shown)
    except Exception as exc:  # a bug in phi-lint must not hide the other files' findings
        return FileResult(shown, [], None, error=f"{shown}: internal error ({type(exc).__name__}: {exc}); please report it")
    text = data.decode("utf-8", "replace")
    return FileResult(shown, findings, text)


def _check_many(args: tuple[list[str], Config]) -> list[FileResult]:
    paths, config = args
    return [check_file(Path(p), config) for p in paths]


def check_paths(files: list[Path], config: Config, jobs: int = 1, config_for: Callable[[Path], Config] | None = None) -> CheckResult:
    """Check files, each with `config_for(file)` when given (the nearest pyproject.toml, like
    ruff), else with `config`."""
    groups: dict[Config, list[str]] = {}
    for file in files:
        groups.setdefault(config_for(file) if config_for else config, []).append(str(file))
    if jobs > 1 and len(files) > 8:
        work = [(paths[i::jobs], cfg) for cfg, paths in groups.items() for i in range(jobs) if paths[i::jobs]]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = [r for part in pool.map(_check_many, work) for r in part]
    else:
        results = [r for cfg, paths in groups.items() for r in _check_many((paths, cfg))]
    results.sort(key=lambda r: r.path)
    errors = [r.error for r in results if r.error]
    return CheckResult(results, errors)


def check_stdin(data: bytes, filename: str, config: Config) -> CheckResult:
    findings = engine_for(config).check_source(data, filename)
    return CheckResult([FileResult(filename, findings, data.decode("utf-8", "replace"))])
