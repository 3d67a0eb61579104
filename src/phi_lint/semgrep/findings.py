"""Semgrep's results for one JavaScript/TypeScript file as phi-lint Findings: the same codes,
severities, controls, fingerprints and suppressions as the engine's, a message that names the
source where the finding's span shows it, and PHI900/PHI901 for the file itself."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

from phi_lint.catalog import load, load_js, load_toml
from phi_lint.config import Config
from phi_lint.model import Controls, Finding, Span, Suppression, TraceStep
from phi_lint.semgrep.source import Comment, Scan, call_at, enclosing_call, names_in, scan, suppressions

KEY_CODE = "PHI401"  # its span is a secret: never shown
PARSE_ERROR, UNJUSTIFIED = "PHI900", "PHI901"


def findings_for(path: str, text: str, data: bytes, results: list[dict], parse_error: tuple[int, str] | None, config: Config) -> list[Finding]:
    """Every finding of the file, suppressed ones included (with `suppression` set);
    `parse_error`: (line, why) where semgrep could not parse (it checked the rest)."""
    from phi_lint.checks.base import rule_by_code

    lines = text.split("\n")
    scanned = scan(text)
    comments = suppressions(scanned) if ("noqa" in text or "phi-lint" in text or "nosemgrep" in text) else []
    raw: dict[tuple[str, Span], tuple[str, str, tuple[TraceStep, ...]]] = {}
    for result in sorted(results, key=lambda r: (r.get("start", {}).get("offset", 0), r.get("check_id", ""))):
        meta = result.get("extra", {}).get("metadata", {})
        code = meta.get("phi-lint-code")
        if not code or rule_by_code(code) is None:
            continue
        span = _span(data, result)
        if code == KEY_CODE and any(c == KEY_CODE and _overlaps(s, span) for c, s in raw):
            continue  # a template literal is matched twice, a character apart
        message, trace = _describe(code, result.get("extra", {}).get("message", ""), text, span, path, config)
        raw.setdefault((code, span), (meta.get("phi-lint-name", ""), message, trace))
    secrets = [span for code, span in raw if code == KEY_CODE]
    out: list[Finding] = []
    seen_statements: dict[str, int] = {}
    for (code, span), (name, message, trace) in sorted(raw.items(), key=lambda item: (item[0][1].line, item[0][1].column, item[0][0])):
        if not config.is_enabled(code, path):
            continue
        rule = rule_by_code(code)
        start = scanned.statement_start(span.line)
        out.append(Finding(
            code=code,
            name=name or rule.name,
            severity=rule().severity_for(config),
            message=message,
            path=path,
            span=span,
            trace=trace,
            controls=_controls(code),
            fingerprint=_fingerprint(code, path, lines, start, span.end_line, seen_statements),
            suppression=_suppression(comments, scanned, lines, code, name or rule.name, span, start),
            secret=code == KEY_CODE,
            secret_spans=tuple(s for s in secrets if s.line <= span.end_line and s.end_line >= span.line),
        ))
    if parse_error and config.is_enabled(PARSE_ERROR, path):
        line, why = parse_error
        out.append(_tool_finding(PARSE_ERROR, path, line, 1, f"could not parse part of this file ({why}); the rest was checked", lines, config))
    if config.is_enabled(UNJUSTIFIED, path):
        for comment in comments:
            if comment.reason is None and (comment.kind == "phi-lint" or comment.used or any(c.upper().startswith("PHI") for c in comment.codes)):
                out.append(_tool_finding(UNJUSTIFIED, path, comment.line, comment.col + 1, None, lines, config, comment.end_col + 1))
    return sorted(out, key=Finding.sort_key)


# ---------------------------------------------------------------- positions

def _span(data: bytes, result: dict) -> Span:
    """Semgrep's byte offsets as 1-based lines and character columns (end one past the end)."""
    start = _position(data, result.get("start", {}))
    end = _position(data, result.get("end", {}))
    if end < start:
        end = start
    return Span(start[0], start[1], end[0], end[1])


def _position(data: bytes, where: dict) -> tuple[int, int]:
    offset = where.get("offset")
    if offset is None:
        return where.get("line", 1), where.get("col", 1)
    before = data[:offset].decode("utf-8", "replace").lstrip("\ufeff")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _overlaps(a: Span, b: Span) -> bool:
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (a.end_line, a.end_column)


# ---------------------------------------------------------------- what the finding says

@functools.lru_cache(maxsize=1)
def _pack_texts() -> dict:
    return load_toml("semgrep-pack.toml")


def _controls(code: str) -> Controls:
    soc2, hipaa = load().controls.get(code, ((), ()))
    return Controls(soc2, hipaa)


@functools.lru_cache(maxsize=16)
def _classifier(config: Config):
    from phi_lint.analysis.classify import Classifier

    return Classifier(load().vocabulary, config.extra_phi_fields, config.not_phi_fields, config.phi_subjects)


def _describe(code: str, message: str, text: str, span: Span, path: str, config: Config) -> tuple[str, tuple[TraceStep, ...]]:
    """A flow rule's message from its parts (semgrep-pack.toml), with the name the data came by
    in place of the subject when the span shows one (`patient.firstName`) and the call it
    reaches; and a trace step saying why that name is sensitive."""
    parts = _pack_texts().get(code, {})
    if "subject" not in parts:
        return message, ()
    if "sink" not in parts:  # a pattern rule: the call it is about in place of the subject
        callee = call_at(text, _offset(text, span)) or enclosing_call(text, _offset(text, span))
        return (f"`{callee}`" + message[len(parts["subject"]):] if callee and message.startswith(parts["subject"]) else message), ()
    subject, trace = parts["subject"], ()
    found = _source_in(code, _span_text(text, span), config)
    if found is not None:
        offset, expression, why = found
        before = _span_text(text, span)[:offset]
        line = span.line + before.count("\n")
        column = span.column + len(before) if "\n" not in before else len(before) - before.rfind("\n")
        subject, trace = f"`{expression}`", (TraceStep(path, line, column, f"source: `{expression}`: {why}"),)
    callee = enclosing_call(text, _offset(text, span))
    sink = parts["sink"] + (f" (`{callee}`)" if callee else "")
    return f"{subject} reaches {sink}: {parts['advice']}", trace


def _offset(text: str, span: Span) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: span.line - 1]) + span.column - 1


def _span_text(text: str, span: Span) -> str:
    lines = text.split("\n")[span.line - 1 : span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1 : span.end_column - 1]
    return "\n".join([lines[0][span.column - 1 :], *lines[1:-1], lines[-1][: span.end_column - 1]])


def _source_in(code: str, text: str, config: Config) -> tuple[int, str, str] | None:
    """The first name in `text` that is sensitive in the way the rule is about: a field for the
    field rules, a record for the record rules, either for the others."""
    from phi_lint.analysis.classify import WEAK_SUBJECT
    from phi_lint.checks.base import rule_by_code

    from phi_lint.semgrep.common import sanitizer_names

    labels = set(getattr(rule_by_code(code), "labels", ()))
    classifier = _classifier(config)
    records, fields = [], []
    functions, methods = sanitizer_names(config, load_js().sanitizers)
    cleaners = set(functions) | set(methods)
    # names inside a sanitizer's call are not where the data leaks
    names = [n for n in names_in(text) if (enclosing_call(text, n[0]) or "").rsplit(".", 1)[-1] not in cleaners]
    # a member expression names the source better than the object key it is stored under
    names = [n for n in names if not re.match(r"\s*:", text[n[0] + len(n[1]):])] or names
    for offset, expression, last in names:
        owner = re.split(r"\??\.|\[", expression)[-2] if ("." in expression or "[" in expression) else None
        hit = classifier.classify(last)
        if hit is None and owner:
            person = classifier.names_person(owner)
            hit = classifier.classify(last, WEAK_SUBJECT if person == WEAK_SUBJECT else bool(person)) if person else None
        if hit is not None:
            (records if hit.record else fields).append((offset, expression, hit.why))
    if "PHI_FIELD" in labels and fields:
        return fields[0]
    if "PHI_RECORD" in labels and records:
        return records[0]
    return None


# ---------------------------------------------------------------- fingerprints and suppressions

@functools.lru_cache(maxsize=4096)
def _repo_path(path: str) -> str:
    """The path a fingerprint hashes: relative to the repository top (as the engine's)."""
    from phi_lint.gitdiff import repo_path, repo_root

    root = repo_root(Path(os.path.abspath(path)).parent)
    return repo_path(path, root) if root else path.replace("\\", "/")


def _fingerprint(code: str, path: str, lines: list[str], start: int, end: int, seen: dict[str, int]) -> str:
    """Like the engine's: the rule, the repository path, the normalised statement and which
    occurrence of the three this is; no line numbers, so it survives lines added above."""
    statement = " ".join(" ".join(lines[start - 1 : end]).split())
    base = f"{code}\x00{_repo_path(path)}\x00{statement}"
    index = seen.get(base, 0)
    seen[base] = index + 1
    return hashlib.sha256(f"{base}\x00{index}".encode()).hexdigest()[:20]


def _suppression(comments: list[Comment], scanned: Scan, lines: list[str], code: str, name: str, span: Span, start: int) -> Suppression | None:
    """A comment on the finding's line, on its statement's first line, or on a comment line
    right above the statement."""
    if not comments:
        return None
    candidates = {span.line, start}
    if scanned.comment_only(start - 1, lines):
        candidates.add(start - 1)
    for comment in comments:
        if comment.line in candidates and comment.covers(code, name):
            comment.used = True
            return Suppression(comment.kind, comment.line, comment.reason)
    return None


def _tool_finding(code: str, path: str, line: int, column: int, message: str | None, lines: list[str], config: Config, end_column: int | None = None) -> Finding:
    from phi_lint.checks.base import rule_by_code

    rule = rule_by_code(code)
    end = end_column if end_column is not None else column
    base = f"{code}\x00{_repo_path(path)}\x00{' '.join(lines[line - 1].split()) if 0 < line <= len(lines) else ''}"
    return Finding(
        code=code,
        name=rule.name,
        severity=rule().severity_for(config),
        message=message or rule.message,
        path=path,
        span=Span(line, column, line, end),
        controls=_controls(code),
        fingerprint=hashlib.sha256(f"{base}\x000".encode()).hexdigest()[:20],
    )
