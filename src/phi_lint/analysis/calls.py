"""Calls to the project's own functions: through the summaries of functions and methods of the
same module (their events are reported where the sink is), and through the exported summaries of
other modules (reported at the call that hands the data over, with a trace into the other file).
"""

from __future__ import annotations

import ast

from phi_lint.analysis.exports import FunctionSummary, is_class_key
from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import CLEAN, FIELD_OF, PARAM, PHI_RECORD, Step, Taint, add_step, real, union
from phi_lint.analysis.summaries import FunctionInfo


STAR, DOUBLE_STAR = -1, -2  # the parameter indexes of `*args` and `**kwargs` in summaries


def _handed_over(marker) -> bool:
    """Does a callee's parameter reach its sink in another module (its trace ends there)?"""
    return marker is not None and bool(marker.steps) and marker.steps[-1].path is not None


class Calls:
    """Call handlers of FunctionAnalysis for the project's own code."""

    def _local_method(self, func: ast.Attribute) -> FunctionInfo | None:
        """`obj.method()` where `obj = LocalClass(...)`."""
        cls = self._local_class_of(func.value)
        return cls.method(func.attr) if cls is not None else None

    def _local_class_of(self, value: ast.expr):
        """The class of this module `obj` was made by (`obj = LocalClass(...)`), or names."""
        if isinstance(value, ast.Name):
            ctor = self.ctors.get(value.id) or self.consts.get(value.id)
            if isinstance(ctor, ast.Call) and isinstance(ctor.func, ast.Name) and ctor.func.id in self.m.classes:
                return self.m.classes[ctor.func.id]
            return self.m.classes.get(value.id)
        return None

    def _local_call(self, node: ast.Call, name: str, arg_taints, kw_taints, everything: Taint) -> Taint:
        if name in self.m.classes:
            info = self.m.classes[name]
            if info.record is not None:
                if self._literal_value(node):
                    return CLEAN  # `Patient(name="Ada Lovelace")` in a test or a demo: a sample
                return union(self._birth(PHI_RECORD, "record", self.m.line_text(node), info.record.why, node), real(everything))
            init = info.method("__init__")
            if init is not None:
                self._summary_call(node, init, arg_taints, kw_taints, everything)
            return CLEAN if not everything else everything
        fn = self.m.functions.get(name)
        if fn is None:
            return everything
        return self._summary_call(node, fn, arg_taints, kw_taints, everything)

    def _summary_call(self, node: ast.Call, fn: FunctionInfo, arg_taints, kw_taints, everything: Taint) -> Taint:
        summary = self.m.summary(fn)
        args = fn.node.args
        by_param, arg_nodes = self._by_parameter(node, fn.params, arg_taints, kw_taints, args.vararg is not None, args.kwarg is not None)
        site = Step(node.lineno, node.col_offset, f"passed to `{fn.node.name}()`")
        out = add_step(summary.return_taint, Step(node.lineno, node.col_offset, f"returned by `{fn.node.name}()`"))
        for i in summary.return_params:
            if i in by_param:
                given = by_param[i]
                if i in summary.return_fields:  # the callee returns one field of it
                    given = self._member(given, summary.return_fields[i], arg_nodes[i])
                out = union(out, add_step(given, site))
        if not self.quiet:
            for i, event in summary.sink_events:
                if i in by_param:
                    given = by_param[i]
                    marker = event.taint.get(PARAM + str(i))
                    if marker is not None and marker.category == FIELD_OF:  # the callee logs one field of it
                        given = self._member(given, marker.source, arg_nodes[i])
                    sink_step = Step(event.node.lineno, event.node.col_offset, f"reaches {event.sink} ({event.argument})")
                    delivered = add_step(given, site)
                    if marker is not None:  # the helpers it went through on the way (`audit()` -> `_emit()`)
                        for step in marker.steps[1:]:
                            if step.note.startswith("passed to `") or step.path is not None:  # and the other module's steps, to its sink
                                delivered = add_step(delivered, step)
                    if not _handed_over(marker):
                        delivered = add_step(delivered, sink_step)
                    if delivered:  # what a sanitizer cleared too: the evidence shows it
                        atoms = [(a, delivered) for a, t in event.atoms if PARAM + str(i) in t] or [(event.node, delivered)]
                        self.record(FlowEvent(event.kind, event.sink, event.argument, delivered, event.node, event.stmt, atoms, event.destination))
        return out

    # ------------------------------------------------------------------ other modules
    def _project_call(self, node: ast.Call, key: str, inst: bool, arg_taints, kw_taints, everything: Taint) -> Taint | None:
        """A call to a function, class or method of another project module; None when `key` is
        none of those (the caller goes on as for any other call)."""
        project = self.m.project
        if inst:
            owner, _, name = key.rpartition(".")
            found = project.method(owner, name) if is_class_key(owner) else None
            return self._exported_call(node, *found, arg_taints, kw_taints) if found is not None else None
        symbol = project.lookup(key)
        if symbol is None:
            return None
        if symbol.kind in ("function", "method"):
            found = project.function(key)
            return self._exported_call(node, *found, arg_taints, kw_taints) if found is not None else None
        if symbol.kind == "class":  # a constructor: what `__init__` does with its arguments
            init = project.method(f"{symbol.path}::{symbol.name}", "__init__")
            if init is not None:
                self._exported_call(node, *init, arg_taints, kw_taints)
            return everything
        return None

    def _exported_call(self, node: ast.Call, symbol, summary: FunctionSummary, arg_taints, kw_taints) -> Taint:
        """Apply another module's summary at a call: what comes back, and the sinks the arguments
        reach there (a flow event at this call, its trace going on into the other file)."""
        name = symbol.name.removesuffix(".__init__")  # `complete`, `Summariser.run`, `Summariser` (its constructor)
        by_param, arg_nodes = self._by_parameter(node, summary.params, arg_taints, kw_taints, summary.star, summary.double_star)
        where = self.m.project.display(symbol.path)
        site = Step(node.lineno, node.col_offset, f"passed to `{name}()`")
        back = Step(node.lineno, node.col_offset, f"returned by `{name}()`")
        out = add_step({o.label: o for o in summary.returns}, back)
        if any(self._carries_data(by_param[i]) for i in summary.answer_params if i in by_param):
            out = union(out, add_step({o.label: o for o in summary.answers}, back))  # it answers what it was sent
        for i, field in summary.return_params:
            if i in by_param:
                given = self._member(by_param[i], field, arg_nodes[i]) if field else by_param[i]
                out = union(out, add_step(given, site))
        if self.quiet:
            return out
        for sink in summary.sinks:
            if sink.param not in by_param:
                continue
            arg = arg_nodes[sink.param]
            given = self._member(by_param[sink.param], sink.field, arg) if sink.field else by_param[sink.param]
            delivered = add_step(given, site)
            for step in sink.steps:
                delivered = add_step(delivered, step)
            if delivered:  # what a sanitizer cleared too: the evidence shows it
                atoms = [(a, t) for a, t in self.atoms(arg) if t] or [(arg, delivered)]
                self.record(FlowEvent(sink.kind, sink.sink, f"{sink.argument}, through `{name}()` in {where}", delivered, arg, self.stmt, atoms,
                                      sink.destination))
        return out

    def _queued_task(self, node: ast.Call, task: str, arg_taints, kw_taints, everything: Taint) -> bool:
        """`summarise.delay(note)` of a task of this module or another one: the task runs with
        these arguments (a bound task, `bind=True`, takes the task itself first, as `self`).
        False when `task` is no function of the project."""
        local = self.m.functions.get(task[1:]) if task.startswith(".") else None
        params = local.params if local is not None else None
        if params is None and self.m.project is not None and not task.startswith("."):
            found = self.m.project.function(task)
            params = found[1].params if found is not None else None
        if params is None:
            return False
        if params and params[0] == "self":
            node = ast.copy_location(ast.Call(node.func, [ast.Constant(None), *node.args], node.keywords), node)
            arg_taints = [CLEAN, *arg_taints]
        if local is not None:
            self._summary_call(node, local, arg_taints, kw_taints, everything)
        else:
            self._project_call(node, task, False, arg_taints, kw_taints, everything)
        return True

    def _by_parameter(self, node: ast.Call, params, arg_taints, kw_taints, star: bool, double_star: bool) -> tuple[dict[int, Taint], dict[int, ast.expr]]:
        """The tainted arguments of a call by the parameter that receives them: extra positional
        ones by `*args` (STAR), extra keywords by `**kwargs` (DOUBLE_STAR), when the callee has them."""
        by_param: dict[int, Taint] = {}
        arg_nodes: dict[int, ast.expr] = {}

        def give(index: int, taint: Taint, value: ast.expr) -> None:
            by_param[index] = union(by_param.get(index, CLEAN), taint)
            arg_nodes.setdefault(index, value)

        for i, (arg, t) in enumerate(zip(node.args, arg_taints)):
            if not t:
                continue
            if i < len(params) and not isinstance(arg, ast.Starred):
                give(i, t, arg)
            elif star:
                give(STAR, t, arg)
        for kw, t in zip(node.keywords, kw_taints):
            if t and kw.arg in params:
                give(params.index(kw.arg), t, kw.value)
            elif t and double_star:
                give(DOUBLE_STAR, t, kw.value)
        return by_param, arg_nodes

    def _outside_method(self, cls, name: str):
        """(symbol, summary) of a method a class inherits from a base in another module of the
        project (`class SoapAgent(BaseAgent)`, `BaseAgent.ask` in agents/base.py)."""
        if self.m.project is None:
            return None
        for base in cls.outside_bases:
            made = self.m.project.call_type(base)
            found = self.m.project.method(made, name) if made else None
            if found is not None:
                return found
        return None

    def _imported_data(self, dotted: str) -> Taint:
        """What an imported name holds: data another module of the project loaded (`PATIENTS =
        load_roster()`), else nothing (code, a constant, a client)."""
        value = self.m.project.value(dotted) if self.m.project is not None else None
        return {o.label: o for o in value.taint} if value is not None and value.taint else CLEAN

    def _outside_project(self, dotted: str) -> str | None:
        """The library name a project name re-exports (`from app.logging_setup import logger` of
        loguru's logger: `loguru.logger`), None for the project's own names."""
        return self.m.project.outside_name(dotted) if self.m.project is not None else None

    def _project_type(self, dotted: str) -> str | None:
        """The type of a project module's value (`from app.llm import client`: openai.OpenAI)."""
        return self.m.project.value_type(dotted) if self.m.project is not None else None
