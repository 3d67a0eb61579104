"""`phi-lint report`: the evidence of a run as a self-contained HTML page, GitHub-flavoured
Markdown (fits a job summary) or JSON. Each renderer reads only the `Evidence` plain data."""

from __future__ import annotations

from typing import Callable

from phi_lint.evidence.model import Evidence
from phi_lint.report import mask

REPORT_FORMATS = ("html", "markdown", "json")


def report_renderer(name: str) -> Callable[[Evidence], str]:
    """The renderer of a format; what it prints has every key-shaped token masked, as every
    output of phi-lint does."""
    if name == "html":
        from phi_lint.report.evidence.html import render
    elif name == "markdown":
        from phi_lint.report.evidence.markdown import render
    else:
        from phi_lint.report.evidence.document import render
    return lambda evidence: mask(render(evidence))
