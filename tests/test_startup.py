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
