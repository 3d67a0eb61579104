"""Where the repository is, and which lines changed since a revision (`check --diff-base REV`).

`--diff-base REV` keeps the findings whose span touches a line added or changed since the merge
base of REV and HEAD (REV itself when it is an ancestor of HEAD, the usual case), in the working
tree as it is now: committed, staged and unstaged changes alike. A branch that fell behind its
base therefore reports only its own changes, not the base's newer lines. Untracked files that
git does not ignore count as wholly added: new code is new code whether or not it was `git add`ed.
Renames are followed, so a moved file reports only the lines that changed in the move.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from phi_lint.model import CheckResult, FileResult, Finding
from phi_lint.paths import absolute

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class GitError(Exception):
    """git is missing, the folder is not in a repository, or the revision is unknown (exit 2)."""


def repo_root(start: Path) -> Path | None:
    """The top of the git work tree holding `start` (a `.git` folder or file: work trees and
    submodules count), or None outside one. No subprocess: every report needs it."""
    here = absolute(start)
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def report_root(root: Path | None = None) -> Path:
    """What CI reports are relative to: `root` when the CLI worked it out, else the repository
    holding the current folder, else the current folder."""
    if root is not None:
        return absolute(Path(root))
    cwd = Path.cwd()
    return repo_root(cwd) or absolute(cwd)


def repo_path(path: str, root: Path) -> str:
    """A finding's path (relative to the current folder, as the runner shows it) relative to
    `root`, POSIX style; an absolute POSIX path when the file lies outside `root`."""
    if path == "-":
        return path
    given = Path(os.path.abspath(path))
    for candidate in (given, absolute(given)):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return given.as_posix()


# ------------------------------------------------------------------------------------- git
def git_output(args: list[str], cwd: Path) -> bytes:
    """What git prints (stdout); GitError when it fails or is missing."""
    import subprocess  # here: every report asks for repo_root, only some options run git

    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed ({proc.returncode})")
    return proc.stdout


def toplevel(start: Path) -> Path:
    """The work tree's top folder, as git sees it."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    try:
        out = git_output(["rev-parse", "--show-toplevel"], folder)
    except GitError as exc:
        raise GitError(f"{folder} is not inside a git repository ({exc})") from None
    return Path(os.fsdecode(out.rstrip(b"\n"))).resolve()


def base_commit(rev: str, top: Path) -> str:
    """The commit to compare with for REV: its merge base with HEAD (REV itself when it is an ancestor)."""
    if not rev or rev.startswith("-"):
        raise GitError(f"unknown revision {rev!r}")
    try:
        commit = git_output(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).decode().strip()
    except GitError:
        raise GitError(f"unknown revision {rev!r} (is the history fetched? actions/checkout needs fetch-depth: 0)") from None
    try:
        return git_output(["merge-base", commit, "HEAD"], top).decode().strip() or commit
    except GitError:  # no HEAD yet, or unrelated histories: compare with REV itself
        return commit


def _unquote(raw: bytes) -> bytes:
    """A path as git prints it: C-style quoted when it holds special characters."""
    if not raw.startswith(b'"'):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("r"): 13, ord("v"): 11}
    while i < len(body):
        if body[i] == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            if 48 <= nxt <= 55:
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(simple.get(nxt, nxt))
            i += 2
            continue
        out.append(body[i])
        i += 1
    return bytes(out)


def parse_diff(diff: bytes) -> dict[str, set[int]]:
    """Added or changed lines (new-side numbers) of each file in a `--unified=0` diff."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            target = _unquote(line[4:].rstrip(b"\t"))
            if target == b"/dev/null":  # a deleted file
                current = None
            else:
                name = os.fsdecode(target[2:] if target.startswith(b"b/") else target)
                current = changed.setdefault(name, set())
        elif line.startswith(b"@@ ") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or b"1")
                current.update(range(start, start + count))
    return changed


@dataclasses.dataclass(frozen=True)
class ChangedLines:
    """What changed since a revision, by path relative to `top`."""

    top: Path
    lines: dict[str, set[int]]
    new_files: frozenset[str]  # untracked: every line counts

    def touches(self, finding: Finding, file: FileResult | None = None) -> bool:
        """Whether the diff changed a line of the finding (of the notebook file, for a cell)."""
        path = repo_path(finding.path, self.top)
        if path in self.new_files:
            return True
        lines = self.lines.get(path)
        if not lines:
            return False
        first, last = finding.span.line, finding.span.end_line
        if finding.cell is not None and file is not None:
            first, last = file.file_line(first, finding.cell), file.file_line(last, finding.cell)
        return any(n in lines for n in range(first, last + 1))


def changed_lines(rev: str, start: Path) -> ChangedLines:
    """Lines added or changed since `rev` in the repository holding `start`."""
    top = toplevel(start)
    base = base_commit(rev, top)
    diff = git_output(
        ["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames",
         "--src-prefix=a/", "--dst-prefix=b/", base, "--"],
        top,
    )
    untracked = git_output(["ls-files", "--others", "--exclude-standard", "-z"], top)
    new_files = frozenset(os.fsdecode(p) for p in untracked.split(b"\0") if p)
    return ChangedLines(top, parse_diff(diff), new_files)


def only_changed(result: CheckResult, changes: ChangedLines) -> CheckResult:
    """The result without the findings (suppressed or not) on lines the diff does not touch."""
    files = [dataclasses.replace(fr, findings=[f for f in fr.findings if changes.touches(f, fr)],
                                 hidden=fr.hidden + [f for f in fr.findings if not changes.touches(f, fr)]) for fr in result.files]
    return dataclasses.replace(result, files=files)


__all__ = ["ChangedLines", "GitError", "base_commit", "changed_lines", "git_output", "only_changed", "parse_diff", "report_root", "repo_path", "repo_root", "toplevel"]
