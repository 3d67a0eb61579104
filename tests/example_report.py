"""The example report (docs/example-report.html and .md): the demo project as its own git
repository, with a history an auditor would meet, reported by `phi-lint report`.

The history is made here, with fixed authors and dates, so the report (commit hashes, who
accepted which risk and when) is the same on every machine:

- v0.2.0 (2026-10-05, Priya Natarajan): the demo as it was, logging a patient's name in the
  nightly job and with nothing accepted;
- 2026-11-12, Marcus Lee: the nightly job logs the note id instead (fixed since v0.2.0);
- 2026-11-20, Dana Reyes (security): two risks accepted in the code, with their reasons, and the
  LangChain debug switch put in the baseline while its ticket is open.

Run `python tests/example_report.py` to write the files; tests/test_report.py fails while they
are stale.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
DOCS = ROOT / "docs"
REPORT_DATE = "2026-12-01"
ARGS = ["clinic_ai", "--baseline", ".phi-lint-baseline.json", "--diff-base", "v0.2.0", "--date", REPORT_DATE]

_NIGHTLY = "clinic_ai/jobs/nightly_index.py"
_FIXED_LOG = 'log.info("indexed note %s (%d dims)", note["id"], len(vector.data[0].embedding))'
_LEAKY_LOG = 'log.info("indexed a note of %s (%d dims)", note["patient_name"], len(vector.data[0].embedding))'
_ACCEPTANCES = (
    ("  # noqa: PHI303 -- EU research cohort, de-identified upstream (DPIA-2026-03)", ""),
    ('    # phi-lint: ignore[PHI201] reason="operator console on the batch host, not retained (risk RA-2026-014)"\n', "    # ruleid: PHI201\n"),
)


def _git(repo: Path, *args: str, author: str, date: str) -> None:
    name, email = author.rsplit(" ", 1)
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.strip("<>"), "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email.strip("<>"), "GIT_COMMITTER_DATE": date,
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _commit(repo: Path, message: str, author: str, date: str) -> None:
    _git(repo, "add", "-A", author=author, date=date)
    _git(repo, "commit", "-q", "-m", message, author=author, date=date)


def _phi_lint(repo: Path, *args: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    proc = subprocess.run([sys.executable, "-m", "phi_lint", *args], cwd=repo, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"phi-lint {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def build_repository(where: Path) -> Path:
    """The demo as a repository with the history above; returns its folder."""
    repo = where / "clinic-ai"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    nightly = repo / _NIGHTLY
    final = nightly.read_text(encoding="utf-8")
    assert _FIXED_LOG in final and all(accepted in final for accepted, _ in _ACCEPTANCES), "the demo changed: update tests/example_report.py"
    unaccepted = final
    for accepted, open_ in _ACCEPTANCES:
        unaccepted = unaccepted.replace(accepted, open_)
    _git(repo, "init", "-q", author="Priya Natarajan <priya@contoso-health.example>", date="2026-10-05T10:00:00Z")
    nightly.write_text(unaccepted.replace(_FIXED_LOG, _LEAKY_LOG), encoding="utf-8")
    _commit(repo, "clinic-ai 0.2.0", "Priya Natarajan <priya@contoso-health.example>", "2026-10-05T10:00:00Z")
    _git(repo, "tag", "v0.2.0", author="Priya Natarajan <priya@contoso-health.example>", date="2026-10-05T10:00:00Z")
    nightly.write_text(unaccepted, encoding="utf-8")
    _commit(repo, "Nightly index: log the note id, not the patient's name", "Marcus Lee <marcus@contoso-health.example>", "2026-11-12T15:30:00Z")
    nightly.write_text(final, encoding="utf-8")
    _phi_lint(repo, "baseline", "clinic_ai", "--select", "PHI204", "-o", ".phi-lint-baseline.json")
    _commit(repo, "Accept the EU research client and the operator console (RA-2026-014); baseline the LangChain debug switch (SEC-412)",
            "Dana Reyes <dana@contoso-health.example>", "2026-11-20T09:00:00Z")
    return repo


def render(where: Path, formats: tuple[str, ...] = ("html", "markdown", "json")) -> dict[str, str]:
    """The example report in each format, built in the folder `where`."""
    repo = build_repository(where)
    return {fmt: _phi_lint(repo, "report", *ARGS, "--format", fmt) for fmt in formats}


def committed() -> dict[str, Path]:
    return {"html": DOCS / "example-report.html", "markdown": DOCS / "example-report.md"}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        texts = render(Path(folder), ("html", "markdown"))
    for fmt, path in committed().items():
        path.write_text(texts[fmt], encoding="utf-8")
        print(path)
