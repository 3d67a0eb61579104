"""The interpreter: one unit (a function or method body, or the module body) evaluated in
statement order. Every expression evaluates to a Taint; branches merge, loops iterate to a
fixpoint, calls to functions of the same module go through summaries.

The interpreter is the one traversal of a module: besides flow events (labels reaching a sink)
it records the facts the pattern rules need (resolved calls, module attribute assignments,
key-shaped string constants), so no rule walks the tree again. Its handlers are grouped by idea:
types and parameters (types.py), constant folding (constants.py), sinks and atoms (sinks.py).
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from phi_lint.analysis.calls import DOUBLE_STAR, STAR, Calls
from phi_lint.analysis.classify import split_words
from phi_lint.analysis.constants import Constants
from phi_lint.analysis.content import Content
from phi_lint.analysis.facts import AssignFact, CallFact, ConstantFact, FlowEvent
from phi_lint.analysis.keys import KEY_HINT
from phi_lint.analysis.labels import (
    CLEAN, CLINICAL_TEXT, FIELD_OF, LLM_PROMPT, LLM_RESPONSE, PARAM, PAYLOAD, PAYLOAD_TEXT, PHI_FIELD, PHI_RECORD,
    WEB_REQUEST, Origin, Step, Taint, add_step, field_of, real, sanitised, union, without,
)
from phi_lint.analysis.sinks import Sinks
from phi_lint.analysis.patterns import Patterns
from phi_lint.analysis.records import Records
from phi_lint.analysis.templates import Templates
from phi_lint.analysis.sources import Sources
from phi_lint.analysis.summaries import ClassInfo, FunctionInfo, Summary
from phi_lint.analysis.syntax import MUTATORS, included_fields, is_items, is_literal, operands, parameters_of, same_shape, target_name
from phi_lint.analysis.types import Types
from phi_lint.catalog import SinkSpec

if TYPE_CHECKING:
    from phi_lint.analysis.module import ModuleAnalysis

LOOP_PASSES = 3
_COUNTING_BUILTINS = frozenset({"len", "bool", "any", "all", "isinstance", "issubclass", "callable", "hasattr", "id", "type", "hash"})


class FunctionAnalysis(Types, Constants, Sinks, Calls, Content, Sources, Records, Patterns, Templates):
    """One unit: a function or method body (or the module body) interpreted in order."""

    def __init__(self, module: ModuleAnalysis, unit: FunctionInfo | None, cls: ClassInfo | None) -> None:
        self.m = module
        self.unit = unit
        self.cls = cls
        self.env: dict[str, Taint] = {}
        self.types: dict[str, str] = {}
        self.record_types: dict[str, str] = {}  # variable -> the local record class it holds
        self.template_slots: dict[str, tuple[str, ...]] = {}  # variable -> placeholders of its prompt template
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
        self.loop_iterables: dict[str, ast.expr] = {}  # loop variable -> what it runs over (content.py)
        # this unit's parameters reaching a sink (here or in a callee): once per parameter, sink kind and sink argument
        self.param_events: dict[tuple[int, str, int], FlowEvent] = {}

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
        body_params = self._params_marked(args, "body-defaults") if routed else set()
        injected = self._params_marked(args, "injected-defaults") if routed else set()  # not the body
        hook_labels = self._hook_labels(unit) if unit.cls is not None else {}
        handed = self._parameter_sources(unit)  # `lambda_handler(event, context)`: the event is a request
        for arg in all_args:
            name = arg.arg
            if unit.cls is not None and positional and arg is positional[0] and name in ("self", "cls"):
                self.self_name = name
                continue
            taint = self._classify_name(name, arg)
            if arg.annotation is not None:
                taint = union(taint, self._annotation(arg, routed and name not in injected))
            elif self.m.django_style and name == "request":
                self.types[name] = WEB_REQUEST
            if name in hook_labels:  # `log_success_event(self, kwargs, response_obj, ...)`
                label, what = hook_labels[name]
                category, role = ("prompt", "the prompt") if label == LLM_PROMPT else ("response", "the answer")
                taint = union(taint, self._birth(label, category, name, f"`{name}` is {role} given to {what}", arg))
            if name in handed:
                taint = union(taint, handed[name])
            if name in body_params:  # one field of the body: judged like `body["name"]`
                born = self._birth(PAYLOAD, "payload", name, f"`{name}` is read from the body of a request", arg)
                taint = union(taint, self._narrowed(born, split_words(name)))
            index = unit.params.index(name) if name in unit.params else STAR if arg is args.vararg else DOUBLE_STAR if arg is args.kwarg else None
            if index is not None:
                marker = Origin(PARAM + str(index), "param", name, "", (Step(arg.lineno, arg.col_offset, f"parameter `{name}`"),))
                taint = union(taint, {marker.label: marker})
            self.env[name] = taint
        self.block(node.body)
        returned = self.returned_record_class(node)
        if returned is not None:  # what callers in other modules get back: `-> models.Patient`
            cls_name, why = returned
            self.returns = union(self.returns, self._birth(PHI_RECORD, "record", f"{node.name}()", f"`{node.name}()` returns a `{cls_name}`; {why}", node.returns))
        return_params = frozenset(int(k[len(PARAM):]) for k in self.returns if k.startswith(PARAM))
        sink_events = [(param, event) for (param, _, _), event in self.param_events.items()]
        rtype = self._annotation_type(node.returns) if node.returns is not None else None
        if rtype is None and len(set(self.return_types)) == 1:
            rtype = self.return_types[0]
        return_fields = {int(k[len(PARAM):]): o.source for k, o in self.returns.items() if k.startswith(PARAM) and o.category == FIELD_OF}
        return Summary(return_params, real(self.returns), sink_events, rtype, return_fields)

    def record(self, event: FlowEvent) -> None:
        """A flow event of this unit: the rules see it (merged per sink argument); when it carries
        parameters of this unit, the unit's summary keeps it too, once per parameter and sink."""
        self.m.record_event(event)
        if self.unit is None:
            return
        for key in event.taint:
            if key.startswith(PARAM):
                self.param_events.setdefault((int(key[len(PARAM):]), event.kind, id(event.node)), event)

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
                    if isinstance(s.target, ast.Name):  # `p: Patient = load(k)`: a record by its annotation
                        typed = self._typed_record(s.annotation, s.target.id, s.target)
                        self.env[s.target.id] = union(self.env.get(s.target.id, CLEAN), typed)
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
                self._match_statement(s)
            elif kind is ast.Assert:
                self.ev(s.test)
                if s.msg is not None:
                    self._sink_argument(s.msg, "EXCEPTION", "an assertion message", "the message", SinkSpec("EXCEPTION", "*", "*", frozenset(), "", ""))
            elif kind is ast.ClassDef and not self.is_module:
                pass  # nested classes are rare in the code we check; skipped
            elif kind is ast.ClassDef:
                self._class_defaults(s)
            elif kind in (ast.FunctionDef, ast.AsyncFunctionDef):
                if not self.is_module:
                    nested = FunctionInfo(s, None, parameters_of(s, method=False))
                    self.m.summary(nested)  # analysed as its own unit
            elif kind in (ast.Import, ast.ImportFrom):
                if self.m.imports.add(s):
                    self.m.top_modules = self.m.imports.top_modules()
            elif kind is ast.Delete:
                for target in s.targets:
                    if isinstance(target, ast.Name):
                        self.env.pop(target.id, None)
        finally:
            self.stmt = previous

    def _class_defaults(self, node: ast.ClassDef) -> None:
        """`api_key: str = "sk-..."` in a settings class: class-level defaults are evaluated with
        their names, so key-shaped literals among them are found (PHI401)."""
        for stmt in node.body:
            if isinstance(stmt, ast.Assign):
                self.ev_named(stmt.value, stmt.targets[0])
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self.ev_named(stmt.value, stmt.target)

    def _branches(self, blocks: list[list[ast.stmt]], setups: list | None = None) -> None:
        """Each block from the same start (after its setup: a `case` binds its pattern), merged."""
        start = self.env
        results = []
        for i, body in enumerate(blocks):
            self.env = dict(start)
            if setups is not None:
                setups[i]()
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
        if len(s.targets) == 1 and same_shape(target, s.value):
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
            self._remember_record_type(target.id, value)
            self._remember_template(target.id, value)
            self._remember_exception(target.id, value)
            if self._is_prompt_text(target.id, value):
                taint = union(taint, self._birth(LLM_PROMPT, "prompt", target.id, f"`{target.id}` is a prompt built from data", value))
            named = self._classify_target(target)
            if named and not self._clears(value) and not self._is_sample_value(value):
                taint = union(taint, named)
        elif isinstance(target, ast.Attribute) and self._is_self(target.value):
            rtype = self.type_of(value)
            if self.cls is not None:  # `self.endpoint = URL`: one value, or None when given several
                known = self.cls.attr_values
                known[target.attr] = value if target.attr not in known or known[target.attr] is value else None
            if rtype and self.cls is not None:
                self.cls.attr_types[target.attr] = rtype
                made = self.constructor_of(value)  # `self.client = AzureOpenAI(...)`, or `= client` made at module level
                if made is not None:
                    self.cls.attr_ctors[target.attr] = made
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._store(element, union(taint, self._classify_target(element)), value)
            return
        self._store(target, taint, value)

    def _store(self, target: ast.expr, taint: Taint, value: ast.expr | None) -> None:
        if taint and not isinstance(target, ast.Name) and self.m.catalog.stores:
            self._stored_into(target, taint, value)  # `scope.user = {...}`
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
        self._remember_loop(target, iterable)
        if pair and (_is_enumerate(iterable, self) or is_items(iterable)):
            index, element = target.elts
            self._store(index, self._classify_target(index), None)
            self._store(element, union(taint, self._named_unless_sample(element)), iterable)
            return
        self._store(target, union(taint, self._named_unless_sample(target)), iterable)

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
        if self._counts(value):
            return True
        if isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Call) and not value.args and not value.keywords:
            return self._clears(value.func.value)  # `hashlib.sha256(x).hexdigest()`: a method of a cleared value
        key, _ = self.resolve(value.func)
        return key is not None and (key in self.m.sanitizers or key in _COUNTING_BUILTINS or self.m.catalog.matches("counting", key))

    def _is_self(self, node: ast.expr) -> bool:
        return self.self_name is not None and isinstance(node, ast.Name) and node.id == self.self_name

    def ev(self, node: ast.expr) -> Taint:
        handler = _EXPRESSIONS.get(type(node))
        return handler(self, node) if handler is not None else CLEAN

    def _binop(self, node: ast.BinOp) -> Taint:
        # `"c0, " + "c1, " + ...`: a long chain is one left-deep spine; walk it in a loop, not by recursion
        out = CLEAN
        for operand in operands(node):
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
        if self.m.scan_keys and not self.quiet and isinstance(node.value, str) and len(node.value) >= 20 and KEY_HINT.search(node.value):
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
        if name in self.m.imports.names:
            return self._imported_data(self.m.imports.names[name])
        if name in self.m.classes or name in self.m.functions:
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
            held = self.cls.inherited("attr_taint", node.attr) if self.cls is not None else None
            if held is not None:
                return held
            if self.cls is not None and self._self_type(node.attr) is not None:
                return CLEAN
            return self._classify_name(node.attr, node)
        base_type = self.type_of(node.value)
        if base_type == WEB_REQUEST and node.attr in self.m.web.get("upload-attributes", ()):
            return self._upload_attribute(node)
        if base_type == WEB_REQUEST and node.attr in self.m.web.get("payload-attributes", ()):
            return self._birth(PAYLOAD, "payload", self.m.line_text(node), f"`{self.m.line_text(node)}` is the body of an inbound request", node)
        if base_type is not None:
            return CLEAN  # an attribute of a client, logger, ...: not data
        if self.m.imports.resolve(node) is not None:
            # a module attribute (`os.RTLD_MEMBER`, `settings.X`) is code, not data; unless the
            # imported object is a person (`flask_login.current_user.email`)
            return self._imported_person_field(node)
        base = self.ev(node.value)
        if node.attr == "__dict__":
            return base  # every field of the object, as a dict
        typed = self._typed_field(node)  # `visit.subject` where `subject: Patient`
        return union(typed, self._member(base, node.attr, node)) if typed else self._member(base, node.attr, node)

    def _member(self, base: Taint, member: str, node: ast.expr) -> Taint:
        """A field of a value: `patient.ssn`, `record["dob"]`, `payload.get("mrn")`."""
        on_record = PHI_RECORD in base or self._subject_named(node)
        hit = self.m.classifier.classify(member, on_record)
        rest = field_of(without(base, PHI_RECORD), member)
        if hit is None:
            words = split_words(member)
            if words and words[-1] in self.m.catalog.vocabulary.opaque_words:
                return CLEAN  # `patient.id`, `body["request_id"]`: an opaque key, not content
            if self._metadata_member(member) or self._field_of_unknown_result(node, words):
                return CLEAN  # `response.status_code`, `usage.total_tokens`: about the value, not of it
            if PHI_RECORD in base and words and all(w in self.m.catalog.vocabulary.record_containers for w in words):
                return self._narrowed(field_of(base, member), words)  # `rec["demographics"]`, `resp["Item"]`: still the record
            return self._narrowed(rest, words)
        if self._is_sample(node):
            return CLEAN  # `SAMPLE_PATIENT["name"]`: sample data written in the code
        container = split_words(self._container_name(node) or "")
        if container and container[-1] in self.m.catalog.vocabulary.tally_words:
            return CLEAN  # `scores["anamnesis"]`: a number about what the key names
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
        elif PAYLOAD in taint and words[-1] in self.m.web.get("payload-text-words", ()):
            taint = {**taint, PAYLOAD: replace(taint[PAYLOAD], category=PAYLOAD_TEXT)}  # what the user typed, not the body
        if LLM_RESPONSE in taint and words[-1] in self.m.web.get("response-metadata-words", ()):
            taint = without(taint, LLM_RESPONSE)
        if CLINICAL_TEXT in taint and (words[-1] in self.m.web.get("document-metadata-words", ()) or "_".join(words[-2:]) in self.m.web.get("document-metadata-words", ())):
            taint = without(taint, CLINICAL_TEXT)  # `upload.content_type`, `result.duration`
        return taint

    def _subject_named(self, node: ast.expr) -> bool:
        """Is the object whose member this is named after a person (`patient.email`, `member_profile.phone`)?"""
        name = self._container_name(node)
        return self.m.classifier.names_person(name) if name is not None else False

    @staticmethod
    def _container_name(node: ast.expr) -> str | None:
        """The name of the object whose member this is: `patient` of `patient.email`, `scores` of
        `scores["anamnesis"]`."""
        base = node.value if isinstance(node, (ast.Attribute, ast.Subscript)) else None
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
            base = base.func.value
        return base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None

    def _subscript(self, node: ast.Subscript) -> Taint:
        base = self.ev(node.value)
        key = self.const_str(node.slice)
        if key is None:
            self.ev(node.slice)
            return base
        typed = self._typed_field(node) if self.record_types else CLEAN  # `state["member"]` of a typed state
        return union(typed, self._member(base, key, node)) if typed else self._member(base, key, node)

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
                hit = self.m.classifier.classify(key)
                if hit is not None and not real(value) and not self._clears(v) and not self._is_sample_value(v) and not self._is_opaque_reference(v):
                    label = PHI_RECORD if hit.record else PHI_FIELD
                    value = self._birth(label, hit.category, f'"{key}": {self.m.line_text(v)}', hit.why, v)
            elif k is not None:
                self.ev(k)
            if key is not None:
                key_taints[key] = (value, v)
            out = union(out, value)
        if "role" in keys and "content" in keys and not is_literal(keys["content"]):
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
        if method in MUTATORS and not inst and not self.quiet and everything is not receiver:
            self._mutate(func.value, without(everything, *receiver), node)
        if key == "getattr":
            read = self._getattr(node, arg_taints)
            if read is not None:
                return read
        if method is not None and not inst and self._counts(node):
            return CLEAN
        if not inst and (key is None or not self.m.catalog.sinks_for(key)):
            records = self._record_query(node, key)
            if records is not None:
                return records

        if method in self.m.web.get("task-dispatch-methods", ()) and not inst and key is not None:
            if self._queued_task(node, key.rpartition(".")[0], arg_taints, kw_taints, everything):
                return CLEAN  # a handle on the queued run (AsyncResult), not its answer
        if key is not None:
            specs = self.m.catalog.sinks_for(key)
            if specs:
                return self._sink_call(node, key, specs, arg_taints, kw_taints)
            if key.startswith("."):
                return self._local_call(node, key[1:], arg_taints, kw_taints, everything)
            if inst and self.cls is None and key in self.m.catalog.types:
                return CLEAN
            if key in self.m.sanitizers:
                return sanitised(everything, Step(node.lineno, node.col_offset, f"sanitised by `{self.m.line_text(node.func)}()`"))
            if key in _COUNTING_BUILTINS or self.m.catalog.matches("counting", key) or self.m.catalog.shows_to_user(key):
                return CLEAN
            if self.m.project is not None:
                crossed = self._project_call(node, key, inst, arg_taints, kw_taints, everything)
                if crossed is not None:
                    return crossed
            if inst:
                base = key.rpartition(".")[0]
                if base == WEB_REQUEST and method in self.m.web.get("payload-methods", ()):
                    return self._birth(PAYLOAD, "payload", self.m.line_text(node), f"`{self.m.line_text(node)}` is the body of an inbound request", node)
                if base in self.m.catalog.types:
                    return CLEAN  # other methods of clients and loggers return no data of ours
        if isinstance(func, ast.Attribute) and self._is_self(func.value) and self.cls is not None:
            own = self.cls.method(func.attr)
            if own is not None:
                return self._summary_call(node, own, arg_taints, kw_taints, everything)
            inherited = self._outside_method(self.cls, func.attr)
            if inherited is not None:  # a method of a base class in another module
                return self._exported_call(node, *inherited, arg_taints, kw_taints)
        if isinstance(func, ast.Attribute):
            local = self._local_method(func)
            if local is not None:
                return self._summary_call(node, local, arg_taints, kw_taints, everything)
            cls = self._local_class_of(func.value)
            inherited = self._outside_method(cls, func.attr) if cls is not None else None
            if inherited is not None:  # `SoapAgent().ask(...)`, `ask` from a base in another module
                return self._exported_call(node, *inherited, arg_taints, kw_taints)
        if method is not None and receiver:
            if method == "keys" and not node.args and not node.keywords:
                return CLEAN  # the field names of a mapping, not its values
            if method == "get" and node.args:
                name = self.const_str(node.args[0])
                if name is not None:
                    return union(self._member(receiver, name, node), arg_taints[1] if len(arg_taints) > 1 else CLEAN)
            if PHI_RECORD in receiver and method in self.m.web.get("record-dumps", ()):
                fields = included_fields(node)
                if fields is not None:  # `patient.model_dump(include={"ward"})`: only those fields
                    out = without(everything, *receiver)
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


# how `ev` reads each kind of expression (any other kind carries nothing)
_EXPRESSIONS = {
    ast.Constant: FunctionAnalysis._constant,
    ast.Name: FunctionAnalysis._name,
    ast.Attribute: FunctionAnalysis._attribute,
    ast.Subscript: FunctionAnalysis._subscript,
    ast.Call: FunctionAnalysis._call_and_sources,
    ast.JoinedStr: FunctionAnalysis._joined,
    ast.FormattedValue: lambda self, n: self.ev(n.value),
    ast.BinOp: FunctionAnalysis._binop,
    ast.BoolOp: FunctionAnalysis._all_of,
    ast.Compare: FunctionAnalysis._compare,
    ast.UnaryOp: FunctionAnalysis._unary,
    ast.IfExp: lambda self, n: (self.ev(n.test), union(self.ev(n.body), self.ev(n.orelse)))[1],
    ast.Dict: FunctionAnalysis._dict,
    ast.List: FunctionAnalysis._all_of,
    ast.Tuple: FunctionAnalysis._all_of,
    ast.Set: FunctionAnalysis._all_of,
    ast.ListComp: FunctionAnalysis._comprehension,
    ast.SetComp: FunctionAnalysis._comprehension,
    ast.GeneratorExp: FunctionAnalysis._comprehension,
    ast.DictComp: FunctionAnalysis._comprehension,
    ast.Await: lambda self, n: self.ev(n.value),
    ast.Yield: FunctionAnalysis._yield,
    ast.YieldFrom: FunctionAnalysis._yield,
    ast.NamedExpr: FunctionAnalysis._walrus,
    ast.Starred: lambda self, n: self.ev(n.value),
    ast.Lambda: lambda self, n: CLEAN,
    ast.Slice: lambda self, n: CLEAN,
}


def _is_enumerate(call: ast.Call, scope: "FunctionAnalysis") -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "enumerate" and scope.resolve(call.func)[0] == "enumerate"


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
