"""Guards a framework applies to every view by default, set in the project's settings module.

DRF's `REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": [...]}` guards every view that sets no
permission classes of its own. The settings module is the one the project's entry points name
(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")` in manage.py, wsgi.py,
asgi.py); every one they name must guard. A settings module that star-imports a base (`from
.base import *`) takes the value from there unless it sets its own. What cannot be read for sure
guards nothing: a value built at run time or changed after it is set, a setting under a condition,
a star import from outside the project or under a condition (`try: from .local import *`), a
settings module outside the project. Which framework reads which setting is catalogue data
(`settings-variable`, `default-guard` in rules/access-control.toml).
"""

from __future__ import annotations

import ast
import functools
import re
from typing import TYPE_CHECKING, Callable

from phi_lint.analysis.imports import imported_module
from phi_lint.analysis.syntax import names_in_text
from phi_lint.catalog import AccessControl, WebFramework, matches_any

if TYPE_CHECKING:
    from phi_lint.analysis.project import ProjectIndex, ProjectView

MAX_DEPTH = 4  # star imports followed this far (settings/prod.py -> base.py -> ...)
_UNSET = object()  # the module does not set it


# ---------------------------------------------------------------------- from the text (cache keys)
def may_use_settings_default(text: str, access: AccessControl) -> bool:
    """Could a module define views of a framework that has a default in the settings (it names
    the framework's package)? Read from its text: a superset."""
    return _framework_words(access)(text)


def named_settings(text: str, access: AccessControl) -> list[str]:
    """The settings modules an entry point's text names (`"DJANGO_SETTINGS_MODULE", "clinic.settings"`)."""
    return [name for pattern in _variable_patterns(access) for name in pattern.findall(text)]


@functools.lru_cache(maxsize=4)
def _framework_words(access: AccessControl) -> Callable[[str], bool]:
    return names_in_text(sorted({n.split(".", 1)[0] for fw in access.frameworks if fw.settings_variable
                                 for n in (*fw.view_bases, *fw.view_decorators)}))


@functools.lru_cache(maxsize=4)
def _variable_patterns(access: AccessControl) -> tuple[re.Pattern, ...]:
    variables = sorted({fw.settings_variable for fw in access.frameworks if fw.settings_variable})
    return tuple(re.compile(re.escape(v) + r"""["']\s*(?:,|\]\s*=)\s*["']([\w.]+)["']""") for v in variables)


# ---------------------------------------------------------------------- from the code
def default_guards(view: ProjectView, fw: WebFramework, public: tuple[str, ...]) -> list[str]:
    """How the project's settings guard the framework's views that set no guard of their own
    (`DEFAULT_PERMISSION_CLASSES` = IsAuthenticated in clinic.settings); empty when they do not,
    or when phi-lint cannot tell."""
    if not fw.settings_variable or not fw.default_guard:
        return []
    index = view.index
    settings: list[str] = []
    for entry in view.guarding_modules():
        m = index.analysis(entry)
        for dotted in _named_in_code(m.tree, fw.settings_variable) if m is not None else ():
            found = index.modules.find(entry, dotted)
            if found is None or found[1]:
                return []  # a settings module outside the project: what it sets is unknown
            settings.append(found[0])
    setting, _, key = fw.default_guard.partition(".")
    shown: list[str] = []
    for path in dict.fromkeys(settings):
        classes = _setting(index, path, setting, key, 0)
        if classes is None or classes is _UNSET or all(matches_any(c, public) for c in classes):
            return []
        shown = shown or [f"`{key}` = {', '.join(c.rsplit('.', 1)[-1] for c in classes)} in {index.modules.module_name(path)}"]
    return shown


def _named_in_code(tree: ast.Module, variable: str) -> list[str]:
    """`os.environ.setdefault(VARIABLE, "x.settings")` and `os.environ[VARIABLE] = "x.settings"`."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault" and len(node.args) == 2:
            name, value = node.args
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            name, value = node.targets[0].slice, node.value
        else:
            continue
        if _string(name) == variable and _string(value):
            out.append(_string(value))
    return out


def _setting(index: ProjectIndex, path: str, setting: str, key: str, depth: int):
    """The strings under `key` of the dict a settings module sets `setting` to (its own, or
    through a star import): a tuple (empty when the dict has no such key), _UNSET when it does
    not set it, None when phi-lint cannot tell."""
    m = index.analysis(path) if depth <= MAX_DEPTH else None
    if m is None:
        return None
    value = _UNSET
    for stmt in m.tree.body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            inner = _star_import(index, path, stmt, setting, key, depth)
            value = inner if inner is not _UNSET else value
        elif isinstance(stmt, ast.Assign) and [_target_name(t) for t in stmt.targets] == [setting]:
            value = _dict_strings(stmt.value, key)
        elif _mentions(stmt, setting) or any(_star_import(index, path, s, setting, key, depth) is not _UNSET for s in _nested_star_imports(stmt)):
            return None  # changed in place, set under a condition, or maybe set by a conditional import
    return value


def _star_import(index: ProjectIndex, path: str, stmt: ast.ImportFrom, setting: str, key: str, depth: int):
    module = imported_module(stmt, index.modules.package(path))
    found = index.modules.find(path, module) if module else None
    if found is None or found[1]:
        return None  # from outside the project: it may set anything
    return _setting(index, found[0], setting, key, depth + 1)


def _nested_star_imports(stmt: ast.stmt) -> list[ast.ImportFrom]:
    return [n for n in ast.walk(stmt) if n is not stmt and isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)]


def _dict_strings(value: ast.expr, key: str) -> tuple[str, ...] | None:
    if not isinstance(value, ast.Dict) or any(k is None for k in value.keys):
        return None  # built at run time, or merged from another dict
    for k, v in zip(value.keys, value.values):
        if _string(k) == key:
            items = v.elts if isinstance(v, (ast.List, ast.Tuple)) else None
            strings = [_string(e) for e in items] if items is not None else [None]
            return tuple(strings) if all(strings) else None
    return ()


def _mentions(stmt: ast.stmt, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt))


def _target_name(target: ast.expr) -> str | None:
    return target.id if isinstance(target, ast.Name) else None


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
