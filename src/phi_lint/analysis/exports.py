"""What one module tells the others, as plain data: no AST nodes and no interpreter state, so that
it crosses process boundaries and lives in the on-disk cache.

- a function's summary: which parameters reach which sinks (with the steps a trace needs), which
  reach the return value (or one field of them), what it returns whatever the arguments (a helper
  that reads a patient or a document), and the type of what it returns (a client, a logger);
- the module's facts: its functions (parameters), classes (PHI records, request models, the
  attributes `__init__` sets, class-level defaults such as a settings class's base URL), module
  values (clients and loggers with their type, string constants, data loaded at import time) and
  the names it imports (re-exports through `__init__.py` resolve through them).

Steps carry the project-relative path of the file they lie in and character columns, so a trace
that crosses files names each one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from phi_lint.analysis.labels import FIELD_OF, LLM_RESPONSE, PARAM, Origin, Step, real
from phi_lint.analysis.syntax import char_column

if TYPE_CHECKING:
    from phi_lint.analysis.module import ModuleAnalysis
    from phi_lint.analysis.summaries import ClassInfo, FunctionInfo, Summary

Constant = str | int | float | bool


@dataclass(frozen=True)
class ParamSink:
    """A parameter (or one field of it) reaching a sink inside a function or its callees."""

    param: int
    kind: str  # sink kind (MODEL_CONTENT, LOG, ...)
    sink: str  # "OpenAI chat.completions.create"
    argument: str  # "`messages=`"
    field: str | None  # the field of the parameter that reaches it, None: the whole value
    steps: tuple[Step, ...]  # from the parameter to the sink
    destination: str | None = None  # the endpoint a model request sends it to, when known


@dataclass(frozen=True)
class FunctionSummary:
    name: str  # as callers read it: `complete`, `Summariser.run`
    params: tuple[str, ...]  # without self/cls
    return_params: tuple[tuple[int, str | None], ...] = ()  # (parameter, the field of it returned)
    returns: tuple[Origin, ...] = ()  # labels it returns whatever the arguments
    return_type: str | None = None  # a catalogue type, or a project class (`app/services.py::Summariser`)
    sinks: tuple[ParamSink, ...] = ()
    # a model's answer it returns, which holds data only when these parameters (those it sends to
    # the model) hold some at the call: `complete(prompt)` answers a patient's chart, or "hello"
    answers: tuple[Origin, ...] = ()
    answer_params: tuple[int, ...] = ()
    return_endpoint: str | None = None  # where the client it returns sends requests (a factory), when known
    star: bool = False  # takes `*args` (parameter -1 in sinks and returns)
    double_star: bool = False  # takes `**kwargs` (parameter -2)


@dataclass(frozen=True)
class ClassFacts:
    record: str | None = None  # why instances are PHI records; None: they are not
    is_model: bool = False  # a pydantic-style model (a request body when a route takes it)
    fields: tuple[str, ...] = ()
    methods: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (method, its parameters without self)
    attr_types: tuple[tuple[str, str], ...] = ()  # `self.client = OpenAI()` in __init__: (client, openai.OpenAI)
    defaults: tuple[tuple[str, Constant], ...] = ()  # class-level constants: a settings class's defaults
    bases: tuple[str, ...] = ()  # its bases in other modules, as dotted names from its module


@dataclass(frozen=True)
class ValueFacts:
    type: str | None = None  # a catalogue type (openai.OpenAI, logging.Logger) or a project class
    value: Constant | None = None  # the constant it holds
    taint: tuple[Origin, ...] = ()  # data it holds (loaded when the module is imported)
    endpoint: str | None = None  # a client's endpoint, when known (the SDK's default included)


@dataclass
class ModuleFacts:
    path: str  # project-relative POSIX path
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> parameters
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    values: dict[str, ValueFacts] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # imported names -> dotted names


def class_key(path: str, name: str) -> str:
    """The type of instances of a project class: its file and name (two services may both have
    an `app.models.Patient`)."""
    return f"{path}::{name}"


def is_class_key(key: str | None) -> bool:
    return bool(key) and "::" in key


# ---------------------------------------------------------------------- located steps
def located(step: Step, path: str, lines: list[str]) -> Step:
    """A step of the module at `path` as another file sees it: with its path and a character column."""
    if step.path is not None:
        return step
    return replace(step, path=path, col=char_column(lines, step.line, step.col))


def located_origin(origin: Origin, path: str, lines: list[str]) -> Origin:
    return replace(origin, steps=tuple(located(s, path, lines) for s in origin.steps))


# ---------------------------------------------------------------------- export
def function_summary(m: ModuleAnalysis, unit: FunctionInfo, summary: Summary, path: str) -> FunctionSummary:
    """The plain form of one function's summary, as other modules use it."""
    name = f"{unit.cls.node.name}.{unit.node.name}" if unit.cls is not None else unit.node.name
    sinks: dict[tuple, ParamSink] = {}
    for param, event in summary.sink_events:
        marker = event.taint.get(PARAM + str(param))
        if marker is None:
            continue
        field_name = marker.source if marker.category == FIELD_OF else None
        key = (param, event.kind, event.sink, event.argument, field_name)
        if key not in sinks:
            steps = tuple(located(s, path, m.lines) for s in marker.steps)
            destination = event.destination
            if destination is None and event.kind.startswith("MODEL") and m.endpoints is not None:
                destination = m.endpoints.request(event.node)
            sinks[key] = ParamSink(param, event.kind, event.sink, event.argument, field_name, steps, destination)
    # what the parameters' names alone made sensitive inside the function is for its own findings:
    # a caller knows what it passes (`soap_prompt(scrub(transcript))` returns no transcript)
    at_parameters = {(a.lineno, a.col_offset) for a in _arguments(unit.node.args)}
    returns = [o for o in real(summary.return_taint).values() if not o.steps or (o.steps[0].line, o.steps[0].col) not in at_parameters]
    asked = tuple(sorted({sink.param for sink in sinks.values() if sink.kind == "MODEL_CONTENT"}))
    answers = [o for o in returns if o.label == LLM_RESPONSE] if asked else []
    return FunctionSummary(
        name=name,
        params=tuple(unit.params),
        return_params=tuple(sorted((i, summary.return_fields.get(i)) for i in summary.return_params)),
        returns=tuple(located_origin(o, path, m.lines) for o in returns if o not in answers),
        return_type=summary.return_type or _own_class_made(m, unit, path),
        sinks=tuple(sinks.values()),
        answers=tuple(located_origin(o, path, m.lines) for o in answers),
        answer_params=asked if answers else (),
        return_endpoint=_returned_client_endpoint(m, unit) if summary.return_type and not is_class_key(summary.return_type) else None,
        star=unit.node.args.vararg is not None,
        double_star=unit.node.args.kwarg is not None,
    )


def _own_class_made(m: ModuleAnalysis, unit: FunctionInfo, path: str) -> str | None:
    """`def get_settings() -> Settings: return Settings()`: a factory of a service or settings
    class of its own module gives its callers in other modules an instance of that class (records
    and request models stay data). Known by the return annotation, else by every `return`."""
    ann = unit.node.returns
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):  # `-> "Settings"`
        named = {ann.value}
    elif isinstance(ann, ast.Name):
        named = {ann.id}
    else:
        returned = [s.value for s in _own_returns(unit.node.body)]
        named = {v.func.id if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) else "" for v in returned}
    name = next(iter(named)) if len(named) == 1 else None
    info = m.classes.get(name) if name else None
    if info is None or info.record is not None or info.is_model:
        return None
    return class_key(path, name)


def _returned_client_endpoint(m: ModuleAnalysis, unit: FunctionInfo) -> str | None:
    """Where the client a factory returns sends its requests (`return AzureOpenAI(...)`, or the
    name it bound the client to), when every `return` agrees."""
    if m.endpoints is None:
        return None
    scope = next((c.scope for c in m.calls if c.scope.unit is unit), None)
    if scope is None:
        return None
    found = set()
    for ret in _own_returns(unit.node.body):
        made = scope.constructor_of(ret.value) if ret.value is not None else None
        found.add(m.endpoints.client(made) if made is not None else None)
    return found.pop() if len(found) == 1 else None


def _own_returns(body: list[ast.stmt]):
    """The `return` statements of a function, not of the functions and classes it defines."""
    for stmt in body:
        if isinstance(stmt, ast.Return):
            yield stmt
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(stmt, block, None)
                if isinstance(inner, list):
                    yield from _own_returns(inner)


def _arguments(args: ast.arguments) -> list[ast.arg]:
    return args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]


def module_facts(m: ModuleAnalysis, path: str) -> ModuleFacts:
    """The facts of a module whose body has run (module_scope set). Each class's `__init__` is
    run first, if nothing ran it yet: the attributes it sets (`self._client`) are facts of the
    class, whether or not the check of its own module had a reason to look at it."""
    for info in m.classes.values():
        m.run_init(info)
    facts = ModuleFacts(path)
    facts.functions = {name: tuple(info.params) for name, info in m.functions.items()}
    facts.classes = {name: _class_facts(info) for name, info in m.classes.items()}
    scope = m.module_scope
    if scope is not None:
        names = set(scope.types) | set(scope.consts) | set(scope.env)
        for name in sorted(names):
            if name in facts.functions or name in facts.classes:
                continue
            value = _value_facts(m, scope, name, path)
            if value is not None:
                facts.values[name] = value
    facts.aliases = {local: dotted for local, dotted in m.imports.names.items()
                     if local not in facts.values and local not in facts.functions and local not in facts.classes}
    return facts


def module_outline(m: ModuleAnalysis, path: str) -> ModuleFacts:
    """What a module's definitions tell without its body running: its functions, its classes
    without the attributes `__init__` sets, and the names it imports at module level that no
    module-level code assigns again. No values: a lookup of any other name needs the facts."""
    outline = ModuleFacts(path)
    outline.functions = {name: tuple(info.params) for name, info in m.functions.items()}
    outline.classes = {name: _class_facts(info, attributes=False) for name, info in m.classes.items()}
    assigned = m.assigned_names()
    outline.aliases = {local: dotted for local, dotted in m.module_imports.items()
                       if local not in assigned and local not in outline.functions and local not in outline.classes}
    return outline


def _class_facts(info: ClassInfo, attributes: bool = True) -> ClassFacts:
    defaults = []
    for stmt in info.node.body:
        target = stmt.target if isinstance(stmt, ast.AnnAssign) else stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        value = getattr(stmt, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, (str, int, float, bool)):
            defaults.append((target.id, value.value))
    return ClassFacts(
        record=info.record.why if info.record is not None else None,
        is_model=info.is_model,
        fields=tuple(sorted(info.fields)),
        methods=tuple((name, tuple(method.params)) for name, method in info.all_methods().items()),
        attr_types=tuple(sorted({name: info.inherited("attr_types", name) for name in _attributes(info)}.items())) if attributes else (),
        defaults=tuple(defaults),
        bases=info.outside_bases,
    )


def _attributes(info: ClassInfo) -> set[str]:
    return set(info.attr_types).union(*(_attributes(base) for base in info.bases))


def _value_facts(m: ModuleAnalysis, scope, name: str, path: str) -> ValueFacts | None:
    rtype = scope.types.get(name)
    made = scope.consts.get(name)
    made_by = m.classes.get(made.func.id) if isinstance(made, ast.Call) and isinstance(made.func, ast.Name) else None
    if rtype is None and made_by is not None and made_by.record is None:
        rtype = class_key(path, made.func.id)  # `settings = Settings()`, `summariser = Summariser()`
    constant = scope.const_value(made) if made is not None else None
    if not isinstance(constant, (str, int, float, bool)):
        constant = None
    taint = tuple(located_origin(o, path, m.lines) for o in real(scope.env.get(name, {})).values())
    if rtype is None and constant is None and not taint:
        return None
    endpoint = m.endpoints.client(made) if rtype is not None and isinstance(made, ast.Call) and m.endpoints is not None else None
    return ValueFacts(rtype, constant, taint, endpoint)
