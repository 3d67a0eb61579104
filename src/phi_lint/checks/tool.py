"""PHI9xx: the tool itself."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Iterator

from phi_lint.checks.base import Context, Report, Rule
from phi_lint.model import Severity


def position(line: int, col: int = 0, end_line: int | None = None, end_col: int | None = None) -> SimpleNamespace:
    """Something reportable that is not a tree node (a parse error, a comment)."""
    return SimpleNamespace(lineno=line, col_offset=col, end_lineno=end_line or line, end_col_offset=end_col if end_col is not None else col)


class ParseError(Rule):
    """## What it does
    Reports a file that could not be parsed (a syntax error, an undecodable byte sequence, a NUL
    byte, an expression nested too deep). The other files are still checked.

    ## Why is this bad?
    A file phi-lint cannot read is a file nobody has checked: its leaks go unreported.

    ## Example
    ```python
    def summarise(patient:
    ```

    ## Use instead
    Fix the syntax error; make the file UTF-8 (or declare its encoding, PEP 263).

    ## Fix safety
    No fix.

    ## Controls
    None: this is about the tool.

    ## References
    - PEP 263: source code encodings
    """

    code = "PHI900"
    name = "parse-error"
    severity = Severity.WARNING
    message = "could not parse this file: {error}"
    needs_tree = False

    def check(self, ctx: Context) -> Iterator[Report]:
        error = ctx.parse_error
        if error is None:
            return
        line = getattr(error, "lineno", None) or 1
        col = max((getattr(error, "offset", None) or 1) - 1, 0)
        reason = getattr(error, "msg", None) or str(error)
        yield Report(node=position(line, col), message=self.message.format(error=reason), stmt=None)


class UnjustifiedSuppression(Rule):
    """## What it does
    Finds a suppression comment that gives no reason: `# phi-lint: ignore[PHI201]` without
    `reason="..."`, or a `# noqa` that hides a phi-lint finding without `-- reason`.

    ## Why is this bad?
    Suppressions are audit evidence of an accepted risk. An auditor asks why each one is there;
    the reason belongs next to the code, where `phi-lint check --show-suppressed` lists it.

    ## Example
    ```python
    logger.info("member %s", member.member_id)  # noqa: PHI201
    ```

    ## Use instead
    ```python
    logger.info("member %s", member.member_id)  # phi-lint: ignore[PHI201] reason="audit log, PHI store"
    ```

    ## Fix safety
    No fix: only a person can give the reason.

    ## Controls
    SOC 2 CC7.2 (evidence of monitoring decisions).

    ## References
    - CONVENTIONS: suppression comments
    """

    code = "PHI901"
    name = "unjustified-suppression"
    severity = Severity.WARNING
    message = "suppression without a reason: add reason=\"...\" (phi-lint) or `-- reason` (noqa)"
    needs_tree = False
    after_suppressions = True

    def check(self, ctx: Context) -> Iterator[Report]:
        for comment in getattr(ctx, "suppressions", ()):
            if comment.reason:
                continue
            if comment.kind == "phi-lint" or comment.used or (comment.codes and any(c.startswith("PHI") for c in comment.codes)):
                yield Report(node=position(comment.line, comment.col, comment.line, comment.end_col), message=self.message, stmt=None)
