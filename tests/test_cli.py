from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import find_config_file

LEAK = '''import logging

logger = logging.getLogger(__name__)


def admit(patient):
    logger.info("admitting %s born %s", patient.last_name, patient.date_of_birth)
    logger.info("admitting patient %s", patient.id)
'''
CLEAN = '''import logging

logger = logging.getLogger(__name__)


def admit(patient):
    logger.info("admitting patient %s", patient.id)
'''


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.phi-lint]\napproved-regions = ["us-east-1"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "admit.py").write_text(LEAK)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_text_output_has_location_trace_controls_and_summary(project: Path) -> None:
    result = run("check", "app")
    assert result.exit_code == 1
    out = result.output
    assert re.search(r"app/admit\.py:7:41: PHI201 (\[\*\] )?`patient\.last_name` reaches log call info", out)
    assert "^^^^^^^^^^^^^^^^^" in out
    assert "controls: SOC 2 CC7.2, C1.1; HIPAA §164.312(b), §164.502(b)" in out
    assert out.rstrip().endswith("Found 2 findings in 1 file.\n2 fixable with --fix.")
    assert "clean.py" not in out


def test_concise_output(project: Path) -> None:
    result = run("check", "--format", "concise", "app")
    lines = result.output.splitlines()
    assert lines[0].startswith("app/admit.py:7:41: PHI201 ")
    assert lines[-2:] == ["Found 2 findings in 1 file.", "2 fixable with --fix."]


def test_json_output_schema(project: Path) -> None:
    result = run("check", "--format", "json", "app")
    doc = json.loads(result.output)
    assert set(doc) == {"version", "findings", "errors"}
    first = doc["findings"][0]
    assert set(first) == {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "trace", "controls", "fingerprint", "fix"}
    assert (first["code"], first["name"], first["path"], first["line"], first["column"]) == ("PHI201", "phi-in-log", "app/admit.py", 7, 41)
    assert first["end_column"] == 41 + len("patient.last_name")
    assert first["controls"] == {"soc2": ["CC7.2", "C1.1"], "hipaa": ["§164.312(b)", "§164.502(b)"]}
    assert first["trace"][0]["note"].startswith("source:")


def test_clean_run_prints_nothing_and_exits_zero(project: Path) -> None:
    result = run("check", "app/clean.py")
    assert result.exit_code == 0 and result.output == ""


def test_exit_zero_and_quiet(project: Path) -> None:
    result = run("check", "--exit-zero", "--quiet", "app")
    assert result.exit_code == 0
    assert "PHI201" in result.output
    assert "Found" not in result.output and "fixable" not in result.output


def test_select_and_ignore(project: Path) -> None:
    assert run("check", "--select", "PHI1", "app").exit_code == 0
    assert run("check", "--ignore", "PHI201", "app").exit_code == 0
    assert run("check", "--select", "PHI1", "--extend-select", "PHI201", "app").exit_code == 1


def test_bad_code_is_a_usage_error(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--select", "E501", "app"])
    assert result.exit_code == 2


def test_config_error_exits_2_and_names_key_and_file(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.phi-lint]\napproved-region = [\"us-east-1\"]\n")
    find_config_file.cache_clear()
    result = CliRunner().invoke(main, ["check", "app"])  # output holds stderr too
    assert result.exit_code == 2
    assert "approved-region" in result.output and "pyproject.toml" in result.output


def test_missing_path_exits_2(project: Path) -> None:
    assert CliRunner().invoke(main, ["check", "nope.py"]).exit_code == 2


def test_stdin_with_filename(project: Path) -> None:
    result = run("check", "-", "--stdin-filename", "app/from_stdin.py", "--format", "concise", input=LEAK)
    assert result.exit_code == 1
    assert result.output.startswith("app/from_stdin.py:7:41: PHI201")


def test_output_file(project: Path) -> None:
    result = run("check", "--format", "json", "--output-file", "report.json", "app")
    assert result.exit_code == 1 and result.output == ""
    assert json.loads((project / "report.json").read_text())["findings"]


def test_default_excludes_gitignore_and_force_exclude(project: Path) -> None:
    for folder in (".venv/lib", "build", "node_modules/pkg", "generated"):
        (project / folder).mkdir(parents=True)
        (project / folder / "leak.py").write_text(LEAK)
    (project / ".gitignore").write_text("generated/\n")
    out = run("check", "--format", "concise", ".").output
    assert "app/admit.py" in out
    assert ".venv" not in out and "build/" not in out and "node_modules" not in out and "generated" not in out
    # a file named explicitly is checked, unless --force-exclude (pre-commit passes files)
    assert run("check", "build/leak.py").exit_code == 1
    assert run("check", "--force-exclude", "build/leak.py").exit_code == 0
    assert run("check", "--no-respect-gitignore", "--format", "concise", ".").output.count("generated/leak.py") == 2
    assert run("check", "--extend-exclude", "app", "--format", "concise", ".").output.count("app/admit.py") == 0


def test_gitignore_files_apply_from_the_repository_top_and_nested_folders(project: Path) -> None:
    (project / ".git").mkdir()  # the repository top: its .gitignore applies to a run from a subfolder
    (project / ".gitignore").write_text("*_generated.py\n!keep_generated.py\n")
    for name in ("schema_generated.py", "keep_generated.py"):
        (project / "app" / name).write_text(LEAK)
    (project / "app" / "vendored").mkdir()
    (project / "app" / "vendored" / "copy.py").write_text(LEAK)
    (project / "app" / ".gitignore").write_text("vendored/\n")
    for start in (project, project / "app"):
        os.chdir(start)
        out = run("check", "--format", "concise", ".").output
        assert "keep_generated.py" in out and "admit.py" in out
        assert "schema_generated.py" not in out and "vendored" not in out


def test_stdin_with_force_exclude_reports_nothing_for_an_excluded_filename(project: Path) -> None:
    (project / ".gitignore").write_text("generated/\n")
    for name in ("build/x.py", "generated/x.py"):
        result = run("check", "-", "--stdin-filename", name, "--force-exclude", input=LEAK)
        assert result.exit_code == 0 and result.output == ""
    assert run("check", "-", "--stdin-filename", "app/x.py", "--force-exclude", input=LEAK).exit_code == 1


def test_no_python_files_is_a_warning(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build" / "leak.py").write_text(LEAK)
    result = CliRunner().invoke(main, ["check", "build"])
    assert result.exit_code == 0 and "no Python, JavaScript or TypeScript files found" in result.output


def test_rule_and_rules_commands() -> None:
    page = run("rule", "PHI101").output
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Controls", "References"):
        assert f"## {section}" in page
    listing = run("rules").output.splitlines()
    assert any(line.startswith("PHI401  hardcoded-model-key") for line in listing)
    records = json.loads(run("rules", "--format", "json").output)
    assert {r["code"] for r in records} >= {"PHI101", "PHI204", "PHI304", "PHI900", "PHI901"}
    assert CliRunner().invoke(main, ["rule", "PHI999"]).exit_code == 2


def test_python_dash_m_and_version(project: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "phi_lint", "version"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.startswith("phi-lint ")
    out = subprocess.run([sys.executable, "-m", "phi_lint", "check", "app"], capture_output=True, text=True, env=env)
    assert out.returncode == 1 and "PHI201" in out.stdout and "\x1b[" not in out.stdout


def test_each_file_uses_its_nearest_config_like_ruff(project: Path) -> None:
    service = project / "services" / "billing"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text('[tool.phi-lint]\nignore = ["PHI201"]\n')
    (service / "admit.py").write_text(LEAK)
    out = run("check", "--format", "concise", "app", "services").output
    assert "app/admit.py:7:41: PHI201" in out
    assert "services/billing/admit.py" not in out
    # --config applies one file to every path
    out = run("check", "--config", "pyproject.toml", "--format", "concise", "app", "services").output
    assert "services/billing/admit.py:7:41: PHI201" in out


def test_the_command_exits_with_the_check_code_and_leaves_the_run_to_the_process_end(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """`phi-lint` (cli.run) exits as `main` does, and freezes what the run built out of the
    collection the interpreter makes as it exits (it walked all of it for nothing)."""
    import gc

    from phi_lint.cli import run as command  # `run` here is the CliRunner helper

    monkeypatch.setattr(sys, "argv", ["phi-lint", "check", "--no-cache", "-j1", "app"])
    with pytest.raises(SystemExit) as exited:
        command()
    try:
        assert exited.value.code == 1 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "app/admit.py:7" in capsys.readouterr().out
