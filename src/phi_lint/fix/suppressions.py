"""Suppression comments as text edits: taking out the codes a comment no longer needs (PHI903's
fix, like ruff's RUF100) and writing reasoned comments for today's findings (`check --add-noqa
--reason`, the alternative to a baseline when adopting phi-lint on a legacy codebase).

Comments are written in phi-lint's own form, `# phi-lint: ignore[PHI201] reason="..."`: the
audit form `--show-suppressed` lists, honoured by every front, and safe to append after another
tool's `# noqa: E501`. No libcst: the edits are plain text, checked by tokenizing and parsing.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize

from phi_lint.model import Applicability, CheckResult, Edit, Finding, Fix

_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # lines as ast counts them
_REASON_START = re.compile(r"\s*(?:reason\s*=|--|\u2014|\u2013)", re.IGNORECASE)


# ---------------------------------------------------------------------- taking codes out
def removal_fix(line: str, number: int, start: int, end: int, codes: tuple[str, ...], unused: tuple[str, ...]) -> Fix:
    """The edit that takes `unused` out of the suppression at characters [start, end) of `line`
    (1-based line `number`): the whole suppression, its reason too, when nothing it names is
    still needed (`codes` empty: a blanket `# phi-lint: ignore`); else only those codes."""
    comment = line[start:end]
    kept = [c for c in codes if c not in unused]
    title = "Remove the unused suppression" if not kept else "Remove the unused code" + ("s" if len(unused) > 1 else "")
    if not kept:
        return Fix(title, Applicability.SAFE, (_remove_span(line, number, start, end),))
    head_end = _codes_end(comment)
    head = comment[:head_end]
    for code in unused:
        head = _drop_code(head, code)
    return Fix(title, Applicability.SAFE, (Edit(number, start + 1, number, start + head_end + 1, head),))


def _remove_span(line: str, number: int, start: int, end: int) -> Edit:
    before, after = line[:start], line[end:]
    if not before.strip() and not after.strip():
        return Edit(number, 1, number + 1, 1, "")  # a comment line of its own: the line goes
    if after.strip():  # another comment follows (`# noqa: PHI201 -- why  # phi-lint: ...`)
        return Edit(number, start + 1, number, end + len(after) - len(after.lstrip()) + 1, "")
    return Edit(number, len(before.rstrip()) + 1, number, end + 1, "")


def _codes_end(comment: str) -> int:
    """Where a suppression's code list ends (its reason, if any, starts after)."""
    bracket = comment.find("]")
    if comment.lstrip("#").lstrip().lower().startswith("phi-lint") and bracket >= 0:
        return bracket + 1
    match = _REASON_START.search(comment, comment.lower().find("noqa") + 4)
    return match.start() if match else len(comment.rstrip())


def _drop_code(head: str, code: str) -> str:
    """`head` (`# noqa: E501, PHI201` or `# phi-lint: ignore[PHI201, PHI202]`) without `code`."""
    token = rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])"
    for pattern in (rf"\s*,\s*{token}", rf"{token}\s*,\s*", rf"\s+{token}", token):
        new, n = re.subn(pattern, "", head, count=1, flags=re.IGNORECASE)
        if n:
            return new
    return head


# ---------------------------------------------------------------------- writing comments
def suppress(text: str, findings: list[Finding], reason: str) -> tuple[str, int]:
    """`text` with a `# phi-lint: ignore[CODES] reason="..."` comment for every finding, and how
    many comments were written. A comment goes at the end of the finding's line when a comment
    can go there (not inside a multi-line string, not after a line continuation), else at the
    end of its statement's first line, else on a line of its own above the statement. Findings
    that share a place share one comment."""
    if not findings:
        return text, 0
    lines = [m.group() for m in _PHYSICAL_LINE.finditer(text) if m.group()]
    open_ends = _lines_that_take_a_comment(text)
    statements = _statement_starts(text)
    at_end: dict[int, set[str]] = {}
    above: dict[int, set[str]] = {}
    for f in findings:
        first = statements.get(f.line, f.line)
        if f.line in open_ends:
            at_end.setdefault(f.line, set()).add(f.code)
        elif first in open_ends:
            at_end.setdefault(first, set()).add(f.code)
        else:
            above.setdefault(first, set()).add(f.code)
    quoted = _quoted(reason)

    def comment(codes: set[str]) -> str:
        return f'# phi-lint: ignore[{", ".join(sorted(codes))}] reason={quoted}'

    for number, codes in at_end.items():
        body = lines[number - 1]
        stripped = body.rstrip("\r\n")
        lines[number - 1] = f"{stripped.rstrip()}  {comment(codes)}{body[len(stripped):]}"
    for number in sorted(above, reverse=True):
        body = lines[number - 1]
        indent = body[: len(body) - len(body.lstrip())]
        newline = body[len(body.rstrip("\r\n")):] or "\n"
        lines.insert(number - 1, f"{indent}{comment(above[number])}{newline}")
    return "".join(lines), len(at_end) + len(above)


def _quoted(reason: str) -> str:
    """`reason="..."`'s value: quotes have no escapes there, so the other kind quotes a reason
    that holds one kind (and a reason holding both gets single quotes for its double ones)."""
    reason = " ".join(reason.split())
    if '"' not in reason:
        return f'"{reason}"'
    if "'" not in reason:
        return f"'{reason}'"
    return '"' + reason.replace('"', "'") + '"'


def _lines_that_take_a_comment(text: str) -> set[int]:
    """Lines whose end lies outside any string and after no backslash: a comment can go there."""
    out = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                out.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _statement_starts(text: str) -> dict[int, int]:
    """line -> the first line of the innermost simple statement that spans it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    out: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not hasattr(node, "body"):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if line not in out or out[line] < node.lineno:
                    out[line] = node.lineno
    return out


def add_suppressions(result: CheckResult, reason: str) -> tuple[int, int, list[str]]:
    """`check --add-noqa --reason`: write a reasoned suppression for every finding the result
    shows into its file (atomically; only text that still parses; into a notebook's cells). The
    tool's own findings (PHI9xx: parse errors, suppressions) are not suppressed. Returns
    (comments, files, messages)."""
    from pathlib import Path

    from phi_lint.fix.apply import decode, write_atomic
    from phi_lint.notebook import Notebook, NotebookError, is_notebook

    comments = files = 0
    messages: list[str] = []
    for fr in result.files:
        findings = [f for f in fr.findings if f.suppression is None and not f.code.startswith("PHI9")]
        if not findings:
            continue
        path = Path(fr.path)
        try:
            data = path.read_bytes()
            notebook = Notebook.parse(data) if is_notebook(fr.path) else None
        except OSError as exc:
            messages.append(f"{fr.path}: not changed: cannot read it ({exc.strerror or exc})")
            continue
        except NotebookError as exc:
            messages.append(f"{fr.path}: not changed: {exc}")
            continue
        if notebook is not None:  # the module of its cells, and the findings' lines in it
            decoded = (notebook.python, "utf-8")
            findings = [dataclasses.replace(f, span=dataclasses.replace(f.span, line=notebook.module_line(f.cell, f.line) or 0))
                        for f in findings]
        else:
            decoded = decode(data)
        if decoded is None:
            messages.append(f"{fr.path}: not changed: cannot decode it")
            continue
        text, encoding = decoded
        new, n = suppress(text, [f for f in findings if f.line > 0], reason)
        try:
            ast.parse(new)
            output = notebook.to_bytes(notebook.with_sources(notebook.cell_sources(new))) if notebook else new.encode(encoding)
            write_atomic(path, output)
        except (SyntaxError, ValueError, RecursionError):
            messages.append(f"{fr.path}: not changed: the comments would not leave valid Python")
            continue
        except (OSError, UnicodeEncodeError) as exc:
            messages.append(f"{fr.path}: not changed: cannot write it ({getattr(exc, 'strerror', None) or exc})")
            continue
        comments += n
        files += 1
    return comments, files, messages
