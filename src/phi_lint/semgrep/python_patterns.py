"""The pack's Python pattern rules, from endpoints.toml: tracing switches (PHI204), endpoints,
transport and regions against the policy (PHI301-PHI303), vendor retention (PHI304) and
hard-coded keys (PHI401)."""

from __future__ import annotations

import re

from phi_lint.analysis.endpoints import is_approved
from phi_lint.semgrep import common
from phi_lint.semgrep.common import QUOTE, one_of, regex
from phi_lint.semgrep.names import NameRegexes, terms_regex
from phi_lint.semgrep.python import glob_pattern

TRUTHY = f"^(?:True|{QUOTE}(?i:true|1|yes|on){QUOTE})$"
TLS_KEYWORDS = ("verify", "verify_ssl", "ssl")


def _call(name: str, args: str = "...") -> tuple[str, list[dict]]:
    pattern, conditions = glob_pattern(name)
    return f"{pattern}({args})", conditions


def _alternative(pattern: str, *conditions: dict) -> dict:
    return {"patterns": [{"pattern": pattern}, *conditions]} if conditions else {"pattern": pattern}


def _rule(alternatives: list[dict], focus: str | None = None, **extra) -> dict:
    patterns: list[dict] = [{"pattern-either": alternatives}]
    if focus:
        patterns.append({"focus-metavariable": focus})
    return {"patterns": patterns, **extra}


def _env_writes(names, value_regex: str) -> list[dict]:
    if not names:
        return []
    name = regex("$NAME", one_of(names, quoted=True))
    return [{"patterns": [{"pattern": p}, name, regex("$VALUE", value_regex)]} for p in (
        "os.environ[$NAME] = $VALUE", "os.environ.setdefault($NAME, $VALUE)", "os.putenv($NAME, $VALUE)",
    )]


# ---------------------------------------------------------------- PHI204
def tracing(py) -> dict:
    spec = py.catalog.endpoints.get("tracing", {})
    alternatives = []
    for name in spec.get("calls", ()):
        for args in ("True", ""):
            pattern, conditions = _call(name, args)
            alternatives.append(_alternative(pattern, *conditions))
    for name in spec.get("attributes", ()):
        alternatives.append({"patterns": [{"pattern": f"{name} = $VALUE"}, regex("$VALUE", f"^(?:True|{QUOTE}(?i:debug|true){QUOTE})$")]})
    third = one_of(spec.get("third-party-callbacks", ()), quoted=True)
    for name in spec.get("callback-attributes", ()):
        alternatives += [
            {"patterns": [{"pattern": f"{name} = [..., $CALLBACK, ...]"}, regex("$CALLBACK", third)]},
            {"patterns": [{"pattern": f"{name}.append($CALLBACK)"}, regex("$CALLBACK", third)]},
        ]
    for name, args in [(n, '"$HANDLER", ...') for n in spec.get("handler-calls", ())] + [(n, "...") for n in spec.get("recording-constructors", ())]:
        pattern, conditions = _call(name, args)
        alternatives.append(_alternative(pattern, *conditions))
    alternatives += _env_writes(spec.get("env-on", ()), TRUTHY)
    alternatives += _env_writes(spec.get("env-debug", ()), one_of(spec.get("debug-levels", ()), quoted=True))
    verbose = []
    for type_name in spec.get("verbose-types", ()):
        if type_name in py.catalog.types:
            verbose += [m for m in py.makers(type_name) if not m[0].startswith(("$MAKER", "$LEFT"))]
    verbose += [_call(name) for name in spec.get("verbose-calls", ())]
    for pattern, conditions in verbose:
        alternatives.append(_alternative(pattern.replace("(...)", "(..., verbose=True, ...)"), *conditions))
    capture = one_of(spec.get("capture-keywords", ()))
    for name in spec.get("capture-calls", ()):
        pattern, conditions = _call(name, "..., $CAPTURE=True, ...")
        alternatives.append({"patterns": [{"pattern": pattern}, *conditions, regex("$CAPTURE", capture)]})
    return _rule(alternatives)


# ---------------------------------------------------------------- PHI301-PHI303
def _clients(py):
    """(entry, constructor patterns) for each [[client-endpoint]] entry."""
    for entry in py.catalog.endpoints.get("client-endpoint", ()):
        makers = []
        for type_name in entry.get("types", ()):
            if type_name in py.catalog.types:
                makers += [m for m in py.makers(type_name) if not m[0].startswith(("$MAKER", "$LEFT"))]
        makers += [_call(name) for name in entry.get("constructors", ())]
        skip = {f"{n}(...)" for n in entry.get("skip-constructors", ())}
        yield entry, [(p, c) for p, c in makers if p not in skip]


def _with_keyword(pattern: str, keyword: str, value: str) -> str:
    """`openai.OpenAI(...)` with `keyword=value` among its arguments."""
    head, _, tail = keyword.partition(".")
    if tail:  # `http_options.base_url`: a dict or call given as `http_options`
        return pattern.replace("(...)", f"(..., {head}={{..., \"{tail}\": {value}, ...}}, ...)")
    return pattern.replace("(...)", f"(..., {keyword}={value}, ...)")


def endpoints(py) -> dict:
    approved = py.config.approved_endpoints
    any_url = common.unapproved_url_regex(py.catalog, approved, model_hosts_only=False)
    model_url = common.unapproved_url_regex(py.catalog, approved, model_hosts_only=True)
    alternatives = []
    for entry, makers in _clients(py):
        url = model_url if entry.get("model-endpoints-only") else any_url
        for pattern, conditions in makers:
            for param in entry.get("params", ()):
                alternatives.append({"patterns": [{"pattern": _with_keyword(pattern, param, '"$URL"')}, *conditions, regex("$URL", url)]})
            default = entry.get("default", "")
            if default and not is_approved(default, approved) and entry.get("params") is not None:
                nots = [{"pattern-not": _with_keyword(pattern, p, "$ANY")} for p in entry.get("params", ())]
                nots.append({"pattern-not": pattern.replace("(...)", "(..., **$OPTIONS, ...)")})
                if entry.get("vertex-switch"):
                    nots.append({"pattern-not": pattern.replace("(...)", f"(..., {entry['vertex-switch']}=True, ...)")})
                alternatives.append({"patterns": [{"pattern": pattern}, *conditions, *nots]})
    for entry in py.catalog.endpoints.get("call-endpoint", ()):
        for name in entry.get("calls", ()):
            for param in entry.get("params", ()):
                pattern, conditions = _call(name, f'..., {param}="$URL", ...')
                alternatives.append({"patterns": [{"pattern": pattern}, *conditions, regex("$URL", any_url)]})
    alternatives += _http_calls(py, model_url)
    return _rule(alternatives)


def _http_calls(py, url: str) -> list[dict]:
    """HTTP calls (the catalogue's `http` sinks) to a URL that matches."""
    out = []
    for keys, spec in py._entries("MODEL_CONTENT"):
        if spec.http:
            for conditions, template in py.calls(keys):
                for args in ('"$URL", ...', '..., url="$URL", ...'):
                    out.append({"patterns": [*conditions, {"pattern": template % args}, regex("$URL", url)]})
    return out


def transport(py) -> dict:
    plain = common.plain_http_regex()
    alternatives = []
    for entry, makers in _clients(py):
        for pattern, conditions in makers:
            for param in entry.get("params", ()):
                alternatives.append({"patterns": [{"pattern": _with_keyword(pattern, param, '"$URL"')}, *conditions, regex("$URL", plain)]})
            for keyword in TLS_KEYWORDS:
                alternatives.append(_alternative(pattern.replace("(...)", f"(..., {keyword}=False, ...)"), *conditions))
                alternatives.append(_alternative(pattern.replace("(...)", f"(..., $CLIENT=$HTTP(..., {keyword}=False, ...), ...)"), *conditions))
    provider_http = common.model_url_regex(py.catalog, py.config.approved_endpoints).replace("(?i:https?)", "(?i:http)")
    alternatives += _http_calls(py, provider_http)
    model_url = common.model_url_regex(py.catalog, py.config.approved_endpoints)
    for keys, spec in py._entries("MODEL_CONTENT"):
        if spec.http:
            for conditions, template in py.calls(keys):
                for keyword in TLS_KEYWORDS:
                    alternatives.append({"patterns": [*conditions, {"pattern": template % f'"$URL", ..., {keyword}=False, ...'}, regex("$URL", model_url)]})
    for name in py.catalog.endpoints.get("tls-off-attributes", ()):
        alternatives.append({"pattern": f"{name} = False"})
    return _rule(alternatives)


def regions(py) -> dict:
    approved = py.config.approved_regions
    unapproved = f"^{QUOTE}(?!(?:{'|'.join(re.escape(r) for r in sorted(approved))}){QUOTE}$)[A-Za-z0-9-]+{QUOTE}$"
    alternatives = []
    for entry in py.catalog.endpoints.get("region-param", ()):
        for name in entry.get("calls", ()):
            for param in entry.get("params", ()):
                pattern, conditions = _call(name, f'..., {param}="$REGION", ...')
                if entry.get("only-for-types"):
                    services = [py.catalog.types[t].service for t in entry["only-for-types"] if t in py.catalog.types]
                    pattern = pattern.replace("(...,", '("$SERVICE", ...,', 1)
                    conditions = [*conditions, regex("$SERVICE", one_of(services, quoted=True))]
                alternatives.append({"patterns": [{"pattern": pattern}, *conditions, regex("$REGION", unapproved)]})
    hosts = common.region_host_regex(py.catalog, approved)
    for entry, makers in _clients(py):
        for pattern, conditions in makers:
            for param in entry.get("params", ()):
                alternatives.append({"patterns": [{"pattern": _with_keyword(pattern, param, '"$URL"')}, *conditions, regex("$URL", hosts)]})
    alternatives += _http_calls(py, hosts)
    return _rule(alternatives)


# ---------------------------------------------------------------- PHI304
def retention(py) -> dict:
    alternatives = []
    for entry in py.catalog.endpoints.get("retention", ()):
        calls = []
        calls += py.calls([f"{type_name}.{method}" for type_name in entry.get("on", ()) for method in entry.get("methods", ())])
        calls += [(c, f"{p[:-5]}(%s)") for name in [*entry.get("calls", ()), *entry.get("constructors", ())] for p, c in [_call(name)]]
        keyword, value = entry["keyword"], str(entry["value"]).capitalize() if isinstance(entry["value"], bool) else repr(entry["value"])
        for conditions, template in calls:
            alternatives.append({"patterns": [*conditions, {"pattern": template % f"..., {keyword}=$VALUE, ..."}, regex("$VALUE", f"^{re.escape(value)}$"), {"focus-metavariable": "$VALUE"}]})
            if entry.get("default"):
                alternatives.append({"patterns": [*conditions, {"pattern": template % "..."},
                                                  {"pattern-not": template % f"..., {keyword}=$ANY, ..."},
                                                  {"pattern-not": template % "..., **$OPTIONS, ..."}]})
    return {"patterns": [{"pattern-either": alternatives}]}


# ---------------------------------------------------------------- PHI401
def keys(py) -> dict:
    catalog = py.catalog
    alternatives = [{"patterns": [{"pattern": '"$KEY"'}, regex("$KEY", common.key_regex(catalog, plain=False))]}]
    names = common.key_names(catalog)
    if names:
        name_re = common.quoted(NameRegexes.whole(terms_regex(names, plural_last=False)))
        plain = common.key_regex(catalog, plain=True)
        for shape in ('$F(..., $NAME="$KEY", ...)', '$NAME = "$KEY"', '$OBJ.$NAME = "$KEY"', '{..., $NAME: "$KEY", ...}', '$OBJ[$NAME] = "$KEY"'):
            alternatives.append({"patterns": [{"pattern": shape}, regex("$NAME", name_re), regex("$KEY", plain), {"focus-metavariable": "$KEY"}]})
    # a constant's uses are not more keys: match literals only
    return {"options": {"constant_propagation": False}, "patterns": [{"pattern-either": alternatives}]}


# The pattern rules (common.pattern_rules builds them), by code.
BUILDERS = {"PHI204": tracing, "PHI301": endpoints, "PHI302": transport, "PHI303": regions, "PHI304": retention, "PHI401": keys}
