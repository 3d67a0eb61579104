"""`--format github`: workflow commands GitHub turns into annotations."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import find_config_file
from phi_lint.report.github import command, escape_data, escape_property

DISCHARGE = '''"""Discharge notifications for the care team."""

import logging

from openai import OpenAI

log = logging.getLogger("care.discharge")
client = OpenAI()


def notify(encounter: dict) -> None:
    log.info(
        "discharge %s",
        encounter[
            "discharge_diagnosis"
        ],
    )
    log.info("progress: 100%% for %s", encounter["patient_name"])
    log.info("discharged %d encounters", len(encounter))
'''

ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def props(line: str) -> dict[str, str]:
    match = ANNOTATION.match(line)
    assert match, line
    return dict(item.split("=", 1) for item in match.group("props").split(","))


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the repository root that `file=` is relative to
    # no approved-endpoints: PHI301 stays a warning (the policy would make it an error)
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\napproved-regions = [\"eastus\"]\n")
    (tmp_path / "care").mkdir()
    (tmp_path / "care" / "discharge.py").write_text(DISCHARGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["check", "--format", "github", *args], catch_exceptions=False)


def test_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("%0A") == "%250A"  # `%` first: an escape in the text stays text
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"  # the message keeps `:` and `,`
    assert command("error", "line 1\nline 2", file="svc:intake, v2/app.py", line=3, col=None) == (
        "::error file=svc%3Aintake%2C v2/app.py,line=3::line 1%0Aline 2"
    )


def test_annotations_most_severe_first_then_summary(project: Path) -> None:
    result = run("care")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert kinds == ["::error", "::error", "::warning"]  # the PHI301 client (line 8) comes after the errors
    assert props(lines[2])["title"] == "PHI301 unapproved-model-endpoint" and props(lines[2])["line"] == "8"
    assert [props(line)["line"] for line in lines[:2]] == ["14", "18"]
    assert lines[-1] == "phi-lint: 3 findings (2 errors, 1 warning) in 1 file."
    assert all(props(line)["file"] == "care/discharge.py" for line in lines[:-1])


def test_multi_line_span_omits_columns(project: Path) -> None:
    lines = run("care").output.splitlines()
    multi, single = props(lines[0]), props(lines[1])
    assert (multi["line"], multi["endLine"]) == ("14", "16")
    assert "col" not in multi and "endColumn" not in multi
    assert (single["line"], single["endLine"], single["col"]) == ("18", "18", str(DISCHARGE.splitlines()[17].index("encounter[") + 1))
    assert int(single["endColumn"]) - int(single["col"]) == len('encounter["patient_name"]')
    assert single["title"] == "PHI201 phi-in-log"


def test_message_carries_trace_and_controls_on_escaped_lines(project: Path) -> None:
    line = run("care").output.splitlines()[1]
    message = ANNOTATION.match(line).group("message")
    assert "\n" not in message and "%0Atrace: source: `encounter[\"patient_name\"]` (line 18)" in message
    assert message.endswith("%0Acontrols: SOC 2 CC7.2, C1.1; HIPAA §164.312(b), §164.502(b)")


def test_paths_are_escaped_and_relative_to_the_repository(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project / "svc:claims, v2"
    folder.mkdir()
    (folder / "discharge.py").write_text(DISCHARGE, encoding="utf-8")
    monkeypatch.chdir(folder)  # annotations name files from the repository root, wherever phi-lint runs
    find_config_file.cache_clear()
    lines = run("discharge.py").output.splitlines()
    assert "file=svc%3Aclaims%2C v2/discharge.py," in lines[0]
    assert props(lines[0])["file"] == "svc%3Aclaims%2C v2/discharge.py"


def test_clean_run_prints_the_summary_only(project: Path) -> None:
    (project / "care" / "discharge.py").write_text('import logging\n\nlogging.getLogger("care").info("nightly run started")\n')
    result = run("care")
    assert result.exit_code == 0
    assert result.output == "phi-lint: no findings.\n"


def test_percent_and_newline_in_a_message_cannot_start_a_command(project: Path) -> None:
    from phi_lint import runner
    from phi_lint.config import load_config
    from phi_lint.report.github import render

    config = load_config(None, start=project)
    result = runner.check_paths(runner.discover(["care"], config), config)
    f = result.files[0].findings[0]
    forged = dataclasses.replace(f, message="50% of\r\n::error file=x.py::forged")
    result.files[0].findings[0] = forged
    out = render(result, root=project)
    assert "::error file=x.py" not in out.replace("%0A::error file=x.py", "")
    assert "50%25 of%0D%0A::error file=x.py::forged" in out
    assert sum(1 for line in out.splitlines() if line.startswith("::")) == 3
