"""Key shapes: whether a string is a model provider's key (PHI401 reports it; every output masks it)."""

from __future__ import annotations

import re

from phi_lint.catalog import Catalog

# A cheap first look at a string constant: could it be a key at all? (key_provider decides)
KEY_HINT = re.compile(r"sk-|AIza|hf_|gsk_|xai-|r8_|^[A-Za-z0-9]{32,84}$")


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
