"""What phi-lint reads in a JavaScript/TypeScript file itself: its comments (suppressions), where
the statement around a line starts, and the names in a span.

A small scanner, not a parser: it knows strings, template literals (with `${...}` inside),
comments and regular expression literals well enough to tell code from text, and it tracks
brackets so that a finding inside a multi-line call can find the line its statement starts on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# After these, a `/` starts a regular expression literal rather than a division.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {""}
_REGEX_KEYWORDS = ("return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await")
# A `{` after one of these opens an object literal, not a block.
_OBJECT_AFTER = set("(,=:[?") | {"return", "??", "||", "&&"}


@dataclass
class Scan:
    """Comments as (line, column, text), and for each line (1-based) the lines of the brackets
    still open at its start that are part of an expression (not blocks)."""

    comments: list[tuple[int, int, str]] = field(default_factory=list)
    open_at: list[tuple[int, ...]] = field(default_factory=list)  # index line-1

    def statement_start(self, line: int) -> int:
        """The first line of the statement that holds `line`: the line of the outermost open
        bracket of an expression around it (`create({` for `messages: ...` inside)."""
        if 1 <= line <= len(self.open_at) and self.open_at[line - 1]:
            return min(self.open_at[line - 1])
        return line

    def comment_only(self, line: int, lines: list[str]) -> bool:
        return 1 <= line <= len(lines) and lines[line - 1].lstrip().startswith(("//", "/*", "*"))


def scan(text: str) -> Scan:
    out = Scan()
    n = len(text)
    i = 0
    line = 1
    col = 0
    stack: list[tuple[str, int, bool]] = []  # (bracket, line, expression?)
    templates: list[int] = []  # depth of `{` nesting inside each open `${`
    last = ""  # the last significant token, to tell a regex from a division and an object from a block
    out.open_at.append(())

    def newline() -> None:
        """The expression brackets open since the innermost block: the statement's own."""
        own = []
        for _, l, expr in reversed(stack):
            if not expr:
                break
            own.append(l)
        out.open_at.append(tuple(own))

    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            col = 0
            i += 1
            newline()
            continue
        if c in " \t\r":
            i += 1
            col += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.comments.append((line, col, text[i:end]))
            col += end - i
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            chunk = text[i:end]
            out.comments.append((line, col, chunk))
            for _ in range(chunk.count("\n")):
                line += 1
                newline()
            col = len(chunk) - chunk.rfind("\n") - 1 if "\n" in chunk else col + len(chunk)
            i = end
            continue
        if c in "\"'" or c == "`" or (c == "}" and templates and templates[-1] == 0):
            if c == "}":  # the end of `${...}`: back inside the template literal
                templates.pop()
                quote = "`"
            else:
                quote = c
            j = i + 1
            while j < n:
                d = text[j]
                if d == "\\":
                    j += 2
                    continue
                if d == "\n":
                    if quote != "`":
                        break
                    line += 1
                    newline()
                if d == quote:
                    j += 1
                    break
                if quote == "`" and text.startswith("${", j):
                    templates.append(0)
                    j += 2
                    break
                j += 1
            col += j - i
            i = j
            last = "str"
            continue
        if c == "/" and (last in _REGEX_AFTER or last in _REGEX_KEYWORDS):
            j = i + 1
            in_class = False
            while j < n and text[j] != "\n":
                d = text[j]
                if d == "\\":
                    j += 2
                    continue
                if d == "[":
                    in_class = True
                elif d == "]":
                    in_class = False
                elif d == "/" and not in_class:
                    j += 1
                    break
                j += 1
            while j < n and text[j].isalpha():
                j += 1
            col += j - i
            i = j
            last = "regex"
            continue
        if c in "([{":
            if templates:
                templates[-1] += c == "{"
            stack.append((c, line, c != "{" or last in _OBJECT_AFTER))
            last = c
        elif c in ")]}":
            if templates and c == "}":
                templates[-1] -= 1
            if stack:
                stack.pop()
            last = c
        elif c.isalnum() or c in "_$":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            last = text[i:j]
            col += j - i
            i = j
            continue
        elif text.startswith("=>", i):
            last = "=>"
            i += 2
            col += 2
            continue
        else:
            last = c
        i += 1
        col += 1
    return out


# ---------------------------------------------------------------- suppressions

_SUPPRESSION = re.compile(
    r"(?:phi-lint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?:\s+reason\s*=\s*(?P<q>[\"'])(?P<reason>.*?)(?P=q))?"
    r"|(?P<noqa>noqa)\b(?::\s*(?P<noqa_codes>[A-Z]+[0-9]*(?:\s*,?\s*[A-Z]+[0-9]*)*))?(?:\s*--\s*(?P<noqa_reason>\S[^*]*?))?\s*(?:\*/)?\s*$"
    r"|(?P<nosem>nosemgrep)\b(?::\s*(?P<nosem_ids>[\w.-]+(?:\s*,\s*[\w.-]+)*))?(?:\s*--\s*(?P<nosem_reason>\S[^*]*?))?\s*(?:\*/)?\s*$)",
    re.IGNORECASE,
)


@dataclass
class Comment:
    """A suppression comment of a JavaScript/TypeScript file."""

    kind: str  # "phi-lint", "noqa" or "nosemgrep"
    line: int
    col: int  # 0-based, in characters
    end_col: int
    codes: tuple[str, ...]  # codes or code prefixes; for nosemgrep, rule ids or codes; empty: all
    reason: str | None
    used: bool = False

    def covers(self, code: str, name: str) -> bool:
        if not self.codes:
            return True
        return any(code.startswith(c.upper()) or c.lower() in (name, name.rsplit(".", 1)[-1]) for c in self.codes)


def suppressions(scanned: Scan) -> list[Comment]:
    out = []
    for line, col, text in scanned.comments:
        if not any(word in text.lower() for word in ("noqa", "phi-lint", "nosemgrep")):
            continue
        for match in _SUPPRESSION.finditer(text):
            if match.group("noqa"):
                codes = tuple(c for c in re.split(r"[\s,]+", match.group("noqa_codes") or "") if c)
                if codes and not any(c.upper().startswith("PHI") for c in codes):
                    continue  # another tool's codes
                kind, reason = "noqa", match.group("noqa_reason")
            elif match.group("nosem"):
                codes = tuple(c.strip().rsplit(".", 1)[-1] for c in (match.group("nosem_ids") or "").split(",") if c.strip())
                kind, reason = "nosemgrep", match.group("nosem_reason")
            else:
                codes = tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
                kind, reason = "phi-lint", match.group("reason")
            reason = (reason or "").strip() or None
            out.append(Comment(kind, line, col + match.start(), col + match.end(), codes, reason))
    return out


# ---------------------------------------------------------------- the call around a span

_CALLEE = re.compile(r"(?:new\s+)?[A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)*\s*$")


def call_at(text: str, offset: int) -> str | None:
    """The callee of a call that starts at `offset` (`OpenAI` for `new OpenAI({...})`)."""
    match = re.compile(r"(?:new\s+)?([A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)*)\s*\(").match(text, offset)
    return re.sub(r"\s+", "", match.group(1)) if match else None


def enclosing_call(text: str, offset: int) -> str | None:
    """The callee of the innermost call whose arguments hold `offset` (`openai.chat.completions
    .create` for a `messages:` value), skipping the objects and arrays between."""
    code = _code_positions(text)
    depth = 0
    i = min(offset, len(text)) - 1
    while i >= 0:
        c = text[i]
        if code[i]:
            if c in ")]}":
                depth += 1
            elif c in "([{":
                if depth:
                    depth -= 1
                elif c == "(":
                    match = _CALLEE.search(text, max(0, i - 200), i)
                    if match and match.end() == i:
                        return " ".join(match.group().split()).replace(" .", ".").replace(". ", ".")
                    return None
            elif c == ";" and not depth:
                return None
        i -= 1
    return None


# ---------------------------------------------------------------- names in a span

_MEMBER = re.compile(r"(?<![\w$.])[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[\s*[\"'][\w$]+[\"']\s*\])*")
_KEY = re.compile(r"\[\s*[\"']([\w$]+)[\"']\s*\]$")


def names_in(text: str) -> list[tuple[int, str, str]]:
    """(offset, member expression, last name) of the names written in `text`, outside strings
    (template literal interpolations count)."""
    out = []
    code = _code_positions(text)
    for match in _MEMBER.finditer(text):
        if not code[match.start()] or text.startswith("${", match.start()):
            continue
        expression = match.group()
        key = _KEY.search(expression)
        last = key.group(1) if key else re.split(r"\??\.", expression)[-1]
        out.append((match.start(), expression, last))
    return out


def _code_positions(text: str) -> list[bool]:
    """For each character, whether it is code (not in a comment, inside quotes or template
    text)."""
    code = [True] * (len(text) + 1)
    i, n = 0, len(text)
    depth: list[int] = []
    while i < n:
        c = text[i]
        if text.startswith(("//", "/*"), i):  # a comment
            end = text.find("\n" if text[i + 1] == "/" else "*/", i + 2)
            end = n if end < 0 else end + (0 if text[i + 1] == "/" else 2)
            code[i:end] = [False] * (end - i)
            i = end
            continue
        if c in "\"'`" or (c == "}" and depth and depth[-1] == 0):
            quote = "`" if c == "}" else c
            if c == "}":
                depth.pop()
            j = i + 1
            while j < n:
                if text[j] == "\\":
                    code[j] = code[min(j + 1, n)] = False
                    j += 2
                    continue
                if text[j] == quote:
                    break
                if quote == "`" and text.startswith("${", j):
                    depth.append(0)
                    j += 1
                    break
                code[j] = False
                j += 1
            i = j + 1
            continue
        if depth and c == "{":
            depth[-1] += 1
        elif depth and c == "}":
            depth[-1] -= 1
        i += 1
    return code
