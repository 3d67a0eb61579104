"""Types and parameters: which catalogue type an expression's value has (a client, a logger, a
request), what the parameters of a unit are (a route's body, a hook's prompt, a PHI record by
annotation), and which calls give back PHI records."""

from __future__ import annotations

import ast

from phi_lint.analysis.classify import Sensitivity, split_words
from phi_lint.analysis.exports import is_class_key
from phi_lint.analysis.labels import CLEAN, LLM_PROMPT, LLM_RESPONSE, PAYLOAD, PHI_RECORD, WEB_REQUEST, Taint, union
from phi_lint.analysis.summaries import FunctionInfo
from phi_lint.analysis.syntax import annotation_names


class Types:
    """Type and parameter handlers of FunctionAnalysis."""

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

    def _params_marked(self, args: ast.arguments, table: str) -> set[str]:
        """Route parameters whose default, or `Annotated[...]` metadata, calls one of the
        web-frameworks.toml list `table`: `note: str = Body(...)`, `Annotated[str, Form()]`,
        `user: User = Depends(current_user)`."""
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        pairs += [(a, a.annotation) for a in positional + args.kwonlyargs if isinstance(a.annotation, ast.Subscript)]
        found = set()
        for arg, expr in pairs:
            for sub in ast.walk(expr):
                if isinstance(sub, ast.Call) and self.m.catalog.matches(table, self.m.imports.resolve(sub.func) or ""):
                    found.add(arg.arg)
        return found

    def _annotation(self, arg: ast.arg, routed: bool) -> Taint:
        ann = arg.annotation
        taint = CLEAN
        rtype = self._annotation_type(ann)
        if rtype:
            self.types[arg.arg] = rtype
        taint = union(self._upload_annotation(arg), self._typed_record(ann, arg.arg, arg))
        for cls_name in annotation_names(ann):
            info = self.m.classes.get(cls_name)
            dotted = self.m.imports.resolve_text(cls_name) or cls_name
            record = (info.record if info else None) or (
                Sensitivity("record", "record", f"`{cls_name}` is a FHIR resource", record=True)
                if dotted.rsplit(".", 1)[-1] in self.m.catalog.vocabulary.fhir_resources and ("fhir" in dotted or info) else None)
            if record:
                taint = union(taint, self._birth(PHI_RECORD, "record", arg.arg, f"`{arg.arg}: {cls_name}`; {record.why}", arg))
            if routed and (info.is_model if info is not None else self.m.project is not None and self.m.project.is_model(dotted)):
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
        if types:
            return types[0][0]
        if self.m.project is not None:  # `service: Summariser`, a class of another module
            made = self.m.project.call_type(dotted)
            return made if is_class_key(made) else None
        return None

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
                held = self._project_type(dotted)  # `from app.clients import client`
                if held:
                    return held, True
                outside = self._outside_project(dotted)  # `from app.logging_setup import logger`, loguru's
                if outside:
                    inst = self.m.catalog.instances.get(outside)
                    return (inst, True) if inst else (outside, False)
                return dotted, False
            if name in self.m.classes or name in self.m.functions:
                return "." + name, False
            return name, False  # a builtin such as print
        if isinstance(node, ast.Attribute):
            if self._is_self(node.value) and self.cls is not None:
                rtype = self._self_type(node.attr)
                return (rtype, True) if rtype else (None, False)
            base, inst = self.resolve(node.value)
            if base is None:
                return None, False
            key = f"{base}.{node.attr}"
            if inst and key in self.m.catalog.instances:  # `app.logger` of `app = Flask(...)`
                return self.m.catalog.instances[key], True
            if inst and is_class_key(base) and self.m.project is not None:  # `service.client` of a project class
                held = dict(getattr(self.m.project.class_facts(base), "attr_types", ())).get(node.attr)
                if held:
                    return held, True
            if not inst:
                inst_type = self.m.catalog.instances.get(key)
                if inst_type:
                    return inst_type, True
                if key in self.m.web.get("request-instances", ()):
                    return WEB_REQUEST, True
                held = self._project_type(key)  # `clients.chat_client` of `import app.clients as clients`
                if held:
                    return held, True
                outside = self._outside_project(key)  # `logging_setup.logger`, loguru's
                if outside:
                    inst_type = self.m.catalog.instances.get(outside)
                    return (inst_type, True) if inst_type else (outside, False)
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
            if key in self.m.catalog.log_files.get("opens", ()) and self._opens_log_file(node):
                return "file.Log"  # `open("audit.log", "a")`
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
            return self._project_call_type(key, inst)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            pipes = self.m.catalog.pipe_types
            if self.type_of(node.left) in pipes or self.type_of(node.right) in pipes:
                return "langchain.Runnable"
            return None
        if isinstance(node, (ast.Name, ast.Attribute)):
            key, inst = self.resolve(node)
            return key if inst and (key in self.m.catalog.types or is_class_key(key)) or key == WEB_REQUEST else None
        return None

    def _self_type(self, attr: str) -> str | None:
        """The type of `self.<attr>`: set by this class's or a base's `__init__` (a base of
        another module of the project included)."""
        held = self.cls.inherited("attr_types", attr)
        if held is None and self.cls.outside_bases and self.m.project is not None:
            for base in self.cls.outside_bases:
                made = self.m.project.call_type(base)
                held = dict(getattr(self.m.project.class_facts(made), "attr_types", ())).get(attr)
                if held:
                    break
        return held

    def _project_call_type(self, key: str, inst: bool) -> str | None:
        """What a call to the project's code gives: a function's or method's return type (a
        client from a factory), an instance of a project class."""
        project = self.m.project
        if project is None:
            return None
        if inst:
            owner, _, name = key.rpartition(".")
            found = project.method(owner, name) if is_class_key(owner) else None
            return found[1].return_type if found is not None else None
        return project.call_type(key)

    def _service_name(self, node: ast.Call) -> str | None:
        if node.args:
            return self.const_str(node.args[0])
        for kw in node.keywords:
            if kw.arg == "service_name":
                return self.const_str(kw.value)
        return None

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
        if dotted and self.m.project is not None:
            return self.m.project.record_why(dotted)  # a record class of another module
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
            if why is not None and self._literal_value(node):
                return CLEAN  # a FHIR resource built from literals: sample data
        if why is None and node.args and (key is None or "." in key.lstrip(".")) and not self._clears(node):
            why = self._record_class(node.args[0])
        if why is None:
            return None
        # the records only: the arguments (a primary key, a filter) select them, they do not come back
        return self._birth(PHI_RECORD, "record", self.m.line_text(node), why, node)

