from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
ANNOTATION = re.compile(r"#\s*(ruleid|ok)\s*:\s*(PHI\d{3}(?:\s*,\s*PHI\d{3})*)")


def annotations(path: Path) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(expected findings, expected absences) as (line, code): an annotation names the next
    line that is not itself a comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    expected, absent = set(), set()
    for number, line in enumerate(lines, 1):
        match = ANNOTATION.search(line)
        if not match or not line.lstrip().startswith("#"):
            continue
        target = number + 1
        while target <= len(lines) and lines[target - 1].lstrip().startswith("#"):
            target += 1
        codes = {c.strip() for c in match.group(2).split(",")}
        for code in codes:
            (expected if match.group(1) == "ruleid" else absent).add((target, code))
    return expected, absent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run without the on-disk cache (its own tests switch it back on), so that no test
    leaves a .phi-lint-cache folder in the checkout or sees another test's results."""
    monkeypatch.setenv("PHI_LINT_NO_CACHE", "1")
