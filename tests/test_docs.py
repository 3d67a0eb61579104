"""The rule pages in docs/rules are generated from the rules' docstrings and kept in sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.checks.base import all_rules
from phi_lint.docs import rule_page, sections, write_pages

from conftest import ROOT

SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Controls", "References"]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_documents_every_section(rule) -> None:
    found = sections(rule)
    assert list(found) == SECTIONS
    assert all(found[name] for name in SECTIONS)
    assert rule.name == rule.name.lower() and " " not in rule.name


def test_docs_folder_is_up_to_date(tmp_path: Path) -> None:
    for fresh in write_pages(tmp_path):
        committed = ROOT / "docs" / "rules" / fresh.name
        assert committed.is_file(), f"run `python -m phi_lint.docs` to create {committed}"
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), f"{committed.name} is stale: run `python -m phi_lint.docs`"


def test_codes_are_unique_and_in_their_family() -> None:
    codes = [r.code for r in all_rules()]
    assert len(codes) == len(set(codes))
    assert all(c[:3] == "PHI" and c[3] in "123459" and len(c) == 6 for c in codes)
    assert rule_page(all_rules()[0]).startswith("# PHI101 phi-in-prompt")
