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
