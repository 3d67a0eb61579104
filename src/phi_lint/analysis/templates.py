"""Prompt templates name their data: the placeholders of a template (`str.format`,
`string.Template`, Jinja, LangChain `PromptTemplate`/`ChatPromptTemplate`) are classified like any
other name, so `TEMPLATE.format(**denial)` with a `{member_name}` placeholder, or
`chain.invoke(record)` on a chain whose prompt asks for `{date_of_birth}`, carries that field."""

from __future__ import annotations

import ast
import re

from phi_lint.analysis.labels import CLEAN, PHI_FIELD, PHI_RECORD, Taint, union
from phi_lint.analysis.syntax import is_literal, operands

# `{member_name}`, `{claim.date_of_birth}`, `{dob!r:>10}`; not `{{literal braces}}`
_FORMAT_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}(?!\})")
_JINJA_FIELD = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)")
_DOLLAR_FIELD = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
# Methods that fill a template with data: (method, placeholder syntax)
_FILLS = {"format": _FORMAT_FIELD, "format_map": _FORMAT_FIELD, "render": _JINJA_FIELD,
          "substitute": _DOLLAR_FIELD, "safe_substitute": _DOLLAR_FIELD}
_TEMPLATE_CLASSES = {"string.Template": _DOLLAR_FIELD, "jinja2.Template": _JINJA_FIELD}
# Methods of a LangChain template, chain or graph that take the data its placeholders name.
_TEMPLATE_INPUTS = frozenset({
    "invoke", "ainvoke", "stream", "astream", "batch", "abatch", "run", "arun", "predict", "apredict",
    "format", "aformat", "format_messages", "aformat_messages", "format_prompt", "aformat_prompt",
})


class Templates:
    """Template handlers of FunctionAnalysis."""

    def _filled_template(self, node: ast.Call) -> Taint:
        """`TEMPLATE.format(**denial)`, `Template(t).substitute(row)`, `jinja.render(**ctx)`: the
        placeholders the data fills, classified by name. Only data that is not written in the
        code fills them (a literal keyword or dict says what it holds itself)."""
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _FILLS or not self._given_data(node):
            return CLEAN
        text, syntax = self._template_text(func.value, _FILLS[func.attr])
        if text is None:
            return CLEAN
        given = {kw.arg for kw in node.keywords if kw.arg is not None and (is_literal(kw.value) or self._clears(kw.value))}
        return self._placeholder_taint(text, syntax, node, skip=given)

    def _given_data(self, node: ast.Call) -> bool:
        values = list(node.args) + [kw.value for kw in node.keywords]
        return any(not is_literal(v) and not isinstance(v, ast.Dict) and not self._clears(v) for v in values) or any(
            kw.arg is not None and not is_literal(kw.value) and not self._clears(kw.value) for kw in node.keywords)

    def _template_text(self, node: ast.expr, syntax: re.Pattern) -> tuple[str | None, re.Pattern]:
        """The text of a template: a string constant, or the text given to `Template(...)`."""
        text = self.const_str(node)
        if text is not None:
            return text, syntax
        made = self.constructor_of(node) if isinstance(node, (ast.Name, ast.Call)) else None
        if made is None or not made.args:
            return None, syntax
        if isinstance(made.func, ast.Attribute) and made.func.attr == "from_string":  # a Jinja environment's
            return self.const_str(made.args[0]), _JINJA_FIELD
        own = _TEMPLATE_CLASSES.get(self.m.imports.resolve(made.func) or "")
        return (self.const_str(made.args[0]), own) if own is not None else (None, syntax)

    def _placeholder_taint(self, text: str, syntax: re.Pattern, node: ast.AST, skip: set = frozenset()) -> Taint:
        out = CLEAN
        for match in syntax.finditer(text):
            name = next(g for g in match.groups() if g)
            field = name.rpartition(".")[2]
            if field in skip or name in skip:
                continue
            hit = self.m.classifier.classify(field, "." in name and bool(self.m.classifier.names_person(name.partition(".")[0])))
            if hit is None:
                continue
            label = PHI_RECORD if hit.record else PHI_FIELD
            if label not in out:
                out = union(out, self._birth(label, hit.category, "{" + name + "}", f"the template's placeholder: {hit.why}", node))
        return out

    # ------------------------------------------------------------------ LangChain templates
    def _remember_template(self, name: str, value: ast.expr) -> None:
        """`prompt = ChatPromptTemplate.from_messages([...])`, `chain = prompt | llm`,
        `LLMChain(prompt=prompt, ...)`: the placeholders the value asks its input for."""
        self.template_slots.pop(name, None)
        slots = self._slots_of(value)
        if slots:
            self.template_slots[name] = slots

    def _slots_of(self, value: ast.expr, depth: int = 0) -> tuple[str, ...]:
        if depth > 4:
            return ()
        if isinstance(value, ast.Name):
            if value.id in self.template_slots:
                return self.template_slots[value.id]
            scope = self.m.module_scope
            return scope.template_slots.get(value.id, ()) if scope is not None and scope is not self else ()
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
            return self._slots_of(operands(value)[0], depth + 1)  # `prompt | llm | parser`: the prompt's
        if not isinstance(value, ast.Call):
            return ()
        if self.type_of(value) == "langchain.PromptTemplate":
            texts = []
            for sub in ast.walk(value):
                if isinstance(sub, (ast.Constant, ast.Name)):
                    text = self.const_str(sub)
                    if text:
                        texts.append(text)
            return tuple(m.group(1) for text in texts for m in _FORMAT_FIELD.finditer(text))
        for kw in value.keywords:  # `LLMChain(llm=llm, prompt=PROMPT)`
            if kw.arg == "prompt":
                return self._slots_of(kw.value, depth + 1)
        return ()

    def _template_input(self, node: ast.Call) -> None:
        """`chain.invoke(record)`: data that is not a literal fills the placeholders of the chain's
        prompt, so a `{date_of_birth}` placeholder makes it a date of birth reaching the model."""
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _TEMPLATE_INPUTS or self.quiet:
            return
        slots = self._slots_of(func.value)
        if not slots:
            return
        spread = next((kw.value for kw in node.keywords if kw.arg is None), None)  # `format_messages(**record)`
        data, argument = (node.args[0], "argument 1") if node.args else (spread, "`**kwargs`")
        if data is None or isinstance(data, ast.Dict) or is_literal(data) or self._clears(data):
            return
        key, _ = self.resolve(func)
        specs = [s for s in self.m.catalog.sinks_for(key or "") if s.kind == "MODEL_CONTENT" and (s.carries(0, None) if node.args else s.keywords == "*")]
        if not specs:
            return
        taint = self._placeholder_taint(" ".join("{" + s + "}" for s in slots), _FORMAT_FIELD, data)
        if taint:
            self._sink_argument(data, "MODEL_CONTENT", specs[0].what.format(method=func.attr), argument, None, union(taint, self.ev(data)))

    def _is_prompt_text(self, name: str, value: ast.expr) -> bool:
        """`prompt = f"... {x}"`: a prompt built from parts that are not constants. Not a template
        (`QA_PROMPT_TMPL = BASE + RULES`), an opaque key (`prompt_id = f"{name}:{version}"`) or a
        number about one (`prompt_tokens = usage.input_tokens + cached`, `prompt_cost`)."""
        lowered = name.lower()
        if "prompt" not in lowered or "template" in lowered or "tmpl" in lowered:
            return False
        words = self.m.classifier.words(name)
        if self.m.classifier.is_metadata(name) or (words and words[-1] in self.m.catalog.vocabulary.opaque_words):
            return False
        if isinstance(value, ast.JoinedStr):
            parts = [v.value for v in value.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mod)):
            parts = operands(value)
            if all(self._clears(p) or isinstance(p, ast.Constant) and isinstance(p.value, (int, float)) for p in parts):
                return False  # `len(header) + len(note)`: a sum of counts
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("format", "join"):
            parts = [*value.args, *(keyword.value for keyword in value.keywords)]
        else:
            return False
        return any(not is_literal(part) and self.const_str(part) is None for part in parts)
