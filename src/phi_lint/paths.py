"""Paths as phi-lint handles them: made absolute without failing, and shown without letting a
file name forge output."""

from __future__ import annotations

import os
from pathlib import Path


def absolute(path: Path) -> Path:
    """`path` made absolute with symlinks resolved where possible. A symlink loop or an
    unreadable link is no error here: reading the file reports it, once."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
