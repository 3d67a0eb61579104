"""PHI401: credentials for model providers in code."""

from __future__ import annotations

from typing import Iterator

from phi_lint.analysis.keys import key_provider
from phi_lint.checks.base import Context, Report, Rule
from phi_lint.fix.build import env_key_fix
from phi_lint.model import Severity


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
