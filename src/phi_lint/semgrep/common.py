"""Pieces of semgrep rules that every language of the pack uses: pattern helpers, and the
catalogue's URLs, regions, keys and sanitizers as regular expressions and names."""

from __future__ import annotations

import functools
import re

from phi_lint.catalog import Catalog, load
from phi_lint.config import Config, is_function_path
from phi_lint.semgrep.names import NameRegexes, last_word_in, name_regexes

__all__ = [
    "either", "inside", "one_of", "regex", "names_for", "last_word_in", "host_regex", "model_url_regex",
    "unapproved_url_regex", "region_regex", "key_regex", "placeholder_regex", "sanitizer_names", "QUOTE",
]

QUOTE = "[\"'`]?"  # semgrep binds a string's text with or without its quotes


# ---------------------------------------------------------------- names in source text
# Names are matched in the text of a file (`pattern-regex`, one scan per file) rather than one
# by one (`metavariable-regex`, compiled anew for each name): the match covers the whole member
# expression (`this.rows[0].dateOfBirth`), which makes that expression the source.

_CALL = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"  # arguments, two levels of parentheses deep
_PATH = rf"(?:[A-Za-z_$][\w$]*(?:{_CALL})?(?:[?!]?\.[A-Za-z_$][\w$]*(?:{_CALL})?|\[[^\]\n]*\])*[?!]?\.)"  # `a.b[0].c().`
_NOT_CALLED = r"(?![\w$]|\s*\()"


def name_in_text(expression: str, owner: str | None = None, path: bool | None = None) -> str:
    """An identifier whose name matches `expression`, alone or as the last property of a member
    expression (`path=True`: only as a property; False: only alone), not called; with `owner`,
    a property of an object whose last name matches `owner` (`patient.email`)."""
    if owner is not None:
        before = rf"{_PATH}?(?<![\w$])(?:{owner})(?:\[[^\]\n]*\])*[?!]?\."
    else:
        before = {None: f"{_PATH}?", True: _PATH, False: ""}[path]
    return rf"(?<![\w$.]){before}(?<![\w$])(?:{expression}){_NOT_CALLED}"


def mapped_in_text(expression: str) -> str:
    """An array mapped to a property that matches (`records.map((r) => r.dischargeSummary)`):
    the match covers the call, whose result holds the values (semgrep does not follow a value
    out of a callback)."""
    parameter = r"\(?\s*(?P<item>[A-Za-z_$][\w$]*)\s*(?::\s*[^)=]+)?\)?"
    return (rf"(?<![\w$.]){_PATH}?[A-Za-z_$][\w$]*[?!]?\.(?:map|flatMap)\(\s*{parameter}\s*=>\s*"
            rf"(?P=item)[?!]?\.(?:{expression})(?![\w$])\s*\)")


def key_in_text(expression: str) -> str:
    """A subscript by a string key whose name matches (`body["ssn"]`, `row['date_of_birth']`)."""
    return rf"""(?<![\w$.]){_PATH}?[A-Za-z_$][\w$]*\[\s*["'](?:{expression})["']\s*\]"""


def object_key_in_text(expression: str) -> str:
    """The value under a key that matches, in an object literal, when it is a name or a member
    expression (`{ patientName: name }`): the match covers the value."""
    value = r"[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*|\[[^\]\n]*\])*"
    return rf"""(?<![\w$.])["']?(?:{expression})["']?\s*:\s*{value}(?=\s*[,}}\n])"""


def call_in_text(expression: str) -> str:
    """A call of a name that matches (`Patient(...)`, `fhir.Patient.parse_obj(...)`): the match
    covers the call, arguments and all (balanced parentheses, by recursion)."""
    return rf"(?<![\w$.]){_PATH}?(?<![\w$])(?:{expression})(?:\.[A-Za-z_$][\w$]*)?\s*(?<args>\((?:[^()]|(?&args))*\))"


def annotated_in_text(types: str) -> str:
    """A name annotated with a type that matches (`patient: Patient`, `rows: Patient[]`): a
    parameter or variable so declared."""
    return rf"(?<![\w$.])[A-Za-z_$][\w$]*\??\s*:\s*(?:{types})(?:\[\])?(?=\s*[,)=;])"


def property_not_in_text(keep: str) -> str:
    """A property read (not a call) whose name does not match `keep`."""
    return rf"(?<![\w$.]){_PATH}(?!(?:{keep})(?![\w$]))[A-Za-z_$][\w$]*{_NOT_CALLED}"


def quoted(expression: str) -> str:
    """An anchored expression that also accepts its match in quotes (`"ssn"` as an object key)."""
    return f"^{QUOTE}{expression[1:-1]}{QUOTE}$"


def regex(metavariable: str, expression: str) -> dict:
    return {"metavariable-regex": {"metavariable": metavariable, "regex": expression}}


def either(patterns: list[str]) -> dict:
    return {"pattern-either": [{"pattern": p} for p in patterns]}


def inside(pattern: str) -> dict:
    return {"pattern-inside": pattern}


def one_of(names, quoted: bool = False) -> str:
    """Exactly one of `names` (optionally in quotes: object keys may be written `"messages"`)."""
    body = "(?:" + "|".join(re.escape(n) for n in sorted(set(names))) + ")"
    return f"^{QUOTE}{body}{QUOTE}$" if quoted else f"^{body}$"


@functools.lru_cache(maxsize=16)
def names_for(config: Config) -> NameRegexes:
    return name_regexes(load().vocabulary, config.extra_phi_fields, config.not_phi_fields, config.phi_subjects, config.profiles)


# ---------------------------------------------------------------- URLs

_HOST_LABELS = "[a-z0-9-]+(?:\\.[a-z0-9-]+)*"


def host_regex(pattern: str) -> str:
    """A catalogue host pattern (`*` stands for one or more labels) as a regular expression."""
    return _HOST_LABELS.join(re.escape(part) for part in pattern.lower().split("*"))


def _url(hosts: str, scheme: str = "https?") -> str:
    return f"^{QUOTE}(?i:{scheme})://(?:[^/@\"'`]*@)?(?i:{hosts})(?::[0-9]+)?(?:[/?#][^\"'`]*)?{QUOTE}$"


def _approved_prefixes(approved: tuple[str, ...]) -> list[str]:
    """Each approved endpoint as a prefix of the URLs under it (same scheme, host and port, the
    default port written or not, a path under the approved one)."""
    from urllib.parse import urlsplit

    out = []
    for entry in approved:
        parts = urlsplit(entry)
        scheme = (parts.scheme or "https").lower()
        default = {"http": 80, "https": 443}.get(scheme)
        port = parts.port if parts.port not in (None, default) else None
        port_re = f":{port}" if port else (f"(?::{default})?" if default else "")
        path = re.escape(parts.path.rstrip("/"))
        out.append(f"(?i:{re.escape(scheme)})://(?i:{re.escape((parts.hostname or '').lower())}){port_re}{path}(?:[/?#]|{QUOTE}$)")
    return out


LOOPBACK = "(?:localhost|[a-z0-9.-]*\\.localhost|127(?:\\.[0-9]{1,3}){3}|\\[::1\\]|::1|ip6-localhost)"


def model_url_regex(catalog: Catalog, approved: tuple[str, ...]) -> str:
    """A URL on a provider host, or on the host of an approved (non-loopback) endpoint."""
    from urllib.parse import urlsplit

    hosts = [host_regex(h) for h in catalog.provider_hosts]
    hosts += [re.escape((urlsplit(a).hostname or "").lower()) for a in approved if urlsplit(a).hostname and not re.fullmatch(LOOPBACK, urlsplit(a).hostname or "")]
    return _url("|".join(sorted(set(hosts))))


def unapproved_url_regex(catalog: Catalog, approved: tuple[str, ...], model_hosts_only: bool = True) -> str:
    """A URL not under an approved endpoint and not on loopback (on a provider host when
    `model_hosts_only`: a request to any other service is not a model call)."""
    guard = f"(?!{QUOTE}(?i:https?)://{LOOPBACK}(?:[:/?#]|{QUOTE}$))"
    guard += "".join(f"(?!{QUOTE}{p})" for p in _approved_prefixes(approved))
    target = model_url_regex(catalog, approved) if model_hosts_only else f"^{QUOTE}(?i:https?)://.*$"
    return "^" + guard + target[1:]


def plain_http_regex() -> str:
    """A plain `http://` URL to a host that is not loopback."""
    return f"^{QUOTE}(?i:http)://(?!{LOOPBACK}(?:[:/?#]|{QUOTE}$))[^\"'`]+{QUOTE}$"


def region_regex(approved_regions: tuple[str, ...]) -> str:
    """A region name that is not approved."""
    approved = "|".join(re.escape(r) for r in sorted(approved_regions))
    return f"^{QUOTE}(?!(?:{approved}){QUOTE}$)[a-z]{{2,}}(?:-[a-z0-9]+)+{QUOTE}$|^{QUOTE}(?!(?:{approved}){QUOTE}$)[a-z]+[0-9]*{QUOTE}$"


def region_host_regex(catalog: Catalog, approved_regions: tuple[str, ...]) -> str:
    """A URL whose host names a region (endpoints.toml region-host-patterns) that is not approved."""
    approved = "|".join(re.escape(r) for r in sorted(approved_regions))
    hosts = []
    for pattern in catalog.region_host_patterns:
        text = pattern.pattern.strip("^$")
        hosts.append(re.sub(r"\(\?P<region>", f"(?!(?:{approved})\\.)(", text, count=1))
    return f"^{QUOTE}(?i:https?)://(?:{'|'.join(hosts)})(?::[0-9]+)?(?:[/?#][^\"'`]*)?{QUOTE}$"


# ---------------------------------------------------------------- keys

def placeholder_regex(catalog: Catalog) -> str:
    words = "|".join(re.escape(w) for w in catalog.placeholder_words)
    return f"(?!.*(?i:{words}))"


def key_regex(catalog: Catalog, plain: bool) -> str:
    """String literals shaped like a provider key: the shapes that tell on their own, or (plain)
    those that count only when given as a key (`only-as`)."""
    shapes = []
    for _provider, pattern, only_as in catalog.key_shapes:
        if bool(only_as) == plain:
            body = pattern.pattern
            for part in body.split("|"):
                shapes.append(part.strip("^$"))
    if not shapes:
        return "(?!)"
    # the whole literal, or one word of it (`"Bearer sk-..."`)
    word = "(?:[^\"'`\\s]+\\s+)?"
    return f"^{QUOTE}{placeholder_regex(catalog)}{word}(?:{'|'.join(shapes)}){QUOTE}$"


def key_names(catalog: Catalog) -> list[tuple[str, ...]]:
    """The names a plain key shape counts under (`api_key`, `apiKey`), as words."""
    from phi_lint.analysis.classify import split_words

    names = {split_words(name) for _p, _r, only_as in catalog.key_shapes for name in only_as}
    return sorted(n for n in names if n)


# ---------------------------------------------------------------- sanitizers

def sanitizer_names(config: Config, defaults: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The configured sanitizers (and `redactor`) as (function names, method names): a
    `module.function` by its function's name, a `module.Class.method` by its method's."""
    functions, methods = set(defaults), set()
    for name in config.sanitizers + ((config.redactor,) if config.redactor else ()):
        last = name.rsplit(".", 1)[-1]
        (functions if is_function_path(name) or "." not in name else methods).add(last)
    return sorted(functions), sorted(methods)


def pattern_rules(language, builders: dict) -> dict[str, dict]:
    """A language's pattern rule bodies by code, from its builders (those with nothing to match
    left out). PHI303 only under a policy that approves regions: without one, no region is
    unapproved."""
    out = {}
    for code, build in builders.items():
        if code == "PHI303" and not language.config.approved_regions:
            continue
        body = build(language)
        if body:
            out[code] = body
    return out
