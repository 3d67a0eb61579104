"""Import resolution: which dotted name each local name stands for.

`from openai import OpenAI as OA` makes `OA` stand for `openai.OpenAI`; `import boto3.session as s`
makes `s.Session` stand for `boto3.session.Session`. Relative imports resolve against the
module's own package when its path is known.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator


def module_package(path: str | None) -> list[str]:
    """The dotted package of a file path, as far as the path tells (`app/api/routes.py` -> app.api)."""
    if not path or path == "-":
        return []
    parts = path.replace("\\", "/").split("/")[:-1]
    return [p for p in parts if p and p not in (".", "..") and p.isidentifier()]


def imported_module(node: ast.ImportFrom, package: list[str]) -> str:
    """The dotted module a `from ... import` names, a relative one resolved against `package`."""
    module = node.module or ""
    if node.level:
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        module = ".".join([*base, module] if module else base)
    return module


def import_statements(text: str, *patterns: re.Pattern) -> Iterator[re.Match]:
    """The import statements of a module's text, read without parsing it: the first of
    `patterns` that matches at the start of a line holding the word `import`. Several times
    faster than a `^`-anchored search of every line (a tenth of a second on the stdlib)."""
    at = text.find("import")
    while at != -1:
        line = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        for pattern in patterns:
            found = pattern.match(text, line)
            if found is not None:
                yield found
                end = max(end, found.end())
                break
        at = text.find("import", end)


class ImportMap:
    def __init__(self, path: str | None = None, package: list[str] | None = None) -> None:
        self.names: dict[str, str] = {}
        self.package = package if package is not None else module_package(path)

    def add(self, node: ast.Import | ast.ImportFrom) -> bool:
        """Add what an import statement binds; did it change anything? (A function's imports are
        added again each time it is interpreted.)"""
        if isinstance(node, ast.Import):
            bound = [(alias.asname, alias.name) if alias.asname else (alias.name.split(".", 1)[0],) * 2 for alias in node.names]
        else:
            module = imported_module(node, self.package)
            bound = [(alias.asname or alias.name, f"{module}.{alias.name}" if module else alias.name)
                     for alias in node.names if alias.name != "*"]
        changed = False
        for local, dotted in bound:
            if self.names.get(local) != dotted:
                self.names[local] = dotted
                changed = True
        return changed

    def collect(self, body: list[ast.stmt]) -> None:
        """Imports at module level, including those under if/try (TYPE_CHECKING, fallbacks)."""
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.add(stmt)
            elif isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
                for block in ("body", "orelse", "finalbody"):
                    self.collect(getattr(stmt, block, []))
                for handler in getattr(stmt, "handlers", []):
                    self.collect(handler.body)

    def top_modules(self) -> set[str]:
        return {dotted.split(".", 1)[0] for dotted in self.names.values()}

    def resolve_text(self, dotted: str) -> str | None:
        """The dotted name a name or a chain written in the module stands for (`schemas.NoteCreate`
        -> `app.schemas.NoteCreate`), when its first part is imported."""
        first, _, rest = dotted.partition(".")
        base = self.names.get(first)
        return f"{base}.{rest}" if base and rest else base

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name of a Name/Attribute chain rooted at an import, else None."""
        attrs = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.names:
            return None
        return ".".join([self.names[node.id], *reversed(attrs)])
