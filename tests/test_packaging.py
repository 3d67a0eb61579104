"""The wheel is complete: built from this checkout, installed into a fresh venv (dependencies from
the package index), the console script and `python -m phi_lint` work there and find the rules/
data inside the package, so a missing data file fails here instead of on a user's machine.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow

SAMPLE = FIXTURES / "PHI101" / "openai_fastapi_summary.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = list(out.glob("phi_lint-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def clean_env() -> dict[str, str]:
    """No PYTHONPATH or active venv leaking the checkout's sources into the new venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                            capture_output=True, text=True, env=clean_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root


def bin_path(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def test_wheel_carries_the_data_and_the_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_rules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").rglob("*") if p.is_file()}
    assert any(n.endswith(".toml") for n in shipped_rules)
    missing = sorted(r for r in shipped_rules if "__pycache__" not in r and f"phi_lint/{r}" not in names)
    assert not missing, f"not in the wheel: {missing}"
    assert "phi_lint/py.typed" in names
    assert "phi_lint/flake8_plugin.py" in names
    assert not any(n.startswith(("tests/", "fixtures/", "benchmarks/")) for n in names)


def test_wheel_declares_its_entry_points(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
    parser = configparser.ConfigParser()
    parser.optionxform = str  # keep `PHI` upper case
    parser.read_string(archive.read(entry_points).decode())
    assert parser["console_scripts"]["phi-lint"].strip() == "phi_lint.cli:run"
    assert parser["flake8.extension"]["PHI"].strip() == "phi_lint.flake8_plugin:Plugin"


def test_installed_cli_checks_a_fixture(venv: Path) -> None:
    result = subprocess.run([str(bin_path(venv, "phi-lint")), "check", str(SAMPLE.relative_to(ROOT))],
                            cwd=ROOT, capture_output=True, text=True, env=clean_env())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PHI101" in result.stdout


def test_installed_module_runs_from_the_venv(venv: Path) -> None:
    python = str(bin_path(venv, "python"))
    version = subprocess.run([python, "-m", "phi_lint", "version"], capture_output=True, text=True, env=clean_env(),
                             cwd=venv)
    from phi_lint import __version__

    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"phi-lint {__version__}"
    where = subprocess.run([python, "-c", "import phi_lint, sys; print(phi_lint.__file__)"], capture_output=True,
                           text=True, env=clean_env(), cwd=venv)
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve()), where.stdout


def test_installed_rule_pages_come_from_the_package(venv: Path) -> None:
    result = subprocess.run([str(bin_path(venv, "phi-lint")), "rule", "PHI201"], capture_output=True, text=True,
                            env=clean_env(), cwd=venv)
    assert result.returncode == 0, result.stderr
    assert "PHI201" in result.stdout


def test_installed_flake8_plugin_is_registered(venv: Path) -> None:
    python = str(bin_path(venv, "python"))
    code = ("from importlib.metadata import entry_points; "
            "print([e.value for e in entry_points(group='flake8.extension') if e.name == 'PHI'])")
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=clean_env(), cwd=venv)
    assert result.stdout.strip() == "['phi_lint.flake8_plugin:Plugin']", result.stdout + result.stderr
