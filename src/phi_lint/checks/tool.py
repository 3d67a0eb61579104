"""PHI9xx: the tool itself."""

from __future__ import annotations

import re
import sys
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
    # Syntax newer than some supported Pythons, recognised on the line the parser stopped at:
    # (Python version, what it is, pattern on the line, or on the parser's message).
    newer_syntax = (
        ((3, 12), "a `type` alias statement", re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*="), None),
        ((3, 12), "type parameters (PEP 695)", re.compile(r"^\s*(async\s+def|def|class)\s+[A-Za-z_]\w*\s*\["), None),
        ((3, 12), "quotes reused inside an f-string (PEP 701)", None, re.compile(r"^f-string")),
        ((3, 11), "`except*`", re.compile(r"^\s*except\s*\*"), None),
        ((3, 14), "a template string (PEP 750)", re.compile(r"(?<![\w.])[tT][rR]?[\"']|(?<![\w.])[rR][tT][\"']"), None),
    )

    def check(self, ctx: Context) -> Iterator[Report]:
        error = ctx.parse_error
        if error is None:
            return
        line = getattr(error, "lineno", None) or 1
        col = max((getattr(error, "offset", None) or 1) - 1, 0)
        reason = getattr(error, "msg", None) or str(error)
        if isinstance(error, SyntaxError):
            reason += self.version_hint(ctx, line, reason)
        yield Report(node=position(line, col), message=self.message.format(error=reason), stmt=None)

    def version_hint(self, ctx: Context, line: int, reason: str, running: tuple[int, int] = sys.version_info[:2]) -> str:
        """Why a file may not parse here: it needs a newer Python than the one running phi-lint
        (ast parses with the running interpreter's grammar, the newest it knows)."""
        here = "{}.{}".format(*running)
        target = ctx.config.target_python
        if target is not None and target > running:
            return (f" (the project targets Python {target[0]}.{target[1]} with `target-version`, but phi-lint runs on Python"
                    f" {here}: run phi-lint with Python {target[0]}.{target[1]} or newer)")
        text = ctx.lines[line - 1] if 0 < line <= len(ctx.lines) else ""
        for version, what, on_line, on_message in self.newer_syntax:
            if running < version and ((on_line and on_line.search(text)) or (on_message and on_message.search(reason))):
                return (f" (this looks like {what}, which needs Python {version[0]}.{version[1]}; phi-lint runs on Python"
                        f" {here}: run phi-lint with Python {version[0]}.{version[1]} or newer)")
        return ""


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


class InvalidConfiguration(Rule):
    """## What it does
    Reports, in editors, a `[tool.phi-lint]` configuration phi-lint cannot use: invalid TOML, an
    unknown key, a value of the wrong type, a rule code that does not exist. The flake8 plugin
    shows it once per file, at line 1, in place of that file's findings.

    ## Why is this bad?
    A policy phi-lint cannot read is a policy nobody enforces: the file's leaks go unreported
    until it is fixed. On the command line the same error stops the run with exit status 2; in
    an editor, an exception would blank out every other flake8 plugin as well.

    ## Example
    ```toml
    [tool.phi-lint]
    aproved-endpoints = ["https://contoso-health.openai.azure.com"]
    ```

    ## Use instead
    ```toml
    [tool.phi-lint]
    approved-endpoints = ["https://contoso-health.openai.azure.com"]
    ```

    ## Fix safety
    No fix: the message names the file and the key to correct.

    ## Controls
    None: this is about the tool.

    ## References
    - README: Configuration
    """

    code = "PHI904"
    name = "invalid-configuration"
    severity = Severity.WARNING
    message = "phi-lint cannot use its configuration, so this file was not checked: {error}"
    needs_tree = False

    def check(self, ctx: Context) -> Iterator[Report]:
        return iter(())  # the engine runs with a valid configuration only; fronts report this code

    @classmethod
    def text(cls, error: Exception) -> str:
        """`PHI904 message` as a front that cannot stop the run (flake8) reports it."""
        return f"{cls.code} {cls.message.format(error=error)}"
