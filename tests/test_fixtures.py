"""Every fixture gives exactly the findings its annotations expect: nothing missing, nothing extra.

`# ruleid: PHI101` on the line above a case expects that finding on the next code line;
`# ok: PHI101` documents a negative twin (implied by exactness, and checked too).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.analysis.engine import Engine
from phi_lint.config import load_config

from conftest import FIXTURES, ROOT, annotations

RULE_DIRS = sorted(p for p in FIXTURES.glob("PHI[0-9][0-9][0-9]") if p.is_dir())
DEMO = FIXTURES / "demo"
CASES = sorted(p for d in [*RULE_DIRS, DEMO] for p in d.rglob("*.py") if not p.name.endswith(".fixed.py"))


def findings_of(path: Path):
    config = load_config(start=path)
    rel = path.relative_to(ROOT).as_posix()
    return [f for f in Engine(config).check_source(path.read_bytes(), rel) if f.suppression is None]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_findings_match_annotations(path: Path) -> None:
    expected, absent = annotations(path)
    found = {(f.line, f.code) for f in findings_of(path)}
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missing and not extra, f"missing {missing}, extra {extra}"
    assert not (found & absent)


def test_demo_shows_every_rule_family() -> None:
    found = {f.code for path in DEMO.rglob("*.py") for f in findings_of(path)}
    assert {code[:4] for code in found} == {"PHI1", "PHI2", "PHI3", "PHI4"}
