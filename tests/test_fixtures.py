"""Every fixture gives exactly the findings its annotations expect: nothing missing, nothing extra.

`# ruleid: PHI101` on the line above a case expects that finding on the next code line;
`# ok: PHI101` documents a negative twin (implied by exactness, and checked too).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.engine import Engine
from phi_lint.config import load_config

from conftest import FIXTURES, ROOT, annotations

RULE_DIRS = sorted(p for p in FIXTURES.glob("PHI[0-9][0-9][0-9]") if p.is_dir())
DEMO = FIXTURES / "demo"
PRECISION = FIXTURES / "precision"  # shaped like false alarms seen on real code: no finding at all
CASES = sorted(p for d in [*RULE_DIRS, DEMO, PRECISION] for p in d.rglob("*.py") if not p.name.endswith(".fixed.py"))


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


@pytest.mark.parametrize("path", sorted(PRECISION.rglob("*.py")), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_precision_fixtures_give_no_finding(path: Path) -> None:
    expected, absent = annotations(path)
    assert not expected and absent, "a precision fixture documents its traps with `# ok:` only"
    assert [f"{f.line}: {f.code} {f.message}" for f in findings_of(path)] == []


def test_demo_shows_every_rule_family() -> None:
    found = {f.code for path in DEMO.rglob("*.py") for f in findings_of(path)}
    assert {code[:4] for code in found} == {"PHI1", "PHI2", "PHI3", "PHI4", "PHI5"}
@pytest.mark.parametrize("folder", RULE_DIRS, ids=lambda p: p.name)
def test_each_rule_has_enough_positive_and_negative_cases(folder: Path) -> None:
    code = folder.name
    need = 8 if code.startswith(("PHI1", "PHI2")) else 4
    positives = negatives = 0
    # configurations are the cases of PHI904 (tests/test_flake8_plugin.py runs them)
    for path in [*folder.rglob("*.py"), *folder.rglob("*.toml")]:
        if path.name.endswith(".fixed.py"):
            continue
        expected, absent = annotations(path)
        positives += sum(1 for _, c in expected if c == code)
        negatives += sum(1 for _, c in absent if c == code)
    assert positives >= need and negatives >= need, f"{code}: {positives} positive, {negatives} negative cases (need {need} each)"


def test_every_rule_has_a_fixture_folder() -> None:
    from phi_lint.checks.base import all_rules

    missing = [cls.code for cls in all_rules() if not (FIXTURES / cls.code).is_dir()]
    assert not missing, f"rules without fixtures: {missing}"
