"""Output formats. Each module renders a CheckResult (Findings and, for context lines, the
source of each file) to text; none of them knows how findings are made.

Whatever a format prints, keys are masked: every key-shaped token of the catalogue becomes
[REDACTED], wherever it appears (a message, a source line, a fix's new text) and whatever rules
ran. That is a property of the output, not of the rule that finds keys (PHI401).
"""

from __future__ import annotations

import functools
import importlib
from typing import Callable

from phi_lint.model import Finding, Span

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def renderer(name: str) -> Callable[..., str]:
    module = importlib.import_module(f"phi_lint.report.{name if name != 'concise' else 'text'}")
    render = module.render_concise if name == "concise" else module.render

    @functools.wraps(render)
    def masked(*args, **kwargs) -> str:
        return mask(render(*args, **kwargs))

    return masked


def mask(text: str) -> str:
    """`text` with every key-shaped token masked: the last step of everything phi-lint prints."""
    from phi_lint.analysis.keys import mask_keys
    from phi_lint.catalog import load

    return mask_keys(text, load())


def fix_shows_a_key(f: Finding, lines: list[str]) -> bool:
    """Whether a fix's new text holds a key: one of the finding's lines (a wrapped key literal),
    or any key-shaped token (`https://...?key=AIza...` rewritten to https). Such a fix is shown
    by its title only; `phi-lint check --fix` applies it without printing it."""
    from phi_lint.analysis.keys import shows_a_key
    from phi_lint.catalog import load

    spans = f.secret_spans + ((f.span,) if f.secret else ())
    secrets = [text for text in (_span_text(lines, span).strip("'\"") for span in spans) if len(text) >= 8]  # the key, unquoted
    catalog = load()
    return any(secret in e.content for secret in secrets for e in f.fix.edits) or any(shows_a_key(e.content, catalog) for e in f.fix.edits)


def _span_text(lines: list[str], span: Span) -> str:
    if not 0 < span.line <= span.end_line <= len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    middle = lines[span.line : span.end_line - 1]
    return "\n".join([lines[span.line - 1][span.column - 1 :], *middle, lines[span.end_line - 1][: span.end_column - 1]])
