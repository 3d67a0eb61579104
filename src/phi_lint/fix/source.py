"""Positions in a file's text, as the fixer needs them.

ast gives 1-based lines and UTF-8 byte columns; Edits (like Spans) use 1-based lines and
character columns, end exclusive. Lines are split the way Python's tokenizer splits them
(\\r\\n, \\r or \\n: a form feed or U+2028 inside a line does not end it).
"""

from __future__ import annotations

import ast
import functools
import re

NEWLINE = re.compile(r"\r\n|\r|\n")


class Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in NEWLINE.finditer(text)]  # offset of each line
        first = NEWLINE.search(text)
        self.newline = first.group() if first else "\n"

    def line(self, number: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self.starts[number - 1]
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return NEWLINE.sub("", self.text[start:end])

    def char_col(self, line: int, byte_col: int) -> int:
        """0-based character column of an ast (byte) column."""
        text = self.line(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def offset(self, line: int, column: int) -> int | None:
        """Offset in the text of a 1-based line and 1-based character column (None: outside)."""
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        if column - 1 > len(self.line(line)):
            return None
        return self.starts[line - 1] + column - 1

    def node_offsets(self, node: ast.AST) -> tuple[int, int] | None:
        line, end_line = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if line is None or end_line is None or end_line > len(self.starts):
            return None
        start = self.starts[line - 1] + self.char_col(line, node.col_offset)
        end = self.starts[end_line - 1] + self.char_col(end_line, node.end_col_offset)
        return (start, end) if start <= end else None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of an offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def segment(self, node: ast.AST) -> str | None:
        span = self.node_offsets(node)
        return self.text[span[0] : span[1]] if span else None

    def expression(self, node: ast.expr) -> str | None:
        """The exact source of an expression, checked: it must parse back to the same tree
        (ast positions inside f-strings are unreliable before Python 3.12)."""
        text = self.segment(node)
        if not text:
            return None
        try:
            parsed = ast.parse(f"(\n{text}\n)", mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return None
        return text if ast.dump(parsed) == ast.dump(node) else None


@functools.lru_cache(maxsize=16)
def source_of(text: str) -> Source:
    return Source(text)
