"""Paths as phi-lint handles them: made absolute without failing, and shown without letting a
file name forge output."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path


def absolute(path: Path) -> Path:
    """`path` made absolute with symlinks resolved where possible. A symlink loop or an
    unreadable link is no error here: reading the file reports it, once."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


@functools.lru_cache(maxsize=8)
def resolved_folder(folder: str) -> Path:
    """The current folder, resolved once (each file's path is shown relative to it)."""
    return absolute(Path(folder))


# Characters that would let a file name (or text taken from a file) start a new output line,
# move the cursor, recolour the terminal or reorder what is shown: C0 and C1 controls but the
# tab, and Unicode's line separators and bidirectional controls.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with those characters written as escapes (`\\n`, `\\x1b`, `\\u202e`), so that a path
    named `a.py\\n::error file=x::forged` prints as one line that no CI runner reads as a command."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
