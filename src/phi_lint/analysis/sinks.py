"""Sinks: labels reaching model requests, logs and exceptions become flow events, with the
smallest tainted parts of each argument (what a fix would wrap)."""

from __future__ import annotations

import ast
import builtins

from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import CLEAN, LLM_PROMPT, LLM_RESPONSE, Step, Taint, add_step, union
from phi_lint.analysis.syntax import is_literal, operands
from phi_lint.catalog import SinkSpec


class Sinks:
    """Sink handlers of FunctionAnalysis."""

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
        if key in self.m.catalog.content_attributes.get("calls", ()):
            arg_taints, kw_taints = self._content_attributes(node, arg_taints, kw_taints)
        result = CLEAN
        everything = CLEAN
        for t in arg_taints + kw_taints:
            everything = union(everything, t)
        holds_data = None  # can the answer hold the application's data (content.py)?
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
                if holds_data is None:
                    holds_data = self._answer_holds_data(node, key, specs, arg_taints, kw_taints)
                if holds_data:
                    result = union(result, self._birth(LLM_RESPONSE, "response", call_text, f"the answer of {what}", node))
            elif spec.returns == "prompt":
                result = union(result, self._birth(LLM_PROMPT, self._prompt_category(everything), call_text, f"a prompt built by {what}", node))
        if not result and all(spec.returns == "" for spec in specs):
            return CLEAN
        return result

    def _content_attributes(self, node: ast.Call, arg_taints: list, kw_taints: list) -> tuple[list, list]:
        """`span.set_attribute("gen_ai.prompt", text)`: a value given to a GenAI content key is a
        prompt or an answer whatever its name (log-sinks.toml `content-attributes`)."""
        spec = self.m.catalog.content_attributes
        event = self.const_str(node.args[0]) if node.args else None
        event_role = _content_role(event, spec)

        def role_taint(role: str | None, value: ast.expr) -> Taint:
            if role is None or is_literal(value) or self._clears(value):
                return CLEAN
            label = LLM_PROMPT if role == "prompt" else LLM_RESPONSE
            text = self.m.line_text(value)
            return self._birth(label, role, text, f"`{text}` is recorded as the model's {role} of a GenAI span", value)

        def mapping_taint(value: ast.expr) -> Taint:
            out = CLEAN
            if isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values):
                    out = union(out, role_taint(event_role or _content_role(self.const_str(k) if k is not None else None, spec), v))
            return out

        args = list(arg_taints)
        if len(node.args) >= 2:  # set_attribute(key, value); add_event(name, attributes)
            args[1] = union(args[1], role_taint(event_role, node.args[1]) if not isinstance(node.args[1], ast.Dict) else mapping_taint(node.args[1]))
        if node.args and isinstance(node.args[0], ast.Dict):  # set_attributes({...})
            args[0] = union(args[0], mapping_taint(node.args[0]))
        kws = [union(t, mapping_taint(kw.value)) if kw.arg == "attributes" else t for kw, t in zip(node.keywords, kw_taints)]
        return args, kws

    def _stored_into(self, target: ast.expr, taint: Taint, value: ast.expr | None) -> None:
        """`scope.user = {...}`, `notice["params"]["x"] = v`, `event["user"]["email"] = v`: a value
        stored into an error tracker's object is sent with it (log-sinks.toml `[[store]]`)."""
        root, first = target, None
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            first = root.attr if isinstance(root, ast.Attribute) else self.const_str(root.slice) or "*"
            root = root.value
        if not isinstance(root, ast.Name) or first is None:
            return
        owner = self.types.get(root.id)
        for attributes, kind, what in self.m.catalog.stores.get(owner, ()) if owner else ():
            if "*" in attributes or first in attributes:
                node = value if value is not None else target
                self._sink_argument(node, kind, what.format(attribute=first), "the value stored", None, taint)
                return

    def _may_retrieve(self, node: ast.Call, key: str) -> bool:
        """Can this model request fetch stored data besides what it sends: a chain, an agent or a
        query engine (they retrieve), a chat session, a request that continues a conversation or
        searches files (model-sdks.toml `answer-state`)?"""
        state = self.m.catalog.answer_state
        owner = next((t for t in self.m.catalog.types if key.startswith(t + ".")), None)
        if owner in state.get("retrieving-types", ()) or key.rpartition(".")[2] in state.get("stateful-methods", ()):
            return True
        for kw in node.keywords:
            if kw.arg in state.get("keywords", ()):
                return True
            if kw.arg == "tools" and any(w in ast.unparse(kw.value) for w in ("file_search", "retriev", "vector_store")):
                return True
        return False

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
            ctor = self.constructor_of(node.func.value)
            if ctor is not None:
                for kw in ctor.keywords:
                    if kw.arg == "base_url":
                        base = self.url_str(kw.value)
                        url = base if base is not None and "://" in base else url
        return url is not None and is_model_endpoint(url, self.m.catalog, self.m.approved_endpoints)

    def _emit(self, kind: str, what: str, argument: str, arg: ast.expr, taint: Taint, parts: ast.expr | None = None) -> None:
        if parts is None or self.quiet:
            self._sink_argument(arg, kind, what, argument, None, taint)
            return
        # `create(**params)`: the finding is at the call, the parts to wrap are in the mapping's value
        step = Step(arg.lineno, arg.col_offset, f"reaches {what} ({argument})")
        taint = add_step(taint, step)
        self.record(FlowEvent(kind, what, argument, taint, arg, self.stmt, self.atoms(parts) or [(parts, taint)]))

    def _sink_argument(self, arg: ast.expr, kind: str, what: str, argument: str, spec, taint: Taint | None = None) -> None:
        if self.quiet:
            return
        if taint is None:
            taint = self.ev(arg)
        if not taint:
            return
        step = Step(arg.lineno, arg.col_offset, f"reaches {what} ({argument})")
        self.record(FlowEvent(kind, what, argument, add_step(taint, step), arg, self.stmt, self.atoms(arg)))

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
                    self.record(FlowEvent("EXCEPTION", what, label, delivered, arg, self.stmt, self.atoms(arg) or [(arg, delivered)]))

    def _exception_parts(self, call: ast.Call) -> list[tuple[ast.expr, str, Taint | None]]:
        """The arguments of an exception's constructor that make its message. A builtin
        exception's keywords are attributes its message does not show (`AttributeError(msg,
        name=..., obj=record)`, `ImportError(msg, name=..., path=...)`)."""
        parts: list[tuple[ast.expr, str, Taint | None]] = [(arg, f"argument {i + 1}", None) for i, arg in enumerate(call.args)]
        if isinstance(call.func, ast.Name) and _is_builtin_exception(call.func.id) and self.resolve(call.func)[0] == call.func.id:
            return parts
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
            for operand in operands(node):
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


def _content_role(key: str | None, spec: dict) -> str | None:
    """"prompt" or "response" when a telemetry key records a model's input or output."""
    if not key:
        return None
    for role, table in (("prompt", "prompt-keys"), ("response", "response-keys")):
        if any(key == p or (p.endswith("*") and key.startswith(p[:-1])) for p in spec.get(table, ())):
            return role
    return None


def _is_builtin_exception(name: str) -> bool:
    found = getattr(builtins, name, None)
    return isinstance(found, type) and issubclass(found, BaseException)
