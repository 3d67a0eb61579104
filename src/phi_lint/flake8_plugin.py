"""The flake8 front: flake8's tree in, `(line, col, "PHI101 message", type)` out.

It runs the same Engine as the CLI on the tree flake8 already parsed (no second parse), so a file
gives the same findings through either front. flake8 never reads pyproject.toml: the plugin finds
the nearest `[tool.phi-lint]` above each file itself (config.config_for_path, as the CLI does).
A configuration that cannot be used is reported as one PHI904 finding at line 1 of each file:
raising would make flake8 print a traceback and drop every other plugin's findings too.

Suppressions: `# phi-lint: ignore[...]` is applied here, as in the CLI. `# noqa` belongs to
flake8: a finding hidden only by a noqa comment on its own line is yielded and flake8 drops it
(so `--disable-noqa` shows it again). The engine also honours a noqa comment on the first line of
a multi-line statement or on the comment line above it, which flake8 does not look at; those
findings are dropped here so that both fronts hide the same ones.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

from phi_lint import __version__
from phi_lint.config import Config, ConfigError, config_for_path
from phi_lint.engine import engine_for
from phi_lint.model import Finding
from phi_lint.paths import printable
from phi_lint.report import mask

# flake8's own inline noqa pattern (flake8.defaults.NOQA_INLINE_REGEXP), copied so that importing
# the plugin does not depend on flake8's internals.
_FLAKE8_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_STDIN_NAMES = ("stdin", "-")


def _config_for(path: Path) -> Config:
    """The configuration of the file at `path`, its rule codes checked as the CLI checks them."""
    from phi_lint.checks.base import validate_codes

    return validate_codes(config_for_path(path))


def _display_path(filename: str) -> str:
    """The path the CLI would report: relative to the current folder, POSIX style."""
    from phi_lint.runner import display_path

    return display_path(Path(filename))


def flake8_hides(line: str, code: str) -> bool:
    """Whether flake8 itself drops `code` reported on this physical line because of a noqa."""
    match = _FLAKE8_NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    listed = tuple(c for c in re.split(r"[,\s]+", codes) if c)
    return code in listed or code.startswith(listed)


class Plugin:
    """flake8 entry point `PHI`: every phi-lint rule, configured from `[tool.phi-lint]`."""

    name = "phi-lint"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self._workspace = None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.filename in _STDIN_NAMES:
            where, path = Path.cwd(), "stdin"
        else:
            where, path = Path(self.filename), _display_path(self.filename)
        try:
            config = _config_for(where)
        except ConfigError as exc:
            from phi_lint.checks.tool import InvalidConfiguration

            yield 1, 0, mask(printable(InvalidConfiguration.text(exc))), type(self)
            return
        engine = engine_for(config)
        source = "".join(self.lines)
        for finding in engine.check_source(source, path, tree=self.tree, fixes=False, project=self._project(where, config)):
            if self._shown(finding):
                yield finding.line, finding.column - 1, mask(printable(f"{finding.code} {finding.message}")), type(self)
        if self._workspace is not None:
            self._workspace.save(self._workspace.entries())  # what was learnt of other modules, for the next file

    def _project(self, where: Path, config: Config):
        """The rest of the project as this file sees it (a wrapper in `llm.py` that this file's
        route calls), from the same index and cache the CLI uses; None for stdin."""
        if self.filename in _STDIN_NAMES:
            return None
        from phi_lint.workspace import view_for_file, workspace_for

        self._workspace = workspace_for(where, config)
        return view_for_file(where, config)

    def _shown(self, finding: Finding) -> bool:
        """Unsuppressed findings, and noqa-suppressed ones flake8 will drop itself."""
        suppression = finding.suppression
        if suppression is None:
            return True
        if suppression.kind != "noqa":
            return False
        line = self.lines[finding.line - 1] if 0 < finding.line <= len(self.lines) else ""
        return flake8_hides(line, finding.code)
