"""The prompt data policy (`allowed-prompt-data`): which categories may go to which approved
endpoint, how findings name the endpoint, and what fixes a prompt gets."""

from __future__ import annotations

import textwrap

from phi_lint.catalog import load
from phi_lint.checks.policy import allowed_data
from phi_lint.config import Config
from phi_lint.engine import Engine
from phi_lint.model import Applicability

AZURE = "https://contoso-health.openai.azure.com"
POLICY = Config(
    approved_endpoints=(AZURE, "https://bedrock-runtime.us-east-1.amazonaws.com", "http://localhost:11434"),
    allowed_prompt_data=((AZURE, ("health", "clinical-text")), ("*", ("diagnosis",))),
)


def test_every_category_is_in_exactly_one_group() -> None:
    catalog = load()
    known = {category.id for category, _ in catalog.vocabulary.terms.values()} | {"configured", "record", "payload", "payload-text", "clinical-text"}
    placed = [c for ids in catalog.data_groups.values() for c in ids]
    assert sorted(placed) == sorted(set(placed)), "a category in two groups"
    assert set(placed) == known
    assert catalog.pseudonymous <= catalog.data_groups["identifiers"]


def test_an_endpoint_entry_replaces_the_entry_for_every_approved_endpoint() -> None:
    catalog = load()
    azure, names = allowed_data(POLICY, catalog, AZURE + "/openai/deployments/gpt-4o")
    assert names == ("health", "clinical-text") and {"diagnosis", "clinical", "clinical-text"} <= azure and "name" not in azure
    assert allowed_data(POLICY, catalog, "https://bedrock-runtime.us-east-1.amazonaws.com")[0] == {"diagnosis"}
    assert allowed_data(POLICY, catalog, "http://localhost:11434/api/chat")[0] == {"diagnosis"}  # loopback: "*" only
    assert allowed_data(POLICY, catalog, "https://api.openai.com/v1") == (frozenset(), ())  # not approved
    assert allowed_data(POLICY, catalog, None) == (frozenset(), ())  # unknown: every category is reported
    assert allowed_data(Config(approved_endpoints=(AZURE,)), catalog, AZURE) == (frozenset(), ())  # no policy


def findings(body: str, config: Config = POLICY):
    source = textwrap.dedent('''\
        from openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
        ''') + textwrap.dedent(body)
    return [f for f in Engine(config).check_source(source, "app.py") if f.code.startswith("PHI1")]


def test_findings_name_the_endpoint_and_what_the_policy_allows_there() -> None:
    body = '''
        def summarise(patient):
            return client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"{patient.first_name}: {patient.diagnosis}"}])
        '''
    [finding] = findings(body)
    assert "`patient.first_name`" in finding.message
    assert ", sent to https://contoso-health.openai.azure.com:" in finding.message
    assert finding.message.endswith("the prompt data policy allows health, clinical-text to this endpoint, not identifiers (name)")
    [without_policy] = findings(body, Config(approved_endpoints=(AZURE,)))
    assert ", sent to https://contoso-health.openai.azure.com:" in without_policy.message and "policy" not in without_policy.message
    assert len(without_policy.fix.edits) == 2  # no policy: every category, as before
    allowed = findings(body.replace("patient.first_name", "patient.ward"))
    assert allowed == []  # a diagnosis, allowed to this endpoint


def test_prompt_fixes_are_unsafe_and_pseudonymise_identifiers() -> None:
    [finding] = findings('''
        def summarise(patient):
            return client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"{patient.mrn}: {patient.clinical_notes}"}])
        ''')
    assert finding.fix.applicability is Applicability.UNSAFE
    assert [e.content for e in finding.fix.edits] == ["pseudonymize(patient.mrn)"]  # the notes are allowed here
    assert finding.fix.imports == ("phi_lint.redact.pseudonymize",)
    [name] = findings('''
        def summarise(patient):
            return client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"{patient.first_name} {patient.date_of_birth}"}])
        ''', Config(approved_endpoints=(AZURE,), pseudonymizer="contoso.privacy.pseudonym"))
    assert [e.content for e in name.fix.edits] == ["pseudonym(patient.first_name)", "redact(patient.date_of_birth)"]
    assert name.fix.title == "Pseudonymise identifiers, redact the rest"


def test_the_demo_sends_clinical_text_to_its_approved_azure_endpoint_and_no_name() -> None:
    from conftest import FIXTURES

    from phi_lint.config import load_config

    path = FIXTURES / "demo" / "clinic_ai" / "summarizer.py"
    policy = load_config(start=path)
    assert policy.allowed_prompt_data == ((AZURE, ("health", "clinical-text")),)
    text = path.read_text()
    note_line = next(n for n, line in enumerate(text.splitlines(), 1) if "visit.nursing_note" in line)

    def prompt_findings(config: Config) -> dict[int, str]:
        return {f.line: f.message for f in Engine(config).check_source(text, "summarizer.py") if f.code == "PHI101" and f.suppression is None}

    with_policy = prompt_findings(policy)
    assert note_line not in with_policy
    assert any("`patient.full_name`" in m and "not identifiers (name)" in m for m in with_policy.values())
    assert note_line in prompt_findings(policy.with_overrides(allowed_prompt_data=()))
