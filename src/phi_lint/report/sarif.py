"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Paths are relative to the repository root (`uriBaseId: "%SRCROOT%"`), columns count Unicode code
points (`columnKind`), `endColumn` is one past the end. Rule metadata comes from the rules'
own docstrings. No result carries a snippet of source: PHI401's region is a secret, and the
other regions are where PHI flows.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from phi_lint import __version__
from phi_lint.gitdiff import report_root, repo_path
from phi_lint.model import BaselineEntry, CheckResult, FileResult, Finding, Severity, import_statement
from phi_lint.report import fix_shows_a_key

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/phi-lint/phi-lint"
RULE_DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/{code}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "phiLint/v1"  # bump the suffix only when Finding.fingerprint's recipe changes

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub buckets security-severity: >= 7.0 high, >= 4.0 medium.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def _tags(record: dict) -> list[str]:
    controls = record["controls"]
    if not (controls["soc2"] or controls["hipaa"]):
        return ["maintainability"]  # the tool's own rules (parse errors, suppressions)
    tags = ["security", "privacy"]
    tags += [f"HIPAA-{c.lstrip('§')}" for c in controls["hipaa"]]
    tags += [f"SOC2-{c}" for c in controls["soc2"]]
    return tags


def rule_descriptors() -> list[dict]:
    """Every rule, in code order: `ruleIndex` points into this list."""
    from phi_lint.checks.base import all_rules
    from phi_lint.docs import rule_page, rule_record, sections

    out = []
    for cls in all_rules():
        record = rule_record(cls)
        what = " ".join(sections(cls).get("What it does", record["summary"]).split())
        properties: dict = {"tags": _tags(record)}
        if "security" in properties["tags"]:
            properties["security-severity"] = SECURITY_SEVERITY[record["severity"]]
        out.append({
            "id": cls.code,
            "name": cls.name,
            "shortDescription": {"text": record["summary"]},
            "fullDescription": {"text": what},
            "defaultConfiguration": {"level": LEVELS[cls.severity]},
            "help": {"text": cls.docs(), "markdown": rule_page(cls)},
            "helpUri": RULE_DOCS_URI.format(code=cls.code),
            "properties": properties,
        })
    return out


class _Locator:
    """Turns paths as the runner shows them into SARIF artifact locations."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def artifact(self, path: str) -> dict:
        rel = repo_path(path, self.root)
        if PurePosixPath(rel).is_absolute():  # outside the repository
            return {"uri": Path(rel).as_uri()}
        return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}

    def physical(self, path: str, line: int, column: int | None = None, end_line: int | None = None, end_column: int | None = None) -> dict:
        region: dict = {"startLine": max(line, 1)}
        if column is not None:
            region["startColumn"] = max(column, 1)
        if end_line is not None:
            region["endLine"] = max(end_line, region["startLine"])
        if end_column is not None:
            region["endColumn"] = max(end_column, 1)
        return {"artifactLocation": self.artifact(path), "region": region}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    return {"startLine": max(line, 1), "startColumn": max(column, 1), "endLine": max(end_line, line, 1), "endColumn": max(end_column, 1)}




def _import_point(text: str | None) -> tuple[int, str] | None:
    """(line, newline) where added imports can go: the start of the first statement after the
    module docstring and `from __future__` imports, on a line of its own. None when there is no
    such place (the file does not parse, ends there, or shares that line with another statement)."""
    if not text:
        return None
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError):
        return None
    i = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        i = 1
    while i < len(body) and isinstance(body[i], ast.ImportFrom) and body[i].module == "__future__":
        i += 1
    if i >= len(body):
        return None
    stmt = body[i]
    line = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())])
    if i and body[i - 1].end_lineno >= line:
        return None  # `"""doc"""; import os`: no line of its own
    newline = re.search(r"\r\n|\r|\n", text)
    return line, newline.group() if newline else "\n"


def _fix(f: Finding, loc: _Locator, text: str | None = None) -> dict | None:
    """The SARIF fix of a finding, the imports it needs included; None when they cannot be placed."""
    fix = f.fix
    replacements = [
        {"deletedRegion": _region(e.line, e.column, e.end_line, e.end_column), "insertedContent": {"text": e.content}}
        for e in fix.edits
    ]
    if fix.imports:
        point = _import_point(text)
        if point is None or any((e.line, e.column) <= (point[0], 1) for e in fix.edits):
            return None  # a fix without its import would only raise NameError
        line, newline = point
        added = "".join(import_statement(spec) + newline for spec in fix.imports)
        replacements.insert(0, {"deletedRegion": _region(line, 1, line, 1), "insertedContent": {"text": added}})
    description = fix.title
    if fix.imports:
        description += " (adds an import of " + ", ".join(f"`{name}`" for name in fix.imports) + ")"
    return {
        "description": {"text": description},
        "artifactChanges": [{
            "artifactLocation": loc.artifact(f.path),
            "replacements": replacements,
        }],
        "properties": {"applicability": fix.applicability.value},
    }


def _result(f: Finding, index: dict[str, int], loc: _Locator, files: dict[str, FileResult]) -> dict:
    span = f.span
    fr = files.get(f.path) or FileResult(f.path, [])
    if f.cell is None:
        where = loc.physical(f.path, span.line, span.column, span.end_line, span.end_column)
    else:  # a notebook stays the artifact: the lines of its file that hold the cell's lines, the cell in a property
        where = loc.physical(f.path, fr.file_line(span.line, f.cell), None, fr.file_line(span.end_line, f.cell))
    result: dict = {
        "ruleId": f.code,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": where}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    if f.trace:
        def step_location(step) -> dict:
            if step.cell is None:
                return loc.physical(step.path, step.line, step.column)
            return loc.physical(step.path, (files.get(step.path) or fr).file_line(step.line, step.cell))

        result["codeFlows"] = [{
            "message": {"text": " → ".join(step.note for step in f.trace)},
            "threadFlows": [{
                "locations": [
                    {"location": {"physicalLocation": step_location(step), "message": {"text": step.note}}}
                    for step in f.trace
                ],
            }],
        }]
    # a notebook's fix edits its cells' code, not lines of the file: --fix applies it
    if f.fix is not None and f.fix.edits and f.cell is None and not fix_shows_a_key(f, fr.lines()):
        fix = _fix(f, loc, fr.source)
        if fix is not None:
            result["fixes"] = [fix]
    properties: dict = {}
    if f.cell is not None:
        properties["notebookCell"] = {"cell": f.cell, "line": span.line, "column": span.column,
                                      "endLine": span.end_line, "endColumn": span.end_column}
    if f.controls.soc2 or f.controls.hipaa:
        properties["controls"] = f.controls.as_dict()
    if properties:
        result["properties"] = properties
    return result


def _stale_notification(entry: BaselineEntry, file: str, loc: _Locator) -> dict:
    location = loc.physical(entry.path, entry.line) if entry.line > 0 else {"artifactLocation": loc.artifact(entry.path)}
    return {
        "level": "note",
        "message": {"text": f"stale baseline entry in {file}: {entry.code} in {entry.path} matches no finding (fixed or changed code); rewrite the baseline with `phi-lint baseline`"},
        "locations": [{"physicalLocation": location}],
    }


def render(result: CheckResult, *, show_suppressed: bool = False, root: Path | None = None, **_: object) -> str:
    base = report_root(root)
    loc = _Locator(base)
    rules = rule_descriptors()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    files = {fr.path: fr for fr in result.files}
    results = [_result(f, index, loc, files) for f in result.findings]
    if show_suppressed:
        for r in results:
            r["suppressions"] = []  # explicit: these were looked at and are not suppressed
        for f in result.suppressed:
            r = _result(f, index, loc, files)
            s = f.suppression
            # a suppression without a reason is a PHI901 finding: not yet an accepted risk
            suppression: dict = {"kind": "inSource", "status": "accepted" if s.reason else "underReview"}
            if s.reason:
                suppression["justification"] = s.reason
            suppression["location"] = {"physicalLocation": loc.physical(f.path, s.line)}
            suppression["properties"] = {"comment": s.kind}
            r["suppressions"] = [suppression]
            results.append(r)
        if result.baseline is not None:
            for f in result.baseline.hidden:
                r = _result(f, index, loc, files)
                r["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f"accepted in the baseline {result.baseline.file}"}]
                results.append(r)
    notifications = [{"level": "error", "message": {"text": error}} for error in result.errors]
    if result.baseline is not None:
        notifications += [_stale_notification(e, result.baseline.file, loc) for e in result.baseline.stale]
    invocation: dict = {"executionSuccessful": not result.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "phi-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/", "description": {"text": "The repository root."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
