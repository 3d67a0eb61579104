"""A small runtime redactor: what phi-lint's fixes call when a project has none of its own.

    >>> from phi_lint.redact import redact
    >>> redact("123-45-6789")
    '[REDACTED]'
    >>> redact("123-45-6789", keep_last_four=True)
    '[REDACTED]6789'
    >>> redact({"id": "p-17", "ssn": "123-45-6789", "ward": "4B", "contact": {"email": "ann@example.org", "priority": 2}})
    {'id': 'p-17', 'ssn': '[REDACTED]', 'ward': '4B', 'contact': {'email': '[REDACTED]', 'priority': 2}}

A value handed to `redact` is taken to be sensitive (the static analysis flagged it): a string,
number, date or a list of them becomes the mask. A record (a dict, dataclass, pydantic model or
named tuple) becomes a copy in which the values under sensitive keys are masked, recursively;
the keys are judged with the same vocabulary as the static analysis (rules/sensitive-data.toml),
as fields of a record, so `name` and `email` count. Anything else (an ORM object, a file, an
iterator) is masked whole: when in doubt, nothing identifying leaves.

`redact` never raises and never changes its argument. It depends on nothing outside the
standard library and phi-lint's own vocabulary file.

`pseudonymize` stands in for an identifier in a prompt: the same value gives the same pseudonym
(`ID-1f0c9a3e2b7d`) within one key, so a model still tells people apart, and the pseudonym cannot
be turned back into the value without the key.

    >>> pseudonymize("Maria Example", key=b"k") == pseudonymize("Maria Example", key=b"k")
    True
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import functools
import hashlib
import hmac
import os
import re
import secrets
import uuid
from collections.abc import Mapping

__all__ = ["MASK", "pseudonymize", "redact"]

MASK = "[REDACTED]"
_MAX_DEPTH = 32

# Values kept as they are under a key that is not sensitive.
_PLAIN = (str, bytes, int, float, complex, bool, type(None), datetime.date, datetime.time, datetime.timedelta,
          decimal.Decimal, uuid.UUID, enum.Enum)
# An identifier worth keeping the tail of: letters and digits with separators, mostly digits
# (an SSN, an MRN, a phone or member number), never a date.
_IDENTIFIER = re.compile(r"[A-Za-z0-9 ()+./-]+")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")  # 19800102
# Vocabulary categories (rules/sensitive-data.toml) whose values are identifier numbers, the only
# ones whose last four may be kept: never names, addresses, dates, emails, URLs or health data.
_NUMBER_CATEGORIES = frozenset({"phone", "ssn", "mrn", "plan", "account", "license", "vehicle", "device"})


def redact(value, *, keep_last_four: bool = False, mask: str = MASK):
    """A copy of `value` with nothing identifying left in it.

    keep_last_four: keep the last four letters or digits of identifiers (`[REDACTED]6789`) so
    that people can still tell records apart; names, dates and free text are masked whole.
    mask: the text that replaces a value.
    """
    try:
        return _Redactor(keep_last_four, mask).value(value, 0, None)
    except Exception:  # an object that misbehaves is masked whole, never raised to the caller
        return mask


PSEUDONYM_KEY_VARIABLE = "PHI_LINT_PSEUDONYM_KEY"


def pseudonymize(value, *, key: bytes | str | None = None, prefix: str = "ID-") -> str:
    """A stable pseudonym for an identifier: `prefix` and 12 hex digits of a keyed hash (HMAC-
    SHA-256) of its text. The key comes from `key`, else the environment variable
    PHI_LINT_PSEUDONYM_KEY, else a random key made once per process (stable for the process, so
    one conversation keeps its pseudonyms; never written anywhere). Without the key, a pseudonym
    cannot be traced back, even for values as guessable as SSNs. Never raises."""
    try:
        secret = key if key is not None else _process_key()
        secret = secret.encode() if isinstance(secret, str) else secret
        digest = hmac.new(secret, str(value).encode("utf-8", "replace"), hashlib.sha256).hexdigest()
        return f"{prefix}{digest[:12]}"
    except Exception:  # an object whose str() misbehaves
        return MASK


@functools.lru_cache(maxsize=1)
def _process_key() -> bytes:
    configured = os.environ.get(PSEUDONYM_KEY_VARIABLE)
    return configured.encode() if configured else secrets.token_bytes(32)


@functools.lru_cache(maxsize=1)
def _classifier():
    """The static analysis' classifier over the shipped vocabulary (None if it cannot be read)."""
    try:
        from phi_lint.analysis.classify import Classifier
        from phi_lint.catalog import _vocabulary, load_toml

        return Classifier(_vocabulary(load_toml("sensitive-data.toml")))
    except Exception:  # a broken install: every key of a record counts as sensitive
        return None


def _key_sensitivity(key):
    """(sensitive, record, category) for a key of a record; category "unknown" when the key
    cannot be judged."""
    if not isinstance(key, str):
        return False, False, None
    classifier = _classifier()
    if classifier is None:
        return True, False, "unknown"
    hit = classifier.classify(key, True)
    if hit is None:
        return False, False, None
    return not hit.record, hit.record, hit.category


class _Redactor:
    def __init__(self, keep_last_four: bool, mask: str) -> None:
        self.keep_last_four = keep_last_four
        self.mask = mask
        self.active: set[int] = set()  # containers on the current path: a cycle is masked

    # -------------------------------------------------------------- the three modes
    def value(self, value, depth: int, kind: str | None):
        """A sensitive value: scalars are masked; records keep their harmless fields."""
        if value is None:
            return None
        if isinstance(value, (str, bytes, int, float, complex, datetime.date, datetime.time, decimal.Decimal, uuid.UUID, enum.Enum)):
            return self._mask(value, kind)
        return self._container(value, depth, self.value, kind)

    def everything(self, value, depth: int, kind: str | None):
        """A value under a sensitive key: every leaf is masked, the shape is kept."""
        if value is None:
            return None
        if isinstance(value, _PLAIN):
            return self._mask(value, kind)
        return self._container(value, depth, self.everything, kind, every_field=True)

    def nested(self, value, depth: int, kind: str | None):
        """A value under a key that is not sensitive: kept, except the records inside it."""
        if isinstance(value, _PLAIN):
            return value
        return self._container(value, depth, self.nested, kind)

    # -------------------------------------------------------------- containers and records
    def _container(self, value, depth: int, items, kind: str | None, every_field: bool = False):
        if depth >= _MAX_DEPTH or id(value) in self.active:
            return self.mask
        self.active.add(id(value))
        try:
            record = self._record(value, depth, every_field)
            if record is not None:
                return record
            if isinstance(value, (list, tuple, set, frozenset, collections.deque)):
                out = [items(v, depth + 1, kind) for v in value]
                base = next(t for t in (list, tuple, frozenset, set, collections.deque) if isinstance(value, t))
                return base(out)  # subclasses become their base: their constructors may want more
            return self.mask  # an object we cannot copy safely: fail closed
        finally:
            self.active.discard(id(value))

    def _record(self, value, depth: int, every_field: bool):
        """A copy of a record with its fields judged by name; None when `value` is no record."""
        if isinstance(value, Mapping):
            pairs = [(k, self._field(k, v, depth, every_field)) for k, v in value.items()]
            if type(value) is collections.OrderedDict:
                return collections.OrderedDict(pairs)
            if type(value) is collections.defaultdict:
                return collections.defaultdict(value.default_factory, pairs)
            return dict(pairs)  # never copy.copy a mapping: some write through (os.environ)
        if isinstance(value, tuple) and hasattr(value, "_fields") and hasattr(value, "_replace"):  # namedtuple
            return value._replace(**{k: self._field(k, getattr(value, k), depth, every_field) for k in value._fields})
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._copy_fields(value, [f.name for f in dataclasses.fields(value)], depth, every_field)
        model_fields = getattr(type(value), "model_fields", None)  # pydantic 2
        if isinstance(model_fields, Mapping) and callable(getattr(value, "model_copy", None)):
            names = list(model_fields) + list(getattr(value, "model_extra", None) or {})
            update = {k: self._field(k, getattr(value, k, None), depth, every_field) for k in names}
            return value.model_copy(update=update)
        v1_fields = getattr(type(value), "__fields__", None)  # pydantic 1
        if isinstance(v1_fields, Mapping) and callable(getattr(value, "copy", None)) and hasattr(value, "dict"):
            update = {k: self._field(k, getattr(value, k, None), depth, every_field) for k in v1_fields}
            return value.copy(update=update)
        return None

    def _copy_fields(self, value, names: list[str], depth: int, every_field: bool):
        import copy

        changed = {k: self._field(k, getattr(value, k), depth, every_field) for k in names}
        try:
            out = copy.copy(value)
            for k, v in changed.items():
                object.__setattr__(out, k, v)  # frozen dataclasses too
        except Exception:
            return changed  # a copy is impossible: the fields as a dict
        return out

    def _field(self, key, value, depth: int, every_field: bool):
        sensitive, record, kind = _key_sensitivity(key)
        if every_field or sensitive:  # inside a sensitive value, a key of its own says nothing
            return self.everything(value, depth + 1, kind if sensitive else "unknown")
        if record:
            return self.value(value, depth + 1, kind)
        return self.nested(value, depth + 1, kind)

    # -------------------------------------------------------------- the mask
    def _mask(self, value, category: str | None) -> str:
        """The mask; with keep_last_four, plus the last four of an identifier number. Under a key,
        only keys of an identifier-number category keep them (`ssn`, `mrn`, `phone`, `member_id`,
        `card_number`...), never `dob`, `name`, `address` or free text; a value handed to redact
        on its own keeps them only when it has the shape of an identifier number."""
        if not self.keep_last_four or isinstance(value, (bool, float, complex, enum.Enum, datetime.date, datetime.time)):
            return self.mask
        if category is not None and category not in _NUMBER_CATEGORIES:
            return self.mask
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
        text = text.strip()
        alnum = [c for c in text if c.isascii() and c.isalnum()]
        digits = sum(c.isdigit() for c in alnum)
        if not _IDENTIFIER.fullmatch(text) or _DATE.fullmatch(text) or len(alnum) < 8 or digits * 2 < len(alnum):
            return self.mask
        if category is None and _COMPACT_DATE.fullmatch(text):
            return self.mask  # `19800102` handed over on its own may well be a date of birth
        return self.mask + "".join(alnum[-4:])
