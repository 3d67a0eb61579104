"""Where data sent through another module goes: the prompt data policy judges a request made by a
wrapper or a client of another module by the endpoint that module gives it, as it judges a local
one."""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import load_config
from phi_lint.runner import check_paths

POLICY = '''\
[tool.phi-lint]
approved-endpoints = ["https://contoso-health.openai.azure.com"]

[tool.phi-lint.allowed-prompt-data]
"https://contoso-health.openai.azure.com" = ["health", "clinical-text"]
'''

LLM = '''\
"""The BAA-covered deployment, and a public client for experiments."""

from openai import AzureOpenAI, OpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
sandbox = OpenAI()


def complete(prompt: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content


def try_out(prompt: str) -> str:
    reply = sandbox.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
'''

NOTES = '''\
"""Shift handover notes."""

from app.llm import client, complete, try_out


def handover(visit) -> None:
    complete(f"Summarise this nursing note: {visit.nursing_note}")
    complete(f"Summarise the note of {visit.patient_name}: {visit.nursing_note}")  # !
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": visit.nursing_note}])
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": visit.patient_name}])  # !
    try_out(f"Summarise this nursing note: {visit.nursing_note}")  # !
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(POLICY)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "llm.py").write_text(LLM)
    (tmp_path / "app" / "notes.py").write_text(NOTES)
    return tmp_path


def test_the_policy_judges_requests_made_in_another_module_by_their_endpoint(project: Path) -> None:
    notes = project / "app" / "notes.py"
    result = check_paths([notes], load_config(project / "pyproject.toml"))
    found = [f for f in result.findings if f.code == "PHI101"]
    assert {f.line for f in found} == {n for n, line in enumerate(NOTES.splitlines(), 1) if line.endswith("# !")}
    by_line = {f.line: f.message for f in found}
    assert "sent to https://contoso-health.openai.azure.com" in by_line[8] and "not identifiers (name)" in by_line[8]
    assert "sent to https://contoso-health.openai.azure.com" in by_line[10]
    assert "sent to https://api.openai.com/v1" in by_line[11]


def test_a_cross_file_trace_names_the_other_file_in_every_output(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from phi_lint.cli import main

    monkeypatch.chdir(project)
    run = lambda *args: CliRunner().invoke(main, ["check", "app/notes.py", *args]).stdout  # noqa: E731
    text = run()
    assert "passed to `try_out()` (line 11) → parameter `prompt` (app/llm.py:14)" in text and "(app/llm.py:15)" in text
    findings = json.loads(run("--format", "json"))["findings"]
    crossing = next(f for f in findings if f["line"] == 11)
    assert crossing["path"] == "app/notes.py" and crossing["trace"][0]["path"] == "app/notes.py"
    assert crossing["trace"][-1]["path"] == "app/llm.py" and crossing["trace"][-1]["line"] == 15
    sarif = json.loads(run("--format", "sarif"))["runs"][0]["results"]
    flow = next(r for r in sarif if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 11)["codeFlows"][0]
    uris = [step["location"]["physicalLocation"]["artifactLocation"]["uri"] for step in flow["threadFlows"][0]["locations"]]
    assert uris[0] == "app/notes.py" and uris[-1] == "app/llm.py"
    github = run("--format", "github")
    assert all("file=app/notes.py" in line for line in github.splitlines() if line.startswith("::error"))
    # an unrelated edit to the other module keeps the finding's identity (baselines, code scanning)
    before = {f["fingerprint"] for f in findings}
    (project / "app" / "llm.py").write_text(LLM.replace('"""The BAA-covered', '"""Shared clients.\\n\\nThe BAA-covered'))
    after = {f["fingerprint"] for f in json.loads(run("--format", "json"))["findings"]}
    assert after == before


def test_an_editor_buffer_on_stdin_is_checked_against_its_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from phi_lint.cli import main

    monkeypatch.chdir(project)
    buffer = NOTES.replace("visit.patient_name", "visit.patient_ssn")  # edited, not saved
    result = CliRunner().invoke(main, ["check", "--format", "concise", "--stdin-filename", "app/notes.py", "-"], input=buffer)
    assert "app/notes.py:8:" in result.stdout and "through `complete()` in app/llm.py" in result.stdout
    assert "patient_ssn" in result.stdout
