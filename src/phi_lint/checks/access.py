"""PHI5xx: web routes that reach a model with patient data and no access control."""

from __future__ import annotations

from typing import Iterator

from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import CLINICAL_TEXT, PAYLOAD, PHI_FIELD, PHI_RECORD, real
from phi_lint.analysis.routes import Route, model_flows, patient_data, returns_answer, routes_of
from phi_lint.catalog import MODEL_KINDS
from phi_lint.checks.base import Context, Report, Rule
from phi_lint.model import Severity

# How each kind of patient data reads in a message.
_DATA_WORDS = {PHI_FIELD: "PHI", PHI_RECORD: "a PHI record", CLINICAL_TEXT: "clinical text", PAYLOAD: "the request body"}


def what_reaches(flows: list[FlowEvent], answer: bool) -> str:
    """`the request body (`body`) and PHI (`patient['dob']`) to OpenAI chat.completions.create
    and returns its answer`: what the route sends, to which model call."""
    by_source: dict[str, str] = {}  # one description per source: a body that is a record is named once
    for event in flows:
        taint = real(event.taint)
        for label in patient_data(event.taint):
            by_source.setdefault(taint[label].source, _DATA_WORDS.get(label, label))
    parts = [f"{words} (`{source}`)" for source, words in by_source.items()]
    sinks = list(dict.fromkeys(event.sink for event in flows))
    shown = parts[:2] + ([f"{len(parts) - 2} more"] if len(parts) > 2 else [])
    to = sinks[0] + (f" and {len(sinks) - 1} other model call{'s' if len(sinks) > 2 else ''}" if len(sinks) > 1 else "")
    return f"{_and(shown)} to {to}" + (" and returns its answer" if answer else "")


def unguarded_model_routes(ctx: Context) -> Iterator[tuple[Route, list[FlowEvent]]]:
    """Routes with no guard whose handler sends patient data to a model."""
    m = ctx.analysis
    if not any(event.kind in MODEL_KINDS for event in m.events.values()):
        return
    for route in routes_of(m, ctx.config.auth_guards):
        if route.guards:
            continue
        flows = model_flows(m, route)
        if flows:
            yield route, flows


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _trace(flows: list[FlowEvent]):
    first = flows[0]
    labels = patient_data(first.taint)
    return real(first.taint)[labels[0]].steps


class ModelRouteRule(Rule):
    """Routes with no guard that send patient data to a model: the explicitly public ones
    (`public = True`, reported at their marker) or the others (at the route)."""

    public = False

    def check(self, ctx: Context) -> Iterator[Report]:
        for route, flows in unguarded_model_routes(ctx):
            if bool(route.public) != self.public:
                continue
            marker = route.public[0] if route.public else None
            message = self.message.format(route=route.label, what=what_reaches(flows, returns_answer(ctx.analysis, route)),
                                          expects=route.framework.expects, marker=marker.text if marker else "")
            yield Report(node=marker.node if marker else route.anchor, message=message, stmt=route.header, steps=_trace(flows))


class UnauthenticatedModelRoute(ModelRouteRule):
    """## What it does
    Finds a web route (FastAPI, Flask, Django, Django REST framework, Starlette) whose handler
    sends PHI, a PHI record or a request body to a model, directly or through a function of the
    same module, while nothing authenticates the caller: no FastAPI `Depends(...)`/`Security(...)`
    guard on the route, its router or the app; no Flask `@login_required` (or another auth
    decorator) and no `before_request` hook that turns requests away; no Django `@login_required`,
    `@permission_required` or `LoginRequiredMixin`; no DRF `permission_classes` other than
    `AllowAny`; no Starlette `@requires(...)`; no `if not request.user.is_authenticated:` check
    that ends the request. A route that is explicitly public is PHI502's.

    The route may send the data through a wrapper in another module of the project
    (`complete(prompt)` in llm.py), and its router or blueprint may be guarded where another
    module mounts it: `app.include_router(notes.router, dependencies=[Depends(verify_session)])`
    in main.py, or on a guarded parent router or app there (every place that mounts it must
    guard it; one open door is enough).

    Guards are catalogue data (rules/access-control.toml): the frameworks' own, common auth
    libraries, and project checks named for what they do (`get_current_user`, `verify_api_key`,
    `@token_required`). `Depends(get_db)` authenticates nobody and is not a guard. List your own
    in `auth-guards`: decorators, dependencies, mixins, permission classes, or a router or
    blueprint mounted behind a guard where phi-lint does not look (inside an app factory function,
    or outside the project) by its dotted name (`app.api.notes.router`).

    A DRF view that sets no permission classes of its own is guarded by the project's
    `REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]` when every settings module the entry points
    name (`DJANGO_SETTINGS_MODULE` in manage.py, wsgi.py, asgi.py) sets it to a class other than
    `AllowAny`, directly or through a star import of the project; a value phi-lint cannot read
    for sure guards nothing. Where another default authenticates every view (Django's
    `LoginRequiredMiddleware`), list the base class or decorator in `auth-guards`, or ignore
    PHI501 for those files: PHI502 still reports routes made public explicitly.

    ## Why is this bad?
    Whoever can call the route can send a patient's data to the model and read the model's answer
    about the patient: the route is a door to PHI with no lock. HIPAA requires access control
    (§164.312(a)(1)) and authentication of the person or entity seeking access (§164.312(d)); SOC 2
    asks for logical access controls on the systems that hold confidential data (CC6.1) and for
    access that is granted and removed on purpose (CC6.3).

    ## Example
    ```python
    @app.post("/notes/summary")
    async def summarise(note: ClinicalNote) -> dict:
        answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": note.text}])
        return {"summary": answer.choices[0].message.content}
    ```

    ## Use instead
    ```python
    @app.post("/notes/summary")
    async def summarise(note: ClinicalNote, user: User = Depends(get_current_user)) -> dict:
        ...
    ```
    or guard the router (`APIRouter(dependencies=[Depends(get_current_user)])`) or the app.

    ## Fix safety
    No fix: which guard fits (a login, a role, a service token) is the application's decision.

    ## Controls
    SOC 2 CC6.1, CC6.3; HIPAA §164.312(a)(1), §164.312(d).

    ## References
    - 45 CFR §164.312(a)(1): access control; §164.312(d): person or entity authentication
    - OWASP API Security Top 10: API2 Broken Authentication, API5 Broken Function Level Authorization
    """

    code = "PHI501"
    name = "unauthenticated-model-route"
    severity = Severity.ERROR
    message = "{route} sends {what}, and nothing authenticates the caller: add {expects}"
    public = False


class PublicModelRoute(ModelRouteRule):
    """## What it does
    Finds a web route made explicitly public that sends PHI, a PHI record or a request body to a
    model: DRF `permission_classes = [AllowAny]` (or `@permission_classes([AllowAny])`, or an
    empty list), a Django view marked `@csrf_exempt` or `@login_not_required` with no other
    guard. The finding is reported at the marker.

    ## Why is this bad?
    A public marker is a decision someone wrote down: anyone may call this route. On a route that
    hands a patient's data to a model, or the model's answer back, that decision exposes PHI to
    unauthenticated callers (and `@csrf_exempt` without authentication lets any web page post to
    it). It needs a guard, or a reason recorded where an auditor will find it.

    ## Example
    ```python
    class TriageView(APIView):
        permission_classes = [AllowAny]

        def post(self, request):
            answer = chain.invoke({"symptoms": request.data["symptoms"]})
            return Response({"priority": answer})
    ```

    ## Use instead
    ```python
    class TriageView(APIView):
        permission_classes = [IsAuthenticated]
    ```

    ## Fix safety
    No fix: opening a route was a decision; closing it is one too.

    ## Controls
    SOC 2 CC6.1, CC6.3; HIPAA §164.312(a)(1), §164.312(d).

    ## References
    - Django REST framework: Permissions (`AllowAny`, `DEFAULT_PERMISSION_CLASSES`)
    - Django: `csrf_exempt`, `login_not_required`
    """

    code = "PHI502"
    name = "public-model-route"
    severity = Severity.ERROR
    message = "{route} is explicitly public ({marker}) and sends {what}"
    public = True
