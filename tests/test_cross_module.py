"""Cross-module patterns of real apps, each in the smallest project that shows it: what one module
makes (a settings object, a client) is what the modules that import it see."""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import load_config
from phi_lint.runner import check_paths

POLICY = '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\n'


def findings(root: Path, files: dict[str, str], policy: str = POLICY) -> set[tuple[str, int, str]]:
    """(file, line, code) of every finding when the project made of `files` is checked whole."""
    (root / "pyproject.toml").write_text(policy)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    paths = sorted(root / name for name in files)
    result = check_paths(paths, load_config(root / "pyproject.toml"))
    return {(Path(fr.path).resolve().relative_to(root.resolve()).as_posix(), f.line, f.code)
            for fr in result.files for f in fr.findings}


CONFIG = '''\
from functools import lru_cache

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    azure_endpoint: str = "https://contoso-health.openai.azure.com"
    sandbox_base_url: str = "https://api.openai.com/v1"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def fresh_settings():
    return Settings()
'''

CLIENTS = '''\
from openai import AzureOpenAI, OpenAI

from app.config import fresh_settings, get_settings

settings = get_settings()


def approved():
    return AzureOpenAI(azure_endpoint=settings.azure_endpoint, api_version="2024-10-21")


def sandbox():
    return OpenAI(base_url=get_settings().sandbox_base_url)


def sandbox_again():
    current = fresh_settings()
    return OpenAI(base_url=current.sandbox_base_url)
'''


def test_a_settings_factory_of_another_module_gives_its_settings_defaults(tmp_path: Path) -> None:
    """FastAPI's idiom: `@lru_cache def get_settings() -> Settings: return Settings()` in
    config.py; the client is made elsewhere from `get_settings().base_url`."""
    found = findings(tmp_path, {"app/__init__.py": "", "app/config.py": CONFIG, "app/clients.py": CLIENTS})
    assert found == {("app/clients.py", 13, "PHI301"), ("app/clients.py", 18, "PHI301")}


SERVICES = '''\
from dataclasses import dataclass

from openai import AzureOpenAI


@dataclass
class Patient:
    full_name: str
    diagnosis: str


class Summariser:
    def __init__(self) -> None:
        self.client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")

    def summarise(self, text: str) -> str:
        reply = self.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
        return reply.choices[0].message.content


def get_summariser():
    return Summariser()


def load_patient(key: str) -> Patient:
    return Patient(full_name=key, diagnosis="")
'''

ROUTES = '''\
from app.services import get_summariser, load_patient

summariser = get_summariser()


def summary(key: str, patient_name: str) -> str:
    return summariser.summarise(patient_name)


def briefing(key: str) -> str:
    patient = load_patient(key)
    return get_summariser().summarise(f"{patient.diagnosis}")
'''


def test_a_service_factory_of_another_module_gives_its_service(tmp_path: Path) -> None:
    """`summariser = get_summariser()`: its methods are the service's; a factory of records
    (`load_patient`) gives data, not a service."""
    found = findings(tmp_path, {"app/__init__.py": "", "app/services.py": SERVICES, "app/routes.py": ROUTES})
    assert found == {("app/routes.py", 7, "PHI101"), ("app/routes.py", 12, "PHI101")}


TASKS = '''\
import logging

from celery import shared_task
from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
log = logging.getLogger(__name__)


@shared_task
def summarise(note: str, style: str = "brief") -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": f"{style}: {note}"}])
    return reply.choices[0].message.content


@shared_task(bind=True, max_retries=3)
def letter(self, patient_name: str) -> None:
    log.info("letter for %s", patient_name)


def requeue(visit) -> None:
    summarise.delay(visit.clinical_note)
'''

VIEWS = '''\
import logging

from app.tasks import letter, summarise

log = logging.getLogger(__name__)


def close_visit(visit) -> None:
    queued = summarise.delay(visit.clinical_note)
    summarise.delay("Say hello", style=visit.clinical_note)
    summarise.delay("Say hello", style="long")
    letter.delay(visit.patient_name)
    letter.delay("the patient")
    log.info("queued %s", queued)
'''


def test_a_task_queued_with_delay_runs_with_its_arguments(tmp_path: Path) -> None:
    """Celery's layout: views queue `summarise.delay(note)`, the task in tasks.py sends it to the
    model; `bind=True` tasks take the task as `self`. What `.delay()` gives is a handle on the
    queued run, not the model's answer."""
    found = findings(tmp_path, {"app/__init__.py": "", "app/tasks.py": TASKS, "app/views.py": VIEWS})
    assert found == {
        ("app/tasks.py", 12, "PHI101"), ("app/tasks.py", 18, "PHI201"),  # requeue(): reported at the sink, as for any local helper
        ("app/views.py", 9, "PHI101"), ("app/views.py", 10, "PHI101"), ("app/views.py", 12, "PHI201"),
    }


CLIENT_FACTORIES = '''\
from openai import AzureOpenAI, OpenAI


def make_client() -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def make_sandbox():
    sandbox = OpenAI()
    return sandbox
'''

SUMMARIES = '''\
from app.factories import make_client


class Summariser:
    def __init__(self) -> None:
        self.client = make_client()

    def summarise(self, note: str) -> str:
        reply = self.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": note}])
        return reply.choices[0].message.content
'''

HANDOVER = '''\
from app.factories import make_client, make_sandbox
from app.summaries import Summariser

client = make_client()


def handover(visit) -> None:
    Summariser().summarise(visit.nursing_note)
    Summariser().summarise(visit.patient_name)
    azure = make_client()
    azure.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": visit.nursing_note}])
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": visit.nursing_note}])
    make_sandbox().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": visit.nursing_note}])
'''

POLICY_FOR_CLINICAL_TEXT = POLICY + '''
[tool.phi-lint.allowed-prompt-data]
"https://contoso-health.openai.azure.com" = ["health", "clinical-text"]
'''


def test_a_client_from_a_factory_of_another_module_is_sent_where_the_factory_points_it(tmp_path: Path) -> None:
    """The prompt data policy judges a request on a client a factory of another module made
    (`self.client = make_client()`, `azure = make_client()`) by that client's endpoint."""
    files = {"app/__init__.py": "", "app/factories.py": CLIENT_FACTORIES, "app/summaries.py": SUMMARIES, "app/handover.py": HANDOVER}
    found = findings(tmp_path, files, POLICY_FOR_CLINICAL_TEXT)
    assert found == {("app/factories.py", 9, "PHI301"), ("app/handover.py", 9, "PHI101"), ("app/handover.py", 13, "PHI101")}


LOGGING_SETUP = '''\
"""Logging: loguru as JSON lines; the other modules import the logger from here."""

import sys

from loguru import logger

logger.remove()
logger.add(sys.stderr, serialize=True, level="INFO")
'''

INTAKE = '''\
from app import logging_setup
from app.logging_setup import logger


def admit(patient) -> None:
    logger.info("admitted {}", patient.full_name)
    logging_setup.logger.info("admitted {}", patient.date_of_birth)
    logger.info("admitted one patient to ward {}", patient.ward)
'''


def test_a_name_a_module_imports_from_a_library_is_that_library_s_name_to_its_importers(tmp_path: Path) -> None:
    """`from app.logging_setup import logger`, where logging_setup.py configured loguru's logger:
    it is loguru's logger."""
    found = findings(tmp_path, {"app/__init__.py": "", "app/logging_setup.py": LOGGING_SETUP, "app/intake.py": INTAKE})
    assert found == {("app/intake.py", 6, "PHI201"), ("app/intake.py", 7, "PHI201")}


WRAPPER = '''\
from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def complete(prompt: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
'''

HANDOFF = '''\
from app.llm import complete


def _ask(question: str) -> str:
    return complete("Answer briefly: " + question)


def chart_answer(patient_name: str) -> str:
    return _ask(patient_name)
'''


def test_a_local_helper_that_hands_data_to_another_module_keeps_the_trace_into_it(tmp_path: Path) -> None:
    """`chart_answer` -> `_ask` (same file) -> `complete` (app/llm.py): the finding is where the
    data leaves the file, and its trace goes on to the model call in the other file, as it does
    when the handler calls the wrapper itself."""
    found = findings(tmp_path, {"app/__init__.py": "", "app/llm.py": WRAPPER, "app/qa.py": HANDOFF})
    assert found == {("app/qa.py", 5, "PHI101")}
    result = check_paths([tmp_path / "app" / "qa.py"], load_config(tmp_path / "pyproject.toml"))
    steps = result.findings[0].trace
    assert [s.note for s in steps[:3]] == ["source: `patient_name`", "passed to `_ask()`", "passed to `complete()`"]
    assert Path(steps[-1].path).as_posix().endswith("app/llm.py") and steps[-1].line == 7


BASE_AGENT = '''\
"""What every agent shares: the client, the logger, the one call to the model."""

import logging

from anthropic import AnthropicBedrock


class BaseAgent:
    def __init__(self, model: str = "anthropic.claude-sonnet-4-5") -> None:
        self.client = AnthropicBedrock(aws_region="us-east-1")
        self.logger = logging.getLogger(type(self).__name__)
        self.model = model

    def ask(self, prompt: str) -> str:
        reply = self.client.messages.create(model=self.model, max_tokens=512, messages=[{"role": "user", "content": prompt}])
        return reply.content[0].text


class TriageAgent(BaseAgent):
    def triage(self, patient) -> str:
        self.logger.info("triage for %s", patient.mrn)
        self.logger.info("triage for ward %s", patient.ward)
        return self.ask(f"Triage these symptoms: {patient.symptoms}")
'''

SOAP_AGENT = '''\
"""The scribe's agent: inherits the client, the logger and ask() from BaseAgent."""

from agents.base import BaseAgent


class SoapAgent(BaseAgent):
    def write(self, visit) -> str:
        self.logger.info("writing note for %s", visit.patient_name)
        self.logger.info("writing note %d", visit.note_number)
        return self.ask(f"Write a SOAP note from: {visit.transcript}")

    def greet(self) -> str:
        return self.ask("Say hello to the care team")


def summarise(visit) -> str:
    agent = SoapAgent()
    agent.ask(f"Summarise {visit.patient_name}")
    return agent.ask("List the SOAP sections")
'''


def test_methods_and_attributes_come_from_base_classes_in_the_module_and_in_other_modules(tmp_path: Path) -> None:
    found = findings(tmp_path, {"agents/__init__.py": "", "agents/base.py": BASE_AGENT, "agents/soap.py": SOAP_AGENT},
                     policy=POLICY + 'approved-regions = ["us-east-1"]\n')
    assert found == {
        ("agents/base.py", 21, "PHI201"),  # self.logger of the base's __init__, in a subclass of the module
        ("agents/base.py", 15, "PHI101"),  # ask(): the symptoms TriageAgent.triage sends, reported at the sink
        ("agents/soap.py", 8, "PHI201"),  # self.logger set by BaseAgent.__init__ in another module
        ("agents/soap.py", 10, "PHI101"),  # self.ask() of the base in another module
        ("agents/soap.py", 18, "PHI101"),  # SoapAgent().ask(): inherited through an instance
    }


SETTINGS_HERE = '''\
"""Settings and clients in one module, as small apps write them."""

from openai import OpenAI
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    base_url: str = "https://api.openai.com/v1"
    approved_url: str = "https://contoso-health.openai.azure.com/openai/v1"


settings = Settings()
public = OpenAI(base_url=settings.base_url)
approved = OpenAI(base_url=settings.approved_url)


def per_request() -> OpenAI:
    fresh = Settings()
    return OpenAI(base_url=fresh.base_url)
'''


def test_the_defaults_of_a_settings_instance_of_the_same_module_are_its_endpoints(tmp_path: Path) -> None:
    assert findings(tmp_path, {"app/llm.py": SETTINGS_HERE}) == {("app/llm.py", 13, "PHI301"), ("app/llm.py", 19, "PHI301")}


ROW_LOOKUPS = '''\
"""Row lookups for the nightly export."""
import sqlite3

DB_PATH = "clinic.db"


def _fetch_one(key):
    with sqlite3.connect(DB_PATH) as conn:
        return conn.execute("SELECT * FROM patients WHERE id = ?", (key,)).fetchone()


def row_for(key):
    return _fetch_one(key)


def slugify(title):
    return "-".join(title.lower().split())
'''

NIGHTLY_EXPORT = '''\
"""Nightly export: one line per exported row."""
import logging

from lookups import row_for, slugify

log = logging.getLogger(__name__)


def export(key, title):
    row = row_for(key)
    log.info("exporting %s", row)
    log.info("exporting %s", slugify(title))
'''


def test_a_helper_that_calls_one_reading_patients_makes_its_callers_worth_a_pass(tmp_path: Path) -> None:
    """nightly.py names nothing sensitive and imports no SDK: only what it imports from
    lookups.py can make `export` worth interpreting. `row_for` names nothing sensitive either,
    but calls `_fetch_one`, which reads the patients table: so it is, and the row it returns is
    found in the log. `slugify`, the module's other helper, does not make a line worth a pass."""
    from phi_lint.config import Config
    from phi_lint.engine import Engine

    assert Engine(Config()).names_worth_a_pass(ROW_LOOKUPS) == {"_fetch_one", "row_for"}
    assert findings(tmp_path, {"lookups.py": ROW_LOOKUPS, "nightly.py": NIGHTLY_EXPORT}) == {("nightly.py", 11, "PHI202")}


NIGHTLY_EXPORT_WHOLE_IMPORT = '''\
"""Nightly export, the helpers module imported whole."""
import logging

import lookups

log = logging.getLogger(__name__)


def export(key):
    row = lookups.row_for(key)
    log.info("exporting %s", row)


def export_title(title):
    log.info("exporting %s", lookups.slugify(title))
'''


def test_a_module_imported_whole_makes_worth_a_pass_only_the_lines_using_what_of_it_is(tmp_path: Path) -> None:
    """`import lookups` is read like `from lookups import row_for, slugify`: `lookups.row_for`
    makes `export` worth interpreting (and its row is found in the log), `lookups.slugify` does
    not make `export_title` so."""
    from phi_lint.workspace import check_project, run_settings

    (tmp_path / "pyproject.toml").write_text(POLICY)
    (tmp_path / "lookups.py").write_text(ROW_LOOKUPS)
    (tmp_path / "nightly.py").write_text(NIGHTLY_EXPORT_WHOLE_IMPORT)
    checked = [tmp_path / "lookups.py", tmp_path / "nightly.py"]
    result, workspace = check_project(checked, run_settings(checked, load_config(tmp_path / "pyproject.toml")), jobs=1)
    assert [(Path(fr.path).name, f.line, f.code) for fr in result.files for f in fr.findings] == [("nightly.py", 11, "PHI202")]
    nightly = workspace.index.analysis("nightly.py")
    assert nightly.functions["export"].summary is not None
    assert nightly.functions["export_title"].summary is None


def test_what_importers_read_of_a_module_is_given_back_to_its_check_once_and_for_that_text(tmp_path: Path) -> None:
    """A module of an import cycle is often asked what of it is worth a pass before its own
    check: the check reuses what was read of its text then, once, and never for another text (a
    fix pass, a file decoded otherwise)."""
    from phi_lint.workspace import Workspace, run_settings

    (tmp_path / "pyproject.toml").write_text(POLICY)
    (tmp_path / "lookups.py").write_text(ROW_LOOKUPS)
    settings = run_settings([tmp_path / "lookups.py"], load_config(tmp_path / "pyproject.toml"))
    index = Workspace(settings).index
    assert index.worth_names("lookups.py") == {"_fetch_one", "row_for"}
    kept = index.reading("lookups.py", ROW_LOOKUPS)
    assert kept is not None and "_fetch_one" in kept.regions
    assert index.reading("lookups.py", ROW_LOOKUPS) is None, "given back once"
    index = Workspace(settings).index
    index.worth_names("lookups.py")
    assert index.reading("lookups.py", ROW_LOOKUPS + "\ndef extra():\n    pass\n") is None


def test_what_of_a_module_is_worth_a_pass_is_read_from_its_text() -> None:
    from phi_lint.config import Config
    from phi_lint.engine import Engine

    engine = Engine(Config())
    helpers = (
        "# Shared helpers of the referral service.\n"
        "import re\n\n"
        "@lru_cache\n"
        "def normalise_code(code):\n"
        "    return re.sub(r'\\\\s+', '', code)\n\n"
        "class MemberCard:\n"
        "    def render(self):\n"
        "        return f'{self.member_id}'\n\n"
        "def card_for(row):\n"
        "    return MemberCard(row)\n"
    )
    assert engine.names_worth_a_pass(helpers) == {"MemberCard", "card_for"}
    assert engine.names_worth_a_pass(helpers + "\nDEFAULT_CARD = card_for(None)\n") is None, "module-level code uses it"
    assert engine.names_worth_a_pass(helpers + "\nfrom openai import OpenAI\n") is None, "an SDK makes all of it worth a pass"
    assert engine.names_worth_a_pass("def add(a, b):\n    return a + b\n") == frozenset()


def test_comments_and_docstrings_make_nothing_worth_a_pass() -> None:
    """`member` in a docstring (socket's `IntEnum member`) made the function, and through it the
    whole module and every module importing it, worth interpreting. A string that starts a line
    after one ending in `:` is a docstring; a string that is a value is still read."""
    from phi_lint.config import Config
    from phi_lint.engine import Engine

    engine = Engine(Config())
    helpers = (
        "def to_enum(value, klass):\n"
        '    """Convert a value to an IntEnum member.\n\n'
        "    If it is not a known member, return the value itself.\n"
        '    """\n'
        "    try:  # a member of the enum, or the value\n"
        "        return klass(value)\n"
        "    except ValueError:\n"
        "        return value\n\n"
        "class Registry:\n"
        "    r'''Holds every member.'''\n"
        "    def add(self, item):\n"
        "        if item:\n"
        '            """the member is new"""\n'
        "            self.items.append(item)\n\n"
        "to_enum(1, int)\n"
    )
    assert engine.names_worth_a_pass(helpers) == frozenset()
    valued = helpers + '\ndef prompt_for(record):\n    return (\n        """Summarise {member_name}\'s visit.""".format(**record)\n    )\n'
    assert engine.names_worth_a_pass(valued) == {"prompt_for"}
    # a template's closing quotes at column 0 start no docstring: the code after them is read (its
    # lines at column 0 count as module-level code: more than needed, never less)
    template = (
        "def summary_prompt(visit):\n"
        '    text = """\n'
        "Summarise the visit. # keep it short\n"
        '"""\n'
        "    return text + visit.patient_name\n"
    )
    assert engine.names_worth_a_pass(template) is None


def test_exporting_a_busy_module_that_looks_itself_up_ends(monkeypatch) -> None:
    """An import cycle's module is busy while its facts are computed; a module that asks for them
    then gets what is known so far, exported from its half-run analysis. Exporting can look the
    module up again (a client made by a factory named through the module's own dotted name):
    that lookup gets nothing rather than exporting again, for ever (seen on a site-packages)."""
    import phi_lint.analysis.project as project
    from phi_lint.analysis.exports import ModuleFacts

    index = project.ProjectIndex(project.ModuleMap(Path("."), ["app/clients.py"]), lambda path, view: None,
                                 lambda path: frozenset())
    exports = []

    def exporting(m, path):
        exports.append(path)
        assert index.facts(path, asked_by=path) is None  # looked up again while exporting: nothing yet
        return ModuleFacts(path)

    monkeypatch.setattr(project, "module_facts", exporting)
    index._busy.append("app/clients.py")
    index._analyses["app/clients.py"] = object()  # its analysis, half run
    assert index.facts("app/clients.py", asked_by="app/notes.py") == ModuleFacts("app/clients.py")
    assert exports == ["app/clients.py"]


RESOURCE_BASE = '''\
"""Shared plumbing for the resources that call the model."""
from openai import OpenAI


class ModelResource:
    def __init__(self, client: OpenAI, model: str = "gpt-4o-mini") -> None:
        self._client = client
        self._model = model
'''

NOTE_SUMMARIES = '''\
from app.clients.base import ModelResource


class NoteSummaries(ModelResource):
    def summarise(self, patient) -> str:
        reply = self._client.chat.completions.create(
            model=self._model,
            messages=[{"role": "user", "content": f"Summarise: {patient.clinical_notes}"}],
        )
        return reply.choices[0].message.content

    def title(self, slug: str) -> str:
        reply = self._client.chat.completions.create(
            model=self._model,
            messages=[{"role": "user", "content": f"A title for the article {slug}"}],
        )
        return reply.choices[0].message.content
'''


def test_a_base_class_attributes_are_known_when_only_the_subclass_file_is_checked(tmp_path: Path) -> None:
    """`self._client`, set by the `__init__` of a base class in another module, is the OpenAI
    client in the subclass's methods, also when only the subclass's file is checked (a pre-commit
    hook given notes.py alone): the base module is then only opened, and its class facts used to
    lack what `__init__` sets unless its own check had run it (seen on the openai SDK)."""
    from phi_lint.config import load_config
    from phi_lint.runner import check_paths

    project = {"app/__init__.py": "", "app/clients/__init__.py": "", "app/clients/base.py": RESOURCE_BASE,
               "app/notes.py": NOTE_SUMMARIES}
    assert findings(tmp_path, project) == {("app/notes.py", 8, "PHI101")}
    alone = check_paths([tmp_path / "app/notes.py"], load_config(tmp_path / "pyproject.toml"))
    assert [(f.line, f.code) for fr in alone.files for f in fr.findings] == [(8, "PHI101")]


SECTIONS = '''\
import logging

from openai import OpenAI

from app import walker

log = logging.getLogger(__name__)


def walk_sections(section, depth):
    if depth < 3:
        walker.walk(section, depth + 1)
    log.info("visited %s", section)
    return section
'''

WALKER = '''\
from app import sections


def walk(section, depth):
    if depth > 5:
        return None
    return sections.walk_sections(section, depth)
'''

CHART_EXPORT = '''\
from app.walker import walk


def export(patient_chart):
    walk(patient_chart, 0)


def preview(outline):
    walk(outline, 0)  # a section outline, no patient: nothing to report
'''


def test_functions_of_two_modules_that_call_each_other_are_summarised_whichever_is_checked_first(tmp_path: Path) -> None:
    """sections.py imports an SDK, so its check runs `walk_sections`, which calls `walk` in
    walker.py, which calls it back. `walk` used to be summarised then, with nothing known of
    `walk_sections`, and kept so: the whole project missed the chart reaching the log, while
    export.py checked alone (a pre-commit hook given only it) found it."""
    from phi_lint.config import load_config
    from phi_lint.runner import check_paths

    project = {"app/__init__.py": "", "app/sections.py": SECTIONS, "app/walker.py": WALKER, "app/export.py": CHART_EXPORT}
    assert findings(tmp_path, project) == {("app/export.py", 5, "PHI202")}
    config = load_config(tmp_path / "pyproject.toml")
    for files in (["app/export.py"], ["app/sections.py", "app/export.py"], ["app/walker.py", "app/export.py"]):
        result = check_paths([tmp_path / name for name in files], config)
        assert [(f.line, f.code) for fr in result.files for f in fr.findings] == [(5, "PHI202")], files


TEXT_HELPERS = '''\
"""Text helpers shared by the routes: an audit log, and a scrubber that needs nothing else."""

import logging
import re

from app.registry import load_redactions

logger = logging.getLogger("intake.audit")
REDACTIONS = load_redactions()


def scrub_digits(text: str) -> str:
    return re.sub(r"[0-9]", "#", text)


def audit(event: str, actor: str) -> None:
    logger.info("%s by %s", event, actor)
'''

REDACTION_REGISTRY = '''\
def load_redactions() -> dict[str, str]:
    return {"ssn": "###-##-####", "phone": "(###) ###-####"}
'''

SCRUBBING_ROUTES = '''\
import logging

from fastapi import APIRouter

from app.text import scrub_digits

log = logging.getLogger(__name__)
router = APIRouter()


@router.post("/notes")
def add_note(patient_name: str, ward: str) -> dict:
    log.info("note for %s", scrub_digits(patient_name))
    log.info("note on ward %s", scrub_digits(ward))
    return {"ok": True}
'''

AUDITED_ROUTES = '''\
from fastapi import APIRouter

from app.text import audit

router = APIRouter()


@router.post("/notes")
def add_note(patient_name: str, ward: str) -> dict:
    audit("note added", patient_name)
    audit("note added", ward)
    return {"ok": True}
'''


def test_a_module_opened_for_a_function_runs_its_body_only_when_that_function_reads_it(tmp_path: Path) -> None:
    """text.py's body makes its logger and loads a registry from registry.py. Checking routes
    that only call `scrub_digits` neither runs that body nor opens registry.py, and still traces
    the name through it; routes that call `audit` (which reads the logger) get the body run."""
    from phi_lint.workspace import check_project, run_settings

    files = {"app/__init__.py": "", "app/text.py": TEXT_HELPERS, "app/registry.py": REDACTION_REGISTRY}
    for name, routes in (("scrubbing", SCRUBBING_ROUTES), ("audited", AUDITED_ROUTES)):
        root = tmp_path / name
        (root / "pyproject.toml").parent.mkdir(parents=True)
        (root / "pyproject.toml").write_text(POLICY)
        for path, text in {**files, "app/routes.py": routes}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        checked = [root / "app" / "routes.py"]
        result, workspace = check_project(checked, run_settings(checked, load_config(root / "pyproject.toml")), jobs=1)
        found = [(f.line, f.code) for fr in result.files for f in fr.findings]
        text = workspace.index.analysis("app/text.py")
        if name == "scrubbing":
            assert found == [(13, "PHI201")]
            assert text.module_scope is None and "app/registry.py" not in workspace.index._analyses
        else:
            assert found == [(10, "PHI201")]
            assert text.module_scope is not None


AUDIT_SCRIPT = '''\
"""The audit log of the routes; run as a script, it replays a day's audit file."""

import logging
import sys

from app.replay import replay_day

logger = logging.getLogger("intake.audit")


def audit(event: str, actor: str) -> None:
    logger.info("%s by %s", event, actor)


def main(argv: list[str]) -> int:
    replay_day(argv[1])
    return 0


if __name__ == "__main__":
'''

REPLAY = '''\
def replay_day(path: str) -> None:
    with open(path) as handle:
        for line in handle:
            print(line.strip())
'''


@pytest.mark.parametrize(("main_block", "runs"), [
    ("    sys.exit(main(sys.argv))\n", False),
    ("    logging.basicConfig(level=logging.INFO)\n    sys.exit(main(sys.argv))\n", False),
    ("    day = sys.argv[1]\n    sys.exit(main([sys.argv[0], day]))\n", True),
    ("    main(sys.argv)\nelse:\n    replay_day('today.log')\n", True),
], ids=["calls", "calls-logging-setup", "binds-a-name", "has-an-else"])
def test_a_module_opened_for_another_runs_as_imported_without_its_main_block(tmp_path: Path, main_block: str, runs: bool) -> None:
    """text.py's body runs for `audit` (which reads its logger), as imported: an `if __name__ ==
    "__main__":` block that only calls functions never runs on import, and running it opened
    replay.py for `main`'s summary. A block that binds a name, or has an `else`, still runs."""
    from phi_lint.workspace import check_project, run_settings

    (tmp_path / "pyproject.toml").write_text(POLICY)
    files = {"app/__init__.py": "", "app/text.py": AUDIT_SCRIPT + main_block, "app/replay.py": REPLAY, "app/routes.py": AUDITED_ROUTES}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    checked = [tmp_path / "app" / "routes.py"]
    result, workspace = check_project(checked, run_settings(checked, load_config(tmp_path / "pyproject.toml")), jobs=1)
    assert [(f.line, f.code) for fr in result.files for f in fr.findings] == [(10, "PHI201")]
    assert workspace.index.analysis("app/text.py").module_scope is not None
    assert ("app/replay.py" in workspace.index._analyses) is runs
