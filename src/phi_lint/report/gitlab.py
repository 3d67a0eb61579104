"""`--format gitlab`: a GitLab Code Quality report (a JSON array, UTF-8 without a BOM).

GitLab compares the fingerprints of a merge request's report with its target branch's to tell
new findings from old ones, and drops duplicates, so each fingerprint is unique in a report and
stable across line shifts: it hashes Finding.fingerprint with the repository-relative path.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from phi_lint.gitdiff import report_root, repo_path
from phi_lint.model import CheckResult, FileResult, Severity

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(result: CheckResult, *, root: Path | None = None, **_: object) -> str:
    base = report_root(root)
    issues = []
    seen: set[str] = set()
    files = {fr.path: fr for fr in result.files}
    for f in result.findings:
        fr = files.get(f.path) or FileResult(f.path, [])
        path = repo_path(f.path, base)
        identity = f"{f.code}\x00{path}\x00{f.fingerprint}"
        fingerprint = hashlib.sha256(identity.encode()).hexdigest()[:32]
        n = 1
        while fingerprint in seen:  # only if the engine ever repeated a fingerprint
            fingerprint = hashlib.sha256(f"{identity}\x00{n}".encode()).hexdigest()[:32]
            n += 1
        seen.add(fingerprint)
        issues.append({
            "type": "issue",
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[f.severity],
            "categories": ["Security"] if f.controls.soc2 or f.controls.hipaa else ["Bug Risk"],
            # in a notebook, the lines of the .ipynb file that hold the cell's lines
            "location": {"path": path, "lines": {"begin": fr.file_line(f.span.line, f.cell), "end": fr.file_line(f.span.end_line, f.cell)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
