"""Where a model call goes when the code does not write the URL at the call: a provider named in
a LiteLLM model string (`"groq/llama-3.1-70b"`), an endpoint set once for the module
(`genai.configure(client_options=...)`, `dashscope.base_http_api_url = ...`), an environment
variable read without a default (the SDK's default when it is unset). Catalogue data in
rules/endpoints.toml; PHI301-PHI303 turn the answers into targets."""

from __future__ import annotations

import ast

from phi_lint.analysis.facts import CallFact
from phi_lint.checks.tracing import keyword

_ENV_READS = ("os.getenv", "os.environ.get")


def unset_environment(m, call: CallFact, value: ast.expr) -> str | None:
    """`base_url=os.getenv("OPENAI_BASE_URL")`: the variable read with no default, whose absence
    leaves the SDK on its default endpoint. None for anything else."""
    if not isinstance(value, ast.Call) or len(value.args) != 1 or value.keywords:
        return None
    if m.imports.resolve(value.func) not in _ENV_READS:
        return None
    return call.scope.const_str(value.args[0])


def configured_endpoint(m, entry: dict) -> tuple[ast.expr, str | None] | None:
    """The endpoint the module sets for every later call of an SDK (`configured-by`):
    a module attribute (`dashscope.base_http_api_url = URL`) or a keyword path of a call
    (`genai.configure(client_options={"api_endpoint": URL})`)."""
    for way in entry.get("configured-by", ()):
        for fact in m.assigns:
            if fact.target == way.get("attribute"):
                return fact.value, fact.scope.const_str(fact.value)
        for call in m.calls:
            if call.key in way.get("calls", ()):
                found = keyword_path(call, way["param"])
                if found is not None:
                    return found, call.scope.const_str(found)
    return None


def keyword_path(call: CallFact, path: str) -> ast.expr | None:
    """The value at `outer.inner` of a call's keywords: a dict literal's key or a nested call's
    keyword (`client_options={"api_endpoint": ...}`, `http_options=HttpOptions(base_url=...)`)."""
    outer, _, inner = path.partition(".")
    kw = keyword(call.node, outer)
    if kw is None:
        return None
    if not inner:
        return kw.value
    value = kw.value
    if isinstance(value, ast.Dict):
        for k, v in zip(value.keys, value.values):
            if k is not None and call.scope.const_str(k) == inner:
                return v
    elif isinstance(value, ast.Call) and (inner_kw := keyword(value, inner)) is not None:
        return inner_kw.value
    return None


def litellm_provider(call: CallFact, spec: dict) -> tuple[ast.expr, str, dict] | None:
    """`litellm.completion(model="groq/llama-3.1-70b", ...)`: (the model argument, the provider
    prefix, its [[litellm-provider]] entry) when the call names a provider in its model string
    and sets no endpoint of its own."""
    table = spec.get("litellm", {})
    if call.key not in table.get("calls", ()):
        return None
    model = keyword(call.node, "model")
    value = model.value if model is not None else (call.node.args[0] if call.node.args else None)
    text = call.scope.const_str(value) if value is not None else None
    if not text or "/" not in text:
        return None
    if any(keyword(call.node, p) is not None for p in table.get("endpoint-params", ())):
        return None  # `api_base=` names the endpoint: judged as written
    prefix = text.split("/", 1)[0]
    for entry in spec.get("litellm-provider", ()):
        if prefix in entry["prefixes"]:
            return value, prefix, entry
    return None
