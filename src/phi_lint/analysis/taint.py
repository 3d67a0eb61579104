"""Taint: an abstract interpretation of each function body, in statement order.

Every expression evaluates to a Taint: a dict from label (PHI_FIELD, PHI_RECORD, PAYLOAD,
LLM_PROMPT, LLM_RESPONSE) to the Origin that explains it (where the value was born, each step it
took). Branches merge, loops iterate to a fixpoint, calls to functions of the same module go
through summaries (which parameters reach the return value, which reach a sink).

The interpreter is the one traversal of a module: besides flow events (labels reaching a sink)
it records the facts the pattern rules need (resolved calls, module attribute assignments,
key-shaped string constants), so no rule walks the tree again.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace

from phi_lint.analysis.classify import Classifier, Sensitivity, split_words
from phi_lint.analysis.imports import ImportMap
from phi_lint.catalog import Catalog, SinkSpec

PHI_FIELD = "PHI_FIELD"
PHI_RECORD = "PHI_RECORD"
PAYLOAD = "PAYLOAD"
LLM_PROMPT = "LLM_PROMPT"
LLM_RESPONSE = "LLM_RESPONSE"
LABELS = (PHI_FIELD, PHI_RECORD, PAYLOAD, LLM_PROMPT, LLM_RESPONSE)
PARAM = "PARAM:"  # marker labels for summaries: PARAM:0 is "from the first parameter"
FIELD_OF = "field-of"  # category of a marker that went through a field access (source: the field)

MAX_STEPS = 12
LOOP_PASSES = 3
WEB_REQUEST = "web.Request"


@dataclass(frozen=True)
class Step:
    line: int
    col: int  # ast byte offset, 0-based
    note: str


@dataclass(frozen=True)
class Origin:
    label: str
    category: str
    source: str  # short source text of where the value was born
    why: str
    steps: tuple[Step, ...]

    def then(self, step: Step) -> "Origin":
        if self.steps and self.steps[-1] == step:
            return self
        steps = self.steps + (step,)
        if len(steps) > MAX_STEPS:
            steps = steps[:1] + steps[-(MAX_STEPS - 1) :]
        return replace(self, steps=steps)


Taint = dict  # label -> Origin; never mutated once built
CLEAN: Taint = {}


def union(a: Taint, b: Taint) -> Taint:
    if not a:
        return b
    if not b or a is b:
        return a
    out = dict(b)
    out.update(a)  # the first origin of a label wins
    for k, v in a.items():  # ...but a whole parameter beats one field of it (only markers are FIELD_OF)
        if v.category == FIELD_OF and k in b and b[k].category != FIELD_OF:
            out[k] = b[k]
    return out


def without(t: Taint, *labels: str) -> Taint:
    if not t or not any(l in t for l in labels):
        return t
    return {k: v for k, v in t.items() if k not in labels}


def real(t: Taint) -> Taint:
    """The taint without summary markers."""
    if not t or not any(k.startswith(PARAM) for k in t):
        return t
    return {k: v for k, v in t.items() if not k.startswith(PARAM)}


def add_step(t: Taint, step: Step) -> Taint:
    if not t:
        return t
    return {k: v.then(step) for k, v in t.items()}


@dataclass
class FlowEvent:
    """Labels reaching a sink: the raw material of PHI1xx and PHI2xx."""

    kind: str  # sink kind
    sink: str  # how the sink reads in a message ("OpenAI chat.completions.create")
    argument: str  # "`messages=`" or "argument 1"
    taint: Taint
    node: ast.expr  # the argument
    stmt: ast.stmt
    atoms: list[tuple[ast.expr, Taint]]  # the smallest tainted parts of the argument


@dataclass
class CallFact:
    node: ast.Call
    key: str  # resolved callee ("openai.OpenAI", "openai.OpenAI.chat.completions.create")
    types: tuple[str, ...]  # types this call constructs
    stmt: ast.stmt
    scope: "FunctionAnalysis"


@dataclass
class AssignFact:
    """`langchain.debug = True`, `os.environ["LANGCHAIN_TRACING_V2"] = "true"`."""

    target: str  # resolved dotted target; os.environ items as `os.environ[NAME]`
    value: ast.expr
    stmt: ast.stmt
    scope: "FunctionAnalysis"


@dataclass
class ConstantFact:
    node: ast.Constant
    context: str | None  # the keyword, variable or key it is given to
    stmt: ast.stmt


@dataclass
class Summary:
    return_params: frozenset[int] = frozenset()
    return_taint: Taint = field(default_factory=dict)
    sink_events: list[tuple[int, FlowEvent]] = field(default_factory=list)
    return_type: str | None = None
    return_fields: dict[int, str] = field(default_factory=dict)  # param -> the field of it returned


@dataclass
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: "ClassInfo | None"
    params: list[str]  # without self/cls for methods
    summary: Summary | None = None
    running: bool = False


@dataclass
class ClassInfo:
    node: ast.ClassDef
    record: Sensitivity | None  # set when instances are PHI records
    fields: set[str]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    attr_types: dict[str, str] = field(default_factory=dict)
    attr_taint: dict[str, Taint] = field(default_factory=dict)
    attr_ctors: dict[str, ast.Call] = field(default_factory=dict)  # `self.http = httpx.Client(...)`
    is_model: bool = False  # a pydantic-style model (valid as a request body)


_KEY_HINT = re.compile(r"sk-|AIza|hf_|gsk_|xai-|r8_|^[A-Za-z0-9]{32,84}$")


class ModuleAnalysis:
    """Per-file facts and the analysis of every unit (module body, functions, methods)."""

    def __init__(self, tree: ast.Module, path: str, lines: list[str], catalog: Catalog, classifier: Classifier,
                 sanitizers: tuple[str, ...], approved_endpoints: tuple[str, ...], scan_keys: bool) -> None:
        self.tree = tree
        self.path = path
        self.lines = lines
        self.catalog = catalog
        self.classifier = classifier
        self.sanitizers = frozenset(sanitizers) | {"phi_lint.redact.redact", "phi_lint.redact"}
        # `pkg.mod.Class.method` sanitizers: instances of `pkg.mod.Class` are tracked like clients,
        # so `engine = Class(); engine.method(x)` resolves to the configured name
        self.sanitizer_classes = frozenset(
            owner for owner, _, _ in (name.rpartition(".") for name in self.sanitizers)
            if owner.rpartition(".")[2][:1].isupper()
        )
        self.approved_endpoints = approved_endpoints
        self.scan_keys = scan_keys
        self.imports = ImportMap(path)
        self.imports.collect(tree.body)
        self.top_modules = self.imports.top_modules()
        self.web = catalog.web
        self.django_style = bool(self.top_modules & set(self.web.get("request-param-frameworks", ())))
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.events: dict[tuple, FlowEvent] = {}
        self.calls: list[CallFact] = []
        self.assigns: list[AssignFact] = []
        self.constants: list[ConstantFact] = []
        self.module_scope: FunctionAnalysis | None = None
        self._module_bindings: dict[str, list] | None = None
        self._collect_definitions()

    # ------------------------------------------------------------------ definitions
    def _collect_definitions(self) -> None:
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = FunctionInfo(stmt, None, _params(stmt, method=False))
            elif isinstance(stmt, ast.ClassDef):
                self._collect_class(stmt)

    def _collect_class(self, node: ast.ClassDef) -> None:
        fields: set[str] = set()
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                fields.add(stmt.target.id)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                key = self.imports.resolve(stmt.value.func) or ""
                if self.catalog.matches("record-field-calls", key):
                    fields.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        bases = [self.imports.resolve(b) or (b.id if isinstance(b, ast.Name) else "") for b in node.bases]
        record = None
        by_name = self.classifier.classify(node.name)
        if node.name in self.catalog.vocabulary.fhir_resources or (by_name and by_name.record):
            record = Sensitivity("record", "record", f"`{node.name}` is a record about a person", record=True)
        else:
            for name in sorted(fields):
                hit = self.classifier.classify(name)
                if hit and not hit.record:
                    record = Sensitivity("record", "record", f"instances of `{node.name}` hold PHI ({hit.why})", record=True)
                    break
        info = ClassInfo(node, record, fields)
        info.is_model = any(self.catalog.matches("model-bases", b) for b in bases) or any(
            b in self.classes and self.classes[b].is_model for b in bases)
        self.classes[node.name] = info
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in stmt.decorator_list)
                info.methods[stmt.name] = FunctionInfo(stmt, info, _params(stmt, method=not is_static))

    # ------------------------------------------------------------------ running
    def run(self, wanted: set[int] | None) -> None:
        """Analyse the module body, then every function whose lines are in `wanted` (None: all)."""
        self.module_scope = FunctionAnalysis(self, None, None)
        self.module_scope.run_body(self.tree.body)
        units = list(self.functions.values()) + [m for c in self.classes.values() for m in c.methods.values()]
        for unit in units:
            if wanted is None or _overlaps(unit.node, wanted):
                self.summary(unit)

    def summary(self, unit: FunctionInfo) -> Summary:
        if unit.summary is not None:
            return unit.summary
        if unit.running:  # recursion: what is known so far
            return Summary()
        unit.running = True
        try:
            analysis = FunctionAnalysis(self, unit, unit.cls)
            unit.summary = analysis.run_function()
        finally:
            unit.running = False
        return unit.summary

    def module_bindings(self) -> dict[str, list]:
        """Module-level names -> the values given to them (None: not a plain assignment)."""
        if self._module_bindings is None:
            self._module_bindings = _bindings_of(
                [s for s in self.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))], params=False)
            for sub in ast.walk(self.tree):  # `global NAME` in a function: assigned out of sight
                if isinstance(sub, ast.Global):
                    for name in sub.names:
                        self._module_bindings.setdefault(name, []).append(None)
        return self._module_bindings

    def record_event(self, event: FlowEvent) -> None:
        key = (id(event.node), event.kind)
        old = self.events.get(key)
        if old is None:
            self.events[key] = event
        else:
            old.taint = union(old.taint, event.taint)
            known = {id(a): n for n, (a, _) in enumerate(old.atoms)}
            for atom, taint in event.atoms:
                if id(atom) in known:
                    n = known[id(atom)]
                    old.atoms[n] = (atom, union(old.atoms[n][1], taint))
                else:
                    old.atoms.append((atom, taint))

    def line_text(self, node: ast.AST) -> str:
        return source_text(self.lines, node)


def _overlaps(node: ast.AST, wanted: set[int]) -> bool:
    end = getattr(node, "end_lineno", node.lineno) or node.lineno
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return any(start <= line <= end for line in wanted)


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if method and names:
        names = names[1:]
    return names + [a.arg for a in args.kwonlyargs]


def source_text(lines: list[str], node: ast.AST, limit: int = 80) -> str:
    """The source of a node (first line only, shortened): cheap, for messages."""
    try:
        line = lines[node.lineno - 1]
    except (IndexError, AttributeError):
        return "<expr>"
    raw = line.encode("utf-8")
    end = node.end_col_offset if node.end_lineno == node.lineno else len(raw)
    text = raw[node.col_offset : end].decode("utf-8", "replace")
    if node.end_lineno != node.lineno:
        text += " ..."
    return text if len(text) <= limit else text[: limit - 3] + "..."


_COUNTING_BUILTINS = frozenset({"len", "bool", "any", "all", "isinstance", "issubclass", "callable", "hasattr", "id", "type", "hash"})
# Methods that put their arguments into the object they are called on (`turns.append(msg)`).
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft", "write", "writelines"})


class FunctionAnalysis:
    """One unit: a function or method body (or the module body) interpreted in order."""

    def __init__(self, module: ModuleAnalysis, unit: FunctionInfo | None, cls: ClassInfo | None) -> None:
        self.m = module
        self.unit = unit
        self.cls = cls
        self.env: dict[str, Taint] = {}
        self.types: dict[str, str] = {}
        self.ctors: dict[str, ast.Call] = {}  # variable -> the call that made it (for endpoint checks)
        self.consts: dict[str, ast.expr] = {}  # variable -> last value expression (constant folding)
        self.self_name: str | None = None
        self.returns: Taint = CLEAN
        self.return_types: list[str] = []
        self.stmt: ast.stmt | None = None
        self.quiet = 0
        self.is_module = unit is None
        self.name_ctx: str | None = None
        self.dict_keys: dict[int, dict] = {}  # id of a dict literal -> key -> (taint, value node)
        self.key_taints: dict[str, dict] = {}  # variable holding a dict -> key -> (taint, value node)
        self.exceptions: dict[str, tuple[ast.Call, list]] = {}
        self._binding_cache: dict[str, list] | None = None
        self.param_sinks: list[tuple[int, FlowEvent]] = []  # this unit's parameters reaching a sink in a callee  # variable -> exception built, its message parts
        self._dispatch = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.Call: self._call,
            ast.JoinedStr: self._joined,
            ast.FormattedValue: lambda n: self.ev(n.value),
            ast.BinOp: self._binop,
            ast.BoolOp: self._all_of,
            ast.Compare: self._compare,
            ast.UnaryOp: self._unary,
            ast.IfExp: lambda n: (self.ev(n.test), union(self.ev(n.body), self.ev(n.orelse)))[1],
            ast.Dict: self._dict,
            ast.List: self._all_of,
            ast.Tuple: self._all_of,
            ast.Set: self._all_of,
            ast.ListComp: self._comprehension,
            ast.SetComp: self._comprehension,
            ast.GeneratorExp: self._comprehension,
            ast.DictComp: self._comprehension,
            ast.Await: lambda n: self.ev(n.value),
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield,
            ast.NamedExpr: self._walrus,
            ast.Starred: lambda n: self.ev(n.value),
            ast.Lambda: lambda n: CLEAN,
            ast.Slice: lambda n: CLEAN,
        }

    # ------------------------------------------------------------------ entry points
    def run_body(self, body: list[ast.stmt]) -> None:
        self.block(body)

    def run_function(self) -> Summary:
        unit = self.unit
        node = unit.node
        args = node.args
        all_args = args.posonlyargs + args.args + args.kwonlyargs
        if args.vararg:
            all_args = all_args + [args.vararg]
        if args.kwarg:
            all_args = all_args + [args.kwarg]
        routed = self._is_route(node)
        positional = args.posonlyargs + args.args
        body_params = self._body_params(args) if routed else set()
        hook_labels = self._hook_labels(unit) if unit.cls is not None else {}
        for arg in all_args:
            name = arg.arg
            if unit.cls is not None and positional and arg is positional[0] and name in ("self", "cls"):
                self.self_name = name
                continue
            taint = self._classify_name(name, arg)
            if arg.annotation is not None:
                taint = union(taint, self._annotation(arg, routed))
            elif self.m.django_style and name == "request":
                self.types[name] = WEB_REQUEST
            if name in hook_labels:  # `log_success_event(self, kwargs, response_obj, ...)`
                label, what = hook_labels[name]
                category, role = ("prompt", "the prompt") if label == LLM_PROMPT else ("response", "the answer")
                taint = union(taint, self._birth(label, category, name, f"`{name}` is {role} given to {what}", arg))
            if name in body_params:  # one field of the body: judged like `body["name"]`
                born = self._birth(PAYLOAD, "payload", name, f"`{name}` is read from the body of a request", arg)
                taint = union(taint, self._narrowed(born, split_words(name)))
            if name in unit.params:
                index = unit.params.index(name)
                marker = Origin(PARAM + str(index), "param", name, "", (Step(arg.lineno, arg.col_offset, f"parameter `{name}`"),))
                taint = union(taint, {marker.label: marker})
            self.env[name] = taint
        self.block(node.body)
        return_params = frozenset(int(k[len(PARAM):]) for k in self.returns if k.startswith(PARAM))
        sink_events = []
        for event in list(self.m.events.values()):
            if event.stmt is not None and _inside(event.stmt, node):
                for key in event.taint:
                    if key.startswith(PARAM):
                        sink_events.append((int(key[len(PARAM):]), event))
        sink_events.extend(self.param_sinks)
        rtype = self._annotation_type(node.returns) if node.returns is not None else None
        if rtype is None and len(set(self.return_types)) == 1:
            rtype = self.return_types[0]
        return_fields = {int(k[len(PARAM):]): o.source for k, o in self.returns.items() if k.startswith(PARAM) and o.category == FIELD_OF}
        return Summary(return_params, real(self.returns), sink_events, rtype, return_fields)

    def _hook_labels(self, unit: FunctionInfo) -> dict[str, tuple[str, str]]:
        """Parameters of a callback hook that hold a prompt or an answer by contract: param ->
        (label, what calls the hook). Empty unless the class subclasses a hook base."""
        hooks = self.m.catalog.hooks
        if not hooks:
            return {}
        bases = {self.m.imports.resolve(b) for b in unit.cls.node.bases}
        out: dict[str, tuple[str, str]] = {}
        for entry in hooks:
            if unit.node.name in entry.get("methods", ()) and bases & set(entry.get("bases", ())):
                what = entry.get("what", "{method}").format(method=unit.node.name)
                for param in entry.get("prompt", ()):
                    out[param] = (LLM_PROMPT, what)
                for param in entry.get("response", ()):
                    out[param] = (LLM_RESPONSE, what)
        return out

    def _is_route(self, node) -> bool:
        decorators = self.m.web.get("route-decorators", ())
        for dec in node.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(func, ast.Attribute) and func.attr in decorators:
                return True
        return False

    def _body_params(self, args: ast.arguments) -> set[str]:
        """Route parameters read from the body: `note: str = Body(...)`, `Annotated[str, Form()]`."""
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        pairs += [(a, a.annotation) for a in positional + args.kwonlyargs if isinstance(a.annotation, ast.Subscript)]
        found = set()
        for arg, expr in pairs:
            for sub in ast.walk(expr):
                if isinstance(sub, ast.Call) and self.m.catalog.matches("body-defaults", self.m.imports.resolve(sub.func) or ""):
                    found.add(arg.arg)
        return found

    def _annotation(self, arg: ast.arg, routed: bool) -> Taint:
        ann = arg.annotation
        taint = CLEAN
        rtype = self._annotation_type(ann)
        if rtype:
            self.types[arg.arg] = rtype
        for cls_name in _annotation_names(ann):
            info = self.m.classes.get(cls_name)
            dotted = self.m.imports.names.get(cls_name, cls_name)
            record = (info.record if info else None) or (
                Sensitivity("record", "record", f"`{cls_name}` is a FHIR resource", record=True)
                if dotted.rsplit(".", 1)[-1] in self.m.catalog.vocabulary.fhir_resources and ("fhir" in dotted or info) else None)
            if record:
                taint = union(taint, self._birth(PHI_RECORD, "record", arg.arg, f"`{arg.arg}: {cls_name}`; {record.why}", arg))
            if routed and info is not None and info.is_model:
                taint = union(taint, self._birth(PAYLOAD, "payload", arg.arg, f"`{arg.arg}` is the body of a request", arg))
        return taint

    def _annotation_type(self, ann: ast.expr | None) -> str | None:
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.Subscript):  # Optional[OpenAI]
            return self._annotation_type(ann.slice)
        if isinstance(ann, ast.BinOp):  # OpenAI | None
            return self._annotation_type(ann.left) or self._annotation_type(ann.right)
        dotted = self.m.imports.resolve(ann)
        if not dotted:
            return None
        if any(self.m.catalog.matches("request-annotations", dotted) for _ in (0,)) or dotted in self.m.web.get("request-annotations", ()):
            return WEB_REQUEST
        types = self.m.catalog.constructed_types(dotted)
        return types[0][0] if types else None

    # ------------------------------------------------------------------ statements
    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, s: ast.stmt) -> None:
        previous, self.stmt = self.stmt, s
        try:
            kind = type(s)
            if kind is ast.Expr:
                self.ev(s.value)
            elif kind is ast.Assign:
                self._assign(s)
            elif kind is ast.AnnAssign:
                if s.value is not None:
                    rtype = self._annotation_type(s.annotation)
                    self._bind(s.target, s.value, self.ev_named(s.value, s.target))
                    if rtype and isinstance(s.target, ast.Name):
                        self.types.setdefault(s.target.id, rtype)
            elif kind is ast.AugAssign:
                value = self.ev(s.value)
                current = self.ev(s.target) if not isinstance(s.target, ast.Name) else self.env.get(s.target.id, CLEAN)
                self._store(s.target, union(current, value), s.value)
            elif kind is ast.Return:
                if s.value is not None:
                    t = self.ev(s.value)
                    self.returns = union(self.returns, t)
                    rtype = self.type_of(s.value)
                    if rtype:
                        self.return_types.append(rtype)
            elif kind is ast.If:
                self.ev(s.test)
                self._branches([s.body, s.orelse])
            elif kind in (ast.For, ast.AsyncFor):
                iter_taint = self.ev(s.iter)
                self._loop(lambda: (self._store_loop_target(s.target, s.iter, iter_taint), self.block(s.body)), s.orelse)
            elif kind is ast.While:
                self._loop(lambda: (self.ev(s.test), self.block(s.body)), s.orelse)
            elif kind in (ast.With, ast.AsyncWith):
                for item in s.items:
                    t = self.ev(item.context_expr)
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, item.context_expr, t)
                self.block(s.body)
            elif kind is ast.Try or kind.__name__ == "TryStar":
                before = dict(self.env)
                self.block(s.body)
                self.env = _merge([self.env, before])
                if s.handlers:
                    self._branches([h.body for h in s.handlers] + [s.orelse])
                else:
                    self.block(s.orelse)
                self.block(s.finalbody)
            elif kind is ast.Raise:
                if s.exc is not None:
                    self._raise(s.exc)
            elif kind is ast.Match:
                self.ev(s.subject)
                self._branches([c.body for c in s.cases])
            elif kind is ast.Assert:
                self.ev(s.test)
                if s.msg is not None:
                    self._sink_argument(s.msg, "EXCEPTION", "an assertion message", "the message", SinkSpec("EXCEPTION", "*", "*", frozenset(), "", ""))
            elif kind is ast.ClassDef and not self.is_module:
                pass  # nested classes are rare in the code we check; skipped
            elif kind in (ast.FunctionDef, ast.AsyncFunctionDef):
                if not self.is_module:
                    nested = FunctionInfo(s, None, _params(s, method=False))
                    self.m.summary(nested)  # analysed as its own unit
            elif kind in (ast.Import, ast.ImportFrom):
                self.m.imports.add(s)
                self.m.top_modules = self.m.imports.top_modules()
            elif kind is ast.Delete:
                for target in s.targets:
                    if isinstance(target, ast.Name):
                        self.env.pop(target.id, None)
        finally:
            self.stmt = previous

    def _branches(self, blocks: list[list[ast.stmt]]) -> None:
        start = self.env
        results = []
        for body in blocks:
            self.env = dict(start)
            self.block(body)
            results.append(self.env)
        self.env = _merge(results)

    def _loop(self, run_once, orelse) -> None:
        for _ in range(LOOP_PASSES):
            before = self.env
            self.env = dict(before)
            run_once()
            self.env = _merge([before, self.env])
            if _same_labels(before, self.env):
                break
        self.block(orelse)

    def _assign(self, s: ast.Assign) -> None:
        target = s.targets[0]
        if len(s.targets) == 1 and _same_shape(target, s.value):
            # `ward, mrn = chart.ward, chart.mrn`: each name gets its own value (all evaluated first)
            taints = [self.ev_named(v, t) for t, v in zip(target.elts, s.value.elts)]
            for element, value, taint in zip(target.elts, s.value.elts, taints):
                self._bind(element, value, taint)
            return
        taint = self.ev_named(s.value, target)
        for target in s.targets:
            self._bind(target, s.value, taint)

    def ev_named(self, value: ast.expr, target: ast.expr) -> Taint:
        """Evaluate a value given to a name (so key-shaped constants know the name)."""
        previous = self.name_ctx
        self.name_ctx = target_name(target)
        try:
            return self.ev(value)
        finally:
            self.name_ctx = previous

    def _bind(self, target: ast.expr, value: ast.expr, taint: Taint) -> None:
        """Assign, and also remember the value's type and constructor for later calls."""
        if isinstance(target, ast.Name):
            rtype = self.type_of(value)
            if rtype:
                self.types[target.id] = rtype
                if isinstance(value, ast.Call):
                    self.ctors[target.id] = value
            else:
                self.types.pop(target.id, None)
            self.consts[target.id] = value
            self._remember_mapping(target.id, value)
            self._remember_exception(target.id, value)
            if self._is_prompt_text(target.id, value):
                taint = union(taint, self._birth(LLM_PROMPT, "prompt", target.id, f"`{target.id}` is a prompt built from data", value))
            if not _is_literal(value) and not self._clears(value):
                taint = union(taint, self._classify_target(target))
        elif isinstance(target, ast.Attribute) and self._is_self(target.value):
            rtype = self.type_of(value)
            if rtype and self.cls is not None:
                self.cls.attr_types[target.attr] = rtype
                if isinstance(value, ast.Call):
                    self.cls.attr_ctors[target.attr] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._store(element, union(taint, self._classify_target(element)), value)
            return
        self._store(target, taint, value)

    def _store(self, target: ast.expr, taint: Taint, value: ast.expr | None) -> None:
        if taint and self.stmt is not None:
            taint = add_step(taint, Step(target.lineno, target.col_offset, f"assigned to `{self.m.line_text(target)}`"))
        if isinstance(target, ast.Name):
            self.env[target.id] = taint
            if self.is_module:
                return
        elif isinstance(target, ast.Attribute):
            if self._is_self(target.value):
                self.env["self." + target.attr] = taint
                if self.cls is not None:
                    self.cls.attr_taint[target.attr] = union(self.cls.attr_taint.get(target.attr, CLEAN), real(taint))
            else:
                self.ev(target.value)
                dotted = self.m.imports.resolve(target)
                if dotted and value is not None:
                    self.m.assigns.append(AssignFact(dotted, value, self.stmt, self))
        elif isinstance(target, ast.Subscript):
            base = self.m.imports.resolve(target.value)
            key = self.const_str(target.slice)
            if base and key is not None and value is not None:
                self.m.assigns.append(AssignFact(f"{base}[{key}]", value, self.stmt, self))
            if isinstance(target.value, ast.Name) and key is not None and target.value.id in self.key_taints:
                known = self.key_taints[target.value.id]
                known[key] = (union(known[key][0], taint) if key in known else taint, value if value is not None else target)
            if isinstance(target.value, ast.Name) and taint:
                name = target.value.id
                self.env[name] = union(self.env.get(name, CLEAN), taint)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._store(element, union(taint, self._classify_target(element)), None)
        elif isinstance(target, ast.Starred):
            self._store(target.value, taint, value)

    def _store_loop_target(self, target: ast.expr, iterable: ast.expr, taint: Taint) -> None:
        """`for x in xs`: x holds what xs holds. Except the counter of `enumerate(xs)` and the
        keys of `d.items()`: an index and a field name are not data."""
        pair = (isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2
                and not any(isinstance(e, ast.Starred) for e in target.elts) and isinstance(iterable, ast.Call))
        if pair and (_is_enumerate(iterable, self) or _is_items(iterable)):
            index, element = target.elts
            self._store(index, self._classify_target(index), None)
            self._store(element, union(taint, self._classify_target(element)), iterable)
            return
        self._store(target, union(taint, self._classify_target(target)), iterable)

    def _remember_mapping(self, name: str, value: ast.expr) -> None:
        """`params = {"model": m, "messages": msgs}` / `dict(messages=msgs)`: what each key holds,
        so that `create(**params)` reads as `create(model=m, messages=msgs)`."""
        self.key_taints.pop(name, None)
        if isinstance(value, ast.Dict) and id(value) in self.dict_keys:
            if all(k is not None for k in value.keys):  # no `**other` inside: every key is known
                self.key_taints[name] = dict(self.dict_keys[id(value)])
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"
              and not value.args and all(kw.arg is not None for kw in value.keywords)):
            self.quiet += 1
            try:
                self.key_taints[name] = {kw.arg: (self.ev(kw.value), kw.value) for kw in value.keywords}
            finally:
                self.quiet -= 1

    def _mapping(self, node: ast.expr) -> dict | None:
        """The keys (and what they hold) of a `**mapping` given to a call, when known."""
        if isinstance(node, ast.Dict) and all(k is not None for k in node.keys):
            return self.dict_keys.get(id(node))
        if isinstance(node, ast.Name):
            if node.id in self.key_taints:
                return self.key_taints[node.id]
            scope = self.m.module_scope
            if node.id not in self.env and scope is not None and scope is not self:
                return scope.key_taints.get(node.id)
        return None

    def _classify_target(self, target: ast.expr) -> Taint:
        if isinstance(target, ast.Name):
            return self._classify_name(target.id, target)
        return CLEAN

    def _clears(self, value: ast.expr) -> bool:
        """Is the value the result of a sanitizer or a counting function (`redact(x)`, `len(x)`)?
        Then the name it is given to says nothing about its content."""
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return False
        if isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Call) and not value.args and not value.keywords:
            return self._clears(value.func.value)  # `hashlib.sha256(x).hexdigest()`: a method of a cleared value
        key, _ = self.resolve(value.func)
        return key is not None and (key in self.m.sanitizers or key in _COUNTING_BUILTINS or self.m.catalog.matches("counting", key))

    def _is_self(self, node: ast.expr) -> bool:
        return self.self_name is not None and isinstance(node, ast.Name) and node.id == self.self_name

    def _is_prompt_text(self, name: str, value: ast.expr) -> bool:
        """`prompt = f"... {x}"`: a prompt built by formatting non-literal parts."""
        if "prompt" not in name.lower() or "template" in name.lower():
            return False
        if isinstance(value, ast.JoinedStr):
            return any(isinstance(v, ast.FormattedValue) for v in value.values)
        if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mod)):
            return not (_is_literal(value.left) and _is_literal(value.right))
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("format", "join"):
            return bool(value.args or value.keywords)
        return False

    # ------------------------------------------------------------------ expressions
    def ev(self, node: ast.expr) -> Taint:
        handler = self._dispatch.get(type(node))
        return handler(node) if handler is not None else CLEAN

    def _binop(self, node: ast.BinOp) -> Taint:
        # `"c0, " + "c1, " + ...`: a long chain is one left-deep spine; walk it in a loop, not by recursion
        out = CLEAN
        for operand in _operands(node):
            out = union(out, self.ev(operand))
        return out

    def _all_of(self, node) -> Taint:
        out = CLEAN
        for element in node.values if type(node) is ast.BoolOp else node.elts:
            out = union(out, self.ev(element))
        return out

    def _unary(self, node: ast.UnaryOp) -> Taint:
        t = self.ev(node.operand)
        return CLEAN if isinstance(node.op, ast.Not) else t

    def _compare(self, node: ast.Compare) -> Taint:
        self.ev(node.left)
        for comparator in node.comparators:
            self.ev(comparator)
        return CLEAN

    def _joined(self, node: ast.JoinedStr) -> Taint:
        out = CLEAN
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                out = union(out, self.ev(value.value))
            else:
                self._constant(value)  # f"Bearer sk-...": literal parts may hold a key
        return out

    def _constant(self, node: ast.Constant) -> Taint:
        if self.m.scan_keys and not self.quiet and isinstance(node.value, str) and len(node.value) >= 20 and _KEY_HINT.search(node.value):
            self.m.constants.append(ConstantFact(node, self.name_ctx, self.stmt))
        return CLEAN

    def _name(self, node: ast.Name) -> Taint:
        name = node.id
        if name in self.env:
            return self.env[name]
        if not self.is_module and self.m.module_scope is not None:
            module_env = self.m.module_scope.env
            if name in module_env:
                return module_env[name]
        if name in self.m.imports.names or name in self.m.classes or name in self.m.functions:
            return CLEAN
        return self._classify_name(name, node)

    def _classify_name(self, name: str, node: ast.AST, on_record: bool = False) -> Taint:
        if len(name) > 3 and name.isupper():
            return CLEAN  # a constant by convention (PEP 8): configuration, not a person's data
        hit = self.m.classifier.classify(name, on_record)
        if hit is None:
            return CLEAN
        if hit.record:
            return self._birth(PHI_RECORD, "record", name, hit.why, node)
        return self._birth(PHI_FIELD, hit.category, name, hit.why, node)

    def _birth(self, label: str, category: str, source: str, why: str, node: ast.AST) -> Taint:
        step = Step(getattr(node, "lineno", 0), getattr(node, "col_offset", 0), f"source: `{source}`")
        return {label: Origin(label, category, source, why, (step,))}

    def _attribute(self, node: ast.Attribute) -> Taint:
        if self._is_self(node.value):
            key = "self." + node.attr
            if key in self.env:
                return self.env[key]
            if self.cls is not None and node.attr in self.cls.attr_taint:
                return self.cls.attr_taint[node.attr]
            if self.cls is not None and node.attr in self.cls.attr_types:
                return CLEAN
            return self._classify_name(node.attr, node)
        base_type = self.type_of(node.value)
        if base_type == WEB_REQUEST and node.attr in self.m.web.get("payload-attributes", ()):
            return self._birth(PAYLOAD, "payload", self.m.line_text(node), f"`{self.m.line_text(node)}` is the body of an inbound request", node)
        if base_type is not None:
            return CLEAN  # an attribute of a client, logger, ...: not data
        if self.m.imports.resolve(node) is not None:
            return CLEAN  # a module attribute (`os.RTLD_MEMBER`, `settings.X`): code, not data
        base = self.ev(node.value)
        if node.attr == "__dict__":
            return base  # every field of the object, as a dict
        return self._member(base, node.attr, node)

    def _member(self, base: Taint, member: str, node: ast.expr) -> Taint:
        """A field of a value: `patient.ssn`, `record["dob"]`, `payload.get("mrn")`."""
        on_record = PHI_RECORD in base or self._subject_named(node)
        hit = self.m.classifier.classify(member, on_record)
        rest = _field_of(without(base, PHI_RECORD), member)
        if hit is None:
            words = split_words(member)
            if words and words[-1] in self.m.catalog.vocabulary.opaque_words:
                return CLEAN  # `patient.id`, `body["request_id"]`: an opaque key, not content
            return self._narrowed(rest, words)
        text = self.m.line_text(node)
        if hit.record:
            born = self._birth(PHI_RECORD, "record", text, hit.why, node)
        else:
            born = self._birth(PHI_FIELD, hit.category, text, hit.why, node)
        return union(born, rest)

    def _narrowed(self, taint: Taint, words: tuple[str, ...]) -> Taint:
        """A plain field of a request body or of a model's answer is one value, not the body or
        the answer: `req.clinic_code` drops PAYLOAD, `resp.usage` drops LLM_RESPONSE. Content
        fields (`body["messages"]`, `choice.message.content`) keep them."""
        if not words:
            return taint
        if PAYLOAD in taint and words[-1] not in self.m.web.get("payload-content-words", ()):
            taint = without(taint, PAYLOAD)
        if LLM_RESPONSE in taint and words[-1] in self.m.web.get("response-metadata-words", ()):
            taint = without(taint, LLM_RESPONSE)
        return taint

    def _subject_named(self, node: ast.expr) -> bool:
        """Is the object whose member this is named after a person (`patient.email`, `member_profile.phone`)?"""
        base = node.value if isinstance(node, (ast.Attribute, ast.Subscript)) else None
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
            base = base.func.value
        name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None
        if name is None:
            return False
        return self.m.classifier.names_person(name)

    def _subscript(self, node: ast.Subscript) -> Taint:
        base = self.ev(node.value)
        key = self.const_str(node.slice)
        if key is None:
            self.ev(node.slice)
            return base
        return self._member(base, key, node)

    def _dict(self, node: ast.Dict) -> Taint:
        out = CLEAN
        keys = {}
        key_taints: dict[str, tuple[Taint, ast.expr]] = {}
        if len(self.dict_keys) < 4096:
            self.dict_keys[id(node)] = key_taints
        for k, v in zip(node.keys, node.values):
            key = self.const_str(k) if k is not None else None
            previous = self.name_ctx
            self.name_ctx = key
            try:
                value = self.ev(v)
            finally:
                self.name_ctx = previous
            if key is not None:
                keys[key] = v
                if not _is_literal(v) and not self._clears(v):
                    hit = self.m.classifier.classify(key)
                    if hit is not None and not real(value):
                        label = PHI_RECORD if hit.record else PHI_FIELD
                        value = self._birth(label, hit.category, f'"{key}": {self.m.line_text(v)}', hit.why, v)
            elif k is not None:
                self.ev(k)
            if key is not None:
                key_taints[key] = (value, v)
            out = union(out, value)
        if "role" in keys and "content" in keys and not _is_literal(keys["content"]):
            out = union(out, self._birth(LLM_PROMPT, "prompt", "a chat message", "a message built for a model", node))
        return out

    def _comprehension(self, node) -> Taint:
        saved = self.env
        self.env = dict(saved)
        try:
            for gen in node.generators:
                it = self.ev(gen.iter)
                self._store_loop_target(gen.target, gen.iter, it)
                for cond in gen.ifs:
                    self.ev(cond)
            if isinstance(node, ast.DictComp):
                return union(self.ev(node.key), self.ev(node.value))
            return self.ev(node.elt)
        finally:
            self.env = saved

    def _yield(self, node) -> Taint:
        if node.value is None:
            return CLEAN
        t = self.ev(node.value)
        self.returns = union(self.returns, t)
        return CLEAN

    def _walrus(self, node: ast.NamedExpr) -> Taint:
        t = self.ev(node.value)
        self._bind(node.target, node.value, t)
        return self.env.get(node.target.id, t)

    # ------------------------------------------------------------------ constants
    def const_str(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """Fold a string: literals, module and local constants, `+`, f-strings of constants,
        and `os.getenv("X", "default")` / `os.environ.get(...)` defaults."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            value = self.consts.get(node.id)
            if value is None and self.m.module_scope is not None and self.m.module_scope is not self:
                value = self.m.module_scope.consts.get(node.id)
            return self.const_str(value, depth + 1) if value is not None else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.const_str(node.left, depth + 1), self.const_str(node.right, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                part = self.const_str(value.value if isinstance(value, ast.FormattedValue) else value, depth + 1)
                if part is None:
                    return None
                parts.append(part)
            return "".join(parts)
        if isinstance(node, ast.Call):
            key = self.m.imports.resolve(node.func)
            if key in ("os.getenv", "os.environ.get") and len(node.args) >= 2:
                return self.const_str(node.args[1], depth + 1)
            for kw in node.keywords:
                if key in ("os.getenv", "os.environ.get") and kw.arg == "default":
                    return self.const_str(kw.value, depth + 1)
        return None

    def const_value(self, node: ast.expr | None, depth: int = 0):
        """Like const_str, for booleans and numbers too (`store=STORE_RESPONSES`)."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            value = self.consts.get(node.id)
            if value is None and self.m.module_scope is not None and self.m.module_scope is not self:
                value = self.m.module_scope.consts.get(node.id)
            return self.const_value(value, depth + 1) if value is not None else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):  # `not DEBUG`
            value = self.const_value(node.operand, depth + 1)
            return None if value is None else not value
        return self.const_str(node, depth)

    # ------------------------------------------------------------------ types
    def resolve(self, node: ast.expr) -> tuple[str | None, bool]:
        """The callee key of an expression and whether it is an instance path."""
        if isinstance(node, ast.Name):
            name = node.id
            if name in self.types:
                return self.types[name], True
            if name in self.env or (self.unit and name in self.unit.params):
                return None, False
            scope = self.m.module_scope
            if scope is not None and scope is not self and name in scope.types:
                return scope.types[name], True
            dotted = self.m.imports.names.get(name)
            if dotted:
                inst = self.m.catalog.instances.get(dotted)
                if inst:
                    return inst, True
                if dotted in self.m.web.get("request-instances", ()):
                    return WEB_REQUEST, True
                return dotted, False
            if name in self.m.classes or name in self.m.functions:
                return "." + name, False
            return name, False  # a builtin such as print
        if isinstance(node, ast.Attribute):
            if self._is_self(node.value) and self.cls is not None:
                rtype = self.cls.attr_types.get(node.attr)
                return (rtype, True) if rtype else (None, False)
            base, inst = self.resolve(node.value)
            if base is None:
                return None, False
            key = f"{base}.{node.attr}"
            if not inst:
                inst_type = self.m.catalog.instances.get(key)
                if inst_type:
                    return inst_type, True
                if key in self.m.web.get("request-instances", ()):
                    return WEB_REQUEST, True
            return key, inst
        if isinstance(node, (ast.Call, ast.Await)):
            rtype = self.type_of(node)
            return (rtype, True) if rtype else (None, False)
        return None, False

    def type_of(self, node: ast.expr) -> str | None:
        """The catalogue type of an expression's value (client, logger, span, request), if known."""
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            key, inst = self.resolve(node.func)
            if key is None:
                return None
            if inst:
                base, _, method = key.rpartition(".")
                spec = self.m.catalog.types.get(base)
                if spec is not None and method in spec.keeps_type:
                    return base
            for type_name, service in self.m.catalog.constructed_types(key):
                if not service or service == self._service_name(node):
                    return type_name
            if key in self.m.sanitizer_classes:
                return key
            if key.startswith("."):
                fn = self.m.functions.get(key[1:])
                if fn is not None:
                    return self.m.summary(fn).return_type
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pipes = self.m.catalog.pipe_types
            if self.type_of(node.left) in pipes or self.type_of(node.right) in pipes:
                return "langchain.Runnable"
            return None
        if isinstance(node, (ast.Name, ast.Attribute)):
            key, inst = self.resolve(node)
            return key if inst and key in self.m.catalog.types or key == WEB_REQUEST else None
        return None

    def _service_name(self, node: ast.Call) -> str | None:
        if node.args:
            return self.const_str(node.args[0])
        for kw in node.keywords:
            if kw.arg == "service_name":
                return self.const_str(kw.value)
        return None

    # ------------------------------------------------------------------ calls
    def _call(self, node: ast.Call) -> Taint:
        func = node.func
        key, inst = self.resolve(func)
        if inst and key in self.m.catalog.types and self.m.catalog.sinks_for(key + ".__call__"):
            key = key + ".__call__"  # `llm("...")`: calling the instance (LangChain < 0.1)
        receiver = CLEAN
        method = None
        if isinstance(func, ast.Attribute):
            method = func.attr
            if inst and self._is_payload_attribute(func.value):
                # `request.json.get("prompt")`, `request.form.get("symptoms")`: a method of the body
                # (a dict), not of the request: read like `request.json["prompt"]`
                key, inst = None, False
            if not inst:
                receiver = self.ev(func.value)
            elif isinstance(func.value, (ast.Call, ast.Await)):
                self.ev(func.value)  # `log.bind(mrn=mrn).info(...)`: the inner call may be a sink too
        arg_taints = []
        for arg in node.args:
            arg_taints.append(self.ev(arg))
        kw_taints = []
        for kw in node.keywords:
            previous = self.name_ctx
            self.name_ctx = kw.arg
            try:
                kw_taints.append(self.ev(kw.value))
            finally:
                self.name_ctx = previous
        if key is not None and not self.quiet:
            constructed = tuple(t for t, service in self.m.catalog.constructed_types(key) if not service or service == self._service_name(node))
            self.m.calls.append(CallFact(node, key, constructed, self.stmt, self))

        everything = receiver
        for t in arg_taints:
            everything = union(everything, t)
        for t in kw_taints:
            everything = union(everything, t)
        if method in _MUTATORS and not inst and not self.quiet and everything is not receiver:
            self._mutate(func.value, without(everything, *receiver), node)
        if not inst and (key is None or not self.m.catalog.sinks_for(key)):
            records = self._record_query(node, key)
            if records is not None:
                return records

        if key is not None:
            specs = self.m.catalog.sinks_for(key)
            if specs:
                return self._sink_call(node, key, specs, arg_taints, kw_taints)
            if key.startswith("."):
                return self._local_call(node, key[1:], arg_taints, kw_taints, everything)
            if inst and self.cls is None and key in self.m.catalog.types:
                return CLEAN
            if key in self.m.sanitizers or (inst and key in self.m.sanitizers):
                return CLEAN
            if key in _COUNTING_BUILTINS or self.m.catalog.matches("counting", key):
                return CLEAN
            if inst:
                base = key.rpartition(".")[0]
                if base == WEB_REQUEST and method in self.m.web.get("payload-methods", ()):
                    return self._birth(PAYLOAD, "payload", self.m.line_text(node), f"`{self.m.line_text(node)}` is the body of an inbound request", node)
                if base in self.m.catalog.types:
                    return CLEAN  # other methods of clients and loggers return no data of ours
        if isinstance(func, ast.Attribute) and self._is_self(func.value) and self.cls is not None and func.attr in self.cls.methods:
            return self._summary_call(node, self.cls.methods[func.attr], arg_taints, kw_taints, everything)
        if isinstance(func, ast.Attribute):
            local = self._local_method(func)
            if local is not None:
                return self._summary_call(node, local, arg_taints, kw_taints, everything)
        if method is not None and receiver:
            if method == "keys" and not node.args and not node.keywords:
                return CLEAN  # the field names of a mapping, not its values
            if method == "get" and node.args:
                name = self.const_str(node.args[0])
                if name is not None:
                    return union(self._member(receiver, name, node), arg_taints[1] if len(arg_taints) > 1 else CLEAN)
            if PHI_RECORD in receiver and method in self.m.web.get("record-dumps", ()):
                fields = _included_fields(node)
                if fields is not None:  # `patient.model_dump(include={"ward"})`: only those fields
                    out = without(everything, PHI_RECORD)
                    for name in fields:
                        out = union(out, self._member(receiver, name, node))
                    return out
            elif PHI_RECORD in receiver and method not in self.m.web.get("record-queries", ()):
                hit = self.m.classifier.classify(method, True)
                rest = without(everything, PHI_RECORD)
                if hit is None:
                    return rest
                return union(self._member(receiver, method, func), rest)
        return everything

    def _is_payload_attribute(self, node: ast.expr) -> bool:
        """`request.json`, `request.form`: an attribute of the request that is its body."""
        return (isinstance(node, ast.Attribute) and node.attr in self.m.web.get("payload-attributes", ())
                and self.type_of(node.value) == WEB_REQUEST)

    def _record_class(self, node: ast.expr) -> str | None:
        """Why instances of the class `node` names are PHI records: a PHI class of this module,
        or a FHIR resource class (`fhir.resources`, `fhirclient`). None for anything else."""
        if isinstance(node, ast.Name) and node.id in self.m.classes:
            info = self.m.classes[node.id]
            return info.record.why if info.record is not None else None
        dotted = self.m.imports.resolve(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if dotted and dotted.partition(".")[0].startswith("fhir"):
            name = dotted.rpartition(".")[2]
            if name in self.m.catalog.vocabulary.fhir_resources:
                return f"`{name}` is a FHIR resource"
        return None

    def _record_query(self, node: ast.Call, key: str | None) -> Taint | None:
        """Calls that give back records of a PHI class: `Observation.parse_obj(d)`,
        `Admission.objects.get(pk=pk)`, `session.get(Patient, pk)`, `select(Patient)`, the
        constructor of a FHIR resource. None when the call is none of these. Builtins
        (`getattr(Patient, ...)`) and functions of this module (summaries) are not queries."""
        func = node.func
        why = None
        if isinstance(func, ast.Attribute):
            prefix = func.value
            while why is None and isinstance(prefix, (ast.Name, ast.Attribute)):
                why = self._record_class(prefix)
                prefix = prefix.value if isinstance(prefix, ast.Attribute) else None
            if why is not None and any(w in self.m.catalog.vocabulary.neutral_words for w in split_words(func.attr)):
                return CLEAN  # `Patient.objects.count()`: a number, not records
        elif not (isinstance(func, ast.Name) and func.id in self.m.classes):  # local classes: _local_call
            why = self._record_class(func)
        if why is None and node.args and (key is None or "." in key.lstrip(".")) and not self._clears(node):
            why = self._record_class(node.args[0])
        if why is None:
            return None
        # the records only: the arguments (a primary key, a filter) select them, they do not come back
        return self._birth(PHI_RECORD, "record", self.m.line_text(node), why, node)

    def _mutate(self, target: ast.expr, added: Taint, node: ast.Call) -> None:
        """`turns.append(msg)`, `context.update(extra)`: the container now holds what was added."""
        if not added:
            return
        added = add_step(added, Step(node.lineno, node.col_offset, f"added to `{self.m.line_text(target)}`"))
        if isinstance(target, ast.Name):
            self.env[target.id] = union(self._name(target), added)
        elif isinstance(target, ast.Attribute) and self._is_self(target.value):
            self.env["self." + target.attr] = union(self._attribute(target), added)
            if self.cls is not None:
                self.cls.attr_taint[target.attr] = union(self.cls.attr_taint.get(target.attr, CLEAN), real(added))

    def _local_method(self, func: ast.Attribute) -> FunctionInfo | None:
        """`obj.method()` where `obj = LocalClass(...)`."""
        if isinstance(func.value, ast.Name):
            ctor = self.ctors.get(func.value.id) or self.consts.get(func.value.id)
            if isinstance(ctor, ast.Call) and isinstance(ctor.func, ast.Name) and ctor.func.id in self.m.classes:
                return self.m.classes[ctor.func.id].methods.get(func.attr)
        if isinstance(func.value, ast.Name) and func.value.id in self.m.classes:
            return self.m.classes[func.value.id].methods.get(func.attr)
        return None

    def _local_call(self, node: ast.Call, name: str, arg_taints, kw_taints, everything: Taint) -> Taint:
        if name in self.m.classes:
            info = self.m.classes[name]
            if info.record is not None:
                return union(self._birth(PHI_RECORD, "record", self.m.line_text(node), info.record.why, node), real(everything))
            init = info.methods.get("__init__")
            if init is not None:
                self._summary_call(node, init, arg_taints, kw_taints, everything)
            return CLEAN if not everything else everything
        fn = self.m.functions.get(name)
        if fn is None:
            return everything
        return self._summary_call(node, fn, arg_taints, kw_taints, everything)

    def _summary_call(self, node: ast.Call, fn: FunctionInfo, arg_taints, kw_taints, everything: Taint) -> Taint:
        summary = self.m.summary(fn)
        by_param: dict[int, Taint] = {}
        arg_nodes: dict[int, ast.expr] = {}
        for i, (arg, t) in enumerate(zip(node.args, arg_taints)):
            if t and i < len(fn.params):
                by_param[i], arg_nodes[i] = t, arg
        for kw, t in zip(node.keywords, kw_taints):
            if t and kw.arg in fn.params:
                by_param[fn.params.index(kw.arg)], arg_nodes[fn.params.index(kw.arg)] = t, kw.value
        site = Step(node.lineno, node.col_offset, f"passed to `{fn.node.name}()`")
        out = add_step(summary.return_taint, Step(node.lineno, node.col_offset, f"returned by `{fn.node.name}()`"))
        for i in summary.return_params:
            if i in by_param:
                given = by_param[i]
                if i in summary.return_fields:  # the callee returns one field of it
                    given = self._member(given, summary.return_fields[i], arg_nodes[i])
                out = union(out, add_step(given, site))
        if not self.quiet:
            for i, event in summary.sink_events:
                if i in by_param:
                    given = by_param[i]
                    marker = event.taint.get(PARAM + str(i))
                    if marker is not None and marker.category == FIELD_OF:  # the callee logs one field of it
                        given = self._member(given, marker.source, arg_nodes[i])
                    sink_step = Step(event.node.lineno, event.node.col_offset, f"reaches {event.sink} ({event.argument})")
                    delivered = add_step(given, site)
                    if marker is not None:  # the helpers it went through on the way (`audit()` -> `_emit()`)
                        for step in marker.steps[1:]:
                            if step.note.startswith("passed to `"):
                                delivered = add_step(delivered, step)
                    delivered = add_step(delivered, sink_step)
                    if real(delivered) or any(k.startswith(PARAM) for k in delivered):
                        atoms = [(a, delivered) for a, t in event.atoms if PARAM + str(i) in t] or [(event.node, delivered)]
                        self.m.record_event(FlowEvent(event.kind, event.sink, event.argument, delivered, event.node, event.stmt, atoms))
                        if self.unit is not None:  # `audit(x)` calls `_emit(x)`: x reaches the sink too, a hop further
                            for key in delivered:
                                if key.startswith(PARAM):
                                    self.param_sinks.append((int(key[len(PARAM):]), FlowEvent(
                                        event.kind, event.sink, event.argument, delivered, event.node, event.stmt, atoms)))
        return out

    def _sink_call(self, node: ast.Call, key: str, specs: tuple[SinkSpec, ...], arg_taints, kw_taints) -> Taint:
        method = key.split(".", 1)[1] if "." in key else key
        parts = key.split(".")
        for i, part in enumerate(parts[1:], 1):  # `...vectorstores.FAISS.from_texts` reads `FAISS.from_texts`
            if part[:1].isupper():
                method = ".".join(parts[i:])
                break
        if key.count(".") >= 2 and key.rsplit(".", 1)[0] in self.m.catalog.types:
            method = key.rsplit(".", 1)[1]
        for type_name in self.m.catalog.types:
            if key.startswith(type_name + "."):
                method = key[len(type_name) + 1 :]
                break
        result = CLEAN
        everything = CLEAN
        for t in arg_taints + kw_taints:
            everything = union(everything, t)
        constant = None  # the request's content is all literals: its answer holds none of our data
        for spec in specs:
            if spec.http and not self._is_model_url(node):
                continue
            what = spec.what.format(method=method)
            for i, (arg, t) in enumerate(zip(node.args, arg_taints)):
                if spec.carries(i, None) and t:
                    self._emit(spec.kind, what, f"argument {i + 1}", arg, t)
            for kw, t in zip(node.keywords, kw_taints):
                if kw.arg is not None and spec.carries(None, kw.arg) and t:
                    self._emit(spec.kind, what, f"`{kw.arg}=`", kw.value, t)
                elif kw.arg is None and t and spec.keywords == "*":
                    self._emit(spec.kind, what, "`**kwargs`", kw.value, t)
                elif kw.arg is None and t:
                    for name, (held, value) in (self._mapping(kw.value) or {}).items():  # `create(**params)`
                        if held and spec.carries(None, name):
                            mapping = self.m.line_text(kw.value) if isinstance(kw.value, ast.Name) else "{...}"
                            self._emit(spec.kind, what, f"`{name}=` (in `**{mapping}`)", kw.value, held, value)
            call_text = f"{self.m.line_text(node.func)}(...)"
            if spec.returns == "response":
                if constant is None:
                    constant = self._constant_request(node, key, specs)
                if not constant:
                    result = union(result, self._birth(LLM_RESPONSE, "response", call_text, f"the answer of {what}", node))
            elif spec.returns == "prompt":
                result = union(result, self._birth(LLM_PROMPT, "prompt", call_text, f"a prompt built by {what}", node))
        if not result and all(spec.returns == "" for spec in specs):
            return CLEAN
        return result

    def _constant_request(self, node: ast.Call, key: str, specs: tuple[SinkSpec, ...]) -> bool:
        """A model request whose content arguments are all literals (`invoke("Say hello")`,
        `messages=[{"role": "user", "content": PROMPT}]` with PROMPT a constant): the answer
        cannot carry the application's data. Not for chains, agents and query engines (they
        retrieve), chat sessions, or requests that continue a conversation or search files."""
        state = self.m.catalog.answer_state
        owner = next((t for t in self.m.catalog.types if key.startswith(t + ".")), None)
        if owner in state.get("retrieving-types", ()) or key.rpartition(".")[2] in state.get("stateful-methods", ()):
            return False
        seen = False
        content = [s for s in specs if s.kind == "MODEL_CONTENT"]
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                return False
            if any(s.carries(i, None) for s in content):
                if not self._literal_content(arg):
                    return False
                seen = True
        for kw in node.keywords:
            if kw.arg is None or kw.arg in state.get("keywords", ()):
                return False
            if kw.arg == "tools" and any(w in ast.unparse(kw.value) for w in ("file_search", "retriev", "vector_store")):
                return False
            if any(s.carries(None, kw.arg) for s in content):
                if not self._literal_content(kw.value):
                    return False
                seen = True
        return seen

    def _literal_content(self, node: ast.expr | None, depth: int = 0) -> bool:
        """Only literals: constants, f-strings and containers of them, names only ever given
        literals (in this function, or at module level), message constructors of literals."""
        if node is None or depth > 8:
            return False
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(isinstance(v, ast.Constant) or self._literal_content(v.value, depth + 1) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self._literal_content(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.Starred):
            return self._literal_content(node.value, depth + 1)
        if isinstance(node, ast.Dict):
            return all((k is None or self._literal_content(k, depth + 1)) and self._literal_content(v, depth + 1)
                       for k, v in zip(node.keys, node.values))
        if isinstance(node, ast.BinOp):
            return self._literal_content(node.left, depth + 1) and self._literal_content(node.right, depth + 1)
        if isinstance(node, ast.UnaryOp):
            return self._literal_content(node.operand, depth + 1)
        if isinstance(node, ast.Name):
            if self.env.get(node.id):
                return False
            values = self._bindings().get(node.id)
            if values is None and self.unit is not None:
                values = self.m.module_bindings().get(node.id)
            return bool(values) and all(v is not None and self._literal_content(v, depth + 1) for v in values)
        if isinstance(node, ast.Call):  # HumanMessage(content="Hi"), dict(role="user", content="Hi")
            key = self.m.imports.resolve(node.func) or ""
            builds = key == "dict" or any(s.returns == "prompt" for s in self.m.catalog.sinks_for(key))
            return builds and all(self._literal_content(a, depth + 1) for a in node.args) and all(
                kw.arg is not None and self._literal_content(kw.value, depth + 1) for kw in node.keywords)
        return False

    def _bindings(self) -> dict[str, list]:
        if self.unit is None:
            return self.m.module_bindings()
        if self._binding_cache is None:
            self._binding_cache = _bindings_of([self.unit.node], params=True)
        return self._binding_cache

    def _is_model_url(self, node: ast.Call) -> bool:
        from phi_lint.analysis.endpoints import is_model_endpoint

        url = None
        if node.args:
            url = self.url_str(node.args[1] if isinstance(node.func, ast.Attribute) and node.func.attr == "request" and len(node.args) > 1 else node.args[0])
        for kw in node.keywords:
            if kw.arg == "url":
                url = self.url_str(kw.value)
        if (url is None or "://" not in url) and isinstance(node.func, ast.Attribute):
            # `client.post("/chat/completions")` on `httpx.Client(base_url=...)`: the client's base
            ctor = self._receiver_ctor(node.func.value)
            if ctor is not None:
                for kw in ctor.keywords:
                    if kw.arg == "base_url":
                        base = self.url_str(kw.value)
                        url = base if base is not None and "://" in base else url
        return url is not None and is_model_endpoint(url, self.m.catalog, self.m.approved_endpoints)

    def _receiver_ctor(self, node: ast.expr) -> ast.Call | None:
        """The constructor call of an HTTP client: a local or module name, or `self.client`."""
        if isinstance(node, ast.Call):
            return node
        if isinstance(node, ast.Name):
            ctor = self.ctors.get(node.id)
            if ctor is None and self.m.module_scope is not None:
                ctor = self.m.module_scope.ctors.get(node.id)
            return ctor
        if isinstance(node, ast.Attribute) and self._is_self(node.value) and self.cls is not None:
            return self.cls.attr_ctors.get(node.attr)
        return None

    def url_str(self, node: ast.expr | None, depth: int = 0) -> str | None:
        """A URL, or the part of it known: the whole constant, else the literal prefix of an
        f-string or `+` when it holds a scheme and a complete host
        (`f"https://api.openai.com/v1/{path}"` gives `https://api.openai.com/v1/`)."""
        whole = self.const_str(node)
        if whole is not None or node is None or depth > 8:
            return whole
        prefix = None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                part = self.const_str(value.value if isinstance(value, ast.FormattedValue) else value)
                if part is None:
                    break
                parts.append(part)
            prefix = "".join(parts)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            prefix = self.url_str(node.left, depth + 1)
        elif isinstance(node, ast.Name):
            value = self.consts.get(node.id)
            if value is None and self.m.module_scope is not None and self.m.module_scope is not self:
                value = self.m.module_scope.consts.get(node.id)
            prefix = self.url_str(value, depth + 1) if value is not None and _is_single_binding(self, node.id) else None
        if not prefix or "://" not in prefix:
            return None
        rest = prefix.split("://", 1)[1]
        return prefix if any(c in rest for c in "/:?") and rest[:1] not in "/:?" else None

    def _emit(self, kind: str, what: str, argument: str, arg: ast.expr, taint: Taint, parts: ast.expr | None = None) -> None:
        if parts is None or self.quiet:
            self._sink_argument(arg, kind, what, argument, None, taint)
            return
        # `create(**params)`: the finding is at the call, the parts to wrap are in the mapping's value
        step = Step(arg.lineno, arg.col_offset, f"reaches {what} ({argument})")
        taint = add_step(taint, step)
        self.m.record_event(FlowEvent(kind, what, argument, taint, arg, self.stmt, self.atoms(parts) or [(parts, taint)]))

    def _sink_argument(self, arg: ast.expr, kind: str, what: str, argument: str, spec, taint: Taint | None = None) -> None:
        if self.quiet:
            return
        if taint is None:
            taint = self.ev(arg)
        if not taint:
            return
        step = Step(arg.lineno, arg.col_offset, f"reaches {what} ({argument})")
        self.m.record_event(FlowEvent(kind, what, argument, add_step(taint, step), arg, self.stmt, self.atoms(arg)))

    def _raise(self, exc: ast.expr) -> None:
        if isinstance(exc, ast.Call):
            self.ev(exc.func) if not isinstance(exc.func, ast.Name) else None
            for arg, label, taint in self._exception_parts(exc):
                self._sink_argument(arg, "EXCEPTION", f"the message of `{self.m.line_text(exc.func)}`", label, None)
            return
        self.ev(exc)
        if isinstance(exc, ast.Name) and exc.id in self.exceptions and not self.quiet:
            # `err = ValueError(f"... {ssn}")` then `raise err`: the message was built with the exception
            call, parts = self.exceptions[exc.id]
            what = f"the message of `{self.m.line_text(call.func)}`"
            for arg, label, taint in parts:
                if taint:
                    step = Step(exc.lineno, exc.col_offset, f"raised as `{exc.id}`")
                    delivered = add_step(add_step(taint, step), Step(arg.lineno, arg.col_offset, f"reaches {what} ({label})"))
                    self.m.record_event(FlowEvent("EXCEPTION", what, label, delivered, arg, self.stmt, self.atoms(arg) or [(arg, delivered)]))

    def _exception_parts(self, call: ast.Call) -> list[tuple[ast.expr, str, Taint | None]]:
        """The arguments of an exception's constructor that make its message."""
        parts: list[tuple[ast.expr, str, Taint | None]] = [(arg, f"argument {i + 1}", None) for i, arg in enumerate(call.args)]
        for kw in call.keywords:
            if kw.arg not in ("status_code", "code", "headers"):
                parts.append((kw.value, f"`{kw.arg}=`" if kw.arg else "`**kwargs`", None))
        return parts

    def _remember_exception(self, name: str, value: ast.expr) -> None:
        self.exceptions.pop(name, None)
        if not isinstance(value, ast.Call) or not self._is_exception_class(value.func):
            return
        self.quiet += 1
        try:
            parts = [(arg, label, self.ev(arg)) for arg, label, _ in self._exception_parts(value)]
        finally:
            self.quiet -= 1
        if any(t for _, _, t in parts):
            self.exceptions[name] = (value, parts)

    def _is_exception_class(self, func: ast.expr, depth: int = 0) -> bool:
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name.endswith(("Error", "Exception", "Exit", "Warning", "Interrupt")):
            return True
        info = self.m.classes.get(name) if isinstance(func, ast.Name) else None
        return info is not None and depth < 8 and any(self._is_exception_class(b, depth + 1) for b in info.node.bases)

    # ------------------------------------------------------------------ atoms
    def atoms(self, node: ast.expr) -> list[tuple[ast.expr, Taint]]:
        """The smallest parts of a sink argument that carry labels (what a fix would wrap)."""
        self.quiet += 1
        try:
            out: list[tuple[ast.expr, Taint]] = []
            self._atoms(node, out)
            return out
        finally:
            self.quiet -= 1

    def _atoms(self, node: ast.expr, out: list) -> None:
        kind = type(node)
        if kind is ast.JoinedStr:
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    self._atoms(value.value, out)
            return
        if kind is ast.BinOp:
            for operand in _operands(node):
                self._atoms(operand, out)
            return
        if kind in (ast.List, ast.Tuple, ast.Set):
            for element in node.elts:
                self._atoms(element, out)
            return
        if kind is ast.Dict:
            for v in node.values:
                t = self.ev(v)
                if t:
                    before = len(out)
                    self._atoms(v, out)
                    if len(out) == before:
                        out.append((v, t))
            return
        if kind in (ast.Starred, ast.Await, ast.FormattedValue):
            self._atoms(node.value, out)
            return
        if kind is ast.IfExp:
            self._atoms(node.body, out)
            self._atoms(node.orelse, out)
            return
        if kind is ast.BoolOp:
            for value in node.values:
                self._atoms(value, out)
            return
        if kind is ast.Call:
            # `", ".join(x)`, `json.dumps({...})`, `Config(system_instruction=x)`: the parts are the
            # arguments, when they carry everything the call gives back (else the call itself is)
            t = self.ev(node)
            if not t:
                return
            func = node.func
            if not isinstance(func, ast.Attribute) or not self.ev(func.value):
                parts: list = []
                for arg in node.args:
                    self._atoms(arg, parts)
                for kw in node.keywords:
                    self._atoms(kw.value, parts)
                carried = set().union(*(p[1].keys() for p in parts)) if parts else set()
                if parts and carried >= t.keys():
                    out.extend(parts)
                    return
            out.append((node, t))
            return
        t = self.ev(node)
        if t:
            out.append((node, t))


def _operands(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a left-deep chain of binary operations, in source order."""
    rights = []
    while isinstance(node, ast.BinOp):
        rights.append(node.right)
        node = node.left
    rights.append(node)
    rights.reverse()
    return rights


def _is_enumerate(call: ast.Call, scope: "FunctionAnalysis") -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "enumerate" and scope.resolve(call.func)[0] == "enumerate"


def _is_items(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "items" and not call.args and not call.keywords


def _annotation_names(ann: ast.expr) -> list[str]:
    names = []
    for sub in ast.walk(ann):
        if isinstance(sub, ast.Name):
            names.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.isidentifier():
            names.append(sub.value)
    return names


def target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return None


def _included_fields(call: ast.Call) -> list[str] | None:
    """The field names of a literal `include=` (`model_dump(include={"ward", "age_band"})`)."""
    for kw in call.keywords:
        if kw.arg != "include":
            continue
        value = kw.value
        elements = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", None)
        if isinstance(value, (ast.Set, ast.List, ast.Tuple, ast.Dict)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements
        ):
            return [e.value for e in elements]
    return None


def _same_shape(target: ast.expr, value: ast.expr) -> bool:
    """`a, b = x, y`: a tuple target and a tuple value of the same length, nothing starred."""
    return (
        isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in target.elts + value.elts)
    )


def _field_of(t: Taint, member: str) -> Taint:
    """Summary markers under a field access remember the field, so a caller reads that field of
    the argument it passes (`amount(claim)` logging `claim.billed_cents` does not log the claim)."""
    if not t or not any(k.startswith(PARAM) and v.category != FIELD_OF for k, v in t.items()):
        return t
    return {k: replace(v, category=FIELD_OF, source=member) if k.startswith(PARAM) and v.category != FIELD_OF else v
            for k, v in t.items()}


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    return False


def _is_single_binding(scope: "FunctionAnalysis", name: str) -> bool:
    """A name given one value only (so its last value is its value)."""
    values = scope._bindings().get(name)
    if values is None and scope.unit is not None:
        values = scope.m.module_bindings().get(name)
    return values is not None and len(values) == 1 and values[0] is not None


def _bindings_of(roots: list[ast.AST], params: bool) -> dict[str, list]:
    """Every name bound under `roots` -> the values assigned to it, None for a binding that is
    not a plain assignment (a parameter, a loop target, an import, tuple unpacking)."""
    out: dict[str, list] = {}
    direct: set[int] = set()
    for root in roots:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        out.setdefault(target.id, []).append(sub.value)
                        direct.add(id(target))
            elif isinstance(sub, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and isinstance(sub.target, ast.Name):
                if sub.value is not None:
                    out.setdefault(sub.target.id, []).append(sub.value)
                direct.add(id(sub.target))
            elif isinstance(sub, ast.arg) and (params or sub is not root):
                out.setdefault(sub.arg, []).append(None)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                for alias in sub.names:
                    out.setdefault((alias.asname or alias.name).partition(".")[0], []).append(None)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub not in roots:
                out.setdefault(sub.name, []).append(None)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                out.setdefault(sub.name, []).append(None)
            elif (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _MUTATORS
                  and isinstance(sub.func.value, ast.Name)):  # `messages.append(turn)`
                out.setdefault(sub.func.value.id, []).append(None)
            elif isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, ast.Store):
                root = sub.value
                while isinstance(root, (ast.Subscript, ast.Attribute)):
                    root = root.value
                if isinstance(root, ast.Name):  # `body["messages"] = msgs`
                    out.setdefault(root.id, []).append(None)
    for root in roots:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)) and id(sub) not in direct:
                out.setdefault(sub.id, []).append(None)
    return out


def _merge(envs: list[dict]) -> dict:
    if len(envs) == 1:
        return envs[0]
    out = dict(envs[0])
    for env in envs[1:]:
        for name, taint in env.items():
            out[name] = union(out.get(name, CLEAN), taint)
    return out


def _same_labels(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    return all(a[k].keys() == b[k].keys() for k in a)


def _inside(stmt: ast.stmt, func: ast.AST) -> bool:
    return func.lineno <= stmt.lineno <= (func.end_lineno or func.lineno)
