"""The flake8 front gives the same findings as `phi-lint check`, through the real flake8 executable.

flake8 is run in a subprocess, as editors and CI run it, so entry-point registration, parameter
passing by name, column conversion and flake8's own noqa handling are all exercised.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

pytest.importorskip("flake8")
from flake8.defaults import NOQA_INLINE_REGEXP  # noqa: E402

FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s"


def parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


# PHI900 files that do not parse: flake8 reports E999/E902 itself and never calls tree plugins.
FILES = sorted(
    p for p in FIXTURES.glob("PHI[0-9][0-9][0-9]/**/*.py")
    if not (p.relative_to(FIXTURES).parts[0] == "PHI900" and not parses(p))
)


def flake8(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", f"--format={FORMAT}", *args],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8",
    )


def parse_flake8(stdout: str) -> dict[str, set[tuple[int, int, str]]]:
    out: dict[str, set[tuple[int, int, str]]] = defaultdict(set)
    for line in stdout.splitlines():
        path, row, col, code = line.split("\t")
        out[Path(path).as_posix()].add((int(row), int(col), code))
    return out


def hidden_by_blanket_noqa(path: Path, line: int, code: str) -> bool:
    """flake8 applies a `# noqa` without PHI codes to every code on the line, PHI901 included
    (the complaint about that very comment): the CLI reports it, flake8 cannot."""
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    match = NOQA_INLINE_REGEXP.search(text)
    return code == "PHI901" and match is not None and match.group("codes") is None


@pytest.fixture(scope="module")
def both_fronts() -> tuple[dict, dict]:
    rel = [p.relative_to(ROOT).as_posix() for p in FILES]
    via_flake8 = flake8("--select=PHI", *rel)
    assert via_flake8.returncode in (0, 1), via_flake8.stderr
    # both fronts read the nearest [tool.phi-lint] above each file (some fixture folders bring their own)
    via_cli = subprocess.run(
        [sys.executable, "-m", "phi_lint", "check", "--format", "json", *rel],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert via_cli.returncode in (0, 1), via_cli.stderr
    cli: dict[str, set[tuple[int, int, str]]] = defaultdict(set)
    for f in json.loads(via_cli.stdout)["findings"]:
        cli[f["path"]].add((f["line"], f["column"], f["code"]))
    return parse_flake8(via_flake8.stdout), cli


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_flake8_and_cli_agree_on_fixture(path: Path, both_fronts) -> None:
    via_flake8, via_cli = both_fronts
    rel = path.relative_to(ROOT).as_posix()
    expected = {f for f in via_cli[rel] if not hidden_by_blanket_noqa(path, f[0], f[2])}
    assert via_flake8[rel] == expected


def test_fixtures_exist() -> None:
    assert len(FILES) >= 3


# ---------------------------------------------------------------------------------- fronts' habits
INTAKE = '''\
"""Flask intake endpoint that writes an audit line for every stored form."""

import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger("intake")


@app.post("/intake")
def intake():
    form = request.get_json()
    patient_ssn = form["ssn"]
    log.info("stored intake for %s", patient_ssn)
    log.info("stored intake for %s", patient_ssn)  # noqa: PHI201 -- audit log lives in the PHI store
    log.info("stored intake for %s", patient_ssn)  # phi-lint: ignore[PHI201] reason="audit log, PHI store"
    log.info(  # noqa: PHI201 -- audit log lives in the PHI store
        "stored intake for %s",
        patient_ssn,
    )
    log.info("intake received with %d fields", len(form))
    return {"ok": True}
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\napproved-endpoints = [\"http://localhost:11434\"]\n")
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    return tmp_path


def findings(result: subprocess.CompletedProcess) -> set[tuple[int, str]]:
    return {(row, code) for rows in parse_flake8(result.stdout).values() for row, _, code in rows}


def test_noqa_hides_through_flake8(project: Path) -> None:
    shown = findings(flake8("--select=PHI", "intake.py", cwd=project))
    assert shown == {(15, "PHI201")}
    # the noqa on line 16 is flake8's own: --disable-noqa brings the finding back
    revealed = findings(flake8("--select=PHI", "--disable-noqa", "intake.py", cwd=project))
    assert revealed == {(15, "PHI201"), (16, "PHI201")}


def test_blanket_and_prefix_noqa(tmp_path: Path) -> None:
    source = INTAKE.replace("# noqa: PHI201 -- audit log lives in the PHI store", "# noqa:PHI")
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "intake.py").write_text(source, encoding="utf-8")
    shown = findings(flake8("--select=PHI", "intake.py", cwd=tmp_path))
    # PHI901 (no reason) is on the noqa lines themselves, which flake8 treats as blanket noqa
    assert shown == {(15, "PHI201")}
    cli = subprocess.run([sys.executable, "-m", "phi_lint", "check", "--format", "json", "intake.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    codes = {(f["line"], f["code"]) for f in json.loads(cli.stdout)["findings"]}
    assert codes == {(15, "PHI201"), (16, "PHI901"), (18, "PHI901")}


def test_select_e_hides_phi_unless_extended(project: Path) -> None:
    assert not any(code.startswith("PHI") for _, code in findings(flake8("--select=E", "intake.py", cwd=project)))
    extended = findings(flake8("--select=E", "--extend-select=PHI", "intake.py", cwd=project))
    assert (15, "PHI201") in extended
    assert any(code.startswith("E") for _, code in extended)  # E501: the noqa lines are long


def test_config_select_and_ignore_are_honoured(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.phi-lint]\nignore = ["PHI2"]\n')
    assert findings(flake8("--select=PHI", "intake.py", cwd=project)) == set()


def test_config_of_the_nearest_pyproject(project: Path) -> None:
    sub = project / "services" / "billing"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text('[tool.phi-lint]\nignore = ["PHI201"]\n')
    (sub / "intake.py").write_text(INTAKE, encoding="utf-8")
    result = flake8("--select=PHI", "intake.py", "services/billing/intake.py", cwd=project)
    assert parse_flake8(result.stdout) == {"intake.py": {(15, 38, "PHI201")}}


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    plain = 'log.info("stored intake for %s", patient_ssn)\n'
    source = INTAKE.replace(plain, 'log.info("Aufnahme für Patientin %s gespeichert", patient_ssn)\n', 1)
    (tmp_path / "intake.py").write_text(source, encoding="utf-8")
    line = source.splitlines()[14]
    expected_col = line.index("patient_ssn") + 1
    assert len(line.encode()) != len(line)
    shown = parse_flake8(flake8("--select=PHI", "intake.py", cwd=tmp_path).stdout)["intake.py"]
    assert (15, expected_col, "PHI201") in shown


def test_plugin_metadata() -> None:
    from phi_lint import __version__
    from phi_lint.flake8_plugin import Plugin

    assert Plugin.name == "phi-lint" and Plugin.version == __version__
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert re.search(rf"phi-lint: {re.escape(__version__)}", result.stdout), result.stdout


def test_syntax_error_is_flake8s_e999(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(textwrap.dedent("""\
        def summarise(patient:
            return patient.ssn
        """))
    result = flake8("--select=PHI,E9", "broken.py", cwd=tmp_path)
    assert {code for _, code in findings(result)} == {"E999"}


def test_stdin_with_display_name_reads_that_files_config(project: Path) -> None:
    """Editors lint unsaved buffers through stdin and name the file with --stdin-display-name."""
    sub = project / "services"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.phi-lint]\nignore = ["PHI201"]\n')
    source = INTAKE.encode()
    for name, expected in (("intake.py", {(15, "PHI201")}), ("services/intake.py", set())):
        result = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", f"--format={FORMAT}", "--select=PHI",
             f"--stdin-display-name={name}", "-"],
            cwd=project, input=source, capture_output=True,
        )
        shown = {(row, code) for rows in parse_flake8(result.stdout.decode()).values() for row, _, code in rows}
        assert shown == expected, (name, result.stderr)


CONFIG_CASES = sorted((FIXTURES / "PHI904").glob("*.toml"))


@pytest.mark.parametrize("policy", CONFIG_CASES, ids=lambda p: p.stem)
def test_a_configuration_error_is_one_finding_per_file_and_other_plugins_keep_working(tmp_path: Path, policy: Path) -> None:
    """flake8 must not print a traceback (and drop everyone's findings) for a broken policy: the
    plugin reports PHI904 at line 1 of each file, and pyflakes still reports its F401."""
    from conftest import annotations

    broken = any(code == "PHI904" for _, code in annotations(policy)[0])
    (tmp_path / "pyproject.toml").write_text(policy.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    (tmp_path / "unused.py").write_text("import os\n", encoding="utf-8")
    result = flake8("--select=PHI,F", "intake.py", "unused.py", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    shown = parse_flake8(result.stdout)
    assert (1, 1, "F401") in shown["unused.py"]
    phi904 = {path: [row for row, _, code in rows if code == "PHI904"] for path, rows in shown.items()}
    if broken:
        assert phi904 == {"intake.py": [1], "unused.py": [1]}
        assert {code for _, _, code in shown["intake.py"]} == {"PHI904"}  # no finding from a policy phi-lint cannot read
    else:
        assert not any(phi904.values())
        assert (15, 38, "PHI201") in shown["intake.py"]


def test_the_configuration_error_says_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text((FIXTURES / "PHI904" / "typo_in_a_key.toml").read_text(encoding="utf-8"))
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=PHI", "intake.py"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    assert out.startswith("intake.py:1:1: PHI904 phi-lint cannot use its configuration, so this file was not checked: ")
    assert "unknown key `aproved-endpoints`" in out and str(tmp_path / "pyproject.toml") in out
