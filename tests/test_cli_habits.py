"""What ruff and bandit users reach for: --statistics, --show-settings, --show-files,
--output-format, FORCE_COLOR, and --add-noqa --reason for adopting phi-lint on a legacy codebase."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.catalog import tomllib
from phi_lint.cli import main
from phi_lint.config import find_config_file

INTAKE = '''"""Intake endpoint of the scheduling service."""

import logging

from openai import OpenAI

log = logging.getLogger("intake")
client = OpenAI(base_url="https://contoso-health.openai.azure.com/openai/v1")


def admit(patient):
    log.info("admitting %s", patient.ssn)
    log.info("admitting %s born %s", patient.mrn, patient.date_of_birth)
    log.info("record %s", patient)
    prompt = f"""Summarise the chart of {patient.first_name}:
{patient.diagnosis}"""
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
'''


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\nignore = ["PHI304"]\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "intake.py").write_text(INTAKE)
    (tmp_path / "app" / "empty.py").write_text("")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "generated.py").write_text(INTAKE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ---------------------------------------------------------------------- --statistics
def test_statistics_count_findings_per_rule_like_ruff(project: Path) -> None:
    result = run("check", "--statistics", "app")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "3  PHI201  [*] phi-in-log",
        "1  PHI101  [ ] phi-in-prompt",
        "1  PHI202  [ ] payload-in-log",
    ]
    unsafe = run("check", "--statistics", "--unsafe-fixes", "app").stdout
    assert "1  PHI202  [*] payload-in-log" in unsafe and "1  PHI101  [*] phi-in-prompt" in unsafe


def test_statistics_as_json(project: Path) -> None:
    doc = json.loads(run("check", "--statistics", "--output-format", "json", "app").stdout)
    assert doc[0] == {"code": "PHI201", "name": "phi-in-log", "count": 3, "fixable": True}
    assert [d["code"] for d in doc] == ["PHI201", "PHI101", "PHI202"]


def test_statistics_of_a_clean_run_print_nothing(project: Path) -> None:
    result = run("check", "--statistics", "app/empty.py")
    assert result.exit_code == 0 and result.stdout == ""


# ---------------------------------------------------------------------- --show-settings / --show-files
def test_show_settings_names_the_file_and_prints_pastable_toml(project: Path) -> None:
    result = run("check", "--show-settings", "--extend-select", "PHI304", "app/intake.py")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# settings for app/intake.py\n")
    assert f"# from {(project / 'pyproject.toml').resolve()} [tool.phi-lint], with the command-line options applied" in out
    settings = tomllib.loads(out)["tool"]["phi-lint"]
    assert settings["approved-endpoints"] == ["https://contoso-health.openai.azure.com"]
    assert settings["ignore"] == ["PHI304"] and settings["extend-select"] == ["PHI304"]
    assert settings["respect-gitignore"] is True
    assert "# redactor is not set" in out


def test_show_settings_without_a_config_says_defaults(project: Path) -> None:
    (project / "pyproject.toml").unlink()
    find_config_file.cache_clear()
    doc = json.loads(run("check", "--show-settings", "--format", "json", "app").stdout)
    assert doc["source"] is None and doc["settings"]["select"] == ["PHI"]
    assert "the defaults (no pyproject.toml with [tool.phi-lint] above app)" in run("check", "--show-settings", "app").stdout


def test_show_files_lists_what_would_be_checked(project: Path) -> None:
    result = run("check", "--show-files", ".")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["app/empty.py", "app/intake.py"]  # build/ is excluded by default


# ---------------------------------------------------------------------- --output-format, FORCE_COLOR
def test_output_format_is_an_alias_of_format(project: Path) -> None:
    doc = json.loads(run("check", "--output-format", "json", "app").stdout)
    assert {f["code"] for f in doc["findings"]} == {"PHI101", "PHI201", "PHI202"}
    assert run("check", "--output-format", "concise", "app").stdout == run("check", "--format", "concise", "app").stdout


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_force_color_colours_a_pipe(project: Path, fmt: str) -> None:
    env = {"FORCE_COLOR": "1", "NO_COLOR": ""}
    piped = subprocess.run([sys.executable, "-m", "phi_lint", "check", "--format", fmt, "app"], cwd=project,
                           capture_output=True, text=True, env={**_env(), **env})
    assert "\x1b[1mapp/intake.py:" in piped.stdout
    plain = subprocess.run([sys.executable, "-m", "phi_lint", "check", "--format", fmt, "app"], cwd=project,
                           capture_output=True, text=True, env=_env())
    assert "\x1b[" not in plain.stdout
    to_file = subprocess.run([sys.executable, "-m", "phi_lint", "check", "--format", fmt, "-o", "out.txt", "app"], cwd=project,
                             capture_output=True, text=True, env={**_env(), **env})
    assert to_file.returncode == 1 and "\x1b[" not in (project / "out.txt").read_text()


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}


# ---------------------------------------------------------------------- --add-noqa --reason
def test_add_noqa_writes_reasoned_suppressions_for_every_finding(project: Path) -> None:
    result = run("check", "--add-noqa", "--reason", 'legacy code, tracked in SEC-311 "phase 2"', "app")
    assert result.exit_code == 0, result.output
    assert "Added 4 suppressions to 1 file." in result.stderr
    text = (project / "app" / "intake.py").read_text()
    assert 'log.info("admitting %s", patient.ssn)  # phi-lint: ignore[PHI201] reason=\'legacy code, tracked in SEC-311 "phase 2"\'' in text
    assert 'log.info("record %s", patient)  # phi-lint: ignore[PHI202] reason=' in text
    # inside a multi-line f-string no comment can go: it goes to the end of the statement's first line
    assert 'prompt = f"""Summarise the chart of {patient.first_name}:  # phi-lint' not in text
    assert "    # phi-lint: ignore[PHI101] reason=" in text or 'messages=[{"role": "user", "content": prompt}])  # phi-lint: ignore[PHI101]' in text
    after = run("check", "--format", "json", "--show-suppressed", "app")
    doc = json.loads(after.stdout)
    assert after.exit_code == 0 and doc["findings"] == []
    assert {f["suppression"]["reason"] for f in doc["suppressed"]} == {'legacy code, tracked in SEC-311 "phase 2"'}
    assert len(doc["suppressed"]) == 5
    assert run("check", "--add-noqa", "--reason", "again", "app").stderr.strip() == "Added 0 suppressions to 0 files."


def test_add_noqa_needs_a_reason(project: Path) -> None:
    for args in (["--add-noqa"], ["--add-noqa", "--reason", "  "], ["--reason", "why"], ["--add-noqa", "--reason", "x", "--fix"]):
        result = run("check", *args, "app")
        assert result.exit_code == 2, args
    assert (project / "app" / "intake.py").read_text() == INTAKE


def test_add_noqa_keeps_other_tools_comments_and_line_endings(project: Path) -> None:
    source = 'import logging\r\n\r\nlog = logging.getLogger("x")\r\n\r\n\r\ndef f(patient):\r\n    log.info("%s and a long line", patient.ssn)  # noqa: E501\r\n'
    (project / "app" / "crlf.py").write_bytes(source.encode())
    assert run("check", "--add-noqa", "--reason", "legacy", "app/crlf.py").exit_code == 0
    data = (project / "app" / "crlf.py").read_bytes()
    assert b'patient.ssn)  # noqa: E501  # phi-lint: ignore[PHI201] reason="legacy"\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert run("check", "app/crlf.py").exit_code == 0
