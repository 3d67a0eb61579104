"""`match`/`case`: the names a pattern captures hold what the matched part of the subject holds
(`case {"ssn": ssn}` is the subject's `ssn`, `case Patient(name=n)` its name)."""

from __future__ import annotations

import ast

from phi_lint.analysis.labels import PHI_RECORD, Taint, union
from phi_lint.analysis.records import record_class_why


class Patterns:
    """Pattern-matching handlers of FunctionAnalysis."""

    def _match_statement(self, s: ast.Match) -> None:
        subject = self.ev(s.subject)
        setups = [lambda case=case: (self._bind_pattern(case.pattern, subject), case.guard is not None and self.ev(case.guard))
                  for case in s.cases]
        self._branches([c.body for c in s.cases], setups)

    def _bind_pattern(self, pattern: ast.pattern, taint: Taint) -> None:
        kind = type(pattern)
        if kind is ast.MatchAs:
            if pattern.pattern is not None:
                self._bind_pattern(pattern.pattern, taint)
            if pattern.name:
                self._capture(pattern.name, taint, pattern)
        elif kind is ast.MatchStar:
            if pattern.name:
                self._capture(pattern.name, taint, pattern)
        elif kind is ast.MatchMapping:
            for key, value in zip(pattern.keys, pattern.patterns):
                name = self.const_str(key)
                self._bind_pattern(value, self._member(taint, name, pattern) if name is not None else taint)
            if pattern.rest:
                self._capture(pattern.rest, taint, pattern)
        elif kind is ast.MatchClass:
            cls = pattern.cls
            why = record_class_why(self.m, cls.id if isinstance(cls, ast.Name) else cls.attr if isinstance(cls, ast.Attribute) else "")
            if why:
                taint = union(taint, self._birth(PHI_RECORD, "record", self.m.line_text(cls), why, pattern))
            for sub in pattern.patterns:
                self._bind_pattern(sub, taint)
            for attr, sub in zip(pattern.kwd_attrs, pattern.kwd_patterns):
                self._bind_pattern(sub, self._member(taint, attr, pattern))
        elif kind in (ast.MatchSequence, ast.MatchOr):
            for sub in pattern.patterns:
                self._bind_pattern(sub, taint)

    def _capture(self, name: str, taint: Taint, pattern: ast.pattern) -> None:
        target = ast.Name(id=name, ctx=ast.Store())
        ast.copy_location(target, pattern)
        self._store(target, union(taint, self._classify_name(name, pattern)), None)
