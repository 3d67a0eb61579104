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
