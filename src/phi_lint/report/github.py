"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

GitHub shows 10 annotations of each level per step and 50 per job, so the most severe come
first; a plain summary line closes the output (and is all there is on a clean run). Paths are
relative to the repository root, which is where GitHub resolves `file=`.
"""

from __future__ import annotations

from pathlib import Path

from phi_lint.gitdiff import report_root, repo_path
from phi_lint.model import CheckResult, FileResult, Finding, Severity
from phi_lint.paths import printable
from phi_lint.report.text import detail_lines

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A command's message: `%` first, so that the escapes themselves survive; then the other
    control characters a file name could carry (escape sequences, bidi controls) as `\\x1b`."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _message(f: Finding, unsafe_fixes: bool = False) -> str:
    """The finding's message, then its trace, fix and controls on their own lines."""
    return "\n".join([f.message, *detail_lines(f, unsafe_fixes)])


def annotation(f: Finding, root: Path, unsafe_fixes: bool = False, file: FileResult | None = None) -> str:
    """One workflow command. In a notebook, the lines of the .ipynb file that hold the cell's
    lines (what the pull request's diff shows), and the cell named in the title."""
    span = f.span
    if f.cell is not None:
        lines = file or FileResult(f.path, [])
        line, end_line, col, end_col = lines.file_line(span.line, f.cell), lines.file_line(span.end_line, f.cell), None, None
    else:
        one_line = span.end_line == span.line
        line, end_line = span.line, span.end_line
        col, end_col = (span.column, span.end_column) if one_line else (None, None)
    cell = f" (cell {f.cell}, line {span.line})" if f.cell is not None else ""
    return command(
        COMMANDS[f.severity],
        _message(f, unsafe_fixes),
        file=repo_path(f.path, root),
        line=line,
        endLine=end_line,
        col=col,
        endColumn=end_col,
        title=f"{f.code} {f.name}{cell}",
    )


def summary(findings: list[Finding]) -> str:
    if not findings:
        return "phi-lint: no findings."
    counts = []
    for severity in sorted(Severity, key=lambda s: s.rank, reverse=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            counts.append(f"{n} {severity.value}{'s' if n != 1 else ''}")
    files = len({f.path for f in findings})
    noun = "finding" if len(findings) == 1 else "findings"
    return f"phi-lint: {len(findings)} {noun} ({', '.join(counts)}) in {files} file{'s' if files != 1 else ''}."


def render(result: CheckResult, *, root: Path | None = None, unsafe_fixes: bool = False, **_: object) -> str:
    base = report_root(root)
    findings = sorted(result.findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
    files = {fr.path: fr for fr in result.files}
    out = [annotation(f, base, unsafe_fixes, files.get(f.path)) for f in findings]
    out += [command("error", error, title="phi-lint") for error in result.errors]
    if result.baseline is not None and result.baseline.stale:
        n = len(result.baseline.stale)
        out.append(command(
            "notice",
            f"{n} baseline entr{'ies' if n != 1 else 'y'} in {result.baseline.file} match{'es' if n == 1 else ''} no finding any more "
            "(fixed or changed code): rewrite it with `phi-lint baseline`.",
            title="phi-lint stale baseline",
        ))
    out.append(summary(findings))
    return "\n".join(out) + "\n"
