"""`--format json`: one document with every finding, its trace, controls and fix."""

from __future__ import annotations

import json

from phi_lint import __version__
from phi_lint.model import CheckResult, Finding
from phi_lint.report import fix_shows_a_key


def fix_dict(finding: Finding, lines: list[str]) -> dict | None:
    """The fix with its edits; a fix whose new text would show a key keeps its title and
    applicability, and its edits are withheld (`--fix` applies it without printing it)."""
    fix = finding.fix
    if fix is None:
        return None
    withheld = fix_shows_a_key(finding, lines)
    doc = {
        "title": fix.title,
        "applicability": fix.applicability.value,
        "edits": [] if withheld else [
            {**({"cell": e.cell} if e.cell is not None else {}),
             "line": e.line, "column": e.column, "end_line": e.end_line, "end_column": e.end_column, "content": e.content}
            for e in fix.edits
        ],
        "imports": list(fix.imports),
    }
    if withheld:
        doc["edits_withheld"] = "the new text holds a key: run `phi-lint check --fix` to apply it"
    return doc


def finding_dict(f: Finding, lines: list[str] = ()) -> dict:
    data = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        **({"cell": f.cell} if f.cell is not None else {}),  # a notebook's cell: lines and columns count in it
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "trace": [{"path": s.path, **({"cell": s.cell} if s.cell is not None else {}), "line": s.line, "column": s.column, "note": s.note}
                  for s in f.trace],
        "controls": f.controls.as_dict(),
        "fingerprint": f.fingerprint,
        "fix": fix_dict(f, list(lines)),
    }
    if f.suppression is not None:
        data["suppression"] = {"kind": f.suppression.kind, "line": f.suppression.line, "reason": f.suppression.reason}
    return data


def render(result: CheckResult, *, show_suppressed: bool = False, **_: object) -> str:
    files = {fr.path: fr for fr in result.files}

    def lines(f: Finding) -> list[str]:
        return files[f.path].lines(f.cell) if f.path in files else []

    doc = {
        "version": __version__,
        "findings": [finding_dict(f, lines(f)) for f in result.findings],
        "errors": list(result.errors),
    }
    if show_suppressed:
        doc["suppressed"] = [finding_dict(f, lines(f)) for f in result.suppressed]
    if result.baseline is not None:
        doc["baseline"] = {
            "file": result.baseline.file,
            "hidden": len(result.baseline.hidden),
            # entries that match no finding any more: a note, not a failure
            "stale": [{"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "line": e.line} for e in result.baseline.stale],
        }
        if show_suppressed:
            doc["baselined"] = [finding_dict(f, lines(f)) for f in result.baseline.hidden]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
