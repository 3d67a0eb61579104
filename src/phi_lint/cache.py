"""The on-disk cache of the project index: per module, its facts, the summaries computed of its
functions, and (for a checked file) its findings.

An entry is valid for one key: a hash of the module's bytes and configuration and of the keys of
the project modules it imports, so an edit re-does the module and every module that imports it,
directly or not, and nothing else. Everything is keyed by phi-lint's version and the catalogue
too (`settings`). The cache is JSON, never pickle: a cache folder committed into a repository must
not be able to run code. A file that cannot be read, does not parse, holds an unknown type or was
written for other settings is ignored and written again: a bad cache is never trusted and never
fails a run. Entries are written atomically (a temporary file, then a rename), so concurrent runs
at worst redo each other's work.

Layout, as ruff does it: `.phi-lint-cache/` at the project root, with a `.gitignore` of `*` and a
`CACHEDIR.TAG` so that git and backup tools leave it alone.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
from pathlib import Path

from phi_lint import __version__
from phi_lint.analysis.exports import ClassFacts, FunctionSummary, ModuleFacts, ParamSink, ValueFacts
from phi_lint.analysis.labels import Origin, Step
from phi_lint.catalog import rules_dir
from phi_lint.model import Applicability, Controls, Edit, Finding, Fix, Severity, Span, Suppression, TraceStep

FORMAT = 1
DEFAULT_DIR = ".phi-lint-cache"
_GITIGNORE = "# Automatically created by phi-lint.\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by phi-lint.\n"

# every type an entry may hold; anything else in a file makes it invalid
_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    ClassFacts, FunctionSummary, ModuleFacts, ParamSink, ValueFacts, Origin, Step,
    Controls, Edit, Finding, Fix, Span, Suppression, TraceStep,
)}
_ENUMS: dict[str, type[enum.Enum]] = {"Severity": Severity, "Applicability": Applicability}


class CacheError(ValueError):
    """An entry that cannot be trusted."""


# ---------------------------------------------------------------------- JSON of plain data
def encode(value):
    kind = type(value)
    if kind in _PLAIN:  # most of what an entry holds: tested first
        return value
    if isinstance(value, enum.Enum):
        return {"@e": kind.__name__, "v": value.value}
    names = _field_names(kind)
    if names is not None:
        out = {"@": kind.__name__}
        for name in names:
            out[name] = encode(getattr(value, name))
        return out
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"@s": sorted(encode(v) for v in value)}
    if isinstance(value, dict):
        return {"@d": [[encode(k), encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise CacheError(f"cannot store {kind.__name__}")


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.lru_cache(maxsize=None)
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass, None for any other type."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def decode(value):
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if isinstance(value, dict):
        if "@" in value:
            cls = _TYPES.get(value["@"])
            if cls is None:
                raise CacheError(f"unknown type {value['@']!r}")
            names = {f.name for f in dataclasses.fields(cls)}
            fields = {k: decode(v) for k, v in value.items() if k != "@"}
            if not set(fields) <= names:
                raise CacheError(f"unknown field of {value['@']}")
            return cls(**fields)
        if "@e" in value:
            kind = _ENUMS.get(value["@e"])
            if kind is None:
                raise CacheError(f"unknown enum {value['@e']!r}")
            return kind(value["v"])
        if "@s" in value:
            return frozenset(decode(v) for v in value["@s"])
        if "@d" in value:
            return {decode(k): decode(v) for k, v in value["@d"]}
        raise CacheError("an object of no known kind")
    return value


# ---------------------------------------------------------------------- settings
def settings_digest() -> str:
    """phi-lint's version and the catalogue it reads: a change to either empties the cache."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}".encode())
    for path in sorted(rules_dir().glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


@functools.lru_cache(maxsize=64)  # asked three times a module; a run has a handful of configurations
def config_digest(config) -> str:
    """The configuration a module was analysed and checked with (its source file excluded: the
    same settings from another file give the same results)."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "source"}
    return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:24]


# ---------------------------------------------------------------------- the folder
class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.settings = settings_digest()
        self._entries = folder / f"v{FORMAT}"
        self._prepared = False

    def _file(self, module: str) -> Path:
        return self._entries / (hashlib.sha1(module.encode()).hexdigest() + ".json")

    def read(self, module: str) -> dict | None:
        """The raw entry of a module (project-relative path), None when there is none to trust."""
        try:
            with open(self._file(module), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("settings") != self.settings or entry.get("module") != module:
            return None
        return entry

    def write(self, module: str, entry: dict) -> None:
        """Store an entry atomically; a cache that cannot be written is left as it is."""
        import tempfile  # here: a run that writes nothing must not load it

        entry = dict(entry, settings=self.settings, module=module)
        try:
            self._prepare()
            handle, temporary = tempfile.mkstemp(dir=self._entries, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(json.dumps(entry, separators=(",", ":")))  # dumps: the C encoder (dump streams in Python)
                os.replace(temporary, self._file(module))
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except OSError:
            self._prepared = False  # the folder may have gone meanwhile: made again for the next entry
        except (CacheError, TypeError, ValueError):
            return

    def _prepare(self) -> None:
        if self._prepared:  # once a run: a stat per entry written cost a tenth of the writing
            return
        if not self._entries.is_dir():
            self._entries.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
                marker = self.folder / name
                if not marker.exists():
                    marker.write_text(text, encoding="utf-8")
        self._prepared = True


def stored_part(entry: dict | None, key: str, part: str):
    """One decoded part of an entry written for `key`; None when the entry is for another key,
    lacks the part, or holds anything that cannot be trusted."""
    if entry is None or entry.get("key") != key or part not in entry:
        return None
    try:
        return decode(entry[part])
    except (CacheError, TypeError, ValueError, KeyError):
        return None
