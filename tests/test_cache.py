"""The project index's on-disk cache: a run with nothing changed reads every result from it and
parses nothing; an edit re-does the edited module and what imports it; a cache that is corrupt,
stale, half written or for other settings is never trusted and never fails a run; the findings
are the same with any number of jobs, cold or warm, in any file order."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main

LLM = '''\
"""The model wrapper every route uses."""

from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def complete(prompt: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
'''

ROUTES = '''\
"""Chart summaries."""

from app.llm import complete


def summarise(patient) -> str:
    return complete(f"Summarise the chart of {patient.first_name} (MRN {patient.mrn})")
'''

JOBS = '''\
"""Nightly jobs."""

import logging

from app.llm import complete

log = logging.getLogger(__name__)


def nightly(patients) -> None:
    for patient in patients:
        log.info("summary for %s", patient.ssn)
        complete("Say hello")
'''

POLICY = '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\n'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(POLICY)
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "llm.py").write_text(LLM)
    (app / "routes.py").write_text(ROUTES)
    (app / "jobs.py").write_text(JOBS)
    for i in range(8):  # enough files for worker processes
        (app / f"report_{i}.py").write_text(f'"""Report {i}."""\n\nfrom app.llm import complete\n\n\ndef run(member):\n    return complete(member.email)\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PHI_LINT_NO_CACHE", raising=False)
    return tmp_path


def check(*args: str) -> tuple[int, list[tuple[str, int, str]]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    found = json.loads(result.stdout)["findings"]
    return result.exit_code, sorted((f["path"], f["line"], f["code"]) for f in found)


def entries(project: Path) -> list[Path]:
    return sorted((project / ".phi-lint-cache").rglob("*.json"))


def test_the_cache_is_made_at_the_project_root_and_left_out_of_git(project: Path) -> None:
    check("app")
    folder = project / ".phi-lint-cache"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(entries(project)) >= 3


def test_a_warm_run_parses_nothing_and_finds_the_same(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check("app")
    assert ("app/routes.py", 7, "PHI101") in cold[1]

    def no_parsing(*args, **kwargs):
        raise AssertionError("a warm run parsed a file")

    import ast

    monkeypatch.setattr(ast, "parse", no_parsing)
    assert check("app") == cold
    assert check("-j", "1", "app") == cold


def test_an_edit_to_a_wrapper_is_seen_by_the_files_that_import_it(project: Path) -> None:
    assert ("app/routes.py", 7, "PHI101") in check("app/routes.py")[1]
    llm = project / "app" / "llm.py"
    llm.write_text(LLM.replace('"content": prompt}', '"content": redact(prompt)}').replace(
        "from openai import AzureOpenAI\n", "from openai import AzureOpenAI\n\nfrom phi_lint.redact import redact\n"))
    assert check("app/routes.py")[1] == []
    llm.write_text(LLM)
    assert ("app/routes.py", 7, "PHI101") in check("app/routes.py")[1]


def test_a_corrupt_or_foreign_cache_is_rebuilt_not_trusted(project: Path) -> None:
    cold = check("app")
    files = entries(project)
    garbage = ["{not json", json.dumps({"settings": "x"}), json.dumps([1, 2]), ""]
    for n, path in enumerate(files):
        data = json.loads(path.read_text())
        if n % 5 == 4:  # right settings and key, a type the cache never writes
            data["facts"] = {"@": "Popen", "args": ["rm", "-rf", "/"]}
            path.write_text(json.dumps(data))
        else:
            path.write_text(garbage[n % 4])
    (files[0].parent / ".tmp-half-written.json").write_text('{"settings": ')
    assert check("app") == cold
    assert all(json.loads(p.read_text()).get("settings") for p in entries(project) if not p.name.startswith(".tmp-"))


def test_no_cache_writes_nothing_and_cache_dir_moves_it(project: Path, tmp_path_factory) -> None:
    check("--no-cache", "app")
    assert not (project / ".phi-lint-cache").exists()
    elsewhere = tmp_path_factory.mktemp("cache")
    check("--cache-dir", str(elsewhere), "app")
    assert list(elsewhere.rglob("*.json")) and not (project / ".phi-lint-cache").exists()
    (project / "pyproject.toml").write_text(POLICY + 'cache-dir = "build/phi-cache"\n')
    check("app")
    assert list((project / "build" / "phi-cache").rglob("*.json"))


def test_findings_are_the_same_with_any_job_count_cold_or_warm_in_any_order(project: Path) -> None:
    files = sorted(str(p.relative_to(project)) for p in (project / "app").glob("*.py"))
    one = check("--no-cache", "-j", "1", *files)
    assert len(one[1]) >= 10
    assert check("--no-cache", "-j", "2", *reversed(files)) == one
    assert check("-j", "2", *files) == one  # cold cache, workers
    assert check("-j", "1", *reversed(files)) == one  # warm
    os.utime(project / "app" / "jobs.py")  # touched, not changed: still warm
    assert check("-j", "2", *files) == one


def test_an_edit_re_does_only_the_module_and_what_imports_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = check("app")
    import ast

    parsed: list[str] = []
    real_parse = ast.parse

    def counting(source, filename="<unknown>", *args, **kwargs):
        parsed.append(str(filename))
        return real_parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    jobs = project / "app" / "jobs.py"
    jobs.write_text(JOBS + "\n\ndef later():\n    return None\n")  # a leaf: nothing imports it
    assert check("-j", "1", "app") == cold
    modules = [name for name in parsed if name.endswith(".py")]  # (fixes check their edits on snippets)
    assert modules and all(name.endswith("jobs.py") for name in modules), modules


def test_an_import_cycle_is_followed_both_ways() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text(POLICY)
        (root / "app").mkdir()
        (root / "app" / "__init__.py").write_text("")
        (root / "app" / "a.py").write_text(
            '"""Half of a cycle."""\n\nimport logging\n\nfrom app import b\n\nlog = logging.getLogger(__name__)\n\n\n'
            'def record(text):\n    log.info("%s", text)\n\n\ndef start(patient):\n    b.forward(patient.ssn)\n')
        (root / "app" / "b.py").write_text(
            '"""The other half: calls back into a."""\n\nfrom app import a\n\n\ndef forward(value):\n    a.record(value)\n')
        cwd = os.getcwd()
        os.chdir(root)
        try:
            code, found = check("--no-cache", "app")
        finally:
            os.chdir(cwd)
    assert ("app/a.py", 15, "PHI201") in found, found  # `b.forward(patient.ssn)`, logged back in a
