"""What git says about the evidence: the commit a report describes, who added an accepted risk
and when (`git blame` of its suppression comment or baseline entry), and the tree at a base
revision (to tell which findings were fixed since). Outside a repository each answer is None."""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from phi_lint.gitdiff import GitError, base_commit, git_output


@dataclass(frozen=True)
class Blame:
    author: str | None  # None: not committed yet
    date: str | None  # YYYY-MM-DD, UTC
    commit: str | None


def head_commit(top: Path | None) -> str | None:
    if top is None:
        return None
    try:
        return git_output(["rev-parse", "--verify", "--quiet", "HEAD"], top).decode().strip() or None
    except GitError:
        return None  # no commit yet, or no git


def blame_line(top: Path | None, path: str, line: int) -> Blame | None:
    """Who last changed `path:line` (path from the top of the repository), and when."""
    if top is None or line < 1:
        return None
    try:
        out = git_output(["blame", "--porcelain", "-L", f"{line},{line}", "--", path], top).decode("utf-8", "replace")
    except GitError:
        return None  # not tracked, or past the end of the committed file
    head = out.split("\n", 1)[0].split(" ")
    commit = head[0] if head and len(head[0]) >= 40 else None
    fields = dict(line.split(" ", 1) for line in out.splitlines()[1:] if " " in line and not line.startswith("\t"))
    if commit is None or set(commit) == {"0"}:
        return Blame(None, None, None)  # the line is not committed yet
    when = fields.get("author-time")
    date = datetime.fromtimestamp(int(when), tz=timezone.utc).strftime("%Y-%m-%d") if when and when.isdigit() else None
    return Blame(fields.get("author"), date, commit)


def line_of(file: Path, needle: str) -> int:
    """The first line of a text file holding `needle` (0 when none does)."""
    try:
        for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if needle in text:
                return number
    except OSError:
        pass
    return 0


def export_tree(rev: str, top: Path, into: Path) -> str:
    """Write the files of the base of `rev` (its merge base with HEAD) into `into`, a folder that
    then reads as the top of a repository, so that findings there get the same repository-relative
    paths and fingerprints as here. Returns the commit exported."""
    commit = base_commit(rev, top)
    data = git_output(["archive", "--format=tar", commit], top)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = [m for m in archive.getmembers() if (m.isfile() or m.isdir()) and _inside(m.name)]
        for member in members:
            target = into / member.name
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
    (into / ".git").mkdir(exist_ok=True)  # repo_root() looks for it; nothing else reads it
    return commit


def _inside(name: str) -> bool:
    parts = Path(name).parts
    return not os.path.isabs(name) and ".." not in parts and ".git" not in parts
