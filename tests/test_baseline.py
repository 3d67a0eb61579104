"""Baselines: `phi-lint baseline` accepts today's findings, `check --baseline` reports new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint import __version__
from phi_lint.baseline import load
from phi_lint.cli import main
from phi_lint.config import find_config_file
from phi_lint.model import BaselineEntry

SCHEDULER = '''"""Appointment scheduling API."""

import logging

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()
log = logging.getLogger("scheduling")


class Booking(BaseModel):
    patient_name: str
    date_of_birth: str
    slot: str


@router.post("/bookings")
def book(booking: Booking) -> dict:
    log.info("booking for %s", booking.patient_name)
    log.info("booking slot %s", booking.slot)
    return {"slot": booking.slot}
'''

BILLING = '''import logging

log = logging.getLogger("billing")


def invoice(member: dict) -> None:
    log.warning("invoice failed for member %s", member["member_ssn"])
'''

NEW_LEAK = '''    log.info("booking dob %s", booking.date_of_birth)
'''


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "scheduling.py").write_text(SCHEDULER, encoding="utf-8")
    (tmp_path / "app" / "billing.py").write_text(BILLING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check_json(*args: str) -> tuple[int, dict]:
    result = run("check", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def test_round_trip(repo: Path) -> None:
    result = run("baseline", "app")
    assert result.exit_code == 0 and "Wrote 2 entries to .phi-lint-baseline.json." in result.output
    text = (repo / ".phi-lint-baseline.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["tool"] == "phi-lint" and doc["version"] == __version__
    assert [(e["code"], e["path"], e["line"]) for e in doc["entries"]] == [("PHI201", "app/billing.py", 7), ("PHI201", "app/scheduling.py", 20)]
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"  # sorted, stable
    _, before = check_json("app")
    assert [e.fingerprint for e in load(repo / ".phi-lint-baseline.json")] == [f["fingerprint"] for f in before["findings"]]

    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app")
    assert code == 0 and report["findings"] == []
    assert report["baseline"] == {"file": ".phi-lint-baseline.json", "hidden": 2, "stale": []}
    assert run("check", "--baseline", ".phi-lint-baseline.json", "app").output == ""  # a clean run prints nothing

    assert run("baseline", "app").exit_code == 0
    assert (repo / ".phi-lint-baseline.json").read_text(encoding="utf-8") == text  # byte for byte


def test_paths_are_relative_to_the_repository_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "pyproject.toml").unlink()
    monkeypatch.chdir(repo / "app")
    find_config_file.cache_clear()
    assert run("baseline", ".", "-o", "../baseline.json").exit_code == 0
    assert {e.path for e in load(repo / "baseline.json")} == {"app/billing.py", "app/scheduling.py"}


def test_lines_inserted_above_keep_the_match_and_new_findings_show(repo: Path) -> None:
    run("baseline", "app")
    scheduling = repo / "app" / "scheduling.py"
    shifted = SCHEDULER.replace('"""Appointment scheduling API."""\n', '"""Appointment scheduling API.\n\nBookings come from the patient portal.\n"""\n\nimport os\n', 1)
    scheduling.write_text(shifted, encoding="utf-8")
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app")
    assert code == 0 and report["findings"] == [] and report["baseline"]["stale"] == []

    with_leak = shifted.replace('    log.info("booking slot %s", booking.slot)\n', '    log.info("booking slot %s", booking.slot)\n' + NEW_LEAK)
    scheduling.write_text(with_leak, encoding="utf-8")
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app")
    assert code == 1
    new_line = with_leak.splitlines().index(NEW_LEAK.rstrip("\n")) + 1
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == [("PHI201", "app/scheduling.py", new_line)]
    assert "date_of_birth" in report["findings"][0]["message"]


def test_stale_entries_are_a_note_not_a_failure(repo: Path) -> None:
    run("baseline", "app")
    fixed = BILLING.replace('"invoice failed for member %s", member["member_ssn"]', '"invoice %s failed", member["invoice_id"]')
    (repo / "app" / "billing.py").write_text(fixed, encoding="utf-8")
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app")
    assert code == 0 and report["findings"] == []
    stale = report["baseline"]["stale"]
    assert [(e["code"], e["path"], e["line"]) for e in stale] == [("PHI201", "app/billing.py", 7)]

    text = run("check", "--baseline", ".phi-lint-baseline.json", "app")
    assert text.exit_code == 0
    assert "note: 1 baseline entry in .phi-lint-baseline.json matches no finding" in text.output
    assert "  PHI201 app/billing.py (line 7 when recorded)" in text.output


def test_only_checked_files_and_rules_can_be_stale(repo: Path) -> None:
    run("baseline", "app")
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app/scheduling.py")  # pre-commit passes a few files
    assert code == 0 and report["baseline"]["stale"] == []
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "--select", "PHI1", "app")
    assert code == 0 and report["baseline"]["stale"] == []


def test_suppressed_findings_are_not_baselined(repo: Path) -> None:
    suppressed = BILLING.replace(
        '    log.warning(',
        '    # phi-lint: ignore[PHI201] reason="billing logs go to the HIPAA-scoped audit store"\n    log.warning(',
    )
    (repo / "app" / "billing.py").write_text(suppressed, encoding="utf-8")
    run("baseline", "app")
    assert [e.path for e in load(repo / ".phi-lint-baseline.json")] == ["app/scheduling.py"]


def test_show_suppressed_lists_what_the_baseline_hid(repo: Path) -> None:
    run("baseline", "app")
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "--show-suppressed", "app")
    assert code == 0
    assert [f["path"] for f in report["baselined"]] == ["app/billing.py", "app/scheduling.py"]
    text = run("check", "--baseline", ".phi-lint-baseline.json", "--show-suppressed", "app").output
    assert "Accepted in the baseline .phi-lint-baseline.json (2):" in text


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the baseline"),
    ("{not json", "is not valid JSON"),
    ('{"version": "0.1.0"}', 'has no "entries" list'),
    ('{"entries": [{"code": "PHI201"}]}', "entry 1 needs code, path and fingerprint"),
])
def test_a_bad_baseline_is_a_usage_error(repo: Path, content: str | None, message: str) -> None:
    if content is not None:
        (repo / "bad.json").write_text(content)
    result = CliRunner().invoke(main, ["check", "--baseline", "bad.json", "app"])
    assert result.exit_code == 2 and message in result.output


def test_entries_match_on_fingerprint_not_line(repo: Path) -> None:
    run("baseline", "app")
    doc = json.loads((repo / ".phi-lint-baseline.json").read_text(encoding="utf-8"))
    for entry in doc["entries"]:
        entry["line"] = 1  # the line is a hint for people only
    (repo / ".phi-lint-baseline.json").write_text(json.dumps(doc))
    code, report = check_json("--baseline", ".phi-lint-baseline.json", "app")
    assert code == 0 and report["baseline"]["hidden"] == 2
    assert load(repo / ".phi-lint-baseline.json")[0] == BaselineEntry("PHI201", "app/billing.py", doc["entries"][0]["fingerprint"], 1)


def test_baseline_written_at_the_root_matches_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app").mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "clinic_ai" / "api.py", tmp_path / "app" / "api.py")
    find_config_file.cache_clear()
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["baseline", ".", "-o", ".phi-lint-baseline.json"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "app")
    result = CliRunner().invoke(main, ["check", "--baseline", "../.phi-lint-baseline.json", "."])
    assert result.exit_code == 0, result.output
    assert "stale" not in result.output


def test_the_baseline_key_in_the_config_is_picked_up_without_arguments(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit and CI run `phi-lint check` with no --baseline: `baseline = "..."` in
    [tool.phi-lint] applies it (relative to the pyproject.toml's folder, from any folder)."""
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + '\nbaseline = "ci/phi-lint-baseline.json"\n', encoding="utf-8")
    (repo / "ci").mkdir()
    find_config_file.cache_clear()
    written = run("baseline", "app")  # no -o: the configured file
    assert written.exit_code == 0 and "Wrote 2 entries to ci/phi-lint-baseline.json." in written.output
    code, report = check_json("app")
    assert code == 0 and report["findings"] == [] and report["baseline"]["hidden"] == 2
    monkeypatch.chdir(repo / "app")
    code, report = check_json(".")
    assert code == 0 and report["baseline"] == {"file": "../ci/phi-lint-baseline.json", "hidden": 2, "stale": []}
    # an explicit --baseline still wins
    (repo / "other.json").write_text('{"entries": []}\n')
    code, report = check_json("--baseline", "../other.json", ".")
    assert code == 1 and len(report["findings"]) == 2
