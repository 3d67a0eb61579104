"""PHI204: switches that record prompts and outputs or ship them to a tracing service."""

from __future__ import annotations

import ast
import fnmatch
from typing import Iterator

from phi_lint.checks.base import Context, Report, Rule
from phi_lint.model import Severity

TRUTHY = {True, 1, "true", "1", "yes", "on", "t", "y"}
DEBUG_LEVELS = {"debug", "info", "trace", "verbose", "true", "1"}


def is_truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in TRUTHY
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value != 0)


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


class ModelContentTracing(Rule):
    """## What it does
    Finds code that switches on recording of prompts and model outputs: LangChain
    `set_debug(True)` / `set_verbose(True)` / `langchain.debug = True`, `verbose=True` on chains,
    agents and model wrappers, `litellm.set_verbose = True`, third-party tracing switched on in
    code (`LANGCHAIN_TRACING_V2`, `LANGSMITH_TRACING`, LiteLLM callbacks to Langfuse and the
    like), OpenTelemetry GenAI message-content capture, and `OPENAI_LOG=debug`.

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
        env_on = set(spec.get("env-on", ()))
        env_debug = set(spec.get("env-debug", ()))
        for fact in m.assigns:
            value = fact.scope.const_value(fact.value)
            if fact.target in spec.get("attributes", ()) and (is_truthy(value) or (isinstance(value, str) and value.lower() in DEBUG_LEVELS)):
                yield self._report(fact.value, f"`{fact.target} = {ast.unparse(fact.value)}`", "", fact.stmt)
            elif fact.target in spec.get("callback-attributes", ()):
                names = _strings(fact.value, fact.scope)
                third = sorted(set(names) & set(spec.get("third-party-callbacks", ())))
                if third:
                    yield self._report(fact.value, f"`{fact.target}`", f" and sends them to {', '.join(third)}", fact.stmt)
            elif fact.target.startswith("os.environ[") and fact.target.endswith("]"):
                yield from self._env(fact.target[len("os.environ[") : -1], fact.value, value, fact.stmt, env_on, env_debug)
        for call in m.calls:
            key = call.key
            if key in spec.get("calls", ()):
                arg = call.node.args[0] if call.node.args else None
                if arg is None or is_truthy(call.scope.const_value(arg)):
                    yield self._report(arg or call.node, f"`{ast.unparse(call.node.func)}(...)`", "", call.stmt)
            elif key in ("os.environ.setdefault", "os.putenv") and len(call.node.args) >= 2:
                name = call.scope.const_str(call.node.args[0])
                if name:
                    value = call.node.args[1]
                    yield from self._env(name, value, call.scope.const_value(value), call.stmt, env_on, env_debug)
            elif key == "os.environ.update" and call.node.args and isinstance(call.node.args[0], ast.Dict):
                for k, v in zip(call.node.args[0].keys, call.node.args[0].values):
                    name = call.scope.const_str(k) if k is not None else None
                    if name:
                        yield from self._env(name, v, call.scope.const_value(v), call.stmt, env_on, env_debug)
            verbose = keyword(call.node, "verbose")
            if verbose is not None and is_truthy(call.scope.const_value(verbose.value)):
                if set(call.types) & set(spec.get("verbose-types", ())) or any(fnmatch.fnmatchcase(key, p) for p in spec.get("verbose-calls", ())):
                    yield self._report(verbose.value, f"`verbose=True` on `{ast.unparse(call.node.func)}`", "", call.stmt)
            if any(fnmatch.fnmatchcase(key, p) for p in spec.get("capture-calls", ())):
                for name in spec.get("capture-keywords", ()):
                    kw = keyword(call.node, name)
                    if kw is not None and is_truthy(call.scope.const_value(kw.value)):
                        yield self._report(kw.value, f"`{name}=True`", " into traces", call.stmt)

    def _env(self, name: str, node: ast.expr, value, stmt, env_on: set, env_debug: set) -> Iterator[Report]:
        if name in env_on and is_truthy(value):
            where = " into traces sent to a third party" if "TRAC" in name else " into telemetry"
            yield self._report(node, f"setting {name}", where, stmt)
        elif name in env_debug and isinstance(value, str) and value.strip().lower() in DEBUG_LEVELS:
            yield self._report(node, f"setting {name}={value}", " in debug logs", stmt)

    def _report(self, node: ast.AST, what: str, where: str, stmt) -> Report:
        return Report(node=node, message=self.message.format(what=what, where=where), stmt=stmt)


def _strings(node: ast.expr, scope) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for e in node.elts for s in _strings(e, scope)]
    value = scope.const_str(node)
    return [value.lower()] if value else []
