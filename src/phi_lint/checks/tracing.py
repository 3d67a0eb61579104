"""PHI204: switches that record prompts and outputs or ship them to a tracing service."""

from __future__ import annotations

import ast
import fnmatch
from typing import Iterator

from phi_lint.checks.base import Context, Report, Rule
from phi_lint.fix.build import drop_items, switch_off
from phi_lint.model import Fix, Severity

TRUTHY = {"true", "1", "yes", "on", "t", "y"}


def is_truthy(value) -> bool:
    """How switches read booleans: `True`, a non-zero number, or "true"/"1"/"yes"/"on"."""
    if isinstance(value, str):
        return value.strip().lower() in TRUTHY
    return value is True or (isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0)


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


class ModelContentTracing(Rule):
    """## What it does
    Finds code that switches on recording of prompts and model outputs: LangChain
    `set_debug(True)` / `set_verbose(True)` / `langchain.debug = True`, `verbose=True` on chains,
    agents and model wrappers (LangChain, LlamaIndex, CrewAI), `litellm.set_verbose = True`,
    LangChain's `ConsoleCallbackHandler` and `LangChainTracer`, LlamaIndex's
    `set_global_handler("simple")`, third-party tracing switched on in code
    (`LANGCHAIN_TRACING_V2` / `LANGSMITH_TRACING` set true, LiteLLM callbacks and LlamaIndex
    handlers for Langfuse, Arize and the like), LangSmith's `@traceable` (unless it processes its
    inputs and outputs first), `wrap_openai`/`wrap_anthropic` and runs uploaded with a client made
    without `hide_inputs`/`hide_outputs`, OpenTelemetry GenAI message-content capture, and SDK debug
    logging (`OPENAI_LOG=debug`). Module constants and `os.getenv("X", "default")`
    defaults are resolved; reading a switch, or setting it off, is fine.

    ## Why is this bad?
    Debug and verbose modes print every prompt and completion to stdout, where log shippers pick
    them up. Tracing services store them with a third party, usually one without a BAA. Either way
    the PHI in prompts leaves the boundary with no redaction.

    ## Example
    ```python
    os.environ["LANGCHAIN_TRACING_V2"] = "true"
    chain = LLMChain(llm=llm, prompt=prompt, verbose=True)
    ```

    ## Use instead
    ```python
    chain = LLMChain(llm=llm, prompt=prompt)  # tracing configured per environment, with redaction
    ```

    ## Fix safety
    Safe: the fix switches the setting off (`False`, `"false"`). Tracing you need belongs in
    deployment configuration, pointed at an approved, redacting collector.

    ## Controls
    SOC 2 CC7.2, CC9.2; HIPAA §164.502(e), §164.312(b).

    ## References
    - LangSmith docs: hiding inputs and outputs of traces
    - OpenTelemetry semantic conventions for GenAI: content capture is opt-in
    """

    code = "PHI204"
    name = "model-content-tracing"
    severity = Severity.ERROR
    message = "{what} records prompts and model outputs{where}"
    fix_title = "Switch it off"

    def check(self, ctx: Context) -> Iterator[Report]:
        m = ctx.analysis
        spec = m.catalog.endpoints.get("tracing", {})
        switches = _Switches(spec)
        for fact in m.assigns:  # the source text of a value is written only for what is reported
            if fact.target in spec.get("attributes", ()) and switches.on_or_debug(fact.scope.const_value(fact.value)):
                yield self._report(fact.value, _assignment(fact), "", fact.stmt, switch_off(ctx, fact.value, self.fix_title))
            elif fact.target in spec.get("callback-attributes", ()):
                third = switches.third_parties(_strings(fact.value, fact.scope))
                if third:
                    drop = drop_items(ctx, fact.value, lambda e: bool(switches.third_parties(_strings(e, fact.scope))), self.fix_title)
                    yield self._report(fact.value, _assignment(fact), f" and sends them to {', '.join(third)}", fact.stmt, drop)
            elif fact.target.startswith("os.environ[") and fact.target.endswith("]"):
                value = fact.scope.const_value(fact.value)
                yield from self._env(ctx, fact.target[len("os.environ[") : -1], fact.value, value, fact.stmt, switches)
        for call in m.calls:
            key = call.key
            node = call.node
            if key in spec.get("calls", ()):
                arg = node.args[0] if node.args else None
                if arg is None or is_truthy(call.scope.const_value(arg)):
                    text = f"`{ast.unparse(node.func)}({ast.unparse(arg) if arg is not None else ''})`"
                    yield self._report(arg or node, text, "", call.stmt, switch_off(ctx, arg, self.fix_title) if arg is not None else None)
            elif key in spec.get("handler-calls", ()) and node.args:
                handler = (call.scope.const_str(node.args[0]) or "").lower()
                if handler in spec.get("print-handlers", ()):
                    yield self._report(node.args[0], f"`{ast.unparse(node.func)}({handler!r})`", " to stdout", call.stmt)
                elif switches.third_parties([handler]):
                    yield self._report(node.args[0], f"`{ast.unparse(node.func)}({handler!r})`", f" and sends them to {handler}", call.stmt)
            elif key in spec.get("recording-constructors", ()):
                yield self._report(node, f"`{ast.unparse(node.func)}()`", "", call.stmt)
            elif key in ("os.environ.setdefault", "os.putenv") and len(node.args) >= 2:
                name = call.scope.const_str(node.args[0])
                if name:
                    value = node.args[1]
                    yield from self._env(ctx, name, value, call.scope.const_value(value), call.stmt, switches)
            elif key == "os.environ.update" and node.args and isinstance(node.args[0], ast.Dict):
                for k, v in zip(node.args[0].keys, node.args[0].values):
                    name = call.scope.const_str(k) if k is not None else None
                    if name:
                        yield from self._env(ctx, name, v, call.scope.const_value(v), call.stmt, switches)
            verbose = keyword(node, "verbose")
            if verbose is not None and is_truthy(call.scope.const_value(verbose.value)):
                if set(call.types) & switches.verbose_types or any(fnmatch.fnmatchcase(key, p) for p in switches.verbose_calls):
                    yield self._report(verbose.value, f"`verbose={ast.unparse(verbose.value)}` on `{ast.unparse(node.func)}`", " to stdout", call.stmt,
                                       switch_off(ctx, verbose.value, self.fix_title))
            if any(fnmatch.fnmatchcase(key, p) for p in switches.capture_calls):
                for name in switches.capture_keywords:
                    kw = keyword(node, name)
                    if kw is not None and is_truthy(call.scope.const_value(kw.value)):
                        yield self._report(kw.value, f"`{name}={ast.unparse(kw.value)}`", " into traces", call.stmt, switch_off(ctx, kw.value, self.fix_title))
        yield from self._decorated(m, spec)
        yield from self._uploads(m, spec)

    def _decorated(self, m, spec: dict) -> Iterator[Report]:
        """`@traceable` on a function: its inputs and outputs (prompts, answers, the records they
        were built from) are sent to the tracing service, unless processed first."""
        decorators = frozenset(spec.get("tracing-decorators", ()))
        if not decorators:
            return
        units = list(m.functions.values()) + [f for c in m.classes.values() for f in c.methods.values()]
        for unit in units:
            for dec in unit.node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                dotted = m.imports.resolve(target)
                if dotted not in decorators:
                    continue
                if isinstance(dec, ast.Call) and any(kw.arg in spec.get("decorator-redactors", ()) for kw in dec.keywords):
                    continue
                service = spec.get("tracing-services", {}).get(dotted.split(".", 1)[0], dotted.split(".", 1)[0])
                yield self._report(dec, f"`@{ast.unparse(dec)}` on `{unit.node.name}`", f" and sends them to {service}", unit.node)

    def _uploads(self, m, spec: dict) -> Iterator[Report]:
        """`client.create_run(inputs=...)` on a LangSmith client made without `hide_inputs` /
        `hide_outputs`: run inputs and outputs go to LangSmith as they are."""
        clients = tuple(spec.get("uploading-clients", ()))
        methods = frozenset(spec.get("upload-methods", ()))
        for call in m.calls:
            owner, _, method = call.key.rpartition(".")
            if owner not in clients or method not in methods or not isinstance(call.node.func, ast.Attribute):
                continue
            made = call.scope.constructor_of(call.node.func.value)
            if made is not None and any(kw.arg in spec.get("client-redactors", ()) for kw in made.keywords):
                continue
            yield self._report(call.node.func, f"`{ast.unparse(call.node.func)}(...)` on a LangSmith client without `hide_inputs`/`hide_outputs`",
                               " and sends them to LangSmith", call.stmt)

    def _env(self, ctx: Context, name: str, node: ast.expr, value, stmt, switches: "_Switches") -> Iterator[Report]:
        if name in switches.env_on and is_truthy(value):
            where = " into traces sent to a third party" if "TRAC" in name else " into telemetry"
            yield self._report(node, f"setting {name}={value}", where, stmt, switch_off(ctx, node, self.fix_title, env=True))
        elif name in switches.env_debug and switches.is_debug(value):
            yield self._report(node, f"setting {name}={value}", " in debug logs", stmt, switch_off(ctx, node, self.fix_title, env=True))

    def _report(self, node: ast.AST, what: str, where: str, stmt, fix: Fix | None = None) -> Report:
        return Report(node=node, message=self.message.format(what=what, where=where), stmt=stmt, fix=fix)


class _Switches:
    """The [tracing] table of rules/endpoints.toml, as sets."""

    def __init__(self, spec: dict) -> None:
        self.env_on = frozenset(spec.get("env-on", ()))
        self.env_debug = frozenset(spec.get("env-debug", ()))
        self.debug_levels = frozenset(spec.get("debug-levels", ()))
        self.third_party = frozenset(spec.get("third-party-callbacks", ()))
        self.verbose_types = frozenset(spec.get("verbose-types", ()))
        self.verbose_calls = tuple(spec.get("verbose-calls", ()))
        self.capture_calls = tuple(spec.get("capture-calls", ()))
        self.capture_keywords = tuple(spec.get("capture-keywords", ()))

    def is_debug(self, value) -> bool:
        return isinstance(value, str) and value.strip().lower() in self.debug_levels

    def on_or_debug(self, value) -> bool:
        return is_truthy(value) or self.is_debug(value)

    def third_parties(self, names: list[str]) -> list[str]:
        return sorted({n for n in names if n in self.third_party})


def _assignment(fact) -> str:
    """An assignment as a message shows it: `` `langchain.debug = True` ``."""
    return f"`{fact.target} = {_short(fact.value)}`"


def _short(node: ast.expr, limit: int = 60) -> str:
    """The source of a value, shortened for a message."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strings(node: ast.expr, scope) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for e in node.elts for s in _strings(e, scope)]
    value = scope.const_str(node)
    return [value.lower()] if value else []
