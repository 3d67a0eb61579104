"""The plain data that flows from the engine to the reporters and the fixer.

Lines are 1-based; columns are 1-based and counted in characters (not UTF-8 bytes);
`end_column` is one past the last character, as in SARIF.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; reporters sort on it."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Applicability(str, enum.Enum):
    SAFE = "safe"  # applied by --fix
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes


@dataclass(frozen=True)
class Span:
    """Where a finding is: 1-based lines, 1-based character columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class TraceStep:
    """One step of a finding's trace: where the data was and what happened to it."""

    path: str
    line: int
    column: int
    note: str
    cell: int | None = None  # in a notebook: the cell `line` counts in


@dataclass(frozen=True)
class Edit:
    """Replace the text of a span (same coordinates as Span) by `content`."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    cell: int | None = None  # in a notebook: the cell the lines count in


@dataclass(frozen=True)
class Fix:
    """A rule's fix: its edits, the imports they need, and whether --fix applies it alone."""

    title: str
    applicability: Applicability
    edits: tuple[Edit, ...]
    imports: tuple[str, ...] = ()  # dotted names to import, e.g. "phi_lint.redact.redact"


def import_statement(spec: str) -> str:
    """The statement of a Fix.imports entry: `pkg.mod.name [as alias]` or `name [as alias]`."""
    name, _, alias = spec.partition(" as ")
    name, alias = name.strip(), alias.strip()
    suffix = f" as {alias}" if alias else ""
    if "." in name:
        module, obj = name.rsplit(".", 1)
        return f"from {module} import {obj}{suffix}"
    return f"import {name}{suffix}"


@dataclass(frozen=True)
class Suppression:
    """The comment that suppresses a finding, and its reason."""

    kind: str  # "phi-lint" or "noqa"
    line: int
    reason: str | None


@dataclass(frozen=True)
class Controls:
    """The SOC 2 and HIPAA controls a finding touches."""

    soc2: tuple[str, ...] = ()
    hipaa: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {"soc2": list(self.soc2), "hipaa": list(self.hipaa)}


@dataclass(frozen=True)
class Finding:
    """One thing a rule reports in one file: what, where, why, and how to fix it."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    trace: tuple[TraceStep, ...] = ()
    controls: Controls = field(default_factory=Controls)
    fingerprint: str = ""
    fix: Fix | None = None
    suppression: Suppression | None = None
    secret: bool = False  # the span holds a secret: reporters never show its text
    # secrets (key literals) on the finding's lines, whichever rule reports it: reporters that
    # show source never show their text either
    secret_spans: tuple[Span, ...] = ()
    cell: int | None = None  # in a notebook: the code cell `span` counts lines in (1-based, as Jupyter numbers cells)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def where(self) -> str:
        """`path:line:column`, or ruff's `nb.ipynb:cell 3:12:5` in a notebook."""
        cell = f":cell {self.cell}" if self.cell is not None else ""
        return f"{self.path}{cell}:{self.span.line}:{self.span.column}"

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code)


@dataclass(frozen=True)
class Cell:
    """A code cell of a Jupyter notebook, as findings in it are shown."""

    number: int  # 1-based, every cell of the notebook counted (as Jupyter and ruff number them)
    source: str  # its text, magics included
    file_lines: tuple[int, ...] = ()  # the line of the notebook file that holds each of its lines

    def file_line(self, line: int) -> int:
        """The notebook file's line holding the cell's 1-based `line` (its first line if unknown)."""
        if not self.file_lines:
            return 1
        return self.file_lines[min(max(line, 1), len(self.file_lines)) - 1]


@dataclass
class FileResult:
    """Everything one file produced: findings (suppressed ones included) and its source text."""

    path: str
    findings: list[Finding]
    source: str | None = None  # None when the file could not be read, and for notebooks (see cells)
    error: str | None = None  # why it could not be read
    cells: tuple[Cell, ...] = ()  # a notebook's code cells
    hidden: list[Finding] = field(default_factory=list)  # what a baseline or --diff-base hid (--fix still knows them)

    def lines(self, cell: int | None = None) -> list[str]:
        """The source lines findings count in: the file's, or one cell's."""
        if cell is not None:
            return next((c.source.splitlines() for c in self.cells if c.number == cell), [])
        return (self.source or "").splitlines()

    def file_line(self, line: int, cell: int | None = None) -> int:
        """The line of the file itself (the notebook's JSON for a cell's line): what CI annotates."""
        if cell is None:
            return line
        return next((c.file_line(line) for c in self.cells if c.number == cell), line)


@dataclass(frozen=True)
class BaselineEntry:
    """An accepted finding recorded by `phi-lint baseline`."""

    code: str
    path: str  # relative to the repository root, POSIX style
    fingerprint: str  # Finding.fingerprint: survives lines inserted above
    line: int  # where it was when recorded: a hint for people, never used to match


@dataclass
class BaselineResult:
    """What `check --baseline FILE` did: the findings it hid and the entries that matched nothing."""

    file: str
    hidden: list[Finding]
    stale: list[BaselineEntry]


@dataclass
class CheckResult:
    """What one run produced: every file's result, the I/O errors, the baseline applied."""

    files: list[FileResult]
    errors: list[str] = field(default_factory=list)  # I/O problems that are not findings
    baseline: BaselineResult | None = None  # set when a baseline was applied

    @property
    def findings(self) -> list[Finding]:
        """Unsuppressed findings, in path/line order."""
        out = [f for fr in self.files for f in fr.findings if f.suppression is None]
        return sorted(out, key=Finding.sort_key)

    @property
    def suppressed(self) -> list[Finding]:
        out = [f for fr in self.files for f in fr.findings if f.suppression is not None]
        return sorted(out, key=Finding.sort_key)
