"""A check leaves no file's analysis to the cycle collector: an analysis refers to itself in many
ways (scopes, facts, methods), and a project check that let the collector find them spent a sixth
of its time there and doubled its peak memory (benchmarks/bench_project.py on the stdlib)."""

from __future__ import annotations

import gc
import pytest

import phi_lint.analysis.project as project_index
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.config import Config, load_config
from phi_lint.engine import engine_for
from phi_lint.workspace import check_project, run_settings

from conftest import FIXTURES

SCRIBE = FIXTURES / "projects" / "fastapi_azure_scribe"


def analyses_left_to_the_collector(run):
    """(how many module analyses only the cycle collector could free, what `run` gave)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        kept = run()
        gc.collect()
        return sum(isinstance(o, ModuleAnalysis) for o in gc.garbage), kept
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_project_check_releases_the_analyses_it_lets_go_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_index, "KEPT_LINES", 1)  # every module opened pushes another out
    files = sorted(SCRIBE.rglob("*.py"))
    assert len(files) >= 4
    settings = run_settings(files, load_config(SCRIBE / "pyproject.toml"))
    left, (result, workspace) = analyses_left_to_the_collector(lambda: check_project(files, settings, jobs=1))
    assert result.findings and not result.errors
    assert left == 0


def test_a_check_of_one_file_alone_releases_its_analysis() -> None:
    source = SCRIBE / "scribe" / "llm.py"
    engine = engine_for(Config())
    left, _ = analyses_left_to_the_collector(lambda: engine.check_source(source.read_bytes(), str(source)))
    assert left == 0


def test_the_analyses_kept_are_those_a_module_still_to_be_checked_imports(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Room for 11 lines: when `wards.py` (9 lines, checked last) is kept, the analyses let go of
    are the leaves no module still to be checked imports, not the older `charts.py`, whose helper
    `wards.py` asks about; so no module is opened twice (the least recently used would be)."""
    files = {
        "app/__init__.py": "",
        "app/charts.py": "def joined(*parts):\n    return ' '.join(str(part) for part in parts)\n",
        "app/dosing.py": "def banner(text):\n    return text.upper()\n",
        "app/rosters.py": "def cents(amount):\n    return round(amount * 100)\n",
        "app/wards.py": (
            "import logging\n\nfrom app.charts import joined\n\nlog = logging.getLogger(__name__)\n\n\n"
            "def admitted(patient):\n    log.info('admitted %s', joined(patient.first_name, patient.last_name))\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    monkeypatch.setattr(project_index, "KEPT_LINES", 11)
    checked = sorted(tmp_path.rglob("*.py"))
    settings = run_settings(checked, load_config(tmp_path / "pyproject.toml"))
    opened: list[str] = []
    original = project_index.ProjectIndex.analysis

    def counting(index, path):
        if path not in index._analyses:
            opened.append(path)
        return original(index, path)

    monkeypatch.setattr(project_index.ProjectIndex, "analysis", counting)
    result, _ = check_project(checked, settings, jobs=1)
    assert [(f.line, f.code) for r in result.files for f in r.findings] == [(9, "PHI201")]
    assert opened == []
