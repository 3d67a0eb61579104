"""Files phi-lint cannot read give a PHI900 finding (or a clean result), never a traceback, through
the engine and through the CLI; the other files of the run are still checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.engine import Engine
from phi_lint.cli import main
from phi_lint.config import Config, find_config_file

LEAK = b'''import logging

log = logging.getLogger("intake")


def admit(patient):
    log.info("admitting %s", patient.ssn)
'''

DEPTH = 5000
PHI900, CLEAN = {"PHI900"}, set()

# name -> (bytes, the outcomes allowed). Whether CPython's parser refuses a 5,000-deep expression
# depends on the version (3.10 parses a chain of unary minus); phi-lint must then either check it
# or say PHI900, never crash.
BAD = {
    "syntax_error.py": (b"from openai import OpenAI\n\ndef summarise(patient:\n    return OpenAI()\n", (PHI900,)),
    "latin1_undeclared.py": ("# Notes from the Z\u00fcrich clinic\nWARD = 'Sch\u00f6nbrunn'\n".encode("latin-1"), (PHI900,)),
    "bad_declared_encoding.py": (b"# -*- coding: klingon -*-\nx = 1\n", (PHI900,)),
    "empty.py": (b"", (CLEAN,)),
    "nul_byte.py": (b"import logging\nlog = logging.getLogger()\x00\n", (PHI900,)),
    "deep_parens.py": (b"x = " + b"(" * DEPTH + b"1" + b")" * DEPTH + b"\n", (PHI900,)),
    "deep_binop.py": (b"import logging\nlogging.info(" + b" + ".join([b"patient.ssn"] * DEPTH) + b")\n", (PHI900,)),
    "deep_unary.py": (b"import litellm\nlitellm.set_verbose = " + b"-" * DEPTH + b"1\n", (PHI900, CLEAN)),
    "deep_attribute.py": (b"import openai\nx = openai" + b".chat" * DEPTH + b"\n", (PHI900, CLEAN)),
}
# Parsable, but long or deep: the findings the code has, or PHI900 when an expression is too
# deep to walk (how deep that is depends on the interpreter's recursion limit).
EDGE = {
    "medium_binop.py": (b"import logging\nlogging.info(" + b" + ".join([b"patient.ssn"] * 700) + b")\n", ({"PHI900"}, {"PHI201"})),
    "long_boolop.py": (b"import litellm\nlitellm.set_verbose = " + b" or ".join([b"flag"] * 5000) + b"\n", (set(),)),
    "long_list.py": (b"import litellm\nlitellm.success_callback = [" + b", ".join([b"'langfuse'"] * 5000) + b"]\n", ({"PHI204"},)),
}


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings if f.suppression is None)


@pytest.mark.parametrize("name", sorted(BAD))
def test_engine_reports_phi900_or_nothing(name: str) -> None:
    data, outcomes = BAD[name]
    findings = Engine(Config()).check_source(data, name)
    assert set(codes(findings)) in outcomes
    assert len(findings) <= 1
    for f in findings:
        assert f.line >= 1 and f.column >= 1
        assert f.message.startswith("could not parse this file: ")


@pytest.mark.parametrize("name", sorted(EDGE))
def test_engine_survives_long_and_deep_parsable_files(name: str) -> None:
    data, outcomes = EDGE[name]
    assert set(codes(Engine(Config()).check_source(data, name))) in outcomes


def test_phi900_points_at_the_error() -> None:
    (finding,) = Engine(Config()).check_source(BAD["syntax_error.py"][0], "syntax_error.py")
    assert finding.line == 3
    assert "'(' was never closed" in finding.message or "invalid syntax" in finding.message


def test_declared_encoding_is_honoured() -> None:
    source = "# -*- coding: latin-1 -*-\n# Z\u00fcrich\nimport logging\nlogging.info('x %s', patient.ssn)\n".encode("latin-1")
    assert codes(Engine(Config()).check_source(source, "declared.py")) == ["PHI201"]


def test_utf8_bom_is_fine() -> None:
    assert codes(Engine(Config()).check_source(b"\xef\xbb\xbf" + LEAK, "bom.py")) == ["PHI201"]


def test_a_tree_given_by_flake8_that_is_too_deep_to_walk() -> None:
    import ast

    data, outcomes = EDGE["medium_binop.py"]
    source = data.decode()
    findings = Engine(Config()).check_source(source, "medium.py", tree=ast.parse(source))
    assert set(codes(findings)) in outcomes


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    for name, (data, _) in EDGE.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "zz_leak.py").write_bytes(LEAK)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def _by_path(doc: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in doc["findings"]:
        out.setdefault(f["path"], []).append(f["code"])
    return out


def _expect(by_path: dict[str, list[str]]) -> None:
    for name, (_, outcomes) in {**BAD, **EDGE}.items():
        assert set(by_path.get(name, [])) in outcomes, name
    assert by_path["zz_leak.py"] == ["PHI201"]  # checked although its neighbours are broken


def test_cli_in_process(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--format", "json", "."], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _expect(_by_path(json.loads(result.output)))


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_cli_text_formats_do_not_crash(project: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["check", "--format", fmt, "."], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "zz_leak.py:7:" in result.output
    assert "nul_byte.py:1:1: PHI900" in result.output


def test_cli_subprocess_with_jobs(project: Path) -> None:
    """The real executable, with a process pool: no traceback on stderr, same findings."""
    proc = subprocess.run(
        [sys.executable, "-m", "phi_lint", "check", "--format", "json", "--jobs", "2", "."],
        cwd=project, capture_output=True, text=True, encoding="utf-8",
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    _expect(_by_path(json.loads(proc.stdout)))


def test_cli_stdin(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "--stdin-filename", "pasted.py", "-"], input=BAD["nul_byte.py"][0], catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.output)["findings"]] == ["PHI900"]


def test_cli_empty_file_is_clean(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "empty.py"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == ""


def test_a_long_string_concatenation_is_analysed() -> None:
    # parsable, 600 operands deep: the chain is walked in a loop, so the leak below it is found
    concat = " + ".join(f'"c{i}, "' for i in range(600))
    source = f"import logging\n\nlog = logging.getLogger(__name__)\nSQL = {concat}\n\n\ndef admit(patient):\n    log.info('%s', patient.ssn)\n"
    findings = Engine(Config()).check_source(source, "long_concat.py")
    assert [(f.code, f.line) for f in findings] == [("PHI201", 8)]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_line_endings_count_like_ast(newline: str) -> None:
    # no SDK import: only the lines near a sensitive name are analysed, so their numbers must agree with ast's
    text = LEAK.decode().replace("\n", newline)
    findings = Engine(Config()).check_source(text.encode(), "endings.py")
    assert [(f.code, f.line) for f in findings] == [("PHI201", 7)]
    assert findings[0].column == len('    log.info("admitting %s", ') + 1


def test_form_feed_is_not_a_line_break() -> None:
    text = LEAK.decode().replace("import logging\n", "import logging\n\x0c\n")
    findings = Engine(Config()).check_source(text, "formfeed.py")
    assert [(f.code, f.line) for f in findings] == [("PHI201", 8)]
