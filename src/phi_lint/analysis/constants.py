"""Constant folding: the strings, values, URLs and constructors behind expressions, followed
through local and module constants and `os.getenv` defaults."""

from __future__ import annotations

import ast

from phi_lint.analysis.exports import is_class_key
from phi_lint.analysis.syntax import bindings_of


class Constants:
    """Constant-folding handlers of FunctionAnalysis; also the `ValueScope` rules see."""

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
            if value is None:
                found = self._project_constant(node)
                return found if isinstance(found, str) else None
            return self.const_str(value, depth + 1)
        if isinstance(node, ast.Attribute):
            value = self.attribute_value(node)
            if value is None:
                found = self._project_constant(node)
                return found if isinstance(found, str) else None
            return self.const_str(value, depth + 1)
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

    def attribute_value(self, node: ast.Attribute) -> ast.expr | None:
        """The value behind `self.endpoint` (given once in the class), a class constant
        (`Gateway.BASE`, `self.BASE`) of this module, or the default of an instance of a class of
        this module (`settings = Settings()` ... `settings.base_url`)."""
        owner = None
        if self._is_self(node.value) and self.cls is not None:
            value = self.cls.inherited("attr_values", node.attr)
            if value is not None:
                return value
            owner = self.cls
        elif isinstance(node.value, ast.Name) and node.value.id in self.m.classes and node.value.id not in self.env:
            owner = self.m.classes[node.value.id]
        elif isinstance(node.value, ast.Name):
            owner = self._local_class_of(node.value)
        while owner is not None:
            values = [s.value for s in owner.node.body if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None
                      and any(isinstance(t, ast.Name) and t.id == node.attr for t in (s.targets if isinstance(s, ast.Assign) else [s.target]))]
            if values:
                return values[0] if len(values) == 1 else None
            owner = owner.bases[0] if owner.bases else None  # a default a base class sets
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
            return self.const_value(value, depth + 1) if value is not None else self._project_constant(node)
        if isinstance(node, ast.Attribute):
            return self._project_constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):  # `not DEBUG`
            value = self.const_value(node.operand, depth + 1)
            return None if value is None else not value
        return self.const_str(node, depth)

    def _project_constant(self, node: ast.Name | ast.Attribute):
        """A constant another module of the project defines: `BASE_URL` imported from config.py,
        `config.BASE_URL`, or `settings.base_url`, the default of a settings class's field."""
        project = self.m.project
        if project is None:
            return None
        if isinstance(node, ast.Name):
            dotted = self.m.imports.names.get(node.id)
            return project.constant(dotted) if dotted else None
        dotted = self.m.imports.resolve(node)
        if dotted:
            return project.constant(dotted)
        base, inst = self.resolve(node.value)  # `settings.base_url` of `settings = get_settings()`
        if inst and is_class_key(base):
            return dict(getattr(project.class_facts(base, attributes=False), "defaults", ())).get(node.attr)
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
            prefix = self.url_str(value, depth + 1) if value is not None and is_single_binding(self, node.id) else None
        if not prefix or "://" not in prefix:
            return None
        rest = prefix.split("://", 1)[1]
        return prefix if any(c in rest for c in "/:?") and rest[:1] not in "/:?" else None

    def _bindings(self) -> dict[str, list]:
        if self.unit is None:
            return self.m.module_bindings()
        if self._binding_cache is None:
            self._binding_cache = bindings_of([self.unit.node], params=True)
        return self._binding_cache

    def constructor_of(self, node: ast.expr) -> ast.Call | None:
        """The call that made a value: the value itself, or what a local or module name, or
        `self.client`, was bound to."""
        if isinstance(node, ast.Call):
            return node
        if isinstance(node, ast.Name):
            scopes = [self] + ([self.m.module_scope] if self.m.module_scope is not None and self.m.module_scope is not self else [])
            for scope in scopes:
                made = scope.ctors.get(node.id) or scope.consts.get(node.id)
                if made is not None:
                    return made if isinstance(made, ast.Call) else None
            return None
        if isinstance(node, ast.Attribute) and self._is_self(node.value) and self.cls is not None:
            return self.cls.inherited("attr_ctors", node.attr)
        return None

    def constructors_behind(self, node: ast.expr, depth: int = 0) -> list[ast.Call]:
        """Every call a value was made by, through what it is made of: the client itself
        (`client = AzureOpenAI(...)`), each side of a LangChain pipe (`prompt | llm | parser`), the
        object a method was called on (`llm.bind_tools(...)`). Where a request made on the value goes."""
        if depth > 8:
            return []
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.constructors_behind(node.left, depth + 1) + self.constructors_behind(node.right, depth + 1)
        if isinstance(node, ast.Call):
            inner = self.constructors_behind(node.func.value, depth + 1) if isinstance(node.func, ast.Attribute) else []
            return [node] + inner
        if isinstance(node, ast.Name):
            for scope in [self] + ([self.m.module_scope] if self.m.module_scope is not None and self.m.module_scope is not self else []):
                made = scope.ctors.get(node.id) or scope.consts.get(node.id)
                if made is not None:
                    return self.constructors_behind(made, depth + 1) if isinstance(made, (ast.Call, ast.BinOp, ast.Await)) else []
            return []
        made = self.constructor_of(node)
        return self.constructors_behind(made, depth + 1) if made is not None else []

    def literal_of(self, node: ast.expr) -> ast.Constant | None:
        """The string literal behind an expression, followed through simple constants and
        `os.getenv("X", "default")` defaults: what a fix may rewrite."""
        for _ in range(8):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return node
            if isinstance(node, ast.Name):
                node = self.consts.get(node.id) or (self.m.module_scope.consts.get(node.id) if self.m.module_scope else None)
                if node is None:
                    return None
                continue
            if isinstance(node, ast.Call) and len(node.args) >= 2 and self.m.imports.resolve(node.func) in ("os.getenv", "os.environ.get"):
                node = node.args[1]
                continue
            return None
        return None



def is_single_binding(scope: "Constants", name: str) -> bool:
    """A name given one value only (so its last value is its value)."""
    values = scope._bindings().get(name)
    if values is None and scope.unit is not None:
        values = scope.m.module_bindings().get(name)
    return values is not None and len(values) == 1 and values[0] is not None

