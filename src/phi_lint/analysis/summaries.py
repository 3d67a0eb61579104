"""What the analysis knows of a module's functions and classes: their summaries (which
parameters reach the return value and which reach a sink) and the facts of their classes."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from phi_lint.analysis.classify import Sensitivity
from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import Taint


@dataclass
class Summary:
    return_params: frozenset[int] = frozenset()
    return_taint: Taint = field(default_factory=dict)
    sink_events: list[tuple[int, FlowEvent]] = field(default_factory=list)
    return_type: str | None = None
    return_fields: dict[int, str] = field(default_factory=dict)  # param -> the field of it returned


@dataclass
class Recursion:
    """The units whose summaries are being computed, innermost last, and those computed from a
    summary not final yet (with their module). Shared by the modules of a project: functions
    that call each other may lie in different modules."""

    running: list["FunctionInfo"] = field(default_factory=list)
    provisional: list[tuple[object, "FunctionInfo"]] = field(default_factory=list)


@dataclass
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: "ClassInfo | None"
    params: list[str]  # without self/cls for methods
    summary: Summary | None = None
    running: bool = False
    # a call back into it while it ran (recursion): `so_far` is what that call was given
    recursed: bool = False
    so_far: Summary | None = None
    provisional: bool = False  # it used a summary not final yet: redone if that one changes
    pending: bool = False  # its summary is provisional, until what it used is final


@dataclass
class ClassInfo:
    node: ast.ClassDef
    record: Sensitivity | None  # set when instances are PHI records
    fields: set[str]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    attr_types: dict[str, str] = field(default_factory=dict)
    attr_taint: dict[str, Taint] = field(default_factory=dict)
    attr_ctors: dict[str, ast.Call] = field(default_factory=dict)  # `self.http = httpx.Client(...)`
    attr_values: dict[str, ast.expr | None] = field(default_factory=dict)  # `self.endpoint = URL` (None: several)
    field_types: dict[str, str] = field(default_factory=dict)  # `subject: Patient`: field -> the class it holds
    is_model: bool = False  # a pydantic-style model (valid as a request body)
    bases: list["ClassInfo"] = field(default_factory=list)  # the classes of this module it derives from
    outside_bases: tuple[str, ...] = ()  # dotted names of the bases defined elsewhere (another module of the project)

    def method(self, name: str) -> "FunctionInfo | None":
        """The method `name` of this class's instances: its own, else the first base's that has it."""
        found = self.methods.get(name)
        for base in self.bases:
            if found is not None:
                break
            found = base.method(name)
        return found

    def inherited(self, table: str, name: str):
        """A fact of `self.<name>` (table: attr_types, attr_ctors, attr_values, attr_taint) that
        this class or one of its bases sets; None when none does."""
        own = getattr(self, table)
        if name in own:
            return own[name]
        for base in self.bases:
            found = base.inherited(table, name)
            if found is not None:
                return found
        return None

    def all_methods(self) -> dict[str, "FunctionInfo"]:
        """Every method of the instances: the bases' first, overridden by the class's own."""
        out: dict[str, FunctionInfo] = {}
        for base in reversed(self.bases):
            out.update(base.all_methods())
        out.update(self.methods)
        return out

