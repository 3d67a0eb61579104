"""A plain `phi-lint check` imports nothing heavy: pre-commit and editors start it on every commit
and keystroke. libcst is for --fix/--diff only; semgrep and jsonschema are never needed to check.

Each case runs in a fresh interpreter, so modules imported by other tests do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from phi_lint.report import FORMATS

HEAVY = ("libcst", "semgrep", "jsonschema")
# A small file with findings (and fixes attached to them): the check must still not need libcst.
SAMPLE = FIXTURES / "PHI101" / "openai_fastapi_summary.py"

REPORT_HEAVY = f"""
import json, sys
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps(heavy))
"""


def fresh(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code + REPORT_HEAVY], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("output_format", FORMATS)
def test_cli_check_imports_nothing_heavy(output_format: str) -> None:
    code = f"""
import io, contextlib
from phi_lint.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["check", "--format", {output_format!r}, {str(SAMPLE)!r}])
    except SystemExit as exc:
        assert exc.code == 1, (exc.code, out.getvalue())
assert "PHI101" in out.getvalue(), out.getvalue()
"""
    assert fresh(code) == []


def test_engine_check_imports_nothing_heavy() -> None:
    code = f"""
from pathlib import Path
from phi_lint.engine import engine_for
from phi_lint.config import load_config
path = Path({str(SAMPLE)!r})
findings = engine_for(load_config(start=path)).check_source(path.read_bytes(), path.name)
assert any(f.code == "PHI101" for f in findings), findings
"""
    assert fresh(code) == []


def test_flake8_plugin_imports_nothing_heavy() -> None:
    code = f"""
import ast
from pathlib import Path
from phi_lint.flake8_plugin import Plugin
path = Path({str(SAMPLE)!r})
lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
results = list(Plugin(ast.parse("".join(lines)), str(path), lines).run())
assert any(text.startswith("PHI101 ") for _, _, text, _ in results), results
"""
    assert fresh(code) == []


def test_sample_is_a_real_finding() -> None:
    assert SAMPLE.is_file() and "# ruleid: PHI101" in Path(SAMPLE).read_text(encoding="utf-8")


def test_a_check_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    from phi_lint.engine import Engine
    from phi_lint.config import Config

    before = gc.get_threshold()
    Engine(Config()).check_source("import logging\nlogging.info('%s', patient.ssn)\n", "app.py")
    assert gc.get_threshold() == before


# What a one-file check used to pay for at start-up without using it (issue 10: one-file latency,
# measured by benchmarks/bench_startup.py): a process pool, git's subprocess module, temporary
# files and diffs (only --fix/--diff need them), importlib.resources to find rules/.
STARTUP_ONLY_WHEN_USED = ("multiprocessing", "concurrent", "subprocess", "tempfile", "difflib", "importlib.resources")


def test_a_one_file_check_loads_only_what_it_uses() -> None:
    # Counted against what the interpreter had already loaded: a site's .pth file may import some
    # of these at start-up (seen on CI, where one imports importlib.resources and so tempfile).
    code = f"""
import io, contextlib, json, sys
already = set(sys.modules)
from phi_lint.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["check", {str(SAMPLE)!r}])
    except SystemExit as exc:
        assert exc.code == 1, (exc.code, out.getvalue())
assert "PHI101" in out.getvalue()
print(json.dumps(sorted(m for m in set(sys.modules) - already if m in {STARTUP_ONLY_WHEN_USED!r})))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_the_catalogue_is_parsed_once_and_kept_like_bytecode(tmp_path, monkeypatch) -> None:
    """rules/*.toml are parsed on the first run; later runs read the parsed form beside them
    (checked against the file's bytes), and a stale, corrupt or unwritable copy only means parsing."""
    from phi_lint import catalog

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "controls.toml").write_text('[PHI101]\nsoc2 = ["C1.1"]\n')
    monkeypatch.setattr(catalog, "rules_dir", lambda: rules)
    parses = []
    real = catalog.tomllib.loads
    monkeypatch.setattr(catalog.tomllib, "loads", lambda text: parses.append(text) or real(text))
    first = catalog.load_toml("controls.toml")
    assert catalog.load_toml("controls.toml") == first == {"PHI101": {"soc2": ["C1.1"]}}
    assert len(parses) == 1 and (rules / "__pycache__" / "controls.toml.marshal").is_file()
    (rules / "controls.toml").write_text('[PHI101]\nsoc2 = ["C1.2"]\n')  # same size, other bytes
    assert catalog.load_toml("controls.toml") == {"PHI101": {"soc2": ["C1.2"]}} and len(parses) == 2
    (rules / "__pycache__" / "controls.toml.marshal").write_bytes(b"\x00garbage")
    assert catalog.load_toml("controls.toml") == {"PHI101": {"soc2": ["C1.2"]}} and len(parses) == 3
