"""Web routes of a module, the guards in front of them, and what their handlers send to models.

A route is a function a web framework calls for a request: `@app.post("/triage")` (FastAPI,
Flask, Starlette), `Route("/triage", endpoint)` (Starlette), a Django or DRF view (a module
function taking `request`, `@api_view`, a method of a class-based view). Its guards are what
authenticates the caller before the handler runs: on the route, on its router or blueprint, on
the app, or a first check in the handler's body. All of it is read from the module's top-level
statements and class bodies through the catalogue (rules/access-control.toml) and the project's
`auth-guards`; a project-defined check counts when its name says what it does
(`get_current_user`, `@token_required`).
"""

from __future__ import annotations

import ast
import functools
import re
import weakref
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from phi_lint.analysis.classify import split_words
from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.imports import module_package
from phi_lint.analysis.labels import LLM_RESPONSE, PATIENT_DATA, real
from phi_lint.analysis.settings_defaults import default_guards
from phi_lint.analysis.syntax import names_in_text
from phi_lint.catalog import MODEL_KINDS, AccessControl, WebFramework, matches_any

if TYPE_CHECKING:
    from phi_lint.analysis.module import ModuleAnalysis

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

# DRF viewset actions and the HTTP method each answers.
_ACTION_METHODS = {"list": "GET", "retrieve": "GET", "create": "POST", "update": "PUT", "partial_update": "PATCH",
                   "destroy": "DELETE", "form_valid": "POST"}


@dataclass(frozen=True)
class Place:
    """A stretch of source that is not one ast node: a route's name, or its decorators and `def`
    line (what suppression comments and fingerprints read)."""

    lineno: int
    col_offset: int
    end_lineno: int
    end_col_offset: int


@dataclass(frozen=True)
class PublicMarker:
    """A marker that makes a route explicitly public: `permission_classes = [AllowAny]`, `@csrf_exempt`."""

    text: str
    node: ast.AST


@dataclass
class Route:
    framework: WebFramework
    methods: tuple[str, ...]  # empty: any method
    path: str | None  # None: registered elsewhere (a Django URLconf)
    handler: FunctionNode
    cls: ast.ClassDef | None
    anchor: ast.AST | Place  # where findings about the route are reported
    header: Place  # its decorators and `def` line
    guards: list[str] = field(default_factory=list)  # how it is guarded, as written
    public: list[PublicMarker] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.cls.name}.{self.handler.name}" if self.cls is not None else self.handler.name

    @property
    def method_text(self) -> str:
        return "|".join(self.methods) if self.methods else "ANY"

    @property
    def name(self) -> str:
        """`POST /triage`, or `POST TriageView.post` for a view whose path lives in a URLconf."""
        return f"{self.method_text} {self.path if self.path is not None else self.qualname}"

    @property
    def label(self) -> str:
        """`POST /triage`, or `TriageView.post` (POST) for a view whose path lives in a URLconf."""
        if self.path is not None:
            return f"`{self.method_text} {self.path}`"
        methods = f" ({self.method_text})" if self.methods else ""
        return f"the {self.framework.name} view `{self.qualname}`{methods}"


@dataclass
class _Mount:
    """An app or router object of the module, and where it is mounted."""

    framework: WebFramework
    name: str
    prefix: str = ""
    guards: list[str] = field(default_factory=list)
    mounts: list[tuple["_Mount", list[str], str]] = field(default_factory=list)  # (parent, guards of the include call, prefix)
    configured: bool = False  # listed in `auth-guards`: guarded where it is mounted
    router: bool = False  # a router or blueprint (an app is not mounted)
    elsewhere: list[Mounted] = field(default_factory=list)  # where other modules of the project mount it

    def route_guards(self, depth: int = 0) -> list[str]:
        if self.guards or self.configured or depth > 8:
            return self.guards or [f"`{self.name}` is listed in `auth-guards`"]
        if not self.mounts and not self.elsewhere:
            return []
        found = []
        # every mount must guard it: one open door is enough
        for through in [include_guards or parent.route_guards(depth + 1) for parent, include_guards, _ in self.mounts] + [
                mounted.guards for mounted in self.elsewhere]:
            if not through:
                return []
            found = found or list(through)
        return found

    def route_prefix(self, depth: int = 0) -> str:
        if len(self.mounts) == 1 and not self.elsewhere and depth < 8:
            parent, _, prefix = self.mounts[0]
            return parent.route_prefix(depth + 1) + prefix + self.prefix
        if len(self.elsewhere) == 1 and not self.mounts:
            return self.elsewhere[0].prefix + self.prefix
        return self.prefix


@dataclass(frozen=True)
class Mounted:
    """A router or blueprint of another module, mounted by this one
    (`app.include_router(notes.router, dependencies=[Depends(verify)])` in main.py)."""

    target: tuple[str, str]  # (its file, its name there)
    guards: tuple[str, ...]  # what guards it here (the include call's, else the parent's); empty: nothing
    prefix: str  # the path this module puts in front of its routes


def mounted_elsewhere(m: ModuleAnalysis, auth_guards: tuple[str, ...] = (), depth: int = 0) -> list[Mounted]:
    """The routers and blueprints of other modules that this module mounts, with their guards."""
    if m not in _MOUNTED:
        finder = _RouteFinder(m, auth_guards, depth)
        finder.collect_mounts()
        _MOUNTED[m] = finder.foreign
    return _MOUNTED[m]


def may_define_router(text: str, access: AccessControl) -> bool:
    """Could a module make a router or blueprint (read from its text: a superset)?"""
    return _router_words(access)(text)


def may_mount(text: str, access: AccessControl) -> bool:
    """Could a module mount a router or blueprint (`include_router(`, `register_blueprint(`)?"""
    return bool(_include_words(access).search(text))


@functools.lru_cache(maxsize=4)
def _router_words(access: AccessControl) -> Callable[[str], bool]:
    return names_in_text(sorted({r.rsplit(".", 1)[-1] for fw in access.frameworks for r in fw.routers}))


@functools.lru_cache(maxsize=4)
def _include_words(access: AccessControl) -> re.Pattern:
    names = sorted({i for fw in access.frameworks for i in fw.include})
    return re.compile(r"\.(?:" + "|".join(map(re.escape, names)) + r")\s*\(" if names else r"(?!)")


_CACHE: "weakref.WeakKeyDictionary[ModuleAnalysis, list[Route]]" = weakref.WeakKeyDictionary()
_MOUNTED: "weakref.WeakKeyDictionary[ModuleAnalysis, list[Mounted]]" = weakref.WeakKeyDictionary()
MAX_MOUNT_DEPTH = 4  # routers mounted on routers of other modules, followed this far


def routes_of(m: ModuleAnalysis, auth_guards: tuple[str, ...] = ()) -> list[Route]:
    """Every route the module defines, with its guards and public markers."""
    if m not in _CACHE:
        _CACHE[m] = _RouteFinder(m, auth_guards).find() if m.top_modules & _framework_modules(m.catalog.access) else []
    return _CACHE[m]


@functools.lru_cache(maxsize=4)
def _framework_modules(access: AccessControl) -> frozenset[str]:
    """Top-level packages of the frameworks: a module importing none of them defines no route."""
    names = [n for fw in access.frameworks for n in (*fw.apps, *fw.routers, *fw.route_calls, *fw.view_bases, *fw.view_decorators)]
    names += [m for fw in access.frameworks for m in fw.view_modules]
    return frozenset(n.split(".", 1)[0] for n in names)


def model_flows(m: ModuleAnalysis, route: Route) -> list[FlowEvent]:
    """The flows by which the route's handler sends patient data (PHI, records, request bodies)
    to a model: its own, and those of the module's functions it calls, in source order."""
    return [event for event in model_events(m, route) if any(label in event.taint for label in PATIENT_DATA)]


def model_events(m: ModuleAnalysis, route: Route) -> list[FlowEvent]:
    """Every flow into a model request that the route's handler makes, directly, through the
    module's functions it calls or through another module's wrapper, whatever data it carries
    (what a sanitizer cleared too), in source order."""
    found: dict[int, FlowEvent] = {}
    for unit in _units_reached(m, route):
        for event in m.unit_events.get(unit, ()):
            if event.kind in MODEL_KINDS:
                found.setdefault(id(event), event)
    return sorted(found.values(), key=lambda e: (e.node.lineno, e.node.col_offset))


def returns_answer(m: ModuleAnalysis, route: Route) -> bool:
    """Does the handler return (or render) a model's answer?"""
    unit = m.functions.get(route.handler.name) if route.cls is None else None
    if route.cls is not None:
        info = m.classes.get(route.cls.name)
        unit = info.methods.get(route.handler.name) if info is not None else None
    summary = unit.summary if unit is not None else None
    return summary is not None and LLM_RESPONSE in summary.return_taint


def _units_reached(m: ModuleAnalysis, route: Route, limit: int = 64) -> list[ast.AST]:
    """The handler, the functions nested in it, and the module's functions and methods it calls
    (transitively), as unit nodes."""
    methods = m.classes[route.cls.name].methods if route.cls is not None and route.cls.name in m.classes else {}
    todo: list[ast.AST] = [route.handler]
    seen: list[ast.AST] = []
    while todo and len(seen) < limit:
        unit = todo.pop()
        if any(unit is s for s in seen):
            continue
        seen.append(unit)
        for sub in ast.walk(unit):
            if sub is not unit and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                todo.append(sub)
            elif isinstance(sub, ast.Call):
                func = sub.func
                if isinstance(func, ast.Name) and func.id in m.functions:
                    todo.append(m.functions[func.id].node)
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") \
                        and func.attr in methods:
                    todo.append(methods[func.attr].node)
    return seen


def patient_data(taint: dict) -> list[str]:
    """The patient-data labels of a taint, in PATIENT_DATA order."""
    live = real(taint)
    return [label for label in PATIENT_DATA if label in live]


class _RouteFinder:
    def __init__(self, m: ModuleAnalysis, auth_guards: tuple[str, ...], depth: int = 0) -> None:
        self.m = m
        self.access: AccessControl = m.catalog.access
        self.auth_guards = auth_guards
        self.depth = depth  # how many modules away from the checked one (routers mounted on routers)
        self.module = ".".join([*module_package(m.path), _stem(m.path)])
        self.mounts: dict[str, _Mount] = {}
        self.hooks: dict[str, list[str]] = {}  # app/router name -> guarding hooks
        self.foreign: list[Mounted] = []  # routers of other modules this one mounts
        self._includes: list[tuple[Mounted, _Mount]] = []  # (what the include call says, the app or router it mounts on)
        self.defaults: dict[str, list[str]] = {}  # framework -> how the project's settings guard its views
        self.called: set[str] = set()

    # ------------------------------------------------------------------ the module's apps
    def find(self) -> list[Route]:
        body = self.m.tree.body
        self.collect_mounts()
        self.called = {c.key[1:] for c in self.m.calls if c.key.startswith(".")}
        routes: list[Route] = []
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                route = self._decorated_route(stmt) or self._function_view(stmt)
                if route is not None:
                    routes.append(route)
            elif isinstance(stmt, ast.ClassDef):
                routes.extend(self._class_views(stmt))
        routes.extend(self._route_calls(body))
        for route in routes:
            route.guards.extend(self._body_checks(route.handler))
            if not route.guards and not route.public:  # sets no guard of its own: the framework's default in the settings
                route.guards.extend(self._settings_default(route.framework))
        return routes

    def _settings_default(self, fw: WebFramework) -> list[str]:
        if fw.name not in self.defaults:
            view = self.m.project
            self.defaults[fw.name] = default_guards(view, fw, self.access.public_permissions) if view is not None else []
        return self.defaults[fw.name]

    def collect_mounts(self) -> None:
        """The module's apps and routers, where each is mounted (here or in another module of the
        project), the hooks that guard them, and the routers of other modules it mounts."""
        body = self.m.tree.body
        for stmt in body:
            self._app_object(stmt)
        for stmt in body:
            self._mount_call(stmt)
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._hook(stmt)
        for name, guards in self.hooks.items():
            self.mounts[name].guards.extend(guards)
        for mount in self.mounts.values():
            if mount.router and not mount.mounts and not mount.guards and not mount.configured:
                mount.elsewhere = self._mounted_elsewhere(mount)
        self.foreign = [replace(f, guards=f.guards or tuple(f"{g} in {self._project_module()}" for g in parent.route_guards()),
                                prefix=parent.route_prefix() + f.prefix) for f, parent in self._includes]

    def _mounted_elsewhere(self, mount: _Mount) -> list[Mounted]:
        """Where the modules that import this one mount one of its routers: `app.include_router(
        notes.router, dependencies=[Depends(verify_session)])` in main.py."""
        view = self.m.project
        if view is None or self.depth >= MAX_MOUNT_DEPTH:
            return []
        found = []
        for other in view.guarding_modules():
            analysis = view.index.analysis(other)
            if analysis is not None:
                analysis.run_module()  # its module-level code mounts the routers
                found += [f for f in mounted_elsewhere(analysis, self.auth_guards, self.depth + 1) if f.target == (view.path, mount.name)]
        return found

    def _project_module(self) -> str:
        """This module's dotted name in the project (`app.main`), as guards found here are named
        where another module's routes are listed."""
        view = self.m.project
        return view.index.modules.module_name(view.path) if view is not None else self.module

    def _app_object(self, stmt: ast.stmt) -> None:
        target, value = _assignment(stmt)
        if target is None or not isinstance(value, ast.Call):
            return
        key = self.m.imports.resolve(value.func) or ""
        for fw in self.access.frameworks:
            if matches_any(key, fw.apps) or matches_any(key, fw.routers):
                mount = _Mount(fw, target, _keyword_str(value, fw.prefix_keywords, self))
                mount.guards = self._keyword_guards(value, fw, "on the app" if matches_any(key, fw.apps) else f"on the router `{target}`")
                mount.configured = self._configured(f"{self.module}.{target}", target)
                mount.router = not matches_any(key, fw.apps)
                self.mounts[target] = mount
                return

    def _mount_call(self, stmt: ast.stmt) -> None:
        """`app.include_router(router, dependencies=[...])`, `app.register_blueprint(bp, url_prefix=...)`,
        `app.before_request(check)`."""
        call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
        if call is None or not isinstance(call.func, ast.Attribute) or not isinstance(call.func.value, ast.Name):
            return
        parent = self.mounts.get(call.func.value.id)
        if parent is None or not call.args:
            return
        method = call.func.attr
        if method in parent.framework.include and isinstance(call.args[0], ast.Name) and call.args[0].id in self.mounts:
            child = self.mounts[call.args[0].id]
            guards = self._keyword_guards(call, parent.framework, f"where `{child.name}` is included")
            child.mounts.append((parent, guards, _keyword_str(call, parent.framework.prefix_keywords, self)))
        elif method in parent.framework.include and self.m.project is not None:  # `app.include_router(notes.router)`
            dotted = self.m.imports.resolve(call.args[0])
            target = self.m.project.resolve(dotted) if dotted else None
            if target is not None:
                shown = ast.unparse(call.args[0])
                guards = self._keyword_guards(call, parent.framework, f"where `{shown}` is included in {self._project_module()}")
                self._includes.append((Mounted(target, tuple(guards), _keyword_str(call, parent.framework.prefix_keywords, self)), parent))
        elif method in parent.framework.hooks and isinstance(call.args[0], ast.Name) and call.args[0].id in self.m.functions:
            hook = self.m.functions[call.args[0].id].node
            if self._can_reject(hook):
                self.hooks.setdefault(parent.name, []).append(f"`{parent.name}.{method}({hook.name})` turns requests away")

    def _hook(self, fn: FunctionNode) -> None:
        for dec in fn.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.mounts:
                mount = self.mounts[func.value.id]
                if (func.attr in mount.framework.hooks or func.attr == "middleware") and self._can_reject(fn):
                    self.hooks.setdefault(mount.name, []).append(f"`@{mount.name}.{func.attr}` hook `{fn.name}` turns requests away")

    # ------------------------------------------------------------------ routes
    def _decorated_route(self, fn: FunctionNode) -> Route | None:
        for dec in fn.decorator_list:
            if not isinstance(dec, ast.Call) or not isinstance(dec.func, ast.Attribute):
                continue
            owner, verb = dec.func.value, dec.func.attr
            mount = self.mounts.get(owner.id) if isinstance(owner, ast.Name) else None
            if mount is None or verb not in mount.framework.route_decorators:
                continue
            fw = mount.framework
            methods = _methods_keyword(dec, self) or ((fw.default_method,) if verb in ("route", "api_route") else (verb.upper(),))
            path = self.m_const(dec.args[0]) if dec.args else _keyword_str(dec, ("path", "rule"), self) or None
            route = Route(fw, methods, (mount.route_prefix() + path) if path is not None else None, fn, None, dec, _header(fn))
            route.guards += self._keyword_guards(dec, fw, "on the route")
            route.guards += self._decorator_guards(fn, skip=dec, route=route)
            route.guards += self._parameter_guards(fn)
            route.guards += mount.route_guards()
            return route
        return None

    def _function_view(self, fn: FunctionNode) -> Route | None:
        """`@api_view(["POST"]) def triage(request)`, or a Django view: a module function whose
        first parameter is `request`, in a module that imports Django, not called by the module."""
        for fw in self.access.frameworks:
            decorator = next((d for d in fn.decorator_list if matches_any(self._dotted(_callee(d)), fw.view_decorators)), None)
            first = (fn.args.posonlyargs + fn.args.args)[:1]
            is_view = decorator is not None or (
                fw.view_modules and self.m.top_modules & set(fw.view_modules)
                and first and first[0].arg == "request" and fn.name not in self.called and not fn.name.startswith("_"))
            if not is_view:
                continue
            route = Route(fw, self._view_methods(fn), None, fn, None, decorator or _name_place(fn, self.m.lines), _header(fn))
            route.guards += self._decorator_guards(fn, skip=decorator, route=route)
            return route
        return None

    def _class_views(self, cls: ast.ClassDef) -> list[Route]:
        fw = self._view_framework(cls)
        if fw is None:
            return []
        class_guards, class_public = self._class_guards(cls)
        routes = []
        for stmt in cls.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            action = next((d for d in stmt.decorator_list if self._dotted(_callee(d)).endswith("decorators.action")), None)
            if stmt.name not in fw.view_methods and action is None:
                continue
            if action is not None:
                methods = _methods_keyword(action, self) or ("GET",)
            else:
                verb = _ACTION_METHODS.get(stmt.name, stmt.name.upper())
                methods = () if verb == "DISPATCH_REQUEST" else (verb,)
            route = Route(fw, methods, None, stmt, cls, action or _name_place(stmt, self.m.lines), _header(stmt))
            route.guards += class_guards
            route.public += class_public
            route.guards += self._decorator_guards(stmt, skip=action, route=route)
            routes.append(route)
        return routes

    def _route_calls(self, body: list[ast.stmt]) -> list[Route]:
        """Starlette's `Route("/triage", endpoint=triage, methods=["POST"])` in a routes list."""
        routes = []
        for stmt in body:
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr)) or stmt.value is None:
                continue
            for sub in ast.walk(stmt.value):
                if not isinstance(sub, ast.Call):
                    continue
                key = self.m.imports.resolve(sub.func) or ""
                fw = next((f for f in self.access.frameworks if matches_any(key, f.route_calls)), None)
                if fw is None:
                    continue
                endpoint = sub.args[1] if len(sub.args) > 1 else next((k.value for k in sub.keywords if k.arg == "endpoint"), None)
                if not isinstance(endpoint, ast.Name) or endpoint.id not in self.m.functions:
                    continue
                fn = self.m.functions[endpoint.id].node
                path = self.m_const(sub.args[0]) if sub.args else _keyword_str(sub, ("path",), self) or None
                route = Route(fw, _methods_keyword(sub, self) or (fw.default_method,), path, fn, None, _name_place(fn, self.m.lines), _header(fn))
                route.guards += self._decorator_guards(fn, skip=None, route=route)
                routes.append(route)
        return routes

    def _view_framework(self, cls: ast.ClassDef, depth: int = 0) -> WebFramework | None:
        for base in cls.bases:
            key = self._dotted(base)
            for fw in self.access.frameworks:
                if matches_any(key, fw.view_bases):
                    return fw
            local = self.m.classes.get(base.id) if isinstance(base, ast.Name) else None
            if local is not None and depth < 8:
                found = self._view_framework(local.node, depth + 1)
                if found is not None:
                    return found
        return None

    def _view_methods(self, fn: FunctionNode) -> tuple[str, ...]:
        for dec in fn.decorator_list:
            key = self._dotted(_callee(dec))
            if matches_any(key, self.access.method_list_decorators) and isinstance(dec, ast.Call) and dec.args:
                return _string_list(dec.args[0], self)
            for name, methods in self.access.method_decorators:
                if key == name:
                    return methods
        return ()

    # ------------------------------------------------------------------ guards
    def _keyword_guards(self, call: ast.Call, fw: WebFramework, where: str) -> list[str]:
        """FastAPI's `dependencies=[Depends(verify_session)]` on an app, a router, an include call or
        a route: nobody reads what these dependencies return; they are there for their checks."""
        markers = self.access.dependency_markers + self.access.security_markers
        found = []
        for kw in call.keywords:
            if kw.arg in fw.guard_keywords and isinstance(kw.value, (ast.List, ast.Tuple)):
                for element in kw.value.elts:
                    if isinstance(element, ast.Call) and matches_any(self._dotted(element.func), markers):
                        found.append(f"`{ast.unparse(element)}` {where}")
        return found

    def _parameter_guards(self, fn: FunctionNode) -> list[str]:
        """`user: User = Depends(get_current_user)`, `Annotated[User, Security(scheme)]`."""
        found = []
        args = fn.args
        for expr in [*args.defaults, *(d for d in args.kw_defaults if d is not None),
                     *(a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs if a.annotation is not None)]:
            for sub in ast.walk(expr):
                if isinstance(sub, ast.Call) and self._dependency_guards(sub):
                    found.append(f"`{ast.unparse(sub)}` on the route")
        return found

    def _dependency_guards(self, call: ast.Call, depth: int = 0) -> bool:
        key = self._dotted(call.func)
        if matches_any(key, self.access.security_markers):
            return True
        if not matches_any(key, self.access.dependency_markers):
            return False
        target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
        return target is not None and self._authenticates(target, depth)

    def _authenticates(self, expr: ast.expr, depth: int = 0) -> bool:
        """Is a FastAPI dependency an authentication: a security scheme, an auth library's
        dependency, a configured guard, a project function that depends on one of these, or one
        named for it?"""
        if depth > 4:
            return False
        if isinstance(expr, ast.Call):
            return self._authenticates(expr.func, depth + 1)
        key = self._dotted(expr)
        local = _last(key)
        if matches_any(key, self.access.dependencies) or self._configured(key, local) or self._auth_named(local):
            return True
        if isinstance(expr, ast.Name) and expr.id in self.m.functions:
            fn = self.m.functions[expr.id].node
            return any(self._dependency_guards(sub, depth + 1) for sub in _parameter_calls(fn))
        if isinstance(expr, ast.Name):  # `oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")`
            values = self.m.module_bindings().get(expr.id) or []
            return any(isinstance(v, ast.Call) and self._authenticates(v.func, depth + 1) for v in values)
        return False

    def _decorator_guards(self, fn: FunctionNode, skip: ast.AST | None, route: Route) -> list[str]:
        found = []
        for dec in fn.decorator_list:
            if dec is skip:
                continue
            guard, public = self._decorator(dec)
            if guard:
                found.append(guard)
            if public:
                route.public.append(PublicMarker(public, dec))
        return found

    def _decorator(self, dec: ast.expr) -> tuple[str | None, str | None]:
        """(how it guards, how it makes the route public) for one decorator."""
        func = _callee(dec)
        key = self._dotted(func)
        text = f"`@{ast.unparse(dec)}`"
        if matches_any(key, self.access.public_decorators):
            return None, text
        if matches_any(key, self.access.permission_decorators) and isinstance(dec, ast.Call) and dec.args:
            return self._permissions(dec.args[0], text)
        if key.endswith("method_decorator") and isinstance(dec, ast.Call) and dec.args:  # Django's method_decorator(login_required)
            inner = dec.args[0]
            elements = inner.elts if isinstance(inner, (ast.List, ast.Tuple)) else [inner]
            for element in elements:
                guard, public = self._decorator(element)
                if guard or public:
                    return (text if guard else None), (text if public else None)
            return None, None
        if matches_any(key, self.access.guard_decorators) or self._configured(key, _last(key)):
            return text, None
        if any(matches_any(key, f.route_calls + f.view_decorators) for f in self.access.frameworks):
            return None, None
        return (text if self._auth_named(_last(key)) else None), None

    def _permissions(self, value: ast.expr, text: str) -> tuple[str | None, str | None]:
        """DRF permission classes: any but AllowAny guards; only AllowAny (or none) is public."""
        classes = value.elts if isinstance(value, (ast.List, ast.Tuple)) else None
        if classes is None:
            return text, None  # computed elsewhere: not ours to judge as open
        if any(not matches_any(self._dotted(c), self.access.public_permissions) for c in classes):
            return text, None
        return None, text

    def _class_guards(self, cls: ast.ClassDef, depth: int = 0) -> tuple[list[str], list[PublicMarker]]:
        guards: list[str] = []
        public: list[PublicMarker] = []
        for base in cls.bases:
            key = self._dotted(base)
            if matches_any(key, self.access.mixins) or self._configured(key, _last(key)):
                guards.append(f"`{ast.unparse(base)}` on `{cls.name}`")
            elif isinstance(base, ast.Name) and base.id in self.m.classes and depth < 8:
                inherited, open_ = self._class_guards(self.m.classes[base.id].node, depth + 1)
                guards += inherited
                public = public or open_
        for dec in cls.decorator_list:
            guard, marker = self._decorator(dec)
            if guard:
                guards.append(guard)
            if marker:
                public.append(PublicMarker(marker, dec))
        for stmt in cls.body:
            target, value = _assignment(stmt)
            if target == self.access.permission_attribute and value is not None:
                guard, marker = self._permissions(value, f"`{target} = {ast.unparse(value)}`")
                public = [PublicMarker(marker, value)] if marker else []  # the class's own setting overrides its bases'
                if guard:
                    guards.append(guard)
            elif target == "decorators" and isinstance(value, (ast.List, ast.Tuple)):  # Flask MethodView
                for element in value.elts:
                    guard, _ = self._decorator(element)
                    if guard:
                        guards.append(f"{guard} in `{cls.name}.decorators`")
        return guards, public

    def _body_checks(self, fn: FunctionNode) -> list[str]:
        """`if not request.user.is_authenticated: return redirect(...)` in the handler, or a call
        that verifies the sender's signature (and raises when it does not hold)."""
        found = []
        for sub in ast.walk(fn):
            if isinstance(sub, ast.If) and self._checks_caller(sub.test) and self._ends_request(sub.body):
                found.append(f"`if {ast.unparse(sub.test)}` in the handler")
            elif isinstance(sub, ast.Call) and matches_any(self._dotted(sub.func), self.access.verify_calls):
                found.append(f"`{ast.unparse(sub.func)}(...)` verifies the caller in the handler")
        return found

    def _checks_caller(self, test: ast.expr) -> bool:
        for node in ast.walk(test):
            if isinstance(node, ast.Attribute) and node.attr in self.access.check_attributes:
                return True
            if isinstance(node, ast.Call):
                key = self._dotted(node.func)
                if matches_any(key, self.access.check_calls) or self._configured(key, _last(key)) or self._auth_named(_last(key)):
                    return True
        return False

    def _can_reject(self, fn: FunctionNode) -> bool:
        """A hook or middleware that can turn a request away: an `if` that aborts, raises or
        returns a response (other than the next handler's)."""
        return any(isinstance(sub, ast.If) and self._ends_request(sub.body) for sub in ast.walk(fn))

    def _ends_request(self, body: list[ast.stmt]) -> bool:
        for stmt in body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Raise):
                    return True
                if isinstance(sub, ast.Return) and sub.value is not None and "call_next" not in ast.unparse(sub.value):
                    return True
                if isinstance(sub, ast.Call) and matches_any(self._dotted(sub.func), self.access.abort_calls):
                    return True
        return False

    # ------------------------------------------------------------------ names
    def _dotted(self, node: ast.expr | None) -> str:
        """The dotted name of a Name/Attribute chain: through imports, else the module's own."""
        if node is None:
            return ""
        resolved = self.m.imports.resolve(node)
        if resolved:
            return resolved
        if isinstance(node, ast.Name):
            return f"{self.module}.{node.id}" if self.module else node.id
        if isinstance(node, ast.Attribute):
            return ast.unparse(node)
        return ""

    def _configured(self, dotted: str, local: str) -> bool:
        """Listed in `auth-guards`: by its dotted name (or a `*` pattern), or by its bare name."""
        return any(matches_any(dotted, (g,)) or ("." not in g and g == local) for g in self.auth_guards)

    def _auth_named(self, name: str) -> bool:
        words = split_words(name)
        return any(words[i : i + len(term)] == term for term in self.access.auth_words for i in range(len(words)))

    def m_const(self, node: ast.expr | None) -> str | None:
        scope = self.m.module_scope
        if scope is None or node is None:
            return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        return scope.const_str(node)


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return stem if stem.isidentifier() and stem != "__init__" else ""


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _callee(dec: ast.expr) -> ast.expr:
    return dec.func if isinstance(dec, ast.Call) else dec


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """`name = value` / `name: T = value` at the top of a module or class body."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id, stmt.value
    return None, None


def _keyword_str(call: ast.Call, names, finder: _RouteFinder) -> str:
    for kw in call.keywords:
        if kw.arg in names:
            return finder.m_const(kw.value) or ""
    return ""


def _methods_keyword(call: ast.Call, finder: _RouteFinder) -> tuple[str, ...]:
    for kw in call.keywords:
        if kw.arg == "methods":
            return _string_list(kw.value, finder)
    return ()


def _string_list(node: ast.expr, finder: _RouteFinder) -> tuple[str, ...]:
    elements = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [node]
    return tuple(s.upper() for s in (finder.m_const(e) for e in elements) if s)


def _parameter_calls(fn: FunctionNode) -> list[ast.Call]:
    args = fn.args
    exprs = [*args.defaults, *(d for d in args.kw_defaults if d is not None),
             *(a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs if a.annotation is not None)]
    return [sub for expr in exprs for sub in ast.walk(expr) if isinstance(sub, ast.Call)]


def _header(fn: FunctionNode) -> Place:
    """From the function's first decorator to the end of its `def` line(s)."""
    start = min([fn.lineno] + [d.lineno for d in fn.decorator_list])
    end = max(fn.lineno, fn.body[0].lineno - 1) if fn.body else fn.lineno
    return Place(start, 0, end, 0)


def _name_place(fn: FunctionNode, lines: list[str]) -> Place:
    """The function's name on its `def` line (ast byte columns)."""
    try:
        raw = lines[fn.lineno - 1].encode("utf-8")
    except IndexError:
        return Place(fn.lineno, fn.col_offset, fn.lineno, fn.col_offset)
    at = raw.find(b"def " + fn.name.encode("utf-8"), fn.col_offset)
    start = at + 4 if at >= 0 else fn.col_offset
    return Place(fn.lineno, start, fn.lineno, start + len(fn.name.encode("utf-8")))
