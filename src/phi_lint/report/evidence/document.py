"""The JSON form of a report: the same evidence as the HTML and Markdown, for other tools."""

from __future__ import annotations

import dataclasses
import json

from phi_lint.evidence.model import UNAPPROVED, Evidence


def summary(evidence: Evidence) -> dict[str, int]:
    """The headline numbers every form shows first."""
    return {
        "open": len(evidence.open),
        "accepted": len(evidence.accepted),
        "fixed": len(evidence.fixed),
        "model_calls": len(evidence.model_calls),
        "unapproved_model_calls": sum(1 for c in evidence.model_calls if c.approval == UNAPPROVED),
        "vendors": len(evidence.vendors),
        "routes_reaching_models": len(evidence.routes),
        "unguarded_routes": sum(1 for r in evidence.routes if r.finding is not None),
    }


def document(evidence: Evidence) -> dict:
    doc = {"tool": "phi-lint", **dataclasses.asdict(evidence)}
    doc["summary"] = summary(evidence)
    for shown, call in zip(doc["model_calls"], evidence.model_calls):
        shown["destination"] = call.destination
    return doc


def render(evidence: Evidence) -> str:
    return json.dumps(document(evidence), indent=2, ensure_ascii=False) + "\n"
