"""The fixer: applies the Fixes rules attached to findings, for `check --fix` and `--diff`.

One pass applies every applicable fix whose edits do not overlap an earlier one's, adds the
imports they need with libcst's AddImportsVisitor, and parses the result; a fix that would not
parse is dropped with a message. The file is then checked again and passes repeat until nothing
fixable is left (at most MAX_PASSES, and never a pass that makes no progress). Files are written
atomically (a temporary file in the same folder, then a rename) with their mode, encoding, BOM
and newlines kept; a file whose text does not change is never written.

libcst is imported here, and this module only when a fix is applied or diffed.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import os
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from phi_lint.analysis.keys import SECRET_MASK, mask_keys
from phi_lint.catalog import load
from phi_lint.config import Config
from phi_lint.fix.imports import add_imports
from phi_lint.fix.source import NEWLINE, Source
from phi_lint.model import Applicability, CheckResult, FileResult, Finding
from phi_lint.notebook import Notebook, NotebookError, is_notebook

MAX_PASSES = 4


@dataclass(frozen=True)
class Applied:
    """One fix that was applied (position as it was in the pass that applied it)."""

    path: str
    code: str
    title: str
    line: int
    column: int
    applicability: Applicability
    cell: int | None = None  # in a notebook

    @property
    def where(self) -> str:
        return f"{self.path}{f':cell {self.cell}' if self.cell is not None else ''}:{self.line}:{self.column}"


@dataclass
class FixedText:
    """A text after the fixing passes: what was applied, what was said, what remains."""

    text: str
    applied: list[Applied] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # of the final text, suppressed included
    secrets: set[str] = field(default_factory=set)  # key literals seen: never shown in a diff


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return finding.suppression is None and fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


# ---------------------------------------------------------------------- one pass over a text
def _ranges(src: Source, finding: Finding) -> list[tuple[int, int, str]] | None:
    out = []
    for e in finding.fix.edits:
        start, end = src.offset(e.line, e.column), src.offset(e.end_line, e.end_column)
        if start is None or end is None or start > end:
            return None
        out.append((start, end, e.content))
    return out


def _conflict(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    if a == b:
        return False  # the same edit twice (two findings fixed by one change) is applied once
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be a guess
    return a[0] < b[1] and b[0] < a[1]


def _build(text: str, chosen: list[tuple[Finding, list[tuple[int, int, str]]]], with_imports: bool = True) -> tuple[str, str | None]:
    """The text with the chosen fixes applied and their imports added; an error when it does not
    parse. `with_imports=False` only splices the edits (no libcst: a plain check asks this)."""
    edits = sorted({r for _, ranges in chosen for r in ranges}, key=lambda r: (r[0], r[1]), reverse=True)
    out = text
    for start, end, content in edits:
        out = out[:start] + content + out[end:]
    imports: list[str] = []
    for finding, _ in chosen:
        imports += [i for i in finding.fix.imports if i not in imports]
    try:
        ast.parse(out)
        if not with_imports:
            return out, None
        out = add_imports(out, imports)
        ast.parse(out)
    except (SyntaxError, ValueError, RecursionError) as exc:
        return text, f"{type(exc).__name__}: {getattr(exc, 'msg', None) or exc}"
    except Exception as exc:  # libcst's ParserSyntaxError and friends
        return text, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return out, None


def apply_fixes(text: str, findings: list[Finding], path: str = "-") -> tuple[str, list[Applied], list[str]]:
    """Apply the fixes of `findings` to `text` in one pass: (new text, applied, messages).
    A fix whose edits overlap one taken earlier waits for the next pass."""
    src = Source(text)
    chosen: list[tuple[Finding, list[tuple[int, int, str]]]] = []
    messages: list[str] = []
    taken: list[tuple[int, int, str]] = []
    for finding in sorted(findings, key=lambda f: (f.fix.edits[0].line, f.fix.edits[0].column) if f.fix and f.fix.edits else (0, 0)):
        ranges = _ranges(src, finding) if finding.fix and finding.fix.edits else None
        if ranges is None:
            messages.append(f"{path}:{finding.line}:{finding.column}: {finding.code} fix not applied: its edits do not fit the file")
            continue
        if any(_conflict(r, t) for r in ranges for t in taken):
            continue
        chosen.append((finding, ranges))
        taken += [r for r in ranges if r not in taken]
    if not chosen:
        return text, [], messages
    out, error = _build(text, chosen)
    if error is not None:  # find the culprits: add the fixes one at a time
        kept: list[tuple[Finding, list[tuple[int, int, str]]]] = []
        for item in chosen:
            trial, error = _build(text, kept + [item])
            if error is None:
                kept.append(item)
                out = trial
            else:
                f = item[0]
                messages.append(f"{path}:{f.line}:{f.column}: {f.code} fix dropped: the fixed code would not parse ({error})")
        chosen = kept
        if not chosen:
            return text, [], messages
    applied = [Applied(path, f.code, f.fix.title, f.line, f.column, f.fix.applicability) for f, _ in chosen]
    return out, applied, messages


def _would_drop(text: str, findings: list[Finding]) -> list[Finding]:
    """The findings whose fixes `apply_fixes` would drop from `text`: edits that do not fit, or
    fixed code that does not parse (an expression nested as deep as the parser allows). Fixes
    that overlap wait for a later batch, as they wait for a later pass in `--fix`."""
    src = Source(text)
    dropped: list[Finding] = []
    todo = list(findings)
    while todo:
        batch: list[tuple[Finding, list[tuple[int, int, str]]]] = []
        taken: list[tuple[int, int, str]] = []
        later = []
        for finding in todo:
            ranges = _ranges(src, finding) if finding.fix.edits else None
            if ranges is None:
                dropped.append(finding)
            elif any(_conflict(r, t) for r in ranges for t in taken):
                later.append(finding)
            else:
                batch.append((finding, ranges))
                taken += ranges
        if batch and _build(text, batch, with_imports=False)[1] is not None:
            dropped += [f for f, ranges in batch if _build(text, [(f, ranges)], with_imports=False)[1] is not None]
        todo = later
    return dropped


def keep_appliable_fixes(result: CheckResult, unsafe: bool = True) -> CheckResult:
    """`result` with the fixes `--fix` would drop taken off their findings, so that `[*]`, the
    fixable count and the fixes in JSON promise only what `--fix` does. Splices and parses; no
    libcst."""
    files = []
    for fr in result.files:
        if fr.source is not None and any(applicable(f, unsafe) for f in fr.findings):
            fr = dataclasses.replace(fr, findings=appliable_only(fr.source.lstrip("\ufeff"), fr.findings, unsafe))
        files.append(fr)
    return dataclasses.replace(result, files=files)


def appliable_only(text: str, findings: list[Finding], unsafe: bool = True) -> list[Finding]:
    """`findings` of `text`, those whose fixes `--fix` would drop without them."""
    dropped = set(map(id, _would_drop(text, [f for f in findings if applicable(f, unsafe)])))
    return [dataclasses.replace(f, fix=None) if id(f) in dropped else f for f in findings]


# ---------------------------------------------------------------------- passes until stable
def _secrets(text: str, findings: list[Finding]) -> set[str]:
    src = Source(text)
    out = set()
    for f in findings:
        # a key on the line of another rule's finding is a secret too (secret_spans), not only PHI401's own span
        for span in f.secret_spans + ((f.span,) if f.secret else ()):
            start, end = src.offset(span.line, span.column), src.offset(span.end_line, span.end_column)
            if start is not None and end is not None and end > start:
                out.add(text[start:end])
    return out


def fix_text(text: str, path: str, config: Config, *, unsafe: bool = False,
             wanted: Callable[[Finding], bool] | None = None, findings: list[Finding] | None = None,
             project=None) -> FixedText:
    """Apply fixes to `text` until none is left (or MAX_PASSES). `wanted` picks the findings to
    fix (default: all); `findings`, when given, are those of `text` (saves one check);
    `project`: the rest of the project as the file sees it (each pass is checked against it)."""
    from phi_lint.engine import engine_for

    engine = engine_for(config)
    if findings is None:
        findings = engine.check_source(text, path, project=project)
    result = FixedText(text, findings=findings, secrets=_secrets(text, findings))
    seen = {text}
    for _ in range(MAX_PASSES):
        todo = [f for f in result.findings if applicable(f, unsafe) and (wanted is None or wanted(f))]
        if not todo:
            break
        new, applied, messages = apply_fixes(result.text, todo, path)
        result.messages += messages
        if not applied or new in seen:
            break
        seen.add(new)
        result.text = new
        result.applied += applied
        result.findings = engine.check_source(new, path, project=project)
        result.secrets |= _secrets(new, result.findings)
        left = [f for f in result.findings if applicable(f, unsafe) and (wanted is None or wanted(f))]
        if len(left) >= len(todo):
            break  # no progress: another pass would only repeat this one
    return result


# ---------------------------------------------------------------------- files
@dataclass
class FileFix:
    """A file's text before and after its fixes, and the bytes to write."""

    path: str  # as shown
    before: str  # the Python text (of a notebook: the module made of its code cells)
    after: str
    encoding: str  # "utf-8-sig" when the file has a BOM
    fixed: FixedText
    output: bytes = b""  # the file's new bytes (a notebook's JSON)
    notebook: Notebook | None = None

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def diff(self) -> str:
        """A unified diff of the file; of each changed cell of a notebook (`nb.ipynb:cell 3`)."""
        if self.notebook is None:
            return unified_diff(self.path, self.before, self.after, self.fixed.secrets)
        old = self.notebook.cell_sources(self.before)
        new = self.notebook.cell_sources(self.after)
        return "".join(unified_diff(f"{self.path}:cell {n}", _ends(old[n]), _ends(new[n]), self.fixed.secrets)
                       for n in old if old[n] != new[n])


def _ends(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def decode(data: bytes) -> tuple[str, str] | None:
    """(text without BOM, encoding) of a Python file, as the interpreter reads it; None when it
    cannot be decoded."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's bytes at once: a temporary file in the same folder, then a rename. The
    mode (and, where allowed, the owner) is kept; a symlink stays a symlink (its target is written)."""
    import tempfile  # here: a plain check (which only verifies fixes) never writes

    target = path.resolve()
    info = target.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".phi-lint.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            with contextlib.suppress(OSError):
                os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _lines(text: str) -> list[str]:
    out, start = [], 0
    for match in NEWLINE.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def unified_diff(path: str, before: str, after: str, secrets: set[str] = frozenset()) -> str:
    """A unified diff (`--- a/path`, `+++ b/path`) that `git apply` and `patch -p1` take; a
    key phi-lint found is shown as [REDACTED]."""
    import difflib

    out = []
    for line in difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}"):
        if not NEWLINE.search(line[-2:] if line else ""):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    text = "".join(out)
    for secret in secrets:
        text = text.replace(secret, SECRET_MASK)
    return mask_keys(text, load())  # and any key-shaped token on a line the diff shows


@dataclass
class FixRun:
    """What `--fix` / `--diff` did to a CheckResult."""

    result: CheckResult  # what remains to report
    files: list[FileFix] = field(default_factory=list)  # every file that has (or would have) changes
    messages: list[str] = field(default_factory=list)

    @property
    def applied(self) -> list[Applied]:
        return [a for f in self.files for a in f.fixed.applied]

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)


def fix_result(result: CheckResult, config: Config, *, unsafe: bool = False, write: bool = True,
               stdin: bytes | None = None, config_for: Callable[[Path], Config] | None = None,
               project_for: Callable[[str], object] | None = None) -> FixRun:
    """Fix the files of a check. Only findings the result shows are fixed (not those a baseline or
    --diff-base hid), and new findings on lines the fixes rewrote. `stdin`: the source read
    from standard input, fixed in memory (the result's one file). `config_for(path)`: each
    file's configuration, as the check used it (default: `config`). `project_for(path)`: the
    rest of the project as that file sees it, when the check saw it (cross-module flows)."""
    run = FixRun(result)
    files: list[FileResult] = []
    for fr in result.files:
        file_config = config_for(Path(fr.path)) if config_for is not None and stdin is None else config
        visible = {(f.code, f.fingerprint) for f in fr.findings if f.suppression is None}
        if not any(applicable(f, unsafe) for f in fr.findings):
            files.append(fr)
            continue
        data = stdin if stdin is not None else _read(Path(fr.path), run)
        notebook = None
        if data is not None and is_notebook(fr.path):
            try:
                notebook = Notebook.parse(data)
            except NotebookError as exc:
                run.messages.append(f"{fr.path}: not fixed: {exc}")
                files.append(fr)
                continue
            decoded = (notebook.python, "utf-8")
        else:
            decoded = decode(data) if data is not None else None
        if decoded is None:
            if data is not None:
                run.messages.append(f"{fr.path}: not fixed: cannot decode the file")
            files.append(fr)
            continue
        text, encoding = decoded
        known: set[tuple[str, str]] = set()

        def wanted(f: Finding, visible=visible, known=known) -> bool:
            key = (f.code, f.fingerprint)
            return key in visible or key not in known

        from phi_lint.engine import engine_for

        engine = engine_for(file_config)
        project = project_for(fr.path) if project_for is not None and stdin is None else None
        if notebook is None:
            first = fr.findings + fr.hidden  # as the check found them: no second check
        else:  # the check located them in cells; fixing works on the notebook's module
            first = engine.check_source(text, fr.path, project=project)
        known.update((f.code, f.fingerprint) for f in first)
        fixed = fix_text(text, fr.path, file_config, unsafe=unsafe, wanted=wanted, findings=first, project=project)
        run.messages += fixed.messages
        file_fix = FileFix(fr.path, text, fixed.text, encoding, fixed, notebook=notebook)
        try:
            if notebook is None:
                file_fix.output = fixed.text.encode(encoding)
            elif file_fix.changed:
                file_fix.output = notebook.to_bytes(notebook.with_sources(notebook.cell_sources(fixed.text)))
            if file_fix.changed and write and stdin is None:
                write_atomic(Path(fr.path), file_fix.output)
        except NotebookError as exc:
            run.messages.append(f"{fr.path}: not fixed: {exc}")
            files.append(fr)
            continue
        except (OSError, UnicodeEncodeError) as exc:
            run.messages.append(f"{fr.path}: not fixed: cannot write it ({getattr(exc, 'strerror', None) or exc})")
            files.append(fr)
            continue
        if not file_fix.changed:
            files.append(fr)
            continue
        run.files.append(file_fix)
        if notebook is not None:
            fixed.applied = [dataclasses.replace(a, line=where[1], cell=where[0]) if (where := notebook.cell_line(a.line)) else a
                             for a in fixed.applied]
        if notebook is None:
            remaining = [f for f in fixed.findings if f.suppression is not None or wanted(f)]
            files.append(dataclasses.replace(fr, findings=remaining, source=fixed.text))
        else:  # the notebook as written: its module, checked again, and its cells
            written = Notebook.parse(file_fix.output)
            remaining = [f for f in engine.check_source(written.python, fr.path, project=project) if f.suppression is not None or wanted(f)]
            files.append(dataclasses.replace(fr, findings=written.locate(remaining), cells=written.located_cells()))
    run.result = dataclasses.replace(result, files=files)
    return run


def _read(path: Path, run: FixRun) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        run.messages.append(f"{path}: not fixed: cannot read it ({exc.strerror or exc})")
        return None
