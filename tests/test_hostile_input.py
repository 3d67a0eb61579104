"""Input a new user or an attacker hands phi-lint: special files, symlink loops, report files in
missing folders, malformed pyproject.toml files, codes that do not exist. Never a hang, never a
traceback; a clear message and the documented exit status, and every other file still checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import ConfigError, config_for_path, find_config_file, load_config

LEAK = '''import logging

log = logging.getLogger("intake")


def admit(patient):
    log.info("admitting %s", patient.ssn)
'''


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "admit.py").write_text(LEAK)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def phi_lint(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real executable, in its own process: a hang is a failed test, not a stuck suite."""
    return subprocess.run([sys.executable, "-m", "phi_lint", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------------- special files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_python_in_a_folder_is_skipped_with_a_note(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    proc = phi_lint("check", "--format", "json", ".", cwd=project, timeout=30)
    assert proc.returncode == 1, proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["admit.py"]
    assert "pipe.py: not a regular file, skipped" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_directly_is_skipped_with_a_note(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    proc = phi_lint("check", "pipe.py", "admit.py", cwd=project, timeout=30)
    assert proc.returncode == 1
    assert "pipe.py: not a regular file, skipped" in proc.stderr
    assert "admit.py:7:" in proc.stdout


def test_a_file_that_turns_into_a_fifo_after_discovery_is_not_read(project: Path) -> None:
    from phi_lint.runner import check_paths
    from phi_lint.config import Config

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(project / "late.py")
    result = check_paths([Path("late.py")], Config())
    assert result.errors == ["late.py: cannot read: not a regular file"]


@pytest.fixture()
def loop(project: Path) -> Path:
    try:
        (project / "a.py").symlink_to("b.py")
        (project / "b.py").symlink_to("a.py")
    except OSError:
        pytest.skip("no symlinks here")
    return project


@pytest.mark.parametrize("args", [["."], [".", "--exit-zero"], ["a.py", "admit.py"], ["a.py", "admit.py", "--exit-zero"]])
def test_a_symlink_loop_is_one_cannot_read_error_per_path(loop: Path, args: list[str]) -> None:
    proc = phi_lint("check", "--format", "concise", *args, cwd=loop)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2  # an unreadable file is an error, whatever --exit-zero says of findings
    errors = [line for line in proc.stdout.splitlines() if line.startswith("error:")]
    assert "error: a.py: cannot read: Too many levels of symbolic links" in errors
    assert all(line.count("cannot read") == 1 for line in errors)
    assert "admit.py:7:30: PHI201" in proc.stdout  # every other file is checked


def test_a_symlink_loop_in_json_output(loop: Path) -> None:
    proc = phi_lint("check", "--format", "json", ".", cwd=loop)
    doc = json.loads(proc.stdout)
    assert sorted(doc["errors"]) == ["a.py: cannot read: Too many levels of symbolic links",
                                     "b.py: cannot read: Too many levels of symbolic links"]
    assert [f["path"] for f in doc["findings"]] == ["admit.py"]


# ---------------------------------------------------------------------- report files
@pytest.mark.parametrize("command", [["check", "--format", "sarif"], ["baseline"]])
def test_output_file_in_a_missing_folder_stops_before_any_work(project: Path, command: list[str], monkeypatch) -> None:
    from phi_lint import runner

    def never(*args, **kwargs):
        raise AssertionError("files were checked although the report cannot be written")

    monkeypatch.setattr(runner, "check_paths", never)
    result = CliRunner().invoke(main, [*command, "-o", "reports/out.json", "."], catch_exceptions=False)
    assert result.exit_code == 2
    assert "reports/out.json: the folder reports does not exist" in result.output
    assert not (project / "reports").exists()


# ---------------------------------------------------------------------- pyproject.toml
@pytest.mark.parametrize(("text", "says"), [
    ("tool = 1\n", "`tool` in"),
    ("[tool]\nphi-lint = []\n", "`tool.phi-lint` in"),
    ("[tool]\nphi-lint = \"strict\"\n", "`tool.phi-lint` in"),
])
def test_a_tool_table_that_is_not_a_table_is_a_config_error(project: Path, text: str, says: str) -> None:
    (project / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(start=project)
    assert says in str(info.value) and str(project / "pyproject.toml") in str(info.value)
    result = CliRunner().invoke(main, ["check", "."], catch_exceptions=False)
    assert result.exit_code == 2
    assert "config error" in result.output and "pyproject.toml" in result.output


def test_a_malformed_pyproject_above_the_project_is_reported_too(project: Path) -> None:
    inner = project / "service"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'service'\n")  # no [tool.phi-lint]: search goes on
    (inner / "app.py").write_text(LEAK)
    (project / "pyproject.toml").write_text("tool = 1\n")
    result = CliRunner().invoke(main, ["check", "service"], catch_exceptions=False)
    assert result.exit_code == 2
    assert f"`tool` in {project / 'pyproject.toml'} must be a table" in result.output


def test_config_for_path_is_the_one_resolver(project: Path) -> None:
    """The CLI and the flake8 plugin ask one function for a file's configuration."""
    (project / "pyproject.toml").write_text('[tool.phi-lint]\napproved-regions = ["eastus"]\n')
    nested = project / "svc"
    nested.mkdir()
    (nested / "pyproject.toml").write_text('[tool.phi-lint]\napproved-regions = ["westeurope"]\n')
    assert config_for_path(project / "admit.py").approved_regions == ("eastus",)
    assert config_for_path(nested / "x.py").approved_regions == ("westeurope",)
    assert config_for_path(nested / "x.py").source == (nested / "pyproject.toml").resolve()
    # edited while the process lives (an editor's flake8 server): the new policy applies
    (nested / "pyproject.toml").write_text('[tool.phi-lint]\napproved-regions = ["northeurope", "westeurope"]\n')
    assert config_for_path(nested / "x.py").approved_regions == ("northeurope", "westeurope")


# ---------------------------------------------------------------------- rule codes
@pytest.mark.parametrize(("option", "code"), [("--select", "PHI999"), ("--ignore", "PHI1010"), ("--extend-select", "PHI7"), ("--select", "E501")])
def test_unknown_codes_on_the_command_line_are_usage_errors(project: Path, option: str, code: str) -> None:
    result = CliRunner().invoke(main, ["check", option, f"PHI2,{code}", "."])
    assert result.exit_code == 2
    assert repr(code) in result.output and option in result.output


@pytest.mark.parametrize(("body", "key", "code"), [
    ('select = ["PHI1010"]', "select", "PHI1010"),
    ('ignore = ["PHI999"]', "ignore", "PHI999"),
    ('extend-select = ["PHI6"]', "extend-select", "PHI6"),
    ('per-file-ignores = { "tests/**" = ["PHI499"] }', 'per-file-ignores."tests/**"', "PHI499"),
])
def test_unknown_codes_in_the_config_are_config_errors(project: Path, body: str, key: str, code: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.phi-lint]\n{body}\n")
    result = CliRunner().invoke(main, ["check", "."], catch_exceptions=False)
    assert result.exit_code == 2
    assert f"`{key}` in {(project / 'pyproject.toml').resolve()} names an unknown rule code: {code!r}" in result.output


def test_unknown_codes_in_a_nested_config_are_config_errors(project: Path) -> None:
    nested = project / "svc"
    nested.mkdir()
    (nested / "pyproject.toml").write_text('[tool.phi-lint]\nignore = ["PHI2O1"]\n')
    (nested / "app.py").write_text(LEAK)
    result = CliRunner().invoke(main, ["check", "."], catch_exceptions=False)
    assert result.exit_code == 2
    assert "'PHI2O1'" in result.output


def test_prefixes_and_all_are_known(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.phi-lint]\nselect = ["ALL"]\nignore = ["PHI3", "PHI90"]\n')
    result = CliRunner().invoke(main, ["check", "--extend-select", "PHI201", "."], catch_exceptions=False)
    assert result.exit_code == 1, result.output


# ---------------------------------------------------------------------- output that cannot be forged
FORGED = "intake\n::error file=app.py,line=1::Build approved by security.py"
ESCAPES = "notes\x1b[2J\x1b[1;1H\u202eyp.py"


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_a_file_name_cannot_forge_a_workflow_command_or_move_the_cursor(project: Path, fmt: str) -> None:
    try:
        (project / FORGED).write_text(LEAK)
        (project / ESCAPES).write_text(LEAK)
    except OSError:
        pytest.skip("this file system does not take such names")
    result = CliRunner().invoke(main, ["check", "--format", fmt, "."], catch_exceptions=False)
    lines = result.output.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    if fmt == "github":
        assert len(commands) == 3 and all(line.startswith("::error file=") for line in commands)
        assert not any("Build approved" in line and not line.startswith("::error file=intake%0A") for line in commands)
    else:
        assert commands == []
        assert "intake\\n::error file=app.py,line=1::Build approved by security.py:7:30: PHI201" in result.output
        assert "notes\\x1b[2J\\x1b[1;1H\\u202eyp.py:7:30: PHI201" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_error_lines_and_messages_are_escaped_too(project: Path) -> None:
    name = "gone\n::warning::forged.py"
    try:
        (project / name).symlink_to("missing-target.py")
    except OSError:
        pytest.skip("no such names or symlinks here")
    for fmt in ("text", "concise"):
        out = CliRunner().invoke(main, ["check", "--format", fmt, "."], catch_exceptions=False).output
        assert not [line for line in out.splitlines() if line.startswith("::")]
        assert "error: gone\\n::warning::forged.py: cannot read" in out
