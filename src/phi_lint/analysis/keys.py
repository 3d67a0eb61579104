"""Key shapes: whether a string is a model provider's key (PHI401 reports it; every output masks it)."""

from __future__ import annotations

import functools
import re

from phi_lint.catalog import Catalog

# A cheap first look at a string constant: could it be a key at all? (key_provider decides)
KEY_HINT = re.compile(r"sk-|AIza|hf_|gsk_|xai-|r8_|^[A-Za-z0-9]{32,84}$")
# What separates a key from the text around it in a header, a URL or a connection string.
_TOKEN_SEPARATORS = re.compile(r"[\s?&=:@/\"',;]+")


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
            candidates = key_tokens(value)
        if any(pattern.match(token) and looks_random(token) for token in candidates):
            env = next((k.get("env", "API_KEY") for k in catalog.endpoints.get("key", ()) if k["provider"] == provider), "API_KEY")
            return provider, env
    return None


def key_tokens(value: str) -> list[str]:
    """The words of a string a key may be one of: "Bearer sk-...", "https://host/v1?key=AIza...",
    "https://user:sk-...@proxy"."""
    return [t for t in _TOKEN_SEPARATORS.split(value) if t]


def looks_random(token: str) -> bool:
    """Keys are random: letters and digits mixed (or upper and lower case mixed, as in letters-only
    `hf_` tokens), many distinct characters, few separators. `sk-learn-pipeline-for-readmission`
    has the shape of a key but reads as words."""
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    separators = sum(c in "-_" for c in token)
    mixed = digits > 0 or (any(c.isupper() for c in token) and sum(c.islower() for c in token) > 1)
    return letters > 0 and mixed and len(set(token)) >= 10 and separators <= len(token) * 0.12


# ---------------------------------------------------------------------- masking any output
SECRET_MASK = "[REDACTED]"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}")  # what a key is made of (the catalogue's shapes)
_KEY_START = re.compile(r"sk-|AIza|hf_|gsk_|xai-|r8_")


def key_spans(text: str, catalog: Catalog) -> list[tuple[int, int]]:
    """(start, end) of every key-shaped token in any text: a source line, a message, a fix's new
    text, a whole report. A token glued to other characters (`?key=AIza...`, `user:sk-...@`,
    `%3Ask-...` in a GitHub annotation) counts from where a key's prefix starts; shapes too plain
    to tell on their own (hex, alphanumerics) count only right after one of their names
    (`api_key="..."`, `"api-key": "..."`)."""
    spans = []
    for token in _TOKEN.finditer(text):
        word = token.group()
        starts = [0] + [m.start() for m in _KEY_START.finditer(word) if m.start()]
        for start in starts:
            if key_provider(word[start:], None, catalog):
                spans.append((token.start() + start, token.end()))
                break
    named = _named_key(catalog)
    if named is not None:
        for m in named.finditer(text):
            if key_provider(m.group("value"), m.group("name"), catalog):
                spans.append(m.span("value"))
    return sorted(set(spans))


def mask_keys(text: str, catalog: Catalog) -> str:
    """`text` with every key-shaped token replaced by SECRET_MASK: what phi-lint prints."""
    if not _TOKEN.search(text):
        return text
    out, last = [], 0
    for start, end in key_spans(text, catalog):
        if start >= last:
            out += [text[last:start], SECRET_MASK]
            last = end
    return "".join(out) + text[last:] if out else text


def shows_a_key(text: str, catalog: Catalog) -> bool:
    return bool(_TOKEN.search(text)) and bool(key_spans(text, catalog))


def _named_key(catalog: Catalog) -> re.Pattern | None:
    """`api_key = "..."`, `"api-key": "..."`, `subscription_key='...'`: the names the plain
    shapes are only keys after (`only-as` in the catalogue), then the value."""
    return _named_pattern(tuple(sorted({n for _, _, only_as in catalog.key_shapes for n in only_as}, key=len, reverse=True)))


@functools.lru_cache(maxsize=4)
def _named_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    if not names:
        return None
    return re.compile(
        r"(?i)(?<![A-Za-z0-9_])(?P<name>" + "|".join(map(re.escape, names))
        + r")[\"']?\s*[:=]\s*\(?\s*[\"']?(?P<value>[A-Za-z0-9]{32,84})(?![A-Za-z0-9])"
    )
