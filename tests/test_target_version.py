"""`target-version` in [tool.phi-lint], and PHI900 saying clearly when a file needs a newer Python
than the one running phi-lint (files are parsed with the running interpreter's grammar, the newest
it knows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.engine import Engine
from phi_lint.checks.base import Context
from phi_lint.checks.tool import ParseError
from phi_lint.cli import main
from phi_lint.config import Config, ConfigError, find_config_file, load_config

RUNNING = sys.version_info[:2]


def hint(source: str, running: tuple[int, int], config: Config = Config()) -> str:
    lines = source.splitlines()
    error_line = len(lines)
    return ParseError().version_hint(Context("x.py", source, lines, config), error_line, "invalid syntax", running)


@pytest.mark.parametrize(("line", "needs"), [
    ("type PatientId = int", "3.12"),
    ("type Pair[T] = tuple[T, T]", "3.12"),
    ("def first[T](items: list[T]) -> T:", "3.12"),
    ("class Registry[K, V]:", "3.12"),
    ("except* ValueError:", "3.11"),
    ('note = t"Patient {name}"', "3.14"),
])
def test_newer_syntax_is_named_with_the_python_it_needs(line: str, needs: str) -> None:
    said = hint(line, (3, 10))
    assert f"needs Python {needs}; phi-lint runs on Python 3.10: run phi-lint with Python {needs} or newer" in said
    assert hint(line, (3, 14)) == ""  # a Python that has it would not have failed for this reason


@pytest.mark.parametrize("line", ["print 'hello'", "def summarise(patient:", "typed = 1 +", "classify[x] = (", "don't = 1"])
def test_ordinary_syntax_errors_get_no_version_hint(line: str) -> None:
    assert hint(line, (3, 10)) == ""


def test_target_version_newer_than_the_running_python_is_said_first() -> None:
    said = hint("x = (", (3, 11), Config(target_version="py313"))
    assert said == (" (the project targets Python 3.13 with `target-version`, but phi-lint runs on Python 3.11:"
                    " run phi-lint with Python 3.13 or newer)")
    assert hint("x = (", (3, 13), Config(target_version="py313")) == ""


@pytest.mark.skipif(RUNNING >= (3, 12), reason="this Python parses `type` statements")
def test_a_type_statement_on_an_older_python_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "ids.py").write_text('"""Identifiers."""\n\ntype PatientId = int\n')
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    out = CliRunner().invoke(main, ["check", "--format", "concise", "ids.py"]).output
    assert f"ids.py:3:6: PHI900 could not parse this file: invalid syntax (this looks like a `type` alias statement, which needs Python 3.12; phi-lint runs on Python {RUNNING[0]}.{RUNNING[1]}" in out


@pytest.mark.skipif(RUNNING >= (3, 14), reason="no supported target-version is newer than this Python")
def test_target_version_from_the_config_reaches_the_finding(tmp_path: Path) -> None:
    newer = f"py3{RUNNING[1] + 1}"
    (tmp_path / "pyproject.toml").write_text(f'[tool.phi-lint]\ntarget-version = "{newer}"\n')
    find_config_file.cache_clear()
    config = load_config(start=tmp_path)
    assert config.target_python == (3, RUNNING[1] + 1)
    (finding,) = Engine(config).check_source("def f(:\n    pass\n", "f.py")
    assert f"the project targets Python 3.{RUNNING[1] + 1} with `target-version`" in finding.message


def test_a_target_version_older_than_the_running_python_still_parses_newer_syntax() -> None:
    """The newest grammar the running Python has: a py310 project that uses `match` and
    parenthesised context managers is parsed, not refused."""
    source = "with (open('a') as a, open('b') as b):\n    match a:\n        case _:\n            pass\n"
    assert Engine(Config(target_version="py310")).check_source(source, "x.py") == []


@pytest.mark.parametrize("value", ['"3.12"', '"py27"', "312", '"py3.12"'])
def test_a_bad_target_version_is_a_config_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.phi-lint]\ntarget-version = {value}\n")
    with pytest.raises(ConfigError, match="target-version"):
        load_config(path)
