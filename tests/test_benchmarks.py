"""The benchmark scripts run (a few files, one run each), so that they cannot rot unnoticed.
Nothing here measures or asserts a time: the scripts print ratios for people to read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_shapes_benchmark_reports_every_shape_and_goal() -> None:
    out = run("bench_shapes.py", "--tiny")
    for shape in ("helper chain n=4", "one function, 30 statements", "FastAPI module ~150 lines"):
        assert shape in out
    assert "goal: 15 double-calling helpers under 0.1 s" in out


def test_project_benchmark_reports_cold_warm_parallel_memory_and_edits() -> None:
    out = run("bench_project.py", "--tiny")
    for step in ("ast.parse", "per-file check (Engine, no project)", "project check, cold, -j1 ", "project check, warm, unchanged",
                 "peak memory: tracemalloc", "max resident", "tree: one leaf-ish file edited", "tree: one most imported file edited"):
        assert step in out, step
    assert "modules depend on it" in out


def test_mixed_benchmark_times_the_check_against_semgrep_alone() -> None:
    from phi_lint.semgrep.run import semgrep_command

    out = run("bench_mixed.py", "--tiny")
    assert "Python and" in out and "JavaScript/TypeScript files" in out
    assert "phi-lint check -j1" in out
    if semgrep_command() is None:
        assert "semgrep is not installed" in out
    else:
        assert "semgrep, scripts only" in out


def test_pack_comparison_scores_both_checkers_on_the_annotated_fixtures() -> None:
    from phi_lint.semgrep.run import semgrep_command

    out = run("pack_vs_engine.py", "--tiny")
    assert "3 fixture files, 13 expected findings" in out
    assert "phi-lint (the engine)             13 (100%)      0 (  0%)            0" in out
    assert ("the Python pack in semgrep" in out) == (semgrep_command() is not None)


def test_generated_shapes_parse_and_hold_the_flows_they_are_meant_to() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from shapes import helper_chain, long_function, realistic_module
    finally:
        sys.path.remove(str(BENCHMARKS))
    from phi_lint.config import Config
    from phi_lint.engine import engine_for

    engine = engine_for(Config())
    source = helper_chain(6)
    logged = source.splitlines().index("    log.info('value: %s', value)") + 1
    # the one real flow, reported once, at the log call in the last helper
    assert [(f.code, f.line) for f in engine.check_source(source, "chain.py")] == [("PHI201", logged)]
    assert len(engine.check_source(long_function(100), "long.py")) == 4  # a log call every 25 statements
    module = realistic_module(1000)
    assert 950 <= module.count("\n") <= 1050
    assert {f.code for f in engine.check_source(module, "routes.py")} >= {"PHI101", "PHI201"}
