"""action.yml: the composite GitHub Action, parsed and its run script executed for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def step(action: dict, name: str) -> dict:
    return next(s for s in action["runs"]["steps"] if s.get("name") == name)


def test_metadata_and_inputs(action: dict) -> None:
    assert action["name"] == "phi-lint" and action["description"]
    assert action["branding"]["icon"] and action["branding"]["color"]
    inputs = action["inputs"]
    assert {"paths", "args", "diff-base", "sarif-file"} <= set(inputs)
    assert inputs["paths"]["default"] == "."
    assert inputs["sarif-file"]["default"] == "phi-lint.sarif"
    assert inputs["diff-base"]["default"] == "" and "fetch-depth" in inputs["diff-base"]["description"]
    assert all(spec.get("description") for spec in inputs.values())
    assert action["outputs"]["sarif-file"]["value"] == "${{ inputs.sarif-file }}"


def test_composite_steps(action: dict) -> None:
    runs = action["runs"]
    assert runs["using"] == "composite"
    setup = step(action, "Set up Python for phi-lint")
    assert setup["uses"].startswith("actions/setup-python@") and setup["with"]["update-environment"] is False
    install = step(action, "Install phi-lint")
    assert install["shell"] == "bash" and "${{" not in install["run"]
    assert '-m venv "$venv"' in install["run"] and '"$python" -m pip install' in install["run"]
    # every later step runs the virtual environment's Python, never the runner's own
    later = [s for s in runs["steps"] if s.get("shell") == "bash" and s is not install]
    assert later and all(s["env"]["PHI_LINT_PYTHON"] == "${{ steps.install.outputs.python }}" for s in later)
    check = step(action, "Run phi-lint")
    assert check["shell"] == "bash"
    assert "--format github" in check["run"] and "--format sarif" in check["run"] and "--diff-base" in check["run"]
    # inputs reach the script through the environment, never spliced into its text
    assert "${{" not in check["run"]
    assert check["env"]["PHI_LINT_DIFF_BASE"] == "${{ inputs.diff-base }}"


def test_readme_shows_the_workflow(action: dict) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In CI", 1)[1]
    block = section.split("```yaml", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["phi-lint"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    ours = next(s for s in steps if s.get("uses", "").startswith("phi-lint/phi-lint@"))
    assert set(ours.get("with", {})) <= set(action["inputs"])
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    assert uses.index(upload["uses"]) > uses.index(ours["uses"])
    assert workflow["permissions"]["security-events"] == "write"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")
@pytest.mark.parametrize("diff_base", ["", "HEAD"])
def test_run_script_annotates_and_writes_sarif(action: dict, tmp_path: Path, diff_base: str) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "fixtures" / "demo", workspace)
    git_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
               "GIT_CEILING_DIRECTORIES": str(tmp_path), "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.com",
               "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", *args], cwd=workspace, env=git_env, check=True, capture_output=True)
    env = {**git_env, "NO_COLOR": "1", "PHI_LINT_PYTHON": sys.executable, "PHI_LINT_PATHS": "clinic_ai",
           "PHI_LINT_ARGS": "--select PHI", "PHI_LINT_DIFF_BASE": diff_base, "PHI_LINT_SARIF": "phi-lint.sarif"}
    script = step(action, "Run phi-lint")["run"]
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=workspace, env=env,
                          capture_output=True, text=True)
    log = json.loads((workspace / "phi-lint.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert len(results) > 5  # SARIF holds every finding, with or without diff-base
    lines = proc.stdout.splitlines()
    if diff_base:
        assert proc.returncode == 0 and lines == ["phi-lint: no findings."]  # nothing changed since HEAD
    else:
        assert proc.returncode == 1, proc.stderr
        assert sum(line.startswith("::error file=clinic_ai/") for line in lines) > 5
        assert lines[-1].startswith("phi-lint: ") and len(lines) - 1 == len(results)


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")
def test_the_compliance_report_goes_to_the_job_summary(action: dict, tmp_path: Path) -> None:
    assert action["inputs"]["job-summary"]["default"] == "false"
    summary_step = step(action, "Write the compliance report to the job summary")
    assert summary_step["if"] == "inputs.job-summary == 'true'" and "${{" not in summary_step["run"]
    names = [s.get("name") for s in action["runs"]["steps"]]
    assert names.index(summary_step["name"]) < names.index("Run phi-lint")  # before the step that fails on findings
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "fixtures" / "demo", workspace)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "PHI_LINT_PYTHON": sys.executable, "PHI_LINT_PATHS": "clinic_ai",
           "PHI_LINT_DIFF_BASE": "", "GITHUB_STEP_SUMMARY": str(summary), "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", summary_step["run"]], cwd=workspace, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n# phi-lint compliance report") and "## Access control: routes that reach models" in text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt", reason="needs bash")
def test_install_works_when_the_runners_python_is_externally_managed(action: dict, tmp_path: Path) -> None:
    """PEP 668: a python3 whose pip refuses to install outside a virtual environment (Ubuntu 24.04
    runners). The install step makes its own environment and says where it is."""
    managed = tmp_path / "python3"
    managed.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then\n'
        '  echo "error: externally-managed-environment" >&2; exit 1\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    managed.chmod(0o755)
    output = tmp_path / "github_output"
    env = {**os.environ, "PHI_LINT_BASE_PYTHON": str(managed), "PHI_LINT_SOURCE": str(ROOT), "RUNNER_TEMP": str(tmp_path),
           "GITHUB_OUTPUT": str(output), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step(action, "Install phi-lint")["run"]],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    python = output.read_text().strip().removeprefix("python=")
    assert Path(python).parent.parent == tmp_path / "phi-lint-venv"
    version = subprocess.run([python, "-m", "phi_lint", "version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("phi-lint ")


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None or os.name == "nt", reason="needs bash and git")
@pytest.mark.parametrize("javascript, tracked, extras", [
    ("auto", ["api/routes.py", "web/app/api/notes/route.ts"], "[semgrep]"),
    ("auto", ["api/routes.py", "web/node_modules/openai/index.js", "web/types/openai.d.ts"], ""),
    ("auto", ["api/routes.py"], ""),
    ("true", ["api/routes.py"], "[semgrep]"),
    ("false", ["api/routes.py", "web/server/intake.js"], ""),
])
def test_semgrep_is_installed_when_the_paths_hold_scripts(action: dict, tmp_path: Path, javascript: str, tracked: list[str],
                                                         extras: str) -> None:
    """The install step adds the semgrep extra (JavaScript/TypeScript checks) as the `javascript`
    input says: `auto` when git tracks scripts phi-lint would check under the paths. A stand-in
    Python records the pip command instead of installing."""
    assert action["inputs"]["javascript"]["default"] == "auto"
    workspace = tmp_path / "workspace"
    for name in tracked:
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text("// code\n")
    git_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
               "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=workspace, env=git_env, check=True, capture_output=True)
    recorded = tmp_path / "pip-args"
    base = tmp_path / "python3"
    base.write_text(  # `-m venv DIR` makes DIR/bin/python, which records what it is asked to do
        "#!/bin/sh\n"
        'mkdir -p "$3/bin"\n'
        f'printf \'#!/bin/sh\\necho "$@" >> "{recorded}"\\n\' > "$3/bin/python"\n'
        'chmod +x "$3/bin/python"\n'
    )
    base.chmod(0o755)
    env = {**git_env, "PHI_LINT_BASE_PYTHON": str(base), "PHI_LINT_SOURCE": "/actions/phi-lint", "RUNNER_TEMP": str(tmp_path),
           "GITHUB_OUTPUT": str(tmp_path / "github_output"), "PHI_LINT_PATHS": ". web", "PHI_LINT_JAVASCRIPT": javascript}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step(action, "Install phi-lint")["run"]],
                          cwd=workspace, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert recorded.read_text().split() == ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", f"/actions/phi-lint{extras}"]
