"""Which values can carry content: the precision half of the interpreter.

A number, a flag or a status read from a value is not the value (`response.status_code`,
`usage.total_tokens`, `len(notes)`, `notes.count("\\n")`); `getattr(x, "attr")` reads the
field it names; data written as literals in the code is sample data (a test's patient, a
few-shot transcript), not a patient's; and a model's answer holds only what its request sent.
"""

from __future__ import annotations

import ast

from phi_lint.analysis.labels import CLEAN, LABELS, LLM_PROMPT, PARAM, Taint, union
from phi_lint.analysis.syntax import is_literal
from phi_lint.catalog import SinkSpec

# Labels of the data a model request may send, so that its answer may hold it (a prompt's own
# label is not data: a prompt built from nothing sensitive gets an answer about nothing sensitive).
DATA_LABELS = tuple(label for label in LABELS if label != LLM_PROMPT)
# The category of a prompt a builder (a LangChain template's `invoke`) made from data: the data
# is reported at the builder and not carried on, but the answer to that prompt may hold it.
PROMPT_OF_DATA = "prompt-of-data"


class Content:
    """Content handlers of FunctionAnalysis."""

    def _metadata_member(self, member: str) -> bool:
        """A field that holds a number, a flag or a status about its value (rules/sensitive-data.toml
        `metadata-words`); ask only of a name the vocabulary does not classify."""
        return self.m.classifier.is_metadata(member)

    def _field_of_unknown_result(self, node: ast.expr, words: tuple[str, ...]) -> bool:
        """`resp = ehr.submit(observation)` then `resp.status_code` or `resp.message`: a field of
        the result of a call phi-lint does not know, that is not its content
        (web-frameworks.toml `result-content-words`), does not hold the call's arguments."""
        if not words or words[-1] in self.m.web.get("result-content-words", ()):
            return False
        base = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else getattr(node, "value", None)
        if isinstance(base, ast.Name):
            base = self.consts.get(base.id)  # the value it was last given in this unit
        if isinstance(base, ast.Await):
            base = base.value
        return isinstance(base, ast.Call) and self._unrecognised(base)

    def _unrecognised(self, call: ast.Call) -> bool:
        """A call whose result phi-lint knows nothing of: not a function or class of this module,
        not a catalogue sink, client or logger, not a call that passes its arguments on
        (`str`, `json.loads`: web-frameworks.toml `propagators`)."""
        if self._is_source_call(call):
            return False  # `PdfReader(path).pages`, `cursor.execute(sql).fetchall()`: rules/sources.toml
        key, inst = self.resolve(call.func)
        if key is None:
            return isinstance(call.func, ast.Attribute)  # a method of a local value: `ehr.submit(...)`
        if key.startswith(".") or inst or self.m.catalog.sinks_for(key) or self.m.catalog.constructed_types(key):
            return False
        return not self.m.catalog.matches("propagators", key) and self._record_class(call.func) is None

    def _counts(self, call: ast.Call) -> bool:
        """`notes.count("\\n")`, `qs.exists()`, `text.startswith("Dr")`: a method whose result is a
        number or a flag about the object (web-frameworks.toml `counting-methods`)."""
        func = call.func
        return isinstance(func, ast.Attribute) and func.attr in self.m.web.get("counting-methods", ())

    def _getattr(self, node: ast.Call, arg_taints: list[Taint]) -> Taint | None:
        """`getattr(patient, "ssn")` reads exactly what `patient.ssn` reads (and the default, when
        one is given). None when the attribute's name is not a constant."""
        if len(node.args) < 2 or node.keywords:
            return None
        name = self.const_str(node.args[1])
        if name is None or not name.isidentifier():
            return None
        attribute = ast.Attribute(value=node.args[0], attr=name, ctx=ast.Load())
        ast.copy_location(attribute, node)
        attribute.end_lineno, attribute.end_col_offset = node.end_lineno, node.end_col_offset
        self.quiet += 1  # the object was evaluated with the arguments already
        try:
            read = self._attribute(attribute)
        finally:
            self.quiet -= 1
        return union(read, arg_taints[2]) if len(arg_taints) > 2 else read

    # ------------------------------------------------------------------ literal samples
    def _is_sample(self, node: ast.expr, depth: int = 0) -> bool:
        """Is the object a field is read from sample data written in the code: a name given only
        literals (`patient = {"name": "Ada Lovelace", "dob": "1815-12-10"}` in a test or a demo)
        or parts of them (`FEW_SHOT[0]`), or the variable of a loop over such literals?"""
        root = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else node  # `x.get("name")`
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name) or root is node:
            return False
        return self._sample_loop_variable(root.id) or self._sample_name(root.id, depth)

    def _sample_name(self, name: str, depth: int = 0) -> bool:
        """A name whose every value in its scope (this unit, else the module) is sample data."""
        if self.env.get(name) or depth > 4:
            return False
        values = self._bindings().get(name)
        if values is None and self.unit is not None:
            values = self.m.module_bindings().get(name)
        return bool(values) and all(v is not None and (self._literal_value(v) or self._is_sample(v, depth + 1)) for v in values)

    def _remember_loop(self, target: ast.expr, iterable: ast.expr) -> None:
        """What the variables of a loop run over (through `enumerate(...)`, `sorted(...)`,
        `.items()`, `.values()`), judged only when one of them is read as sample data."""
        while isinstance(iterable, ast.Call) and (
            (isinstance(iterable.func, ast.Name) and iterable.func.id in ("enumerate", "sorted", "reversed") and iterable.args)
            or (isinstance(iterable.func, ast.Attribute) and iterable.func.attr in ("items", "values") and not iterable.args)
        ):
            iterable = iterable.args[0] if isinstance(iterable.func, ast.Name) else iterable.func.value
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                self.loop_iterables[name.id] = iterable

    def _sample_loop_variable(self, name: str) -> bool:
        """`for case in FEW_SHOT_CASES:` where the cases are literals: `case` is sample data
        (unless it is bound anywhere else in the unit)."""
        iterable = self.loop_iterables.get(name)
        return iterable is not None and len(self._bindings().get(name, ())) == 1 and self._is_sample_value(iterable)

    def _named_unless_sample(self, target: ast.expr) -> Taint:
        """What a loop variable's name says it holds, unless it runs over sample data."""
        named = self._classify_target(target)
        return CLEAN if named and isinstance(target, ast.Name) and self._sample_loop_variable(target.id) else named

    def _is_sample_value(self, value: ast.expr) -> bool:
        """Is a value sample data written in the code: literals (dicts included), a field of a
        sample, a record or a plain value built from literals? A name given one says nothing."""
        return is_literal(value) or self._is_sample(value) or self._literal_value(value)

    def _literal_value(self, node: ast.expr, depth: int = 0) -> bool:
        """Literals, containers of them, and constructors called with literals only
        (`Patient(name="Ada Lovelace", birth_date=date(1815, 12, 10))`, `Decimal("12.5")`). Not a
        function called with literals: `load_patient("p-17")` reads a real record."""
        if depth > 8:
            return False
        if isinstance(node, ast.Call):
            parts = list(node.args) + [kw.value for kw in node.keywords]
            return (bool(parts) and all(kw.arg is not None for kw in node.keywords) and self._builds_value(node.func)
                    and all(self._literal_value(p, depth + 1) for p in parts))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self._literal_value(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is not None and self._literal_value(k, depth + 1) and self._literal_value(v, depth + 1)
                       for k, v in zip(node.keys, node.values))
        return self._literal_content(node, depth)

    def _builds_value(self, func: ast.expr) -> bool:
        """A class (by the capital of its name) or a builder of plain values (web-frameworks.toml
        `value-builders`: `date`, `dict`, ...)."""
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name[:1].isupper() or self.m.catalog.matches("value-builders", self.m.imports.resolve(func) or name)

    # ------------------------------------------------------------------ answers
    def _answer_holds_data(self, node: ast.Call, key: str, specs: tuple[SinkSpec, ...], arg_taints, kw_taints) -> bool:
        """Can the answer to this model request hold the application's data? Only what the request
        sent can come back: its content must carry a PHI field, a record, a request body, an earlier
        answer or a parameter's data (judged at the caller). A request that may fetch stored data
        (a chain, an agent, a conversation, file search) or whose content is unseen always can."""
        if self._may_retrieve(node, key):
            return True
        content = [s for s in specs if s.kind == "MODEL_CONTENT"]
        sent = CLEAN
        seen = False
        for i, (arg, taint) in enumerate(zip(node.args, arg_taints)):
            if isinstance(arg, ast.Starred):
                return True
            if any(s.carries(i, None) for s in content):
                sent, seen = union(sent, taint), True
        for kw, taint in zip(node.keywords, kw_taints):
            if kw.arg is None:  # `create(**params)`: the content keys of a known mapping
                mapping = self._mapping(kw.value)
                if mapping is None:
                    return True
                for name, (held, _) in mapping.items():
                    if any(s.carries(None, name) for s in content):
                        sent, seen = union(sent, held), True
            elif any(s.carries(None, kw.arg) for s in content):
                sent, seen = union(sent, taint), True
        prompt = sent.get(LLM_PROMPT)
        return not seen or self._carries_data(sent) or (prompt is not None and prompt.category == PROMPT_OF_DATA)

    def _carries_data(self, taint: Taint) -> bool:
        """Data a model may echo: a PHI field or record, a body, an answer, or a parameter's value."""
        return any(label in taint for label in DATA_LABELS) or any(k.startswith(PARAM) for k in taint)

    def _prompt_category(self, taint: Taint) -> str:
        """The category of a prompt built from `taint` by a prompt builder."""
        return PROMPT_OF_DATA if self._carries_data(taint) else "prompt"
