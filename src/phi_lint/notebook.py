"""Jupyter notebooks, as ruff handles them: the code cells are checked as one Python module,
findings are located in their cell (`nb.ipynb:cell 3:12:5`), and fixes are written back into
the cells' `source` only. Everything else in the file (outputs, execution counts, metadata, the
JSON layout) stays byte for byte: the new source is spliced into the file's own text.

The module the engine sees: before each code cell a marker comment line, then the cell's lines
with IPython syntax (`%magic`, `!shell`, `x = !cmd`, `obj?`) replaced by a placeholder `pass`
at the same indentation, so that every line keeps its number and column. Cells whose cell magic
runs something other than Python (`%%bash`, `%%sql`) are left out, as are notebooks whose
kernel is not Python. The markers and placeholders carry the numbers that put a fixed module
back into its cells.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from dataclasses import dataclass

from phi_lint.model import Cell, Edit, FileResult, Finding, Span

SUFFIX = ".ipynb"
_MARKER = "# phi-lint-cell:{}"
_MARKER_LINE = re.compile(r"^# phi-lint-cell:(\d+)$")
_PLACEHOLDER = "pass  # phi-lint-ipython:{}"
_PLACEHOLDER_LINE = re.compile(r"^[ \t]*pass  # phi-lint-ipython:(\d+)$")
# Cell magics whose body is Python (IPython runs it): the rest (%%bash, %%sql, %%html, ...) are not.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy", "memit", "tb"})
# A line IPython transforms: a line magic, a shell escape, help, or an assignment from either.
_IPYTHON_LINE = re.compile(r"(?:%|!|\?|[A-Za-z_][\w.]*\s*=\s*[%!])|[A-Za-z_][\w.]*(?:\(\))?\?\??\s*$")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(ValueError):
    """The file is not a notebook phi-lint can read, or a fix cannot be put back into its cells."""


def is_notebook(path: str) -> bool:
    return str(path).endswith(SUFFIX)


@dataclass
class _CodeCell:
    """A code cell as the notebook's text holds it."""

    number: int  # 1-based among all cells
    source: str
    span: tuple[int, int]  # the `source` value in the file's text
    items: list[tuple[int, int]]  # each string of a `source` list (empty for a plain string)


class Notebook:
    """A notebook's text, its code cells, and the Python module made of them."""

    def __init__(self, text: str, cells: list[_CodeCell], bom: bool = False) -> None:
        self.text = text
        self.cells = cells
        self.bom = bom
        self.ipython: list[str] = []  # the original line each placeholder stands for
        self.foreign: set[int] = set()  # cells whose cell magic runs no Python (%%bash): left as they are
        self.rows: list[tuple[int, int] | None] = []  # module line - 1 -> (cell, line in cell); None: a marker
        lines: list[str] = []
        for cell in cells:
            lines.append(_MARKER.format(cell.number))
            self.rows.append(None)
            python = self._python_lines(cell.source)
            if python is None:
                self.foreign.add(cell.number)
                python = []
            for index, line in enumerate(python, 1):
                lines.append(line)
                self.rows.append((cell.number, index))
        self.python = "\n".join(lines) + "\n" if lines else ""

    # ------------------------------------------------------------------ reading
    @classmethod
    def parse(cls, data: bytes) -> Notebook:
        try:
            text = data.decode("utf-8-sig")
            doc = json.loads(text)
        except (UnicodeDecodeError, ValueError) as exc:
            raise NotebookError(f"not a readable notebook: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
            raise NotebookError("not a notebook: no list of cells (nbformat 4 is read)")
        bom = data.startswith(b"\xef\xbb\xbf")
        if not _is_python(doc.get("metadata")):
            return cls(text, [], bom)
        cell_spans = _array_items(text, _member_spans(text, _skip_ws(text, 0))["cells"][0])
        cells = []
        for number, (cell, (start, _)) in enumerate(zip(doc["cells"], cell_spans), 1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            members = _member_spans(text, start)
            if "source" not in members:
                continue
            span = members["source"]
            raw = cell["source"]
            if isinstance(raw, list) and all(isinstance(part, str) for part in raw):
                cells.append(_CodeCell(number, "".join(raw), span, _array_items(text, span[0])))
            elif isinstance(raw, str):
                cells.append(_CodeCell(number, raw, span, []))
        return cls(text, cells, bom)

    def _python_lines(self, source: str) -> list[str] | None:
        """The cell's lines with IPython syntax replaced by placeholders; None for a cell that
        runs no Python."""
        lines = source.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        first = next((line.strip() for line in lines if line.strip()), "")
        if first.startswith("%%") and first[2:].split(" ", 1)[0] not in PYTHON_CELL_MAGICS:
            return None
        out = []
        continued = False
        for line in lines:
            body = line.rstrip("\r")
            stripped = body.lstrip()
            if continued or _IPYTHON_LINE.match(stripped):
                self.ipython.append(line)
                out.append(body[: len(body) - len(stripped)] + _PLACEHOLDER.format(len(self.ipython) - 1))
                continued = body.endswith("\\")
            else:
                out.append(line)
        return out

    def located_cells(self) -> tuple[Cell, ...]:
        """The code cells as findings are shown in them, with the file line of each cell line."""
        out = []
        for cell in self.cells:
            count = len(cell.source.split("\n"))
            if cell.items:
                lines = tuple(_line_of(self.text, start) for start, _ in cell.items)
                lines += (lines[-1],) * (count - len(lines)) if lines else ()
            else:
                lines = (_line_of(self.text, cell.span[0]),) * count
            out.append(Cell(cell.number, cell.source, lines))
        return tuple(out)

    # ------------------------------------------------------------------ findings
    def locate(self, findings: list[Finding]) -> list[Finding]:
        """Findings of the module as findings of the cells: lines counted in their cell."""
        return [self._located(f) for f in findings]

    def cell_line(self, line: int) -> tuple[int, int] | None:
        """(cell, line in it) of a line of the module; None for a marker line."""
        if 1 <= line <= len(self.rows):
            return self.rows[line - 1]
        return None

    def module_line(self, cell: int, line: int) -> int | None:
        """The line of the module that holds a cell's line."""
        try:
            return self.rows.index((cell, line)) + 1
        except ValueError:
            return None

    def _span(self, span: Span) -> tuple[int, Span]:
        start = self.cell_line(span.line) or self.cell_line(span.line + 1) or (self.cells[0].number if self.cells else 1, 1)
        end = self.cell_line(span.end_line)
        if end is None or end[0] != start[0]:  # an expression across cells: shown in its first
            return start[0], Span(start[1], span.column, start[1], span.column)
        return start[0], Span(start[1], span.column, end[1], span.end_column)

    def _located(self, f: Finding) -> Finding:
        cell, span = self._span(f.span)
        trace = []
        for step in f.trace:
            if step.path != f.path:  # a step in another module
                trace.append(step)
                continue
            step_cell, step_span = self._span(Span(step.line, step.column, step.line, step.column))
            trace.append(dataclasses.replace(step, line=step_span.line, cell=step_cell))
        fix = f.fix
        if fix is not None:
            edits = []
            for e in fix.edits:
                edit_cell, edit_span = self._span(Span(e.line, e.column, e.end_line, e.end_column))
                edits.append(Edit(edit_span.line, edit_span.column, edit_span.end_line, edit_span.end_column, e.content, edit_cell))
            fix = dataclasses.replace(fix, edits=tuple(edits))
        secrets = tuple(s for c, s in map(self._span, f.secret_spans) if c == cell)
        suppression = f.suppression
        if suppression is not None and self.cell_line(suppression.line):
            suppression = dataclasses.replace(suppression, line=self.cell_line(suppression.line)[1])
        return dataclasses.replace(f, span=span, cell=cell, trace=tuple(trace), fix=fix, secret_spans=secrets, suppression=suppression)

    # ------------------------------------------------------------------ fixes
    def cell_sources(self, python: str) -> dict[int, str]:
        """The cells' new sources from a fixed module. NotebookError when the module no longer
        maps onto the cells."""
        lines = _imports_moved(python.splitlines(keepends=True), self.python)
        sources: dict[int, list[str]] = {}
        current: list[str] = []
        order = []
        for line in lines:
            marker = _MARKER_LINE.match(line.rstrip("\r\n"))
            if marker:
                current = sources.setdefault(int(marker.group(1)), [])
                order.append(int(marker.group(1)))
                continue
            placeholder = _PLACEHOLDER_LINE.match(line.rstrip("\r\n"))
            if placeholder:
                index = int(placeholder.group(1))
                if index >= len(self.ipython):
                    raise NotebookError("a fix changed an IPython line")
                line = self.ipython[index] + ("\n" if line.endswith("\n") else "")
            current.append(line)
        if order != [c.number for c in self.cells]:
            raise NotebookError("a fix crossed the boundary of a cell")
        if sum(line.count("# phi-lint-ipython:") for line in lines) != len(self.ipython):
            raise NotebookError("a fix removed an IPython line")
        out = {}
        for cell in self.cells:
            text = "".join(sources[cell.number])
            if not cell.source.endswith("\n") and text.endswith("\n"):
                text = text[:-1]
            out[cell.number] = cell.source if cell.number in self.foreign else text
        return out

    def with_sources(self, sources: dict[int, str]) -> str:
        """The notebook's text with the cells' `source` replaced where it changed, in the
        layout the file already uses; every other byte as it was."""
        out = []
        last = 0
        for cell in self.cells:
            new = sources.get(cell.number, cell.source)
            if new == cell.source:
                continue
            start, end = cell.span
            out += [self.text[last:start], self._source_json(cell, new)]
            last = end
        return "".join(out) + self.text[last:]

    def _source_json(self, cell: _CodeCell, source: str) -> str:
        """`source` as JSON in the shape and layout of the cell's original `source` value."""
        original = self.text[cell.span[0] : cell.span[1]]
        escaped = "\\u" in original  # the file writes non-ASCII as escapes: keep doing so
        if not original.startswith("["):
            return json.dumps(source, ensure_ascii=escaped)
        parts = [json.dumps(part, ensure_ascii=escaped) for part in source.splitlines(keepends=True)]
        if not cell.items or not parts:
            return "[" + ", ".join(parts) + "]"
        opening = self.text[cell.span[0] + 1 : cell.items[0][0]]
        closing = self.text[cell.items[-1][1] : cell.span[1] - 1]
        separator = self.text[cell.items[0][1] : cell.items[1][0]] if len(cell.items) > 1 else "," + opening
        return "[" + opening + separator.join(parts) + closing + "]"

    def to_bytes(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def _imports_moved(lines: list[str], original: str) -> list[str]:
    """A fix adds its imports near the top of the module, which is the top of the first cell (a
    `!pip install` cell, often): move each import that `original` did not have after the leading
    imports of the first cell that has some, as a person would write it."""
    try:
        body = ast.parse("".join(lines)).body
        before = {ast.dump(stmt) for stmt in ast.parse(original).body if isinstance(stmt, (ast.Import, ast.ImportFrom))}
    except (SyntaxError, ValueError, RecursionError):
        return lines
    imports = [stmt for stmt in body if isinstance(stmt, (ast.Import, ast.ImportFrom))]
    added = [stmt for stmt in imports if ast.dump(stmt) not in before]
    if not added:
        return lines
    moved = {i for stmt in added for i in range(stmt.lineno - 1, stmt.end_lineno)}
    kept = [stmt for stmt in body if stmt not in added]
    run_end = None
    for stmt in kept:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            run_end = stmt.end_lineno
        elif run_end is not None:
            break
    if run_end is None:  # no imports anywhere: they stay where the fix put them
        return lines
    out: list[str] = []
    for index, line in enumerate(lines):
        if index in moved:
            continue
        if not line.strip() and index - 1 in moved and (not out or not out[-1].strip() or _MARKER_LINE.match(out[-1].rstrip("\r\n"))):
            continue  # the blank line that separated them from the code
        out.append(line)
        if index == run_end - 1:
            out += [lines[i] for i in sorted(moved)]
    return out


def _is_python(metadata) -> bool:
    """A notebook without language information is taken as Python, as Jupyter's default kernel is."""
    if not isinstance(metadata, dict):
        return True
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower() in ("python", "python3", "ipython", "ipython3")
    return True


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------------- where values are in the text
def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _value_end(text: str, i: int) -> int:
    try:
        return _DECODER.raw_decode(text, i)[1]
    except ValueError as exc:
        raise NotebookError(f"not a readable notebook: {exc}") from None


def _member_spans(text: str, start: int) -> dict[str, tuple[int, int]]:
    """{key: (start, end) of its value} of the JSON object at `start`."""
    if text[start : start + 1] != "{":
        raise NotebookError("not a notebook: a JSON object was expected")
    out = {}
    i = _skip_ws(text, start + 1)
    while text[i : i + 1] != "}":
        key, i = json.decoder.scanstring(text, i + 1)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past the colon
        end = _value_end(text, i)
        out[key] = (i, end)
        i = _skip_ws(text, end)
        if text[i : i + 1] == ",":
            i = _skip_ws(text, i + 1)
    return out


def _array_items(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each value of the JSON array at `start`."""
    if text[start : start + 1] != "[":
        return []
    out = []
    i = _skip_ws(text, start + 1)
    while text[i : i + 1] != "]":
        end = _value_end(text, i)
        out.append((i, end))
        i = _skip_ws(text, end)
        if text[i : i + 1] == ",":
            i = _skip_ws(text, i + 1)
    return out


def check_notebook(engine, data: bytes, path: str, project=None) -> FileResult:
    """One notebook's findings, located in its cells (PHI900 when it is not a readable notebook).
    Fixes that `--fix` would drop are taken off here, while the module's coordinates still hold."""
    from phi_lint.fix.apply import appliable_only

    try:
        notebook = Notebook.parse(data)
    except NotebookError as exc:
        return FileResult(path, engine.unreadable(path, exc))
    findings = appliable_only(notebook.python, engine.check_source(notebook.python, path, project=project))
    return FileResult(path, notebook.locate(findings), cells=notebook.located_cells())
