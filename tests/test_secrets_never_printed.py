"""The key literals of the PHI401 fixtures never appear in anything phi-lint prints or writes: in
any output format, when PHI401 is switched off and another rule reports the same line, when the
finding is suppressed, in fixes shown as a diff, in a baseline, and through flake8."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import find_config_file
from phi_lint.report import FORMATS

from conftest import FIXTURES, annotations

KEY_FILES = sorted((FIXTURES / "PHI401").glob("*.py"))
QUOTED = re.compile(r"""(?P<q>["'])(?P<text>.*?)(?P=q)""")
WINDOW = 12  # no run of this many characters of a key's random part may be printed


def fixture_keys() -> list[str]:
    """The string literals on the lines the fixtures annotate `# ruleid: PHI401`, read from the
    annotations (not found by the code under test)."""
    keys = []
    for path in KEY_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        expected, _ = annotations(path)
        for line, code in expected:
            if code != "PHI401":
                continue
            literals = [m.group("text").split()[-1] for m in QUOTED.finditer(lines[line - 1]) if len(m.group("text")) >= 20]
            assert literals, f"{path.name}:{line} has no key literal"
            keys.extend(literals)
    return keys


KEYS = fixture_keys()


def fragments(key: str) -> set[str]:
    body = re.sub(r"^(sk-(ant-api\d\d-|proj-)?|AIza|hf_|gsk_)", "", key)
    return {body[i : i + WINDOW] for i in range(len(body) - WINDOW + 1)}


def assert_no_key(output: str, where: str) -> None:
    for key in KEYS:
        leaked = [f for f in fragments(key) if f in output]
        assert not leaked, f"{where}: part of a key was printed ({len(leaked)} fragments)"


def test_the_fixtures_have_keys_and_phi401_finds_them() -> None:
    assert len(KEYS) >= 4
    assert len({k[:6] for k in KEYS}) >= 4  # several providers' shapes


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "pyproject.toml", tmp_path / "pyproject.toml")
    for path in KEY_FILES:
        shutil.copy(path, tmp_path / path.name)
    # keys suppressed on lines other rules also report: PHI301, and PHI901 for the bare noqa
    (tmp_path / "suppressed.py").write_text(
        "from openai import OpenAI\n\n"
        f'client = OpenAI(api_key="{KEYS[0]}")  # noqa: PHI401 -- rotated; tracked in SEC-19\n'
        f'backup = OpenAI(api_key="{KEYS[-1]}")  # noqa: PHI401\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORCE_COLOR", "1")  # colour codes must not split a mask
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_a_key(project: Path, fmt: str) -> None:
    out = run("check", "--format", fmt, "--show-suppressed", ".")
    assert "PHI401" in out or fmt == "gitlab" and "hardcoded-model-key" in out
    assert "PHI901" in out or fmt == "gitlab" and "unjustified-suppression" in out
    assert_no_key(out, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_rules_on_a_key_line_do_not_print_it(project: Path, fmt: str) -> None:
    """PHI401 switched off: the PHI301 findings on the key lines still must not show the key."""
    out = run("check", "--format", fmt, "--select", "PHI301", ".")
    assert "PHI301" in out or "unapproved-model-endpoint" in out
    assert_no_key(out, f"{fmt} without PHI401")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file(project: Path, fmt: str) -> None:
    run("check", "--format", fmt, "--output-file", "report.out", ".")
    assert_no_key((project / "report.out").read_text(encoding="utf-8"), f"{fmt} --output-file")


def test_fixes_shown_as_a_diff(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--diff", "--unsafe-fixes", "--show-fixes", "."], catch_exceptions=False)
    assert "os.environ" in result.output  # the fix is shown
    assert_no_key(result.output, "--diff")


def test_a_diff_of_another_rule_on_a_key_line_does_not_print_it(project: Path) -> None:
    """PHI401 not selected: a PHI201 fix on the key's line shows the line in the diff, masked."""
    (project / "intake.py").write_text(
        "import logging\nfrom openai import OpenAI\n\nlog = logging.getLogger(__name__)\n\n\n"
        f'def intake(patient):\n    log.info("%s", patient.ssn); OpenAI(api_key="{KEYS[0]}")\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", "--diff", "--select", "PHI201", "intake.py"], catch_exceptions=False)
    assert "redact(patient.ssn)" in result.output
    assert_no_key(result.output, "--diff of PHI201")


def test_baseline_file(project: Path) -> None:
    result = CliRunner().invoke(main, ["baseline", "-o", "baseline.json", "."], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_no_key(result.output + (project / "baseline.json").read_text(encoding="utf-8"), "baseline")


def test_rule_pages() -> None:
    assert_no_key(run("rule", "PHI401") + run("rules"), "rule docs")


def test_flake8_front(project: Path) -> None:
    pytest.importorskip("flake8")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=PHI", "--show-source", "."],
        cwd=project, capture_output=True, text=True, encoding="utf-8",
    )
    assert "PHI401" in proc.stdout, proc.stderr
    # flake8 --show-source prints whole source lines itself: that is flake8's output, not
    # phi-lint's, so only the messages are held to the rule
    messages = "\n".join(line for line in proc.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: PHI", line))
    assert_no_key(messages, "flake8 messages")
