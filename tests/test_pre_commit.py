"""The hooks in .pre-commit-hooks.yaml work through the real pre-commit, as a user's repo runs them.

pre-commit installs the hook repository with pip into its own environment (from PyPI), so this
also proves the console script and the rules/ data reach an installed copy.

`pre-commit try-repo <checkout>` only carries *tracked* files over when the checkout has
uncommitted changes (it runs `git add -u`), so new, not yet committed files would be missing.
The test therefore snapshots the working tree (tracked and untracked, minus .gitignore) into a
temporary git repository and points pre-commit at that: it checks the code as it is on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

LEAKING = '''\
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
    return {"ok": True}
'''

CLEAN = '''\
"""Flask intake endpoint that logs only how much it stored."""

import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger("intake")


@app.post("/intake")
def intake():
    form = request.get_json()
    log.info("stored intake form with %d fields", len(form))
    return {"ok": True}
'''

# PHI304 offers a safe fix (store=True -> store=False); nothing else in the file is a finding.
FIXABLE = '''\
"""Nightly job that drafts plain-language visit summaries for the patient portal."""

from openai import AzureOpenAI

client = AzureOpenAI(
    azure_endpoint="https://contoso-health.openai.azure.com",
    api_version="2024-06-01",
)


def draft_summary(visit_type: str, duration_minutes: int) -> str:
    response = client.chat.completions.create(
        model="gpt-4o",
        store=True,
        messages=[
            {"role": "system", "content": "Write a one-paragraph visit summary template."},
            {"role": "user", "content": f"A {visit_type} visit of {duration_minutes} minutes."},
        ],
    )
    return response.choices[0].message.content
'''

POLICY = """\
[tool.phi-lint]
approved-endpoints = ["https://contoso-health.openai.azure.com"]
"""


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", cwd=path)
    git("config", "user.name", "phi-lint tests", cwd=path)
    git("config", "user.email", "tests@phi-lint.invalid", cwd=path)
    git("config", "commit.gpgsign", "false", cwd=path)
    return path


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """This checkout's working tree, committed in a throw-away repository."""
    files = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT).split("\0")
    repo = new_repo(tmp_path_factory.mktemp("hook-repo") / "phi-lint")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One hook environment for the module: the first run installs it from PyPI (slow)."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "clinic")
    (repo / "pyproject.toml").write_text(POLICY)
    (repo / "intake.py").write_text(LEAKING)
    (repo / "clean.py").write_text(CLEAN)
    (repo / "portal_summaries.py").write_text(FIXABLE)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "clinic app", cwd=repo)
    return repo


def try_repo(hook_repo: Path, home: Path, project: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()
    return subprocess.run(
        ["pre-commit", "try-repo", str(hook_repo), hook, "--ref", rev, "--color", "never", "--verbose", "--files", *files],
        cwd=project, env=env, capture_output=True, text=True,
    )


def test_hook_fails_on_a_leak(hook_repo, pre_commit_home, project) -> None:
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "intake.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PHI201" in result.stdout and "intake.py:15:" in result.stdout
    assert "Failed" in result.stdout


def test_hook_passes_a_clean_file(hook_repo, pre_commit_home, project) -> None:
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "clean.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_hook_skips_non_python_files(hook_repo, pre_commit_home, project) -> None:
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout.lower()


def _cli_has_fix() -> bool:
    from phi_lint.cli import check

    options = {opt for p in check.params for opt in p.opts}
    return {"--fix", "--exit-non-zero-on-fix"} <= options


@pytest.mark.skipif(not _cli_has_fix(), reason="phi-lint check has no --fix/--exit-non-zero-on-fix yet")
def test_fix_hook_rewrites_and_fails(hook_repo, pre_commit_home, project) -> None:
    target = project / "portal_summaries.py"
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint-fix", "portal_summaries.py")
    assert result.returncode == 1, result.stdout + result.stderr
    fixed = target.read_text()
    assert "store=False" in fixed and "store=True" not in fixed
    assert fixed == FIXABLE.replace("store=True", "store=False")
    # fixed: the next commit goes through
    again = try_repo(hook_repo, pre_commit_home, project, "phi-lint-fix", "portal_summaries.py")
    assert again.returncode == 0, again.stdout + again.stderr


def test_hook_checks_a_staged_notebook(hook_repo, pre_commit_home, project) -> None:
    from conftest import FIXTURES

    shutil.copy(FIXTURES / "notebooks" / "readmission_review_leaks.ipynb", project / "review.ipynb")
    git("add", "review.ipynb", cwd=project)
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "review.ipynb")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "review.ipynb:cell 6:13:38: PHI201" in result.stdout


WRAPPER = '''\
"""The one place that talks to the model."""

from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def complete(prompt: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
'''

ROUTE = '''\
"""Chart summaries for the ward."""

from flask import Flask, request

from llm import complete

app = Flask(__name__)


@app.post("/summary")
def summary():
    patient = request.get_json()["patient"]
    return {"summary": complete(f"Summarise the chart of {patient['first_name']}, MRN {patient['mrn']}")}
'''


def test_a_staged_route_is_checked_against_the_unstaged_wrapper_it_calls(hook_repo, pre_commit_home, project, monkeypatch) -> None:
    """pre-commit passes only the staged files; the wrapper in llm.py is not among them, yet the
    leak through it is found. Editing llm.py so it redacts clears it on the next run: the cached
    result of routes.py depends on llm.py."""
    monkeypatch.delenv("PHI_LINT_NO_CACHE")  # the cache is what is being tested
    env = dict(os.environ)
    (project / "llm.py").write_text(WRAPPER)
    git("add", "llm.py", cwd=project)
    git("commit", "-q", "-m", "model wrapper", cwd=project)
    (project / "routes.py").write_text(ROUTE)
    git("add", "routes.py", cwd=project)  # staged: only routes.py
    hooked = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "routes.py")
    assert hooked.returncode == 1, hooked.stdout + hooked.stderr
    assert "routes.py:13:" in hooked.stdout and "PHI101" in hooked.stdout and "through `complete()` in llm.py" in hooked.stdout
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select=PHI", "routes.py"], cwd=project, capture_output=True, text=True, env=env)
    assert "routes.py:13:" in flake8.stdout and "PHI101" in flake8.stdout, flake8.stdout + flake8.stderr
    redacting = WRAPPER.replace('"content": prompt}', '"content": redact(prompt)}').replace(
        "from openai import AzureOpenAI\n", "from openai import AzureOpenAI\nfrom phi_lint.redact import redact\n")
    (project / "llm.py").write_text(redacting)
    again = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "routes.py")
    assert again.returncode == 0, again.stdout + again.stderr
    cli = subprocess.run([sys.executable, "-m", "phi_lint", "check", "routes.py"], cwd=project, capture_output=True, text=True, env=env)
    assert cli.returncode == 0 and (project / ".phi-lint-cache").is_dir(), cli.stdout + cli.stderr


NEXT_ROUTE = '''\
// Next.js route handler: drafts a visit note from the intake form.
import OpenAI from "openai";
import { NextResponse } from "next/server";

const openai = new OpenAI({ baseURL: "https://contoso-health.openai.azure.com/openai/v1" });

export async function POST(req: Request) {
  const intake = await req.json();
  console.info("drafting a note for", intake.dateOfBirth);
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    messages: [{ role: "user", content: `Draft a visit note. Reason for visit: ${intake.reason}` }],
  });
  return NextResponse.json({ note: completion.choices[0].message.content });
}
'''


def test_hook_hands_staged_typescript_to_phi_lint(hook_repo, pre_commit_home, project) -> None:
    """The hooks cover .js/.jsx/.mjs/.cjs/.ts/.tsx: a staged route handler reaches phi-lint with the
    Python file staged beside it. Whether semgrep checks it depends on the hook's environment
    (`additional_dependencies: [semgrep]`, or a semgrep on the PATH); without it, one note says
    how to install it and the Python findings stand."""
    route = project / "app" / "api" / "notes" / "route.ts"
    route.parent.mkdir(parents=True)
    route.write_text(NEXT_ROUTE)
    git("add", "-A", cwd=project)
    result = try_repo(hook_repo, pre_commit_home, project, "phi-lint", "intake.py", "app/api/notes/route.ts")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "intake.py:15:" in out and "PHI201" in out
    checked = "app/api/notes/route.ts:9:39: PHI201" in out
    noted = "1 JavaScript/TypeScript file not checked: semgrep is not installed (pip install 'phi-lint[semgrep]')" in out
    assert checked != noted, out
