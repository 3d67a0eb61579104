"""Human output, ruff-like: `path:line:col: CODE message`, the line with a caret span, the trace,
the fix and the controls; a summary line last."""

from __future__ import annotations

import os
import sys

from phi_lint.analysis.keys import SECRET_MASK, key_spans
from phi_lint.catalog import load
from phi_lint.model import CheckResult, Finding, Severity
from phi_lint.paths import printable


SEVERITY_COLORS = {Severity.ERROR: "1;31", Severity.WARNING: "1;33"}


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


def use_color(stream) -> bool:
    """Colour on a terminal; FORCE_COLOR (any non-empty value, as ruff reads it) forces it
    through a pipe, e.g. in CI logs; NO_COLOR turns it off otherwise."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _masked(finding: Finding, line: str) -> list[tuple[int, int]]:
    """0-based (start, end) of the secrets on the finding's first line, left to right, apart:
    the key literals the engine found, and any key-shaped token (in a comment, inside a URL)."""
    spans = list(finding.secret_spans)
    if finding.secret:
        spans.append(finding.span)
    out = key_spans(line, load())
    for s in spans:
        if s.line <= finding.line <= s.end_line:
            start = s.column - 1 if s.line == finding.line else 0
            end = s.end_column - 1 if s.end_line == finding.line else len(line)
            out.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(out):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def shown_line(finding: Finding, line: str) -> str:
    """The source line, with every secret on it masked so that a key never reaches the terminal."""
    for start, end in reversed(_masked(finding, line)):
        line = line[:start] + SECRET_MASK + line[end:]
    return line


def shown_column(finding: Finding, line: str, column: int) -> int:
    """Where a 0-based column of the source line lands in the masked line."""
    shift = sum(len(SECRET_MASK) - (end - start) for start, end in _masked(finding, line) if end <= column)
    return column + shift


def detail_lines(f: Finding, unsafe_fixes: bool = False) -> list[str]:
    """What a finding says besides its message: trace, fix, controls (text and GitHub output)."""
    lines = []
    if len(f.trace) > 1:
        lines.append("trace: " + " → ".join(f"{s.note} ({_step_where(f, s)})" for s in f.trace))
    if f.fix is not None:
        safe = f.fix.applicability.value == "safe"
        lines.append(f"fix: {f.fix.title}" + ("" if safe else " (unsafe)" if unsafe_fixes else " (unsafe: needs --unsafe-fixes)"))
    controls = []
    if f.controls.soc2:
        controls.append("SOC 2 " + ", ".join(f.controls.soc2))
    if f.controls.hipaa:
        controls.append("HIPAA " + ", ".join(f.controls.hipaa))
    if controls:
        lines.append("controls: " + "; ".join(controls))
    return lines


def _step_where(f: Finding, step) -> str:
    """`line 12`; in a notebook, `cell 2, line 4` for a step in another cell; a step in another
    file is `path:line` (`app/llm.py:8`), as editors and terminals link it."""
    if step.path != f.path:
        return f"{printable(step.path)}:{step.line}"
    where = f"line {step.line}"
    if step.cell is not None and step.cell != f.cell:
        where = f"cell {step.cell}, {where}"
    return where


def _fixable_counts(findings: list[Finding]) -> tuple[int, int]:
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability.value == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability.value == "unsafe")
    return safe, unsafe


def summary_line(result: CheckResult, findings: list[Finding], unsafe_fixes: bool = False) -> str:
    """`Found 3 findings in 1 file.`, then, when fixes exist, a line like ruff's:
    `2 fixable with --fix (1 more with --unsafe-fixes).` With --unsafe-fixes given, `--fix`
    applies both kinds: `3 fixable with --fix.`"""
    files = len({f.path for f in findings})
    noun = "finding" if len(findings) == 1 else "findings"
    line = f"Found {len(findings)} {noun} in {files} file{'s' if files != 1 else ''}."
    safe, unsafe = _fixable_counts(findings)
    if unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    if safe or unsafe:
        line += f"\n{safe} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)" if unsafe else "") + "."
    return line


def fix_marked(f: Finding, unsafe_fixes: bool) -> bool:
    """`[*]`, as ruff marks it: `--fix` (with the --unsafe-fixes given) would fix this finding."""
    return f.fix is not None and (unsafe_fixes or f.fix.applicability.value == "safe")


def render(result: CheckResult, *, color: bool = False, show_suppressed: bool = False, quiet: bool = False,
           unsafe_fixes: bool = False, **_: object) -> str:
    style = Style(color)
    files = {fr.path: fr for fr in result.files}
    out: list[str] = []
    findings = result.findings
    for f in findings:
        sev = SEVERITY_COLORS.get(f.severity, "1;34")
        # like ruff: marked when `--fix` alone would fix it
        fixable = style(" [*]", "1;36") if fix_marked(f, unsafe_fixes) else ""
        out.append(f"{style(printable(f.where), '1')}: {style(f.code, sev)}{fixable} {printable(f.message)}")
        lines = files[f.path].lines(f.cell) if f.path in files else []
        if 0 < f.line <= len(lines):
            text = shown_line(f, lines[f.line - 1])
            gutter = str(f.line)
            pad = " " * len(gutter)
            start = shown_column(f, lines[f.line - 1], f.column - 1)
            end = f.span.end_column - 1 if f.span.end_line == f.line else len(lines[f.line - 1])
            width = max(shown_column(f, lines[f.line - 1], end) - start, 1)
            out.append(f"{pad} |")
            out.append(f"{gutter} | {text.rstrip()}")
            out.append(f"{pad} | {' ' * start}{style('^' * width, sev)}")
        else:
            pad = " "
        out.extend(f"{pad} = {line}" for line in detail_lines(f, unsafe_fixes))
        out.append("")
    for error in result.errors:
        out.append(f"error: {printable(error)}")
    out += accepted_risks(result, show_suppressed)
    if findings and not quiet:
        out.append(summary_line(result, findings, unsafe_fixes))
    return "\n".join(out) + ("\n" if out else "")


def _reason(f: Finding) -> str:
    s = f.suppression
    reason = f'"{s.reason}"' if s.reason else "none given"
    return f"reason: {reason} ({'# phi-lint: ignore' if s.kind == 'phi-lint' else '# noqa'}, line {s.line})"


def accepted_risks(result: CheckResult, show_suppressed: bool, concise: bool = False) -> list[str]:
    """With --show-suppressed, every suppression and its reason (audit evidence of accepted
    risks) and what the baseline hid; always, the baseline entries that matched nothing."""
    out: list[str] = []
    gap = [] if concise else [""]  # blocks are separated by a blank line, as findings are
    baseline = result.baseline
    if show_suppressed and result.suppressed:
        out.append(f"Suppressed ({len(result.suppressed)}):")
        for f in result.suppressed:
            head = f"{printable(f.where)}: {f.code} {printable(f.message)}"
            out += [f"{head} [{_reason(f)}]"] if concise else [head, f"  = {_reason(f)}"]
        out += gap
    if show_suppressed and baseline is not None and baseline.hidden:
        n = len(baseline.hidden)
        out.append(f"Accepted in the baseline {baseline.file} ({n}):")
        out += [f"{printable(f.where)}: {f.code} {printable(f.message)}" for f in baseline.hidden]
        out += gap
    if baseline is not None and baseline.stale:
        n = len(baseline.stale)
        out.append(
            f"note: {n} baseline entr{'ies' if n != 1 else 'y'} in {baseline.file} match{'es' if n == 1 else ''} no finding "
            "(fixed or changed code); rewrite it with `phi-lint baseline`:"
        )
        out += [f"  {e.code} {printable(e.path)} (line {e.line} when recorded)" for e in baseline.stale]
        out += gap
    return out


def render_concise(result: CheckResult, *, color: bool = False, show_suppressed: bool = False, quiet: bool = False,
                   unsafe_fixes: bool = False, **_: object) -> str:
    style = Style(color)
    lines = [f"{style(printable(f.where), '1')}: {style(f.code, SEVERITY_COLORS.get(f.severity, '1;34'))} {printable(f.message)}"
             for f in result.findings]
    lines += [f"error: {printable(e)}" for e in result.errors]
    lines += accepted_risks(result, show_suppressed, concise=True)
    if result.findings and not quiet:
        lines.append(summary_line(result, result.findings, unsafe_fixes))
    return "\n".join(lines) + ("\n" if lines else "")


def default_color() -> bool:
    return use_color(sys.stdout)
