"""Baselines: accept today's findings, report only new ones.

`phi-lint baseline PATHS -o .phi-lint-baseline.json` records every unsuppressed finding as
(code, repository-relative POSIX path, fingerprint, line). `phi-lint check --baseline FILE`
hides the findings that match an entry on (code, path, fingerprint); the fingerprint hashes the
normalised statement and its occurrence index, not the line, so inserting lines above a finding
keeps it matched. The line is a hint for people only.

An entry that matches nothing is stale (the code was fixed or changed): it is reported as a note,
and is no failure by itself. Only entries for files this run checked, and for rules it ran, can
be stale: pre-commit passes a few files, `--select` picks a few rules.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Callable

from phi_lint import __version__
from phi_lint.gitdiff import repo_path
from phi_lint.model import BaselineEntry, BaselineResult, CheckResult, Finding

DEFAULT_FILE = ".phi-lint-baseline.json"


class BaselineError(Exception):
    """The baseline file is missing or malformed (exit 2)."""


def entries(findings: list[Finding], root: Path) -> list[BaselineEntry]:
    out = [BaselineEntry(f.code, repo_path(f.path, root), f.fingerprint, f.line) for f in findings]
    return sorted(out, key=lambda e: (e.path, e.line, e.code, e.fingerprint))


def dumps(items: list[BaselineEntry]) -> str:
    """Sorted, stable JSON: a baseline is reviewed in pull requests like any other file."""
    doc = {
        "tool": "phi-lint",
        "version": __version__,
        "entries": [dataclasses.asdict(e) for e in sorted(items, key=lambda e: (e.path, e.line, e.code, e.fingerprint))],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(file: Path, result: CheckResult, root: Path) -> list[BaselineEntry]:
    items = entries(result.findings, root)
    file.write_text(dumps(items), encoding="utf-8")
    return items


def load(file: Path) -> list[BaselineEntry]:
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {file}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"the baseline {file} is not valid JSON: {exc}") from None
    raw = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        raise BaselineError(f"the baseline {file} has no \"entries\" list (write one with `phi-lint baseline`)")
    out = []
    for number, item in enumerate(raw, 1):
        try:
            entry = BaselineEntry(str(item["code"]), str(item["path"]), str(item["fingerprint"]), int(item.get("line", 0)))
        except (TypeError, KeyError, ValueError, AttributeError):
            raise BaselineError(f"the baseline {file}: entry {number} needs code, path and fingerprint") from None
        out.append(entry)
    return out


def apply(
    result: CheckResult,
    items: list[BaselineEntry],
    root: Path,
    file: str,
    is_enabled: Callable[[str, str], bool] | None = None,
) -> CheckResult:
    """The result without the findings the baseline accepts, with what was hidden and what is stale.

    `is_enabled(code, path)` says whether a rule ran on a file (path as the runner shows it);
    entries of rules that did not run are not stale."""
    remaining = Counter((e.code, e.path, e.fingerprint) for e in items)
    hidden: list[Finding] = []
    files = []
    checked: dict[str, str] = {}
    for fr in result.files:
        checked[repo_path(fr.path, root)] = fr.path
        kept, accepted = [], []
        for f in fr.findings:
            key = (f.code, repo_path(f.path, root), f.fingerprint)
            if f.suppression is None and remaining[key] > 0:
                remaining[key] -= 1
                accepted.append(f)
            else:
                kept.append(f)
        hidden += accepted
        files.append(dataclasses.replace(fr, findings=kept, hidden=fr.hidden + accepted))
    stale = []
    for e in items:
        key = (e.code, e.path, e.fingerprint)
        if remaining[key] <= 0 or e.path not in checked:
            continue
        if is_enabled is not None and not is_enabled(e.code, checked[e.path]):
            continue
        remaining[key] -= 1
        stale.append(e)
    return dataclasses.replace(result, files=files, baseline=BaselineResult(file, sorted(hidden, key=Finding.sort_key), stale))
