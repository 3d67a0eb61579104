"""`--format gitlab`: a GitLab Code Quality report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint import runner
from phi_lint.cli import main
from phi_lint.config import find_config_file, load_config
from phi_lint.model import CheckResult
from phi_lint.report import gitlab

ROOT = Path(__file__).resolve().parents[1]
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}

# Two identical statements in one function: same code, same text, two findings.
REMINDERS = '''"""Appointment reminders sent by the nightly job."""

import logging

from openai import OpenAI

log = logging.getLogger("reminders")
client = OpenAI()


def remind(appointments: list[dict]) -> None:
    for appt in appointments:
        log.info("reminding %s", appt["patient_phone"])
        send_sms(appt)
        log.info("reminding %s", appt["patient_phone"])
'''


@pytest.fixture(scope="module")
def fixture_result() -> CheckResult:
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        config = load_config(ROOT / "fixtures" / "pyproject.toml")
        folders = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").glob("PHI*") if p.is_dir())
        return runner.check_paths(runner.discover(folders, config), config)
    finally:
        os.chdir(here)


def test_report_shape_and_severities(fixture_result: CheckResult) -> None:
    issues = json.loads(gitlab.render(fixture_result, root=ROOT))
    assert isinstance(issues, list) and len(issues) == len(fixture_result.findings) > 10
    for issue, finding in zip(issues, fixture_result.findings):
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["check_name"] == finding.code
        assert issue["description"] == f"{finding.code} {finding.message}"
        assert issue["severity"] in SEVERITIES
        assert issue["severity"] == {"error": "critical", "warning": "major", "info": "info"}[finding.severity.value]
        assert issue["location"]["path"] == finding.path and issue["location"]["path"].startswith("fixtures/")
        assert issue["location"]["lines"]["begin"] == finding.line
    assert {"critical", "major"} <= {i["severity"] for i in issues}


def test_fingerprints_are_unique_and_survive_line_shifts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "jobs").mkdir()
    source = tmp_path / "jobs" / "reminders.py"
    source.write_text(REMINDERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    config = load_config(None, start=tmp_path)

    def report() -> list[dict]:
        return json.loads(gitlab.render(runner.check_paths([Path("jobs/reminders.py")], config)))

    before = report()
    assert [i["location"]["lines"]["begin"] for i in before if i["check_name"] == "PHI201"] == [13, 15]
    fingerprints = [i["fingerprint"] for i in before]
    assert len(set(fingerprints)) == len(fingerprints)

    source.write_text(REMINDERS.replace("import logging\n", "import logging\nimport os\n\n", 1), encoding="utf-8")
    after = report()
    assert [i["location"]["lines"]["begin"] for i in after if i["check_name"] == "PHI201"] == [15, 17]
    assert [i["fingerprint"] for i in after] == fingerprints


def test_no_bom_and_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture_result: CheckResult) -> None:
    monkeypatch.chdir(ROOT)
    find_config_file.cache_clear()
    out = tmp_path / "gl-code-quality-report.json"
    result = CliRunner().invoke(main, ["check", "--format", "gitlab", "--output-file", str(out), "--config", "fixtures/pyproject.toml", "fixtures/PHI101"])
    assert result.exit_code == 1
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.startswith(b"[")
    issues = json.loads(data.decode("utf-8"))
    assert any("§164.514" in i["description"] for i in issues)  # non-ASCII written as UTF-8, not escaped away


def test_clean_run_is_an_empty_array(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.py").write_text('import logging\n\nlogging.getLogger("jobs").info("nightly run started")\n')
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    result = CliRunner().invoke(main, ["check", "--format", "gitlab", "ok.py"])
    assert result.exit_code == 0 and json.loads(result.output) == []
