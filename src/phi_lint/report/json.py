"""`--format json`: one document with every finding, its trace, controls and fix."""

from __future__ import annotations

import json

from phi_lint import __version__
from phi_lint.model import CheckResult, Finding


def fix_dict(finding: Finding) -> dict | None:
    fix = finding.fix
    if fix is None:
        return None
    return {
        "title": fix.title,
        "applicability": fix.applicability.value,
        "edits": [
            {"line": e.line, "column": e.column, "end_line": e.end_line, "end_column": e.end_column, "content": e.content}
            for e in fix.edits
        ],
        "imports": list(fix.imports),
    }


def finding_dict(f: Finding) -> dict:
    data = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "trace": [{"path": s.path, "line": s.line, "column": s.column, "note": s.note} for s in f.trace],
        "controls": f.controls.as_dict(),
        "fingerprint": f.fingerprint,
        "fix": fix_dict(f),
    }
    if f.suppression is not None:
        data["suppression"] = {"kind": f.suppression.kind, "line": f.suppression.line, "reason": f.suppression.reason}
    return data


def render(result: CheckResult, *, show_suppressed: bool = False, **_: object) -> str:
    doc = {
        "version": __version__,
        "findings": [finding_dict(f) for f in result.findings],
        "errors": list(result.errors),
    }
    if show_suppressed:
        doc["suppressed"] = [finding_dict(f) for f in result.suppressed]
    if result.baseline is not None:
        doc["baseline"] = {
            "file": result.baseline.file,
            "hidden": len(result.baseline.hidden),
            # entries that match no finding any more: a note, not a failure
            "stale": [{"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "line": e.line} for e in result.baseline.stale],
        }
        if show_suppressed:
            doc["baselined"] = [finding_dict(f) for f in result.baseline.hidden]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
