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
