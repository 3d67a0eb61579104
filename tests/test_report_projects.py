"""The evidence of multi-module projects (fixtures/projects/): each file is read as the check of
the project sees it, so a model call whose client, endpoint or data comes from another module is
in the inventory with them, and a route that reaches a model through another module's wrapper is
in the route table."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from phi_lint.cli import main

from conftest import FIXTURES

SCRIBE = FIXTURES / "projects" / "fastapi_azure_scribe"


def report(project: Path, monkeypatch) -> dict:
    """The JSON report of a project, run from its folder as a team would run it."""
    monkeypatch.chdir(project)
    run = CliRunner().invoke(main, ["report", ".", "--format", "json", "--date", "2026-12-01", "--commit", "test"])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)


def in_project(path: str, project: Path) -> str:
    """A report path (from the repository's top) from the project's folder."""
    return path.split(f"{project.name}/", 1)[-1]


def model_calls(doc: dict, project: Path) -> dict[tuple[str, int], dict]:
    return {(in_project(c["path"], project), c["line"]): c for c in doc["model_calls"]}


def test_a_client_made_from_another_module_s_settings_has_its_endpoint(monkeypatch) -> None:
    calls = model_calls(report(SCRIBE, monkeypatch), SCRIBE)
    wrapper = calls[("scribe/llm.py", 17)]  # AzureOpenAI(azure_endpoint=settings.azure_endpoint), settings.py's default
    assert (wrapper["endpoint"], wrapper["approval"], wrapper["vendor"]) == ("https://contoso-health.openai.azure.com", "approved", "azure-openai")
    sandbox = calls[("scribe/routes.py", 46)]  # a client from llm.py's factory: OpenAI(base_url=settings.sandbox_base_url)
    assert (sandbox["endpoint"], sandbox["approval"]) == ("https://api.openai.com/v1", "unapproved")


def test_a_client_attribute_set_from_a_module_level_client_is_that_client(monkeypatch) -> None:
    """`self.client = client` in NoteWriter.__init__, `client = AzureOpenAI(...)` at the top of
    llm.py: requests on `self.client` go where that client goes, in the inventory and in the
    messages of findings whose data reaches them from another module."""
    calls = model_calls(report(SCRIBE, monkeypatch), SCRIBE)
    assert (calls[("scribe/llm.py", 29)]["endpoint"], calls[("scribe/llm.py", 29)]["approval"]) == ("https://contoso-health.openai.azure.com", "approved")
    checked = CliRunner().invoke(main, ["check", "scribe/routes.py", "--no-cache", "--select", "PHI101", "--format", "concise"])
    letter = next(line for line in checked.stdout.splitlines() if "NoteWriter.write()" in line)
    assert "sent to https://contoso-health.openai.azure.com" in letter


def test_data_sent_through_another_module_s_wrapper_is_on_the_wrapper_s_call(monkeypatch) -> None:
    """routes.py hands the transcript to `complete()` in llm.py: the model call there lists it,
    with the module and route it comes from; the scrubbed twin is listed as sanitised."""
    calls = model_calls(report(SCRIBE, monkeypatch), SCRIBE)
    soap = "POST /encounters/{encounter_id}/soap"
    assert {(d["category"], d["state"], d["source"], d["module"], d["route"]) for d in calls[("scribe/llm.py", 17)]["data"]} == {
        ("clinical", "sent", "encounter.transcript", "scribe.routes", soap),
        ("clinical", "sanitised", "encounter.transcript", "scribe.routes", soap),
    }
    assert calls[("scribe/llm.py", 17)]["routes"] == [soap]
    letter = calls[("scribe/llm.py", 29)]  # NoteWriter.write, called on an instance made in routes.py
    assert [(d["category"], d["source"], d["route"]) for d in letter["data"]] == [("name", "encounter.patient_name", "POST /encounters/{encounter_id}/letter")]
    assert calls[("scribe/routes.py", 46)]["data"] == []  # the sandbox says hello


LLM = '''\
from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def complete(prompt: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
'''

NOTES = '''\
from fastapi import APIRouter, Depends

from app.auth import get_current_user
from app.llm import complete

router = APIRouter(dependencies=[Depends(get_current_user)])


def _ask(question: str) -> str:
    return complete("Answer briefly: " + question)


@router.post("/notes/summary")
def summary(clinical_note: str) -> dict:
    return {"summary": complete(clinical_note)}


@router.post("/notes/codes")
def codes(diagnosis: str) -> dict:
    return {"codes": _ask(diagnosis)}
'''

PORTAL = '''\
from fastapi import FastAPI

from app.llm import complete

app = FastAPI()


@app.post("/portal/ask")
def ask(patient_name: str) -> dict:
    return {"answer": complete("Greet " + patient_name)}


def nightly(date_of_birth: str) -> str:
    return complete(date_of_birth)
'''

AUTH = '''\
def get_current_user() -> str:
    return "clinician"
'''

POLICY = '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\nallowed-prompt-data = { "https://contoso-health.openai.azure.com" = ["diagnosis"] }\n'


def test_a_wrapper_called_from_three_routes_of_two_modules_names_the_three(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(POLICY)
    for name, text in {"app/__init__.py": "", "app/llm.py": LLM, "app/notes.py": NOTES, "app/portal.py": PORTAL, "app/auth.py": AUTH}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    doc = report(tmp_path, monkeypatch)
    (wrapper,) = doc["model_calls"]
    assert (wrapper["path"], wrapper["line"]) == ("app/llm.py", 7)
    assert {(d["category"], d["state"], d["module"], d["route"]) for d in wrapper["data"]} == {
        ("clinical", "sent", "app.notes", "POST /notes/summary"),
        ("diagnosis", "allowed", "app.notes", "POST /notes/codes"),  # through a helper of notes.py; the policy allows it there
        ("name", "sent", "app.portal", "POST /portal/ask"),
        ("date", "sent", "app.portal", None),  # a job, not a route
    }
    assert wrapper["routes"] == ["POST /notes/codes", "POST /notes/summary", "POST /portal/ask"]
    routes = {r["route"]: r for r in doc["routes"]}
    assert sorted(routes) == ["POST /notes/codes", "POST /notes/summary", "POST /portal/ask"]
    assert routes["POST /portal/ask"]["finding"] == "PHI501" and routes["POST /notes/summary"]["finding"] is None
