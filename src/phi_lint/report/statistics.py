"""`check --statistics`: how many findings each rule reported, most first, as ruff prints it
(`3  PHI201  [*] phi-in-log`; `[*]` when `--fix` would fix them all), or as JSON."""

from __future__ import annotations

import json
from collections import Counter

from phi_lint.model import CheckResult
from phi_lint.report import mask
from phi_lint.report.text import fix_marked


def render_statistics(result: CheckResult, *, as_json: bool = False, unsafe_fixes: bool = False) -> str:
    findings = result.findings
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = {code: all(fix_marked(f, unsafe_fixes) for f in findings if f.code == code) for code in counts}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        doc = [{"code": code, "name": names[code], "count": n, "fixable": fixable[code]} for code, n in rows]
        return mask(json.dumps(doc, indent=2) + "\n")
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = [f"{n:>{width}}  {code}  {'[*]' if fixable[code] else '[ ]'} {names[code]}" for code, n in rows]
    lines += [f"error: {e}" for e in result.errors]
    return mask("\n".join(lines) + "\n") if lines else ""
