"""Sources beyond names: calls whose result is patient data although no name says so (a PDF's
text, a transcript, a clinical file, a FHIR read, rows of a patient table), and parameters and
request attributes that hold uploaded files. The calls are catalogue data (rules/sources.toml);
this mixin decides whether one applies to a call and gives its result the label."""

from __future__ import annotations

import ast
import functools
import re

from phi_lint.analysis.classify import split_words
from phi_lint.analysis.labels import CLEAN, CLINICAL_TEXT, PAYLOAD, Taint, union
from phi_lint.analysis.summaries import FunctionInfo
from phi_lint.analysis.syntax import annotation_names
from phi_lint.catalog import SourceSpec

# `FROM patients`, `JOIN clinical_notes n`, `from "Patient"`: the tables a query reads.
_SQL_TABLE = re.compile(r"\b(?:from|join)\s+([\w.\"`\[\]]+)", re.IGNORECASE)
_SQL_READ = re.compile(r"^\s*(?:select|with)\b", re.IGNORECASE)
# `SELECT count(*) FROM patients`: numbers about the table, not its rows.
_SQL_AGGREGATE = re.compile(r"^\s*select\s+(?:(?:count|sum|avg|min|max)\s*\([^)]*\)(?:\s+as\s+\w+)?\s*,?\s*)+from\b", re.IGNORECASE)
# Methods that name a FHIR resource type on its own (`client.resources("Patient")`).
_FHIR_TYPE_METHODS = frozenset({"resources", "reference", "read_resource"})
_WRITE_MODE = re.compile(r"[wax+]")
# Speech-to-text endpoints: OpenAI-compatible audio routes, ASR and STT services.
_SPEECH_URL = re.compile(r"/audio/(?:transcriptions|translations)|transcri|/asr\b|speech[-_]?to[-_]?text|/stt\b|/v1/listen\b|/dictation", re.IGNORECASE)


class Sources:
    """Source handlers of FunctionAnalysis."""

    def _call_and_sources(self, node: ast.Call) -> Taint:
        """A call's taint: what `_call` gives, and what the call itself brings in: the label of a
        source call (rules/sources.toml), the record a function is declared to return
        (`def load(k) -> Patient`), the fields a template's placeholders name (templates.py)."""
        out = self._call(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.m.functions:
            returned = self._returned_record(node)
            return union(returned, out) if returned else out
        if isinstance(func, ast.Attribute):
            self._template_input(node)  # `chain.invoke(record)` of a prompt asking for `{date_of_birth}`
            filled = self._filled_template(node)  # `TEMPLATE.format(**denial)`
            if filled:
                out = union(out, filled)
        name = _callee_name(func)
        if name is None or name not in self.m.catalog.source_names:
            return out
        born = self._source_of(node, name)
        if not born:
            return out
        if isinstance(func, ast.Attribute) and any(s.taints_receiver for s in self._source_specs(node, name)):
            self._mutate(func.value, born, node)  # `cursor.execute(sql)`: `cursor.fetchall()` gives the rows
        # what comes back is the document, the transcript or the rows; the arguments (a path, a
        # primary key, a filter) chose them and do not come back themselves
        return born

    def _is_source_call(self, node: ast.Call, depth: int = 0) -> bool:
        """Does the call give back patient data by rules/sources.toml, or is it a method of such
        a value (`requests.get(fhir_url).json()`, `table.get_item(...)` of `Table("patients")`)?"""
        func = node.func
        name = _callee_name(func)
        if name is not None and name in self.m.catalog.source_names and self._source_of(node, name):
            return True
        receiver = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(receiver, ast.Name):
            receiver = self.consts.get(receiver.id)
        if isinstance(receiver, ast.Await):
            receiver = receiver.value
        return isinstance(receiver, ast.Call) and depth < 4 and self._is_source_call(receiver, depth + 1)

    def _source_specs(self, node: ast.Call, name: str) -> tuple[SourceSpec, ...]:
        key, _ = self.resolve(node.func)
        specs = self.m.catalog.sources_for(key) if key else ()
        if isinstance(node.func, ast.Attribute):
            specs = specs + tuple(self.m.catalog.source_methods.get(name, ()))
        return specs

    def _source_of(self, node: ast.Call, name: str) -> Taint:
        for spec in self._source_specs(node, name):
            if spec.reads_only and self._opens_for_writing(node):
                continue
            detail = self._source_match(spec, node)
            if detail is None:
                continue
            text = self.m.line_text(node)
            why = f"{spec.why} ({detail})" if detail else spec.why
            category = "clinical-text" if spec.label == CLINICAL_TEXT else "record" if spec.label == "PHI_RECORD" else "payload"
            return self._birth(spec.label, category, text, why, node)
        return CLEAN

    def _source_match(self, spec: SourceSpec, node: ast.Call) -> str | None:
        """None when the call is not a source; else a detail for the reason ("" for none)."""
        if not spec.match:
            return ""
        if spec.receiver:
            candidates = [node.func.value] if isinstance(node.func, ast.Attribute) else []
        else:
            candidates = [node.args[i] for i in spec.positions if i < len(node.args)]
            candidates += [kw.value for kw in node.keywords if kw.arg in spec.keywords]
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        for value in candidates:
            found = self._match_value(spec.match, value, method)
            if found is not None:
                return found
        return None

    def _match_value(self, match: str, value: ast.expr, method: str) -> str | None:
        if match == "path":
            words = self._path_words(value)
            return f"`{'_'.join(words)}`" if words and self._names_clinical_file(words) else None
        if match == "table":
            table = self.const_str(value)
            return f"table `{table}`" if table and self._names_patient_table(table) else None
        texts = self._string_parts(value)
        if match == "sql":
            for text in texts:
                if _SQL_READ.match(text) and not _SQL_AGGREGATE.match(text):
                    tables = [t.strip('"`[]').rpartition(".")[2] for t in _SQL_TABLE.findall(text)]
                    hit = next((t for t in tables if self._names_patient_table(t)), None)
                    if hit:
                        return f"table `{hit}`"
            return None
        if match == "fhir-url":
            pattern = _fhir_path(self.m.catalog.vocabulary.fhir_resources)
            for text in texts:
                found = pattern.search(text)
                if found and ("/" in text or "?" in text or method in _FHIR_TYPE_METHODS):
                    return f"`{found.group(1)}`"
            return None
        if match == "speech-url":
            return "" if any(_SPEECH_URL.search(t) for t in texts) else None
        return None

    def _string_parts(self, value: ast.expr, depth: int = 0) -> list[str]:
        """The known string parts of a URL or query: a constant, the literal parts of an f-string
        or `+`, the query inside `text("...")`."""
        whole = self.const_str(value)
        if whole is not None:
            return [whole]
        if depth > 3:
            return []
        if isinstance(value, ast.JoinedStr):
            joined = "".join(
                (self.const_str(v.value) or "\x00") if isinstance(v, ast.FormattedValue) else str(v.value) for v in value.values)
            return [joined]
        if isinstance(value, ast.BinOp):
            return self._string_parts(value.left, depth + 1) + self._string_parts(value.right, depth + 1)
        if isinstance(value, ast.Call) and value.args:  # `text("SELECT ...")`, `sql.SQL("...")`
            return self._string_parts(value.args[0], depth + 1)
        return []

    def _path_words(self, value: ast.expr, depth: int = 0) -> tuple[str, ...]:
        """The words of a file's name, without the ones that say it is a file: `chart_path` ->
        (chart,), `Path(args.note)` -> (note,), `DATA / "discharge_summary.txt"` ->
        (discharge, summary)."""
        if depth > 4:
            return ()
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            name = re.split(r"[\\/]", value.value)[-1]
            raw = split_words(name.rsplit(".", 1)[0] if "." in name else name)
        elif isinstance(value, ast.Name):
            const = self.const_str(value)
            raw = self._path_words(ast.Constant(const), depth + 1) if const else split_words(value.id)
        elif isinstance(value, ast.Attribute):
            raw = split_words(value.attr)
        elif isinstance(value, ast.BinOp):  # `folder / "chart.txt"`, `base + "/notes.txt"`
            raw = self._path_words(value.right, depth + 1)
        elif isinstance(value, ast.JoinedStr) and value.values:
            raw = self._path_words(value.values[-1].value if isinstance(value.values[-1], ast.FormattedValue) else value.values[-1], depth + 1)
        elif isinstance(value, ast.Call) and (value.args or value.keywords):  # Path(x), os.path.join(a, b)
            raw = self._path_words(value.args[-1] if value.args else value.keywords[-1].value, depth + 1)
        else:
            raw = ()
        vocabulary = self.m.catalog.vocabulary
        return tuple(w for w in raw if w not in vocabulary.path_words and not w.isdigit())

    def _names_clinical_file(self, words: tuple[str, ...]) -> bool:
        vocabulary = self.m.catalog.vocabulary
        if any(w in vocabulary.neutral_words for w in words):
            return False  # `deidentified_notes.txt`, `note_template.txt`
        if any(w in vocabulary.document_words for w in words):
            return True
        hit = self.m.classifier.classify("_".join(words))
        return hit is not None and (hit.record or hit.kind == "health")

    def _names_patient_table(self, table: str) -> bool:
        """`patients`, `clinical_notes`, `encounters`: a table of records about patients."""
        words = split_words(table)
        if any(w in self.m.catalog.vocabulary.neutral_words for w in words):
            return False
        return (self.m.classifier.classify(table) is not None or any(self.m.classifier.is_subject(w) for w in words)
                or any(w in self.m.catalog.vocabulary.document_words for w in words))

    def _opens_log_file(self, node: ast.Call) -> bool:
        """`open("audit.log", "a")`, `open(LOG_PATH, "w")`: a file opened for writing whose name
        says it is a log (rules/log-sinks.toml `log-files`)."""
        if not node.args or not self._opens_for_writing(node):
            return False
        spec = self.m.catalog.log_files
        path = self.const_str(node.args[0])
        if path is not None and path.lower().endswith(tuple(spec.get("suffixes", ()))):
            return True
        words = self._path_words(node.args[0])
        return any(w in spec.get("name-words", ()) for w in words)

    def _opens_for_writing(self, node: ast.Call) -> bool:
        mode = node.args[1] if len(node.args) > 1 else next((kw.value for kw in node.keywords if kw.arg == "mode"), None)
        text = self.const_str(mode) if mode is not None else None
        return bool(text and _WRITE_MODE.search(text))

    # ------------------------------------------------------------------ parameters
    def _parameter_sources(self, unit: FunctionInfo) -> dict[str, Taint]:
        """Parameters that hold an inbound request by the shape of their function: an AWS Lambda
        handler's `event` (`def handler(event, context)`), a Slack Bolt listener's `body`."""
        if unit.cls is not None:
            return {}
        names = tuple(a.arg for a in unit.node.args.posonlyargs + unit.node.args.args)
        hooked = self._hook_type(unit)
        if hooked and names:
            self.types[names[0]] = hooked  # `before_send(event, hint)`: what is stored into `event` is sent
        out: dict[str, Taint] = {}
        for shape in self.m.web.get("handler-shapes", ()):
            if names[: len(shape["params"])] == tuple(shape["params"]):
                name = shape["params"][0]
                arg = next(a for a in unit.node.args.posonlyargs + unit.node.args.args if a.arg == name)
                out[name] = self._birth(PAYLOAD, "payload", name, f"`{name}` is {shape['what']}", arg)
        return out

    def _hook_type(self, unit: FunctionInfo) -> str | None:
        """The type of the event an SDK hands a hook function: registered by keyword
        (`sentry_sdk.init(before_send=scrub)`) or named so in a module that imports the SDK."""
        name = unit.node.name
        for hook in self.m.catalog.event_hooks:
            if name in hook.get("names", ()) and hook.get("module") in self.m.top_modules:
                return hook["type"]
            for call in self.m.calls:
                if call.key in hook.get("calls", ()) and any(
                        kw.arg in hook.get("keywords", ()) and isinstance(kw.value, ast.Name) and kw.value.id == name for kw in call.node.keywords):
                    return hook["type"]
        return None

    # ------------------------------------------------------------------ uploads
    def _upload_annotation(self, arg: ast.arg) -> Taint:
        """`file: UploadFile`: the parameter is a document or recording the user uploaded."""
        for written in annotation_names(arg.annotation):
            dotted = self.m.imports.resolve_text(written)
            if dotted and dotted in self.m.web.get("upload-annotations", ()):
                return self._birth(CLINICAL_TEXT, "clinical-text", arg.arg, f"`{arg.arg}` is a file a user uploaded: a document or recording about a patient", arg)
        return CLEAN

    def _upload_attribute(self, node: ast.Attribute) -> Taint:
        """`request.files`: the files of an inbound request."""
        text = self.m.line_text(node)
        return self._birth(CLINICAL_TEXT, "clinical-text", text, f"`{text}` holds files a user uploaded: documents or recordings about a patient", node)


def _callee_name(func: ast.expr) -> str | None:
    """`open` of `open(...)`, `read_text` of `Path(x).read_text()`."""
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


@functools.lru_cache(maxsize=4)
def _fhir_path(resources: frozenset[str]) -> re.Pattern:
    """A FHIR REST path: `/Patient/123`, `Observation?patient=`, `Patient/$everything`."""
    names = "|".join(sorted(resources, key=len, reverse=True))
    return re.compile(rf"(?:^|/)({names})(?:/|\?|$)")
