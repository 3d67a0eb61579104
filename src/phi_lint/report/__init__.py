"""Output formats. Each module renders a CheckResult (Findings and, for context lines, the
source of each file) to text; none of them knows how findings are made."""

from __future__ import annotations

import importlib
from typing import Callable

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def renderer(name: str) -> Callable[..., str]:
    module = importlib.import_module(f"phi_lint.report.{name if name != 'concise' else 'text'}")
    return module.render_concise if name == "concise" else module.render
