"""PHI5xx beyond the fixtures: the project's own guards, where a finding sits and how it is
suppressed, and what the route facts record."""

from __future__ import annotations

import ast
import textwrap

from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.analysis.routes import routes_of
from phi_lint.config import Config
from phi_lint.engine import Engine

POLICY = dict(approved_endpoints=("https://contoso-health.openai.azure.com",), sanitizers=("contoso.privacy.redact",))

APP = '''\
from fastapi import APIRouter, FastAPI
from openai import AzureOpenAI
from pydantic import BaseModel

from contoso.auth import require_clinician

app = FastAPI()
notes = APIRouter(prefix="/notes")
client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


class Note(BaseModel):
    text: str


def summarise(text):
    answer = client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content


@app.post("/summary")
@require_clinician
def summary(note: Note) -> dict:
    return {"summary": summarise(note.text)}


@notes.post("/summary")
def notes_summary(note: Note) -> dict:
    return {"summary": summarise(note.text)}
'''


def check(source: str, **config) -> list:
    engine = Engine(Config(**{**POLICY, **config}))
    return [f for f in engine.check_source(textwrap.dedent(source), "app/routes.py") if f.code.startswith("PHI5")]


def test_a_guard_the_catalogue_does_not_know_is_declared_in_auth_guards() -> None:
    found = check(APP)
    assert [(f.line, f.code) for f in found] == [(21, "PHI501"), (27, "PHI501")]
    assert "`POST /summary`" in found[0].message and "`POST /notes/summary`" in found[1].message
    assert found[0].controls.soc2 == ("CC6.1", "CC6.3") and found[0].controls.hipaa == ("§164.312(a)(1)", "§164.312(d)")
    # by dotted name, and a router another module mounts behind a guard by its own
    assert check(APP, auth_guards=("contoso.auth.require_clinician", "app.routes.notes")) == []
    # by bare name
    assert [f.line for f in check(APP, auth_guards=("require_clinician",))] == [27]


def test_the_finding_carries_the_route_and_the_trace_to_the_model() -> None:
    found = check(APP)[0]
    assert found.message.startswith("`POST /summary` sends the request body (`note`) to OpenAI chat.completions.create and returns its answer")
    notes = [step.note for step in found.trace]
    assert notes[0] == "source: `note`" and notes[-1].startswith("reaches OpenAI chat.completions.create")
    assert found.fix is None


def test_a_suppression_above_the_decorators_accepts_the_route() -> None:
    source = APP.replace('@app.post("/summary")\n@require_clinician', '# phi-lint: ignore[PHI501] reason="kiosk behind the ward VPN"\n@app.post("/summary")')
    found = {f.line: f for f in Engine(Config(**POLICY)).check_source(source, "app/routes.py") if f.code == "PHI501"}
    assert found[22].suppression is not None and found[22].suppression.reason == "kiosk behind the ward VPN"
    assert found[27].suppression is None


def test_fingerprints_survive_lines_inserted_above() -> None:
    before = {f.fingerprint for f in check(APP)}
    after = {f.fingerprint for f in check(APP.replace("import BaseModel\n", "import BaseModel\n\nTIMEOUT = 30\n"))}
    assert before == after and len(before) == 2


def test_route_facts_name_method_path_guards_and_public_markers() -> None:
    source = textwrap.dedent('''\
        from django.views.decorators.csrf import csrf_exempt
        from rest_framework.permissions import AllowAny, IsAuthenticated
        from rest_framework.views import APIView


        class Open(APIView):
            permission_classes = [AllowAny]

            def post(self, request):
                return None


        class Closed(APIView):
            permission_classes = [IsAuthenticated, AllowAny]

            def get(self, request):
                return None


        @csrf_exempt
        def hook(request):
            return None
        ''')
    engine = Engine(Config())
    m = ModuleAnalysis(ast.parse(source), "clinic/views.py", source.splitlines(), engine.catalog, engine.classifier, (), (), False)
    m.run(None)
    routes = {r.qualname: r for r in routes_of(m)}
    assert routes["Open.post"].methods == ("POST",) and routes["Open.post"].path is None
    assert [p.text for p in routes["Open.post"].public] == ["`permission_classes = [AllowAny]`"] and not routes["Open.post"].guards
    assert routes["Closed.get"].guards and not routes["Closed.get"].public
    assert routes["hook"].framework.name == "Django" and [p.text for p in routes["hook"].public] == ["`@csrf_exempt`"]


MOUNTED = '''\
from fastapi import APIRouter

from app.llm import ask

router = APIRouter()


@router.post("/triage")
def triage(symptoms: str, date_of_birth: str) -> dict:
    return {"priority": ask(f"{symptoms}, born {date_of_birth}")}
'''

WRAPPER = '''\
from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def ask(prompt: str) -> str:
    return client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}]).choices[0].message.content
'''

MAIN = '''\
from fastapi import Depends, FastAPI

from app import intake
from app.auth import verify_session

app = FastAPI()
app.include_router(intake.router, prefix="/intake", dependencies=[Depends(verify_session)])
'''


def test_a_router_is_guarded_where_another_module_mounts_it_and_an_edit_there_is_seen(tmp_path, monkeypatch) -> None:
    """main.py mounts intake.py's router behind a session check: checking intake.py alone (as
    pre-commit and flake8 do) sees it, and the cached result of intake.py is not reused once
    main.py mounts the router with nothing (its key depends on the modules that mount it)."""
    import json

    from click.testing import CliRunner

    from phi_lint.cli import main

    (tmp_path / "pyproject.toml").write_text('[tool.phi-lint]\nselect = ["PHI5"]\n')
    app = tmp_path / "app"
    app.mkdir()
    for name, text in {"__init__.py": "", "intake.py": MOUNTED, "llm.py": WRAPPER, "main.py": MAIN,
                       "auth.py": "def verify_session(token: str) -> str:\n    return token\n"}.items():
        (app / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PHI_LINT_NO_CACHE", raising=False)

    def findings() -> list[tuple[int, str, str]]:
        out = CliRunner().invoke(main, ["check", "--format", "json", "app/intake.py"], catch_exceptions=False).stdout
        return [(f["line"], f["code"], f["message"]) for f in json.loads(out)["findings"]]

    assert findings() == []
    assert findings() == []  # warm
    (app / "main.py").write_text(MAIN.replace(', dependencies=[Depends(verify_session)]', ""))
    (line, code, message), = findings()
    assert (line, code) == (8, "PHI501") and message.startswith("`POST /intake/triage` sends PHI")
    (app / "main.py").write_text(MAIN.replace("app.include_router(", "public = FastAPI()\npublic.include_router(intake.router)\napp.include_router("))
    assert [(line, code) for line, code, _ in findings()] == [(8, "PHI501")]  # mounted on a second app too, with nothing


DRF_VIEWS = '''\
from anthropic import Anthropic
from rest_framework.response import Response
from rest_framework.views import APIView

claude = Anthropic()


class TriageView(APIView):
    def post(self, request):
        answer = claude.messages.create(model="claude", max_tokens=300, messages=[{"role": "user", "content": request.data["symptoms"]}])
        return Response({"answer": answer.content[0].text})
'''

MANAGE = 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n'
GUARDED = 'REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",)}\n'


def test_drf_views_are_guarded_by_the_default_permissions_of_the_settings_manage_py_names(tmp_path, monkeypatch) -> None:
    """A DRF view with no permission classes of its own is guarded when the settings module that
    the entry points name requires them; an edit to the settings reaches the view's cached
    result; settings phi-lint cannot read for sure guard nothing."""
    import json

    from click.testing import CliRunner

    from phi_lint.cli import main

    (tmp_path / "pyproject.toml").write_text('[tool.phi-lint]\nselect = ["PHI5"]\n')
    for name, text in {"manage.py": MANAGE, "site_conf/__init__.py": "", "site_conf/settings.py": GUARDED,
                       "site_conf/local.py": "DEBUG = True\n", "triage/__init__.py": "", "triage/views.py": DRF_VIEWS}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PHI_LINT_NO_CACHE", raising=False)
    settings = tmp_path / "site_conf" / "settings.py"

    def findings() -> list[tuple[int, str]]:
        out = CliRunner().invoke(main, ["check", "--format", "json", "triage/views.py"], catch_exceptions=False).stdout
        return [(f["line"], f["code"]) for f in json.loads(out)["findings"]]

    assert findings() == [] and findings() == []
    unguarded = [(9, "PHI501")]
    for text in (
        GUARDED.replace("IsAuthenticated", "AllowAny"),  # open by default
        'REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "60/minute"}}\n',  # DRF's own default: AllowAny
        GUARDED + 'if DEBUG:\n    REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = []\n',  # changed after it is set
        GUARDED + "from some_installed_package.settings import *\n",  # may set it again
        'BASE = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\nREST_FRAMEWORK = {**BASE}\n',
    ):
        settings.write_text(text)
        assert findings() == unguarded, text
    settings.write_text("from .local import *\n" + GUARDED + "try:\n    from .local import *\nexcept ImportError:\n    pass\n")
    assert findings() == []  # the project's local.py sets no REST_FRAMEWORK
    (tmp_path / "site_conf" / "local.py").write_text('REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": []}\n')
    assert findings() == unguarded
    (tmp_path / "site_conf" / "local.py").write_text("DEBUG = True\n")
    (tmp_path / "wsgi.py").write_text(MANAGE.replace("site_conf.settings", "site_conf.local"))  # a second entry point
    assert findings() == unguarded
