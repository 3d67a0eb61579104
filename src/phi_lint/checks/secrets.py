"""PHI401: credentials for model providers in code."""

from __future__ import annotations

from typing import Iterator

from phi_lint.catalog import Catalog
from phi_lint.checks.base import Context, Report, Rule
from phi_lint.fix.build import env_key_fix
from phi_lint.model import Severity


def key_provider(value: str, context: str | None, catalog: Catalog) -> tuple[str, str] | None:
    """(provider, environment variable) when `value` has the shape of a real key: a key shape of
    the catalogue, random-looking, and no placeholder. Shapes too plain to tell on their own (hex,
    alphanumerics) count only when the value is given to a key's name (`only-as`)."""
    lowered = value.lower()
    if any(word in lowered for word in catalog.placeholder_words):
        return None
    context = (context or "").lower()
    for provider, pattern, only_as in catalog.key_shapes:
        if only_as:
            candidates = [value] if context in only_as else []
        else:
            candidates = value.split()  # "Bearer sk-..."
        if any(pattern.match(token) and looks_random(token) for token in candidates):
            env = next((k.get("env", "API_KEY") for k in catalog.endpoints.get("key", ()) if k["provider"] == provider), "API_KEY")
            return provider, env
    return None


def looks_random(token: str) -> bool:
    """Keys are random: letters and digits mixed, many distinct characters, few separators.
    `sk-learn-pipeline-for-readmission` has the shape of a key but reads as words."""
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    separators = sum(c in "-_" for c in token)
    return letters > 0 and digits > 0 and len(set(token)) >= 10 and separators <= len(token) * 0.12


class HardcodedModelKey(Rule):
    """## What it does
    Finds string literals that have the shape of a model provider's API key: `sk-…`,
    `sk-proj-…`, `sk-ant-…`, `AIza…`, `hf_…`, `gsk_…`, `xai-…`, `r8_…`, and Azure, Cohere and
    Mistral keys passed as `api_key=`. Placeholders (`sk-your-key-here`, `sk-xxxx`) are ignored.
    The key itself never appears in phi-lint's output.

    ## Why is this bad?
    A key in source control is a key in every clone, fork, CI log and backup. Whoever has it can
    call the model on your account, and with some providers read stored files, batches and
    fine-tuning data, which may hold PHI.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-...")
    ```

    ## Use instead
    ```python
    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])  # or no api_key: the SDK reads it
    ```
    Then revoke the key: it is in the history.

    ## Fix safety
    Unsafe: the fix reads the key from the environment variable the SDK documents; the variable
    must be set where the code runs.

    ## Controls
    SOC 2 CC6.1; HIPAA §164.312(a)(1), §164.312(d).

    ## References
    - OWASP Secrets Management Cheat Sheet
    """

    code = "PHI401"
    name = "hardcoded-model-key"
    severity = Severity.ERROR
    message = "hard-coded {provider} API key (value hidden); read it from the environment ({env}) and revoke this one"
    fix_title = "Read the key from the environment"

    def check(self, ctx: Context) -> Iterator[Report]:
        for fact in ctx.analysis.constants:
            found = key_provider(fact.node.value, fact.context, ctx.analysis.catalog)
            if found:
                provider, env = found
                yield Report(node=fact.node, message=self.message.format(provider=provider, env=env), stmt=fact.stmt, secret=True,
                             fix=env_key_fix(ctx, fact.node, env, fact.stmt, self.fix_title))
