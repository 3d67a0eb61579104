"""`check --diff-base REV`: only findings on lines added or changed since REV, in a real git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import find_config_file
from phi_lint.gitdiff import parse_diff

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git binary")

TRIAGE = '''"""Triage endpoint: the nurse line's intake form."""

import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger("triage")


@app.post("/triage")
def triage():
    form = request.get_json()
    log.info("triage for %s", form["patient_name"])
    return {"queued": True}
'''

ADDED_LEAK = '    log.info("symptoms: %s", form["chief_complaint"])\n'
ADDED_SAFE = '    log.info("triage form with %d fields", len(form))\n'

NEW_MODULE = '''import logging

log = logging.getLogger("triage.callbacks")


def callback(form: dict) -> None:
    log.info("call back %s", form["patient_phone"])
'''


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # an isolated git: no user or system configuration, no repository above tmp_path
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for key, value in {"GIT_AUTHOR_NAME": "Dana Dev", "GIT_AUTHOR_EMAIL": "dana@example.com",
                       "GIT_COMMITTER_NAME": "Dana Dev", "GIT_COMMITTER_EMAIL": "dana@example.com"}.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "clinic"
    (root / "triage").mkdir(parents=True)
    (root / "triage" / "intake.py").write_text(TRIAGE, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.phi-lint]\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "triage intake")
    monkeypatch.chdir(root)
    find_config_file.cache_clear()
    return root


def lines_reported(*args: str) -> tuple[int, list[tuple[str, int]]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    doc = json.loads(result.output)
    return result.exit_code, [(f["path"], f["line"]) for f in doc["findings"]]


def edit(repo: Path) -> str:
    """Lines inserted above the old leak, a new leak and a harmless line below it."""
    text = TRIAGE.replace('"""Triage endpoint: the nurse line\'s intake form."""\n', '"""Triage endpoint.\n\nThe nurse line\'s intake form.\n"""\n', 1)
    text = text.replace('    return {"queued": True}\n', ADDED_LEAK + ADDED_SAFE + '    return {"queued": True}\n')
    (repo / "triage" / "intake.py").write_text(text, encoding="utf-8")
    return text


def test_only_changed_lines_are_reported(repo: Path) -> None:
    assert lines_reported("--diff-base", "HEAD", ".") == (0, [])  # nothing changed yet
    text = edit(repo)
    new_leak = text.splitlines().index(ADDED_LEAK.rstrip("\n")) + 1
    code, everything = lines_reported(".")
    assert code == 1 and len(everything) == 2  # the old leak moved down; the new one
    assert lines_reported("--diff-base", "HEAD", ".") == (1, [("triage/intake.py", new_leak)])
    git(repo, "commit", "-q", "-am", "log symptoms")  # committed or not, the change is since HEAD~1
    assert lines_reported("--diff-base", "HEAD~1", ".") == (1, [("triage/intake.py", new_leak)])
    assert lines_reported("--diff-base", "HEAD", ".") == (0, [])


def test_untracked_files_count_as_added(repo: Path) -> None:
    (repo / "triage" / "callbacks.py").write_text(NEW_MODULE, encoding="utf-8")
    assert lines_reported("--diff-base", "HEAD", ".") == (1, [("triage/callbacks.py", 7)])
    (repo / ".gitignore").write_text("scratch/\n")
    (repo / "scratch").mkdir()
    (repo / "scratch" / "notes.py").write_text(NEW_MODULE, encoding="utf-8")
    code, found = lines_reported("--diff-base", "HEAD", "--no-respect-gitignore", ".")
    assert found == [("triage/callbacks.py", 7)]  # ignored files are not new code of the branch


def test_a_branch_behind_its_base_reports_only_its_own_changes(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature/symptoms")
    text = edit(repo)
    git(repo, "commit", "-q", "-am", "log symptoms")
    git(repo, "switch", "-q", "main")
    (repo / "triage" / "billing.py").write_text(NEW_MODULE, encoding="utf-8")  # main moves on
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "billing callbacks")
    git(repo, "switch", "-q", "feature/symptoms")
    new_leak = text.splitlines().index(ADDED_LEAK.rstrip("\n")) + 1
    assert lines_reported("--diff-base", "main", ".") == (1, [("triage/intake.py", new_leak)])


def test_paths_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = edit(repo)
    monkeypatch.chdir(repo / "triage")
    find_config_file.cache_clear()
    new_leak = text.splitlines().index(ADDED_LEAK.rstrip("\n")) + 1
    assert lines_reported("--diff-base", "HEAD", ".") == (1, [("intake.py", new_leak)])


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--diff-base", "origin/no-such-branch", "."])
    assert result.exit_code == 2
    assert "unknown revision 'origin/no-such-branch'" in result.output
    result = CliRunner().invoke(main, ["check", "--diff-base", "--output=/tmp/x", "."])
    assert result.exit_code == 2 and "unknown revision" in result.output


def test_outside_a_repository_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "intake.py").write_text(TRIAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    result = CliRunner().invoke(main, ["check", "--diff-base", "HEAD", "intake.py"])
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_parse_diff_hunks() -> None:
    diff = (
        b"diff --git a/app/x.py b/app/x.py\n--- a/app/x.py\n+++ b/app/x.py\n"
        b"@@ -3,0 +4,2 @@ def f():\n+a\n+b\n@@ -10 +12 @@\n-c\n+d\n@@ -20,3 +21,0 @@\n-e\n"
        b"diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"
        b'diff --git "a/caf\\303\\251 \\"v2\\".py" "b/caf\\303\\251 \\"v2\\".py"\n--- /dev/null\n+++ "b/caf\\303\\251 \\"v2\\".py"\n@@ -0,0 +1 @@\n+z\n'
    )
    assert parse_diff(diff) == {"app/x.py": {4, 5, 12}, 'café "v2".py': {1}}
