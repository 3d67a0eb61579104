"""The facts one pass of the interpreter records for the rules: flow events (labels reaching a
sink), resolved calls, module attribute assignments and key-shaped constants.

Rules read constants, URLs and constructors of these facts through `ValueScope`, the narrow
interface of the scope the fact was recorded in, never through the interpreter's own state.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Protocol

from phi_lint.analysis.labels import Taint


class ValueScope(Protocol):
    """What a rule may ask of the scope a fact was recorded in."""

    def const_str(self, node: ast.expr | None) -> str | None:
        """The string an expression folds to (literals, constants, `os.getenv` defaults)."""

    def const_value(self, node: ast.expr | None):
        """Like const_str, for booleans and numbers too."""

    def url_str(self, node: ast.expr | None) -> str | None:
        """A URL, or its known literal prefix (scheme and host)."""

    def constructor_of(self, node: ast.expr) -> ast.Call | None:
        """The call that made a value: the value itself, or what a local or module name was bound to."""

    def constructors_behind(self, node: ast.expr) -> list[ast.Call]:
        """Every call a value was made by, through LangChain pipes and methods of it."""

    def literal_of(self, node: ast.expr) -> ast.Constant | None:
        """The string literal behind an expression, followed through simple constants."""


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
    destination: str | None = None  # the endpoint a request made in another module sends to, when known there


@dataclass
class CallFact:
    node: ast.Call
    key: str  # resolved callee ("openai.OpenAI", "openai.OpenAI.chat.completions.create")
    types: tuple[str, ...]  # types this call constructs
    stmt: ast.stmt
    scope: ValueScope


@dataclass
class AssignFact:
    """`langchain.debug = True`, `os.environ["LANGCHAIN_TRACING_V2"] = "true"`."""

    target: str  # resolved dotted target; os.environ items as `os.environ[NAME]`
    value: ast.expr
    stmt: ast.stmt
    scope: ValueScope


@dataclass
class ConstantFact:
    node: ast.Constant
    context: str | None  # the keyword, variable or key it is given to
    stmt: ast.stmt

