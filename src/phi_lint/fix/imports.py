"""Imports that fixes need, added where libcst's AddImportsVisitor would put them.

Most files begin with a plain block of imports, and a fix needs one more line after it: that is
text, placed here without a second parser (libcst costs more than the whole check of a file).
libcst is used, once per file, only where its rules say more than "after the leading imports":
an existing `from module import ...` to merge into, a top of the file shared by two statements.
"""

from __future__ import annotations

import ast
import re

from phi_lint.model import import_statement

_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_spec(spec: str) -> tuple[str, str | None, str | None]:
    """(module, object or None, alias or None) of a Fix.imports entry, as libcst wants them."""
    name, _, alias = spec.partition(" as ")
    name, alias = name.strip(), alias.strip() or None
    if "." in name:
        module, obj = name.rsplit(".", 1)
        return module, obj, alias
    return name, None, alias


def add_imports(text: str, imports: list[str]) -> str:
    """`text` with `imports` added where an import belongs; imports already there are skipped.
    Raises SyntaxError (or libcst's errors) when the text does not parse."""
    if not imports:
        return text
    body = ast.parse(text).body
    present = _present(body)
    wanted = [spec for spec in dict.fromkeys(imports) if _key(spec) not in present]
    if not wanted:
        return text
    placed = _insert_plainly(text, body, wanted)
    return placed if placed is not None else _insert_with_libcst(text, wanted)


def _key(spec: str) -> tuple[str, str | None, str | None]:
    return split_spec(spec)


def _present(body: list[ast.stmt]) -> set[tuple[str, str | None, str | None]]:
    found = set()
    for stmt in body:
        if isinstance(stmt, ast.Import):
            found.update((a.name, None, a.asname) for a in stmt.names)
        elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
            found.update((stmt.module, a.name, a.asname) for a in stmt.names)
    return found


def _insert_plainly(text: str, body: list[ast.stmt], wanted: list[str]) -> str | None:
    """After the docstring and the leading imports: plain imports first, then from-imports, each
    sorted, and a blank line before the code that follows.
    None where libcst would do more (merge into an existing from-import of the same module)."""
    modules = {split_spec(spec)[0] for spec in wanted if split_spec(spec)[1] is not None}
    if any(isinstance(s, ast.ImportFrom) and not s.level and s.module in modules for s in body):
        return None
    i = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        i = 1
    while i < len(body) and isinstance(body[i], (ast.Import, ast.ImportFrom)):
        i += 1
    following = body[i] if i < len(body) else None
    if not body:
        return None  # nothing to place the imports against
    first = min([following.lineno] + [d.lineno for d in getattr(following, "decorator_list", ())]) if following else None
    # after the docstring and the leading imports (`__future__` ones included); with neither,
    # right above the first statement, below the comments that head the file
    if i or first is None:
        after = body[i - 1].end_lineno
    else:
        after = first - 1
    if first is not None and first <= after:
        return None  # `import os; x = 1`: no line of its own
    lines = _NEWLINE.split(text)
    newline = m.group() if (m := _NEWLINE.search(text)) else "\n"
    plain = sorted(import_statement(s) for s in wanted if split_spec(s)[1] is None)
    names: dict[str, list[str]] = {}  # several names of one module: one statement, names sorted
    for spec in wanted:
        module, obj, alias = split_spec(spec)
        if obj is not None:
            names.setdefault(module, []).append(f"{obj} as {alias}" if alias else obj)
    froms = [f"from {module} import {', '.join(sorted(names[module]))}" for module in sorted(names)]
    added = plain + froms
    rest = lines[after:]
    if following is not None and rest and rest[0].strip():
        added.append("")  # code right below: a blank line between imports and code
    if not text.endswith(("\n", "\r")) and after == len(lines) and lines:
        return newline.join(lines + added)
    return newline.join(lines[:after] + added + rest)


def _insert_with_libcst(text: str, wanted: list[str]) -> str:
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    module = cst.parse_module(text)
    context = CodemodContext()
    for spec in wanted:
        AddImportsVisitor.add_needed_import(context, *split_spec(spec))
    return module.visit(AddImportsVisitor(context)).code
