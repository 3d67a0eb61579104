"""Rule documentation, generated from each rule's own docstring (the single source)."""

from __future__ import annotations

import re
from pathlib import Path

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
        f"Severity: {record['severity']}"
        + (f" (error once `{cls.policy_key.replace('_', '-')}` is configured)" if cls.policy_key else "")
        + f". Fix: {cls.fix_title or 'none'}.",
        "",
    ]
    return "\n".join(head) + cls.docs() + "\n"


def write_pages(folder: Path) -> list[Path]:
    """Write docs/rules/CODE.md for every rule and an index; returns the files written."""
    from phi_lint.checks.base import all_rules

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Rules", "", "| code | name | severity | fix | summary |", "| --- | --- | --- | --- | --- |"]
    for cls in all_rules():
        page = folder / f"{cls.code}.md"
        page.write_text(rule_page(cls), encoding="utf-8")
        written.append(page)
        r = rule_record(cls)
        index.append(f"| [{r['code']}]({r['code']}.md) | {r['name']} | {r['severity']} | {r['fix'] or ''} | {r['summary']} |")
    readme = folder / "README.md"
    readme.write_text("\n".join(index) + "\n", encoding="utf-8")
    return [readme, *written]


if __name__ == "__main__":  # python -m phi_lint.docs [folder]: regenerate docs/rules
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs" / "rules"
    for path in write_pages(target):
        print(path)
