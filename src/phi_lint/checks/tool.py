"""PHI9xx: the tool itself."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace
from typing import Iterator

from phi_lint.checks.base import Context, Report, Rule, all_rules, is_rule_selector
from phi_lint.fix.suppressions import removal_fix
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


class UnknownSuppressionCode(Rule):
    """## What it does
    Finds a suppression comment that names a code phi-lint does not have:
    `# phi-lint: ignore[PHI2O1]`, `# noqa: PHI999`. Codes of other tools in a `# noqa`
    (`E501`, `S105`) are theirs and left alone.

    ## Why is this bad?
    A mistyped code suppresses nothing: the finding it was meant to accept is still reported, or
    worse, the comment stays as audit evidence of a decision that never took effect. A
    suppression names exactly the risk that was accepted.

    ## Example
    ```python
    audit.info("release for MRN %s", patient.mrn)  # phi-lint: ignore[PHI2O1] reason="audit log in the PHI vault"
    ```

    ## Use instead
    ```python
    audit.info("release for MRN %s", patient.mrn)  # phi-lint: ignore[PHI201] reason="audit log in the PHI vault"
    ```

    ## Fix safety
    No fix: only a person knows which code was meant (`phi-lint rules` lists them).

    ## Controls
    SOC 2 CC7.2 (evidence of monitoring decisions).

    ## References
    - CONVENTIONS: suppression comments
    """

    code = "PHI902"
    name = "unknown-suppression-code"
    severity = Severity.WARNING
    message = "{codes} in this suppression {verb} not a phi-lint rule code (see `phi-lint rules`)"
    needs_tree = False
    after_suppressions = True

    def check(self, ctx: Context) -> Iterator[Report]:
        for comment in getattr(ctx, "suppressions", ()):
            ours = comment.codes if comment.kind == "phi-lint" else [c for c in comment.codes if c.startswith("PHI")]
            unknown = [c for c in ours if not is_rule_selector(c)]
            if unknown:
                codes = ", ".join(f"`{c}`" for c in unknown)
                message = self.message.format(codes=codes, verb="is" if len(unknown) == 1 else "are")
                yield Report(node=position(comment.line, comment.col, comment.line, comment.end_col), message=message, stmt=None)


class UnusedSuppression(Rule):
    """## What it does
    Finds a suppression comment, or a code in one, that hides nothing: the rule it names is
    selected but no longer reports anything there (the code was fixed, moved or rewritten). Like
    ruff's RUF100. Codes of rules that are not selected for the file, and a bare `# noqa` (which
    may be another tool's), are left alone.

    ## Why is this bad?
    Suppressions are audit evidence of accepted risks. One that accepts nothing misleads the
    auditor who reads `--show-suppressed`, and silently hides the next leak written on that line.

    ## Example
    ```python
    audit.info("release queued")  # phi-lint: ignore[PHI201] reason="audit log in the PHI vault"
    ```

    ## Use instead
    ```python
    audit.info("release queued")
    ```

    ## Fix safety
    Safe: the fix takes out only the codes that hide nothing (the whole comment, with its reason,
    when none is left), so every finding reported before is reported after.

    ## Controls
    SOC 2 CC7.2 (evidence of monitoring decisions).

    ## References
    - ruff RUF100 (unused-noqa)
    - CONVENTIONS: suppression comments
    """

    code = "PHI903"
    name = "unused-suppression"
    severity = Severity.WARNING
    message = "unused suppression: {what}"
    fix_title = "Remove the unused suppression"
    after_suppressions = True

    def check(self, ctx: Context) -> Iterator[Report]:
        if ctx.analysis is None:  # a file that did not parse reported nothing to suppress
            return
        for comment in getattr(ctx, "suppressions", ()):
            if comment.kind == "noqa" and not comment.codes:
                continue  # a bare noqa may be for another tool
            if not comment.codes:
                unused: tuple[str, ...] = () if comment.used else ("",)
            else:
                ours = [c for c in comment.codes if c.startswith("PHI") and is_rule_selector(c)]
                unused = tuple(c for c in ours if c not in comment.used_codes and self._selected(ctx, c))
            if not unused:
                continue
            what = ("no phi-lint finding here" if unused == ("",) else
                    ", ".join(f"`{c}`" for c in unused) + (" reports" if len(unused) == 1 else " report") + " nothing here")
            line = ctx.lines[comment.line - 1]
            fix = removal_fix(line, comment.line, comment.start, comment.end, comment.codes, tuple(c for c in unused if c))
            yield Report(node=position(comment.line, comment.col, comment.line, comment.end_col),
                         message=self.message.format(what=what), stmt=None, fix=fix)

    @staticmethod
    def _selected(ctx: Context, prefix: str) -> bool:
        return any(cls.code.startswith(prefix) and ctx.config.is_enabled(cls.code, ctx.path) for cls in all_rules())
