"""The engine: source text in, Findings out. Every front (CLI, flake8, pre-commit) calls this."""

from __future__ import annotations

import ast
import bisect
import contextlib
import functools
import gc
import hashlib
import io
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from phi_lint.analysis.classify import Classifier
from phi_lint.analysis.imports import import_statements
from phi_lint.analysis.keys import key_provider
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.analysis.project import ProjectView
from phi_lint.analysis.syntax import IDENTIFIER, any_of, char_column, lines_of, whole_word_starts
from phi_lint.catalog import Catalog, load
from phi_lint.checks.base import Context, Report, Rule, all_rules
from phi_lint.config import EXTRA_SINK_KINDS, EXTRA_SOURCE_KINDS, Config
from phi_lint.model import Controls, Finding, Span, Suppression, TraceStep

# Words of a module that make the taint analysis worth running without a sensitive name in it:
# model SDKs (responses, prompts) and web frameworks (request bodies).
# the top-level modules a file imports, read without parsing it (for a module of the project that
# is only looked at, never checked)
_IMPORT_TOPS = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_]\w*))", re.M)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends ast counts (and only those)
_ACCESSED = re.compile(r"[.'\"]([A-Za-z_]\w*)")  # a name read as an attribute or a key (a look-behind: twice as slow)
# what a file holding a model key shows (a vendor's key prefix, a key's name, 32 hex digits): only
# then are its string constants scanned for keys. Substring tests find the words several times
# faster than one alternation with the hex run would (it was 0.5 ms a file on the stdlib).
_KEY_WORDS = ("sk-", "AIza", "hf_", "gsk_", "xai-", "r8_", "api_key", "API_KEY", "subscription_key")
# 32 hex digits in a row, found as 32 x's once every hex digit is an x and every other byte a
# space: a regular expression tries a match at every character, ten times slower
_HEX_AS_X = bytes(ord("x") if chr(i) in "0123456789abcdef" else ord(" ") for i in range(256))
_HEX_RUN = b"x" * 32
_COMMENT = re.compile(
    r"#\s*(?:phi-lint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?"
    r"|(?P<noqa>noqa)\b(?::\s*(?P<noqa_codes>(?!reason\b)[A-Z]+[0-9]*(?:\s*,?\s*(?!reason\b)[A-Z]+[0-9]*)*))?)"
    # the reason: `reason="..."`, or the rest of the comment after `--` or a dash (up to another suppression)
    r"(?:\s*(?:reason\s*=\s*(?P<q>[\"'])(?P<reason>.*?)(?P=q)|(?:--|\u2014|\u2013)\s*(?P<dash_reason>(?:(?!\s*#\s*(?:phi-lint:|noqa\b)).)+)))?",
    re.IGNORECASE,
)


@dataclass
class SuppressionComment:
    """A `# phi-lint: ignore[...]` or `# noqa` comment, and what it ended up hiding."""

    kind: str
    line: int
    col: int  # ast-style UTF-8 byte columns of the suppression within the line
    end_col: int
    codes: tuple[str, ...]  # empty: every code
    reason: str | None
    used: bool = False
    start: int = 0  # 0-based character columns of the same span (for fixes)
    end: int = 0
    used_codes: set[str] = field(default_factory=set)  # the listed codes that hid a finding ("" for a blanket one)

    def covering(self, code: str) -> str | None:
        """The listed code or prefix that covers `code` ("" when the comment names none), else None."""
        if not self.codes:
            return ""
        return next((c for c in self.codes if code.startswith(c)), None)


class _Reach(NamedTuple):
    """What of a module's code holds or uses a sensitive name, read from its text."""

    code: str  # the module's code (`_code_text`), "" when no sensitive name is anywhere in its text
    names: frozenset[str]  # the sensitive names of its code, and the top-level functions and classes that hold or use one
    regions: frozenset[str]  # those functions and classes
    module_level: bool  # its module-level code holds or uses one


_NOTHING_SENSITIVE = _Reach("", frozenset(), frozenset(), False)


class Engine:
    """Holds what is shared between files of one run: the catalogue, the classifier, the rules."""

    def __init__(self, config: Config, catalog: Catalog | None = None) -> None:
        self.config = config
        self.catalog = (catalog or load()).with_extras(
            _kinds(config.extra_sinks, EXTRA_SINK_KINDS), _kinds(config.extra_sources, EXTRA_SOURCE_KINDS), config.extra_loggers)
        self.classifier = Classifier(self.catalog.vocabulary, config.extra_phi_fields, config.not_phi_fields, config.phi_subjects, config.profiles)
        self.rules: list[Rule] = [cls() for cls in all_rules()]
        self.trigger_modules = self._trigger_modules()
        # Environment switches are written through `os`, not an SDK import: their names alone
        # make a module worth a full pass. Everything else the pattern rules need comes with an
        # SDK import.
        tracing = self.catalog.endpoints.get("tracing", {})
        switches = sorted(set(tracing.get("env-on", ())) | set(tracing.get("env-debug", ())))
        self.trigger_switches = any_of(switches) if switches else None

    def _trigger_modules(self) -> frozenset[str]:
        names = set(self.catalog.sinks) | set(self.catalog.constructors) | {p for p, _ in self.catalog.sink_patterns}
        # sources that hold patient data whatever their arguments (`pypdf`, `whisper`); the others
        # (`open(chart_path)`, `cursor.execute(sql)`) need a clinical name, which triggers on its own
        names |= {k for k, specs in self.catalog.sources.items() if any(not s.match for s in specs)}
        names |= {p for p, s in self.catalog.source_patterns if not s.match}
        names |= {p for p, _, _ in self.catalog.constructor_patterns}
        names |= set(self.catalog.web.get("request-instances", ())) | set(self.catalog.web.get("request-annotations", ()))
        names |= set(self.catalog.web.get("request-param-frameworks", ()))
        names |= _pattern_rule_names(self.catalog.endpoints)
        tops = {n.split(".", 1)[0].rstrip("*") for n in names if "." in n or n in self.catalog.web.get("request-param-frameworks", ())}
        tops -= {"logging", "sys", "warnings", "pprint", "print", "", "typer", "tqdm", "rich", "click"}
        return frozenset(tops | {"fastapi", "flask", "django", "starlette", "quart", "sanic", "rest_framework"})

    # ------------------------------------------------------------------ one file
    def check_source(self, source: str | bytes, path: str, tree: ast.Module | None = None, fixes: bool = True,
                     project: ProjectView | None = None) -> list[Finding]:
        """All findings of one file, suppressed ones included (with `suppression` set).
        `fixes=False`: no fix is built (the flake8 front shows none). `project`: the other
        modules of the project as this file imports them (None: the file alone)."""
        with fewer_collections():
            findings = self._check_source(source, path, tree, fixes, project)
        if project is not None:
            project.index.release_dropped()  # the check is over: nothing reads what it let go of
        return findings

    def context_of(self, source: str | bytes, path: str, tree: ast.Module | None = None, fixes: bool = True,
                   project: ProjectView | None = None) -> Context:
        """One file decoded, parsed and analysed: what the rules see of it (and what evidence
        that is not a finding, such as the inventory of model calls, is read from)."""
        text, error = _decode(source) if isinstance(source, bytes) else (source, None)
        lines = split_lines(text) if text is not None else []
        ctx = Context(path=path, source=text or "", lines=lines, config=self.config, parse_error=error, build_fixes=fixes)
        if error is None and tree is None and project is not None:
            tree = project.index.parsed(project.path, lines)
        if error is None and tree is None:
            try:
                tree = ast.parse(text, filename=path)
            except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
                ctx.parse_error = exc if isinstance(exc, (SyntaxError, ValueError)) else SyntaxError(f"{type(exc).__name__}: too deeply nested to parse")
        if ctx.parse_error is None:
            try:
                ctx.analysis = self._analyse(tree, text, lines, path, project)
            except RecursionError:
                ctx.parse_error = SyntaxError("too deeply nested to analyse")
        return ctx

    def _check_source(self, source: str | bytes, path: str, tree: ast.Module | None, fixes: bool, project: ProjectView | None) -> list[Finding]:
        ctx = self.context_of(source, path, tree, fixes, project)
        text, lines = ctx.source, ctx.lines
        reports = self._run_rules(ctx, path)
        ctx.suppressions = _suppression_comments(text, lines) if text and ("noqa" in text.lower() or "phi-lint" in text) else []
        findings = self._findings(reports, ctx)
        after = [(rule, r) for rule in self.rules if rule.after_suppressions and self.config.is_enabled(rule.code, path) for r in rule.check(ctx)]
        findings += self._findings(after, ctx, suppressible=False)
        if project is None and ctx.analysis is not None:
            ctx.analysis.release()  # the file alone: nothing reads its analysis again
        return sorted(findings, key=Finding.sort_key)

    def unreadable(self, path: str, error: ValueError) -> list[Finding]:
        """The findings of a file that gives no source at all (a notebook that is not JSON):
        PHI900 says why, as for a syntax error."""
        ctx = Context(path=path, source="", lines=[], config=self.config, parse_error=error)
        return sorted(self._findings(self._run_rules(ctx, path), ctx), key=Finding.sort_key)

    def _run_rules(self, ctx: Context, path: str) -> list[tuple[Rule, Report]]:
        reports: list[tuple[Rule, Report]] = []
        try:
            for rule in self.rules:
                if rule.after_suppressions or (rule.needs_tree and ctx.analysis is None):
                    continue
                if not self.config.is_enabled(rule.code, path):
                    continue
                for report in rule.check(ctx):
                    reports.append((rule, report))
        except RecursionError:
            # a rule met an expression nested too deep to walk (messages, fixes): then the file
            # is not checked at all, and PHI900 says so, rather than half checked
            ctx.analysis = None
            ctx.parse_error = SyntaxError("too deeply nested to analyse")
            return self._run_rules(ctx, path)
        return reports

    def module_analysis(self, tree: ast.Module, text: str, lines: list[str], path: str,
                        project: ProjectView | None = None) -> ModuleAnalysis:
        """One module's analysis, built but not run (the project index runs what it needs)."""
        cleared_by = self.config.sanitizers + (self.config.fix_redactor, self.config.fix_pseudonymizer)  # what fixes wrap values in clears them
        analysis = ModuleAnalysis(tree, path, lines, self.catalog, self.classifier, cleared_by, self.config.approved_endpoints,
                                  _may_hold_keys(text), project)
        analysis.endpoints = ModuleEndpoints(self.config, analysis)
        return analysis

    def names_worth_a_pass(self, text: str) -> frozenset[str] | None:
        """What of a module could leak on its own, read from its text without parsing it: all of
        it (None) when it imports an SDK or a framework, holds a key or a tracing switch, or has a
        sensitive name in its module-level code (or uses a function that has one); else the
        top-level functions and classes whose text has a sensitive name or uses one that has
        (often none). A name imported from the module makes the lines that use it worth
        interpreting only then: a helper module with one patient function does not make every
        user of its other helpers worth a pass."""
        return self.read_for_importers(text)[0]

    def read_for_importers(self, text: str) -> tuple[frozenset[str] | None, _Reach | None]:
        """`names_worth_a_pass`, and what was read of the text to answer it (None when its imports
        answered): the module's own check, given it back (`ProjectIndex.keep_reading`), need not
        read the same text again (a module of an import cycle is often asked before its check)."""
        if self._imports_a_trigger(text):
            return None, None
        reach = self._reach(text)
        return self._worth_from(text, reach, None), reach

    def _worth_to_importers(self, text: str, reach: _Reach, key_or_switch: bool | None) -> frozenset[str] | None:
        return None if self._imports_a_trigger(text) else self._worth_from(text, reach, key_or_switch)

    def _imports_a_trigger(self, text: str) -> bool:
        return not self.trigger_modules.isdisjoint({m.group(1) or m.group(2) for m in import_statements(text, _IMPORT_TOPS)})

    def _worth_from(self, text: str, reach: _Reach, key_or_switch: bool | None) -> frozenset[str] | None:
        """`key_or_switch`: does the text hold a key or a tracing switch, when that is known."""
        if reach.module_level:
            return None
        whole = self._whole_module(text, set(), None) if key_or_switch is None else key_or_switch
        return None if whole else reach.regions

    def _reach(self, text: str) -> _Reach:
        """What of a module's code holds or uses a sensitive name."""
        if not self._sensitive_names(text):  # most modules: no region to look at
            return _NOTHING_SENSITIVE
        code = _code_text(text)  # a comment or a docstring holds no data
        regions = _top_level_regions(code)
        sensitive = self._sensitive_names(code, set().union(*regions.values()))
        regions.pop("__all__", None)
        module_level = regions.pop("", set())
        worth = _worth_a_pass(regions, sensitive)
        return _Reach(code, frozenset(sensitive | worth), frozenset(worth), bool(module_level & (sensitive | worth)))

    def _whole_module(self, text: str, top_modules: set[str], may_hold_keys: bool | None) -> bool:
        """Is every function worth interpreting: an SDK or framework import, a key, a switch?
        `may_hold_keys`: what `_may_hold_keys(text)` gave, when the analysis knows it already."""
        if top_modules & self.trigger_modules:
            return True
        if _may_hold_keys(text) if may_hold_keys is None else may_hold_keys:
            return True
        return self.trigger_switches is not None and self.trigger_switches(text) is not None

    def _analyse(self, tree: ast.Module, text: str, lines: list[str], path: str, project: ProjectView | None) -> ModuleAnalysis:
        analysis = self.module_analysis(tree, text, lines, path, project)
        if project is not None:
            project.index.adopt(project.path, analysis)
        if self._whole_module(text, analysis.top_modules, analysis.scan_keys):
            analysis.run(None)
            return analysis
        # No SDK, no framework: only functions near a sensitive name, or near a name imported from
        # a module of the project that has one, can leak anything.
        given_back = project.index.reading(project.path, text) if project is not None else None
        reach = given_back if given_back is not None else self._reach(text)
        hits = set(reach.names)
        if project is not None:
            if given_back is None:  # else its importers asked already, and the index holds their answer
                # the modules checked after this one ask what of it is worth a pass: read from this
                # text (which holds no key and no switch, or the whole module would have run)
                project.index.worth_a_pass(project.path, self._worth_to_importers(text, reach, key_or_switch=False))
            for local, dotted in analysis.imports.names.items():
                part = project.interesting_part(dotted)
                hits.update((local,) if part is None else (f"{local}.{name}" for name in part))
        if hits:
            analysis.run(self._interesting_lines(reach.code or text, hits))
        return analysis

    def _sensitive_names(self, text: str, identifiers: set[str] | None = None) -> set[str]:
        """The names of a module's text that could make anything sensitive; a weak subject
        (`member`) only where a weak-subject term is read as an attribute or a key (`.phone`,
        `["zip"]`), not a bare one (the builtin `zip`). `identifiers`: those of the text, when
        they are known."""
        if identifiers is None:
            identifiers = set(IDENTIFIER.findall(text))
        found, weak = self.classifier.sensitive_names(identifiers, _speaks_fhir(text))
        if weak and self.classifier.any_weak_term(set(_ACCESSED.findall(text))):
            found |= weak
        return found

    def _interesting_lines(self, text: str, hits: set[str]) -> set[int]:
        """Lines holding one of `hits` (a name of a subject or a strong term, a name imported from
        a module that has one, `helpers.load_patient` of a module imported whole): the functions
        around them are the ones worth interpreting."""
        starts = whole_word_starts(text, hits)
        if "\r" in text:  # a line may end in `\r` alone: numbered by the line ends ast counts
            ends = [0]
            ends.extend(m.end() for m in _NEWLINE.finditer(text))
            return {bisect.bisect_right(ends, start) for start in starts}
        return lines_of(starts, text)

    def _findings(self, reports, ctx: Context, suppressible: bool = True) -> list[Finding]:
        out = []
        secrets = self._secret_spans(ctx) if reports else []
        seen_fp: dict[str, int] = {}
        seen: set[tuple] = set()
        for rule, report in reports:
            node = report.node
            span = self._span(ctx.lines, node)
            key = (rule.code, span)
            if key in seen:
                continue
            seen.add(key)
            soc2, hipaa = self.catalog.controls.get(rule.code, ((), ()))
            base = _fingerprint_base(rule.code, _repo_relative(ctx.path), _statement_text(ctx.lines, report.stmt or node))
            index = seen_fp.get(base, 0)
            seen_fp[base] = index + 1
            fingerprint = hashlib.sha256(f"{base}\x00{index}".encode()).hexdigest()[:20]
            suppression = self._suppression(ctx, rule.code, span, report.stmt) if suppressible else None
            out.append(Finding(
                code=rule.code,
                name=rule.name,
                severity=rule.severity_for(ctx.config),
                message=report.message,
                path=ctx.path,
                span=span,
                trace=tuple(_trace_step(ctx, s) for s in report.steps),
                controls=Controls(soc2, hipaa),
                fingerprint=fingerprint,
                fix=report.fix,
                suppression=suppression,
                secret=report.secret,
                secret_spans=tuple(k for k in secrets if k.line <= span.end_line and k.end_line >= span.line),
            ))
        return out

    def _secret_spans(self, ctx: Context) -> list[Span]:
        """Every key literal of the file, found whether or not PHI401 is selected: a finding of
        any rule on the same line must not show it."""
        if ctx.analysis is None:
            return []
        return [self._span(ctx.lines, c.node) for c in ctx.analysis.constants if key_provider(c.node.value, c.context, self.catalog)]

    def _span(self, lines: list[str], node) -> Span:
        line = getattr(node, "lineno", 1) or 1
        end_line = getattr(node, "end_lineno", None) or line
        col = char_column(lines, line, getattr(node, "col_offset", 0) or 0)
        end_col = char_column(lines, end_line, getattr(node, "end_col_offset", None) or 0)
        if end_line == line and end_col < col:
            end_col = col
        return Span(line, col + 1, end_line, end_col + 1)

    def _suppression(self, ctx: Context, code: str, span: Span, stmt) -> Suppression | None:
        if not ctx.suppressions:
            return None
        first = getattr(stmt, "lineno", span.line) or span.line
        candidates = {span.line, first}
        above = first - 1
        if above >= 1 and ctx.lines[above - 1].lstrip().startswith("#"):
            candidates.add(above)
        for comment in ctx.suppressions:
            matched = comment.covering(code) if comment.line in candidates else None
            if matched is not None:
                comment.used = True
                comment.used_codes.add(matched)
                return Suppression(comment.kind, comment.line, comment.reason)
        return None


class ModuleEndpoints:
    """Where a module's requests and clients send, as the endpoint rules see it: what its summaries
    tell other modules (a wrapper's request goes to the Azure deployment; `client` of `llm.py` to
    OpenAI's public API)."""

    def __init__(self, config: Config, analysis: ModuleAnalysis) -> None:
        self._ctx = Context(path=analysis.path, source="", lines=analysis.lines, config=config, analysis=analysis)
        self._calls = 0

    def request(self, argument: ast.AST) -> str | None:
        from phi_lint.checks.endpoints import destination_of

        if len(self._ctx.analysis.calls) != self._calls:  # more functions were analysed: look again
            self._ctx.memo.clear()
            self._calls = len(self._ctx.analysis.calls)
        target = destination_of(self._ctx, argument)
        return target.url if target is not None else None

    def client(self, construction: ast.Call) -> str | None:
        from phi_lint.checks.endpoints import client_target

        fact = next((c for c in self._ctx.analysis.calls if c.node is construction), None)
        target = client_target(self._ctx, fact) if fact is not None else None
        return target.url if target is not None else None


def _trace_step(ctx: Context, step) -> TraceStep:
    """A step of a trace as outputs show it; a step in another file of the project (its column
    already in characters) names that file as every path is shown."""
    if step.path is not None and ctx.analysis is not None and ctx.analysis.project is not None:
        return TraceStep(ctx.analysis.project.display(step.path), step.line, step.col + 1, step.note)
    return TraceStep(ctx.path, step.line, char_column(ctx.lines, step.line, step.col) + 1, step.note)


def _kinds(names: tuple[tuple[str, str], ...], kinds: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """`extra-sinks`/`extra-sources` entries with the kind as the catalogue names it."""
    return tuple((name, kinds[kind]) for name, kind in names)


def _may_hold_keys(text: str) -> bool:
    return any(word in text for word in _KEY_WORDS) or _HEX_RUN in text.encode("utf-8", "surrogatepass").translate(_HEX_AS_X)


_TOP_LEVEL_DEFINITION = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)")
_DOCSTRING = re.compile(r"[rRuU]?(\"\"\"|\'\'\')")
_CODE_BEFORE_COMMENT = re.compile(r"(?:[^#\"']|\"[^\"\n]*\"|'[^'\n]*')*")  # a line up to its comment (strings skipped whole)


def _code_text(text: str) -> str:
    """The module with what carries no data blanked out, line for line (so that line numbers
    stay): comments, and docstrings, that is a triple-quoted string that starts a line at column
    0 or right after a line ending in `:` (the first statement of a def, a class or a block).
    `member` in a function's docstring made the function, and every module importing it, worth
    a pass. Read from lines, not parsed: a multi-line string of the code (a prompt template) is
    kept whole, its closing quotes at column 0 included."""
    kept: list[str] = []
    closing = None  # the quote that ends the docstring being skipped
    going_on = None  # the quote that ends a multi-line string of the code (kept, `#` and all)
    after_colon = False
    for line in _NEWLINE.split(text):
        if going_on is not None:
            kept.append(line)
            if line.count(going_on) % 2:
                going_on = None
                after_colon = line.rstrip().endswith(":")
            continue
        if closing is not None:
            closing = None if closing in line else closing
            kept.append("")
            continue
        stripped = line.lstrip()
        if not stripped or stripped[0] == "#":
            kept.append("")
            continue
        docstring = _DOCSTRING.match(stripped) if after_colon or line[0] not in " \t" else None
        if docstring is not None:
            quote = docstring.group(1)
            closing = None if quote in stripped[docstring.end():] else quote
            kept.append("")
            continue
        going_on = next((quote for quote in ('"""', "'''") if line.count(quote) % 2), None)
        if "#" in line and going_on is None:
            line = _CODE_BEFORE_COMMENT.match(line).group(0)
        after_colon = line.rstrip().endswith(":")
        kept.append(line)
    return "\n".join(kept)


def _worth_a_pass(regions: dict[str, set[str]], sensitive: set[str]) -> set[str]:
    """The top-level functions and classes whose identifiers hold a sensitive name, and those
    that use one of them (`fetch` -> `_load_patient`), as far as it goes."""
    worth = {name for name, identifiers in regions.items() if identifiers & sensitive}
    grown = True
    while grown:
        more = {name for name, identifiers in regions.items() if name not in worth and identifiers & worth}
        worth |= more
        grown = bool(more)
    return worth


def _top_level_regions(code: str) -> dict[str, set[str]]:
    """The identifiers of each top-level function and class of a module's code (`_code_text`):
    its decorators, signature and body, the lines up to the next line of module-level code; and
    of the module-level code under "". `__all__` (names as strings) carries no data: under its
    own name."""
    regions: dict[str, set[str]] = {"": set()}
    current, decorators = "", []
    for line in code.split("\n"):
        if not line or line[0] in " \t)]}":
            regions[current].update(IDENTIFIER.findall(line))
            continue
        if line[0] == "@":
            decorators.append(line)
            continue
        match = _TOP_LEVEL_DEFINITION.match(line)
        current = match.group(1) if match else "__all__" if line.startswith("__all__") else ""
        found = regions.setdefault(current, set())
        for part in (*decorators, line):
            found.update(IDENTIFIER.findall(part))
        decorators = []
    for line in decorators:
        regions[""].update(IDENTIFIER.findall(line))
    return regions


def _speaks_fhir(text: str) -> bool:
    return "fhir" in text or "FHIR" in text


def split_lines(text: str) -> list[str]:
    """The lines of a file as ast numbers them: `\\r\\n`, `\\r` and `\\n` end a line; form feeds
    and other characters `str.splitlines` breaks at do not."""
    lines = _NEWLINE.split(text) if "\r" in text else text.split("\n")  # the same, five times faster
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@contextlib.contextmanager
def fewer_collections():
    """A syntax tree and the analysis of it are tens of thousands of objects that live exactly as
    long as the file's check and hold almost no cycles; with the collector's default first
    threshold (700), a third of the check went to collections that found nothing. Restored after."""
    old = gc.get_threshold()
    if old[0] == 0 or old[0] >= _GC_THRESHOLD:  # switched off or tuned already: leave it be
        yield
        return
    gc.set_threshold(_GC_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


# 100,000 collected less often (0.02 s less on the stdlib, 3.5 s less on the site-packages) but
# froze more of each file's garbage until the run's end: 166 MB more at the site-packages' peak
_GC_THRESHOLD = 20_000


def _decode(data: bytes) -> tuple[str | None, Exception | None]:
    if b"\x00" in data:
        return None, ValueError("the file contains a NUL byte")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return None, ValueError(f"the file is not valid UTF-8 or its declared encoding ({exc.__class__.__name__}: {exc})")
    return text.lstrip("\ufeff"), None


def _statement_text(lines: list[str], node) -> str:
    """The normalised header of a statement: what a fingerprint hashes (no line numbers)."""
    start = getattr(node, "lineno", 1) or 1
    end = getattr(node, "end_lineno", start) or start
    body = getattr(node, "body", None)
    if isinstance(body, list) and body:
        end = max(start, body[0].lineno - 1)
    text = " ".join(lines[start - 1 : end])
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def _repo_relative(path: str) -> str:
    """The path a fingerprint hashes: relative to the repository top, so that a baseline made
    at the root matches a run from a subfolder (and GitHub alerts keep their identity)."""
    from phi_lint.gitdiff import repo_path, repo_root

    if path in ("-", ""):
        return path
    root = repo_root(Path(os.path.abspath(path)).parent)
    return repo_path(path, root) if root else path.replace("\\", "/")


def _fingerprint_base(code: str, path: str, statement: str) -> str:
    return f"{code}\x00{path.replace(chr(92), '/')}\x00{statement}"


def _comments(text: str, lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, character column, text) of every comment. Tokenizing, so that a `# noqa` inside a
    string is not one; past the point where a broken file stops tokenizing, every `#` counts."""
    found: list[tuple[int, int, str]] = []
    last = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            last = token.start[0]
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError):
        for number in range(max(last, 1), len(lines) + 1):
            line = lines[number - 1]
            if "#" in line and not any(n == number for n, _, _ in found):
                found.append((number, line.index("#"), line[line.index("#") :]))
    return found


def _suppression_comments(text: str, lines: list[str]) -> list[SuppressionComment]:
    if not any(_may_suppress(line) for line in lines if "noqa" in line.lower() or "phi-lint" in line):
        return []  # only other tools' codes (`# noqa: F401`): no need to tokenize the file
    out = []
    for number, col, comment in _comments(text, lines):
        if "noqa" not in comment.lower() and "phi-lint" not in comment:
            continue
        line = lines[number - 1]
        for match in _COMMENT.finditer(comment):
            reason = (match.group("reason") or match.group("dash_reason") or "").strip() or None
            suppression = _suppression_of(match)
            if suppression is None:
                continue
            kind, codes = suppression
            # ast-style byte columns, as the engine's spans expect
            start = len(line[: col + match.start()].encode())
            end = len(line[: col + match.end()].encode())
            out.append(SuppressionComment(kind, number, start, end, tuple(c.upper() for c in codes), reason,
                                          start=col + match.start(), end=col + match.end()))
    return out


def _suppression_of(match: re.Match) -> tuple[str, tuple[str, ...]] | None:
    """The kind of a suppression comment (`noqa`, `phi-lint`) and the codes it lists; None for
    a `noqa` of another tool's codes only (`# noqa: E501`)."""
    if not match.group("noqa"):
        return "phi-lint", tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
    codes = tuple(c for c in re.split(r"[\s,]+", match.group("noqa_codes") or "") if c)
    return ("noqa", codes) if not codes or any(c.upper().startswith("PHI") for c in codes) else None


def _may_suppress(line: str) -> bool:
    """Could a comment of this line hide a finding? Read from every `#` of the line: a comment
    starts at one of them."""
    at = line.find("#")
    while at != -1:
        match = _COMMENT.match(line, at)
        if match is not None and _suppression_of(match) is not None:
            return True
        at = line.find("#", at + 1)
    return False


def _pattern_rule_names(endpoints: dict) -> set[str]:
    """Dotted calls and attributes the pattern rules look at (PHI204, PHI303, ...): importing
    their modules makes a file worth a full pass even with no model SDK in it (`import openlit`)."""
    tracing = endpoints.get("tracing", {})
    names = set()
    for key in ("calls", "attributes", "callback-attributes", "handler-calls", "recording-constructors", "verbose-calls", "capture-calls"):
        names.update(tracing.get(key, ()))
    for entry in endpoints.get("region-param", ()) + endpoints.get("call-endpoint", ()):
        names.update(entry.get("calls", ()))
    return {n for n in names if "." in n}


@functools.lru_cache(maxsize=8)
def engine_for(config: Config) -> Engine:
    return Engine(config)
