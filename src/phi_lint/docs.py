"""Rule documentation, generated from each rule's own docstring (the single source)."""

from __future__ import annotations

import re

from phi_lint.catalog import load
from phi_lint.checks.base import Rule


def sections(cls: type[Rule]) -> dict[str, str]:
    """The docstring's `## Heading` sections, by heading."""
    out: dict[str, str] = {}
    current = None
    for line in cls.docs().splitlines():
        match = re.match(r"^##\s+(.*)$", line)
        if match:
            current = match.group(1).strip()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return {k: v.strip() for k, v in out.items()}


def summary(cls: type[Rule]) -> str:
    text = sections(cls).get("What it does", cls.name)
    first = text.split("\n\n", 1)[0].replace("\n", " ")
    sentence = re.split(r"(?<=[.:])\s", first, maxsplit=1)[0]
    return sentence.rstrip(":.") + "."


def rule_record(cls: type[Rule]) -> dict:
    soc2, hipaa = load().controls.get(cls.code, ((), ()))
    return {
        "code": cls.code,
        "name": cls.name,
        "severity": cls.severity.value,
        "summary": summary(cls),
        "fix": cls.fix_title,
        "controls": {"soc2": list(soc2), "hipaa": list(hipaa)},
    }


def rule_page(cls: type[Rule]) -> str:
    """Markdown for `phi-lint rule CODE` and docs/rules/CODE.md."""
    record = rule_record(cls)
    head = [
        f"# {cls.code} {cls.name}",
        "",
        f"Severity: {record['severity']}. Fix: {cls.fix_title or 'none'}.",
        "",
    ]
    return "\n".join(head) + cls.docs() + "\n"
