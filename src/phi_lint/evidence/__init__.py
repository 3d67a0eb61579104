"""Compliance evidence for `phi-lint report`: the run, the findings by control, the accepted
risks and who accepted them, the model calls and their vendors, the routes that reach models.

Built here from the engine's facts and the check's findings, as plain data (`model.py`); the
renderers in `phi_lint.report.evidence` see only that data.
"""
