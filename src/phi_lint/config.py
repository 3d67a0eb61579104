"""Find, validate and freeze the `[tool.phi-lint]` section of pyproject.toml."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from phi_lint.catalog import tomllib
from phi_lint.paths import absolute

DEFAULT_EXCLUDES = (".git", ".hg", ".svn", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "*.egg-info", ".ipynb_checkpoints",
                    # JavaScript/TypeScript build output, generated and declaration files
                    ".next", "_next", ".nuxt", ".output", ".svelte-kit", ".turbo", ".vercel", ".parcel-cache", "coverage", "*.min.js", "*.d.ts")
DEFAULT_REDACTOR = "phi_lint.redact.redact"
DEFAULT_PSEUDONYMIZER = "phi_lint.redact.pseudonymize"
ALL_APPROVED = "*"  # in `allowed-prompt-data`: every approved endpoint


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits 2."""


@dataclass(frozen=True)
class Config:
    """The settings of [tool.phi-lint] for a file, with the command-line options applied."""

    approved_endpoints: tuple[str, ...] = ()
    approved_regions: tuple[str, ...] = ()
    sanitizers: tuple[str, ...] = ()
    redactor: str | None = None
    pseudonymizer: str | None = None
    # prompt data policy: (approved endpoint or "*", data groups and categories it may be sent)
    allowed_prompt_data: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extra_phi_fields: tuple[str, ...] = ()
    not_phi_fields: tuple[str, ...] = ()
    phi_subjects: tuple[str, ...] | None = None
    profiles: tuple[str, ...] = ()  # vocabulary profiles switched on (`pii`: SOC 2 privacy subjects)
    auth_guards: tuple[str, ...] = ()  # project decorators, dependencies, mixins that authenticate (PHI5xx)
    select: tuple[str, ...] = ("PHI",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    baseline: str | None = None  # a baseline file `check` applies without --baseline (relative to root)
    target_version: str | None = None  # "py312": the Python the project runs on
    cache_dir: str | None = None  # where the project index is cached (relative to root); default .phi-lint-cache
    # code outside the project (an internal gateway or logging package), by dotted name
    extra_sinks: tuple[tuple[str, str], ...] = ()  # function -> sink kind (EXTRA_SINK_KINDS)
    extra_sources: tuple[tuple[str, str], ...] = ()  # function -> what it returns (EXTRA_SOURCE_KINDS)
    extra_loggers: tuple[str, ...] = ()  # functions that give a logger, and logger objects
    # where the configuration came from; paths in it are relative to its folder
    source: Path | None = field(default=None, compare=False)

    @property
    def root(self) -> Path:
        return self.source.parent if self.source else Path.cwd()

    @property
    def fix_redactor(self) -> str:
        """What wrapping fixes call: `redactor`, else the first plain-function sanitizer."""
        if self.redactor:
            return self.redactor
        for name in self.sanitizers:
            if is_function_path(name):
                return name
        return DEFAULT_REDACTOR

    @property
    def baseline_path(self) -> Path | None:
        """The configured baseline file, relative to the configuration's folder."""
        return self.root / self.baseline if self.baseline else None

    @property
    def target_python(self) -> tuple[int, int] | None:
        """(3, 12) for target-version = "py312"."""
        if not self.target_version:
            return None
        digits = self.target_version[2:]
        return int(digits[0]), int(digits[1:])

    @property
    def fix_pseudonymizer(self) -> str:
        """What pseudonymising fixes call: `pseudonymizer`, else phi-lint's runtime one."""
        return self.pseudonymizer or DEFAULT_PSEUDONYMIZER

    @property
    def excludes(self) -> tuple[str, ...]:
        return DEFAULT_EXCLUDES + self.exclude + self.extend_exclude

    def is_enabled(self, code: str, path: str | None = None) -> bool:
        """ruff's rule: the longest matching prefix among select and ignore wins."""
        best_select = max((len(p) for p in self.select + self.extend_select if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if path is not None:
            for pattern, codes in self.per_file_ignores:
                if _path_matches(path, pattern):
                    best_ignore = max([best_ignore] + [len(p) for p in codes if code.startswith(p)])
        return best_select >= 0 and best_select > best_ignore

    def with_overrides(self, **changes) -> "Config":
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes) if changes else self


def _path_matches(path: str, pattern: str) -> bool:
    posix = PurePosixPath(path.replace("\\", "/")).as_posix()
    if fnmatch.fnmatchcase(posix, pattern):
        return True
    # `tests/**` also matches `tests/x.py`; a bare pattern matches the file name anywhere
    if pattern.endswith("/**") and (posix + "/").startswith(pattern[:-2]):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(PurePosixPath(posix).name, pattern)


# key -> (attribute, kind)
_KEYS = {
    "approved-endpoints": ("approved_endpoints", "strings"),
    "approved-regions": ("approved_regions", "strings"),
    "sanitizers": ("sanitizers", "strings"),
    "redactor": ("redactor", "string"),
    "pseudonymizer": ("pseudonymizer", "string"),
    "allowed-prompt-data": ("allowed_prompt_data", "policy"),
    "extra-phi-fields": ("extra_phi_fields", "strings"),
    "not-phi-fields": ("not_phi_fields", "strings"),
    "phi-subjects": ("phi_subjects", "strings"),
    "profiles": ("profiles", "strings"),
    "auth-guards": ("auth_guards", "strings"),
    "select": ("select", "codes"),
    "ignore": ("ignore", "codes"),
    "extend-select": ("extend_select", "codes"),
    "per-file-ignores": ("per_file_ignores", "table"),
    "exclude": ("exclude", "strings"),
    "extend-exclude": ("extend_exclude", "strings"),
    "respect-gitignore": ("respect_gitignore", "bool"),
    "baseline": ("baseline", "string"),
    "target-version": ("target_version", "string"),
    "cache-dir": ("cache_dir", "string"),
    "extra-sinks": ("extra_sinks", "sinks"),
    "extra-sources": ("extra_sources", "sources"),
    "extra-loggers": ("extra_loggers", "dotted"),
}
# what `extra-sinks` and `extra-sources` may say of a function: its arguments reach a sink of this
# kind; its result is this kind of data
EXTRA_SINK_KINDS = {"model-content": "MODEL_CONTENT", "embedding": "MODEL_EMBED", "request-metadata": "MODEL_METADATA",
                    "log": "LOG", "exception": "EXCEPTION"}
EXTRA_SOURCE_KINDS = {"phi": "PHI_FIELD", "record": "PHI_RECORD", "document": "CLINICAL_TEXT", "transcript": "CLINICAL_TEXT",
                      "clinical-text": "CLINICAL_TEXT", "request-body": "PAYLOAD"}
KNOWN_KEYS = tuple(sorted(_KEYS))
TARGET_VERSIONS = tuple(f"py3{minor}" for minor in range(8, 15))


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def is_function_path(name: str) -> bool:
    """`module.function` (at least one dot) naming a plain function: not `pkg.Class.method`
    (a capitalised segment before the last), not a class, so that `from module import function`
    imports exactly what a fix calls."""
    if not _DOTTED.fullmatch(name):
        return False
    parts = name.split(".")
    return not parts[-1][:1].isupper() and not parts[-2][:1].isupper()


def settings(config: Config) -> dict[str, object]:
    """Every key of [tool.phi-lint] with the value in effect, as TOML would hold it (None: not set)."""
    out: dict[str, object] = {}
    for key in KNOWN_KEYS:
        attribute, kind = _KEYS[key]
        value = getattr(config, attribute)
        if kind in ("table", "policy"):
            value = {pattern: list(codes) for pattern, codes in value}
        elif kind in ("sinks", "sources"):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def _code_prefix_ok(value: str) -> bool:
    return value == "ALL" or (value.startswith("PHI") and value[3:].isdigit() or value == "PHI")


def validate(section: dict, source: Path | None) -> Config:
    where = f" in {source}" if source else ""
    values: dict = {"source": source}
    if not isinstance(section, dict):
        raise ConfigError(f"[tool.phi-lint]{where} must be a table")
    for key, raw in section.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key `{key}` in [tool.phi-lint]{where} (known keys: {known})")
        attribute, kind = _KEYS[key]
        if kind == "bool":
            if not isinstance(raw, bool):
                raise ConfigError(f"`{key}`{where} must be true or false, not {raw!r}")
            values[attribute] = raw
        elif kind == "string":
            if not isinstance(raw, str) or not raw:
                raise ConfigError(f"`{key}`{where} must be a non-empty string, not {raw!r}")
            values[attribute] = raw
        elif kind in ("strings", "codes"):
            if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
                raise ConfigError(f"`{key}`{where} must be a list of strings, not {raw!r}")
            if kind == "codes":
                bad = [v for v in raw if not _code_prefix_ok(v)]
                if bad:
                    raise ConfigError(f"`{key}`{where} has an unknown rule code or prefix: {bad[0]!r}")
                raw = ["PHI" if v == "ALL" else v for v in raw]
            values[attribute] = tuple(raw)
        elif kind == "policy":
            values[attribute] = _prompt_policy(key, raw, where)
        elif kind in ("sinks", "sources"):
            kinds = EXTRA_SINK_KINDS if kind == "sinks" else EXTRA_SOURCE_KINDS
            if not isinstance(raw, dict):
                raise ConfigError(f"`{key}`{where} must be a table of \"module.function\" = \"kind\", not {raw!r}")
            for name, what in raw.items():
                if not _DOTTED.fullmatch(name):
                    raise ConfigError(f"`{key}`{where}: {name!r} is not a dotted name (module.function or module.Class.method)")
                if what not in kinds:
                    raise ConfigError(f"`{key}.\"{name}\"`{where} must be one of {', '.join(kinds)}, not {what!r}")
            values[attribute] = tuple(sorted(raw.items()))
        elif kind == "dotted":
            if not isinstance(raw, list) or not all(isinstance(v, str) and _DOTTED.fullmatch(v) for v in raw):
                raise ConfigError(f"`{key}`{where} must be a list of dotted names (module.function), not {raw!r}")
            values[attribute] = tuple(raw)
        elif kind == "table":
            if not isinstance(raw, dict):
                raise ConfigError(f"`{key}`{where} must be a table of glob = [codes], not {raw!r}")
            pairs = []
            for pattern, codes in raw.items():
                if not isinstance(codes, list) or not all(isinstance(c, str) and _code_prefix_ok(c) for c in codes):
                    raise ConfigError(f"`{key}.\"{pattern}\"`{where} must be a list of rule codes, not {codes!r}")
                pairs.append((pattern, tuple(codes)))
            values[attribute] = tuple(pairs)
    for name, example in (("redactor", "contoso.privacy.redact"), ("pseudonymizer", "contoso.privacy.pseudonymize")):
        if values.get(name) is not None and not is_function_path(values[name]):
            raise ConfigError(f"`{name}`{where} must name a function as module.function (`{example}`), not {values[name]!r}")
    known_profiles = _profile_names()
    for profile in values.get("profiles", ()):
        if profile not in known_profiles:
            raise ConfigError(f"`profiles`{where}: unknown profile {profile!r} (known: {', '.join(sorted(known_profiles))})")
    target = values.get("target_version")
    if target is not None and target not in TARGET_VERSIONS:
        raise ConfigError(f"`target-version`{where} must be one of {', '.join(TARGET_VERSIONS)}, not {target!r}")
    for endpoint in values.get("approved_endpoints", ()):
        if "://" not in endpoint:
            raise ConfigError(f"`approved-endpoints`{where}: {endpoint!r} is not a URL (write https://host)")
    approved = {e.rstrip("/") for e in values.get("approved_endpoints", ())}
    for endpoint, _ in values.get("allowed_prompt_data", ()):
        if endpoint != ALL_APPROVED and endpoint.rstrip("/") not in approved:
            raise ConfigError(
                f"`allowed-prompt-data.\"{endpoint}\"`{where}: {endpoint!r} is not in `approved-endpoints` "
                f"(data may be allowed only to an approved endpoint; \"{ALL_APPROVED}\" means every approved endpoint)"
            )
    return Config(**values)


def _profile_names() -> frozenset[str]:
    from phi_lint.catalog import load  # the catalogue names the profiles it defines

    return frozenset(load().vocabulary.profiles)


def _prompt_policy(key: str, raw, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`allowed-prompt-data = { "https://x.openai.azure.com" = ["health", "clinical-text"] }`:
    the data groups (rules/sensitive-data.toml `[data-groups]`) or category ids per endpoint."""
    from phi_lint.catalog import load

    groups = load().data_groups
    known = set(groups) | {c for ids in groups.values() for c in ids}
    if not isinstance(raw, dict):
        raise ConfigError(f"`{key}`{where} must be a table of endpoint = [data categories], not {raw!r}")
    pairs = []
    for endpoint, allowed in raw.items():
        if not isinstance(allowed, list) or not all(isinstance(c, str) and c for c in allowed):
            raise ConfigError(f"`{key}.\"{endpoint}\"`{where} must be a list of data categories, not {allowed!r}")
        unknown = [c for c in allowed if c not in known]
        if unknown:
            raise ConfigError(
                f"`{key}.\"{endpoint}\"`{where} has an unknown data category {unknown[0]!r} "
                f"(groups: {', '.join(sorted(groups))}; or a category of one, such as `diagnosis`)"
            )
        pairs.append((endpoint, tuple(allowed)))
    return tuple(pairs)


def read_pyproject(path: Path) -> dict | None:
    """The [tool.phi-lint] table of a pyproject.toml, or None when it has none. A `tool` or
    `tool.phi-lint` that is not a table is an error: a typo must not switch the policy off."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"`tool` in {path} must be a table ([tool.phi-lint]), not {tool!r}")
    section = tool.get("phi-lint")
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"`tool.phi-lint` in {path} must be a table ([tool.phi-lint]), not {section!r}")
    return section


@functools.lru_cache(maxsize=256)
def find_config_file(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.phi-lint] table at or above `start`."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                if read_pyproject(pyproject) is not None:
                    return pyproject
            except ConfigError:
                return pyproject  # let load_config report it
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the given file, else the nearest config above `start` (default: cwd), else defaults."""
    if path is None:
        path = find_config_file(absolute(start or Path.cwd()))
        if path is None:
            return Config()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    section = read_pyproject(path) if path.name == "pyproject.toml" else _read_plain(path)
    return validate(section or {}, absolute(path))


def config_for_path(path: Path) -> Config:
    """The configuration of the file (or folder) at `path`, as ruff finds it: the nearest
    pyproject.toml with a [tool.phi-lint] table at or above it, else the defaults. Every front
    (CLI, flake8, pre-commit) asks this; command-line options are the caller's to add
    (`apply_overrides`). A file is read once per process for as long as it does not change."""
    source = find_config_file(absolute(path))
    if source is None:
        return Config()
    try:
        stat = source.stat()
    except OSError as exc:
        raise ConfigError(f"cannot read {source}: {exc.strerror or exc}") from exc
    return _load_once(source, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load_once(source: Path, mtime_ns: int, size: int) -> Config:
    return load_config(source)


@dataclass(frozen=True)
class FileConfigs:
    """Each file's configuration, as the command line asked: the one `--config` names for every
    file (`fixed`), else the nearest pyproject.toml's, with the command-line overrides, checked
    by `validate` when given. Picklable, so that worker processes resolve configurations the same."""

    fixed: Config | None = None
    overrides: tuple[tuple[str, object], ...] = ()
    validate: Callable[[Config], Config] | None = None

    def __call__(self, path: Path) -> Config:
        if self.fixed is not None:
            return self.fixed
        return _resolved(config_for_path(path), self.overrides, self.validate)


@functools.lru_cache(maxsize=64)
def _resolved(found: Config, overrides: tuple[tuple[str, object], ...], validate) -> Config:
    config = apply_overrides(found, **dict(overrides))
    return validate(config) if validate is not None else config


def apply_overrides(config: Config, **overrides) -> Config:
    """Command-line options over a configuration: --select replaces, --ignore and the extend-
    options add, like ruff. None leaves a setting as configured."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for key in ("ignore", "extend_select", "extend_exclude"):
        if key in overrides:
            overrides[key] = getattr(config, key) + tuple(overrides[key])
    return config.with_overrides(**overrides)


def _read_plain(path: Path) -> dict:
    """A phi-lint.toml / .phi-lint.toml holds the keys at top level (or under [tool.phi-lint])."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    tool = data.get("tool")
    if isinstance(tool, dict) and "phi-lint" in tool:
        section = tool["phi-lint"]
        if not isinstance(section, dict):
            raise ConfigError(f"`tool.phi-lint` in {path} must be a table, not {section!r}")
        return section
    return data
