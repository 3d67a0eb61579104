"""The pack's JavaScript/TypeScript pattern rules: tracing switches (PHI204), endpoints,
transport and regions against the policy (PHI301-PHI303), vendor retention (PHI304) and
hard-coded keys (PHI401)."""

from __future__ import annotations

import re

from phi_lint.analysis.endpoints import is_approved
from phi_lint.catalog import JsClient
from phi_lint.semgrep import common
from phi_lint.semgrep.common import QUOTE, either, one_of, regex
from phi_lint.semgrep.names import NameRegexes, terms_regex


def _rule(alternatives: list[dict], focus: str | None = None) -> dict:
    patterns: list[dict] = [{"pattern-either": alternatives}]
    if focus:
        patterns.append({"focus-metavariable": focus})
    return {"patterns": patterns}


def _class_names(names) -> str:
    """Class names, `Prefix*` for a family (`Chat*`)."""
    parts = [re.escape(n[:-1]) + "[A-Za-z0-9_]*" if n.endswith("*") else re.escape(n) for n in sorted(set(names))]
    return "^(?:" + "|".join(parts) + ")$"


def _truthy() -> str:
    return f"^{QUOTE}(?i:true|1|yes|on){QUOTE}$"


# ---------------------------------------------------------------- PHI204
def tracing(js) -> dict:
    spec = js.catalog.endpoints.get("tracing", {})
    own = js.js.tracing
    alternatives = []
    levels = one_of(spec.get("debug-levels", ()), quoted=True)
    for names, value in ((spec.get("env-on", ()), _truthy()), (spec.get("env-debug", ()), levels)):
        if names:
            for target in ("process.env.$NAME = $VALUE", 'process.env["$NAME"] = $VALUE'):
                alternatives.append({"patterns": [{"pattern": target}, regex("$NAME", one_of(names, quoted=True)), regex("$VALUE", value)]})
    if own.get("verbose-classes"):
        alternatives.append({"patterns": [{"pattern": "new $CLASS({..., verbose: true, ...})"}, regex("$CLASS", _class_names(own["verbose-classes"]))]})
    if own.get("recording-classes"):
        alternatives.append({"patterns": [{"pattern": "new $CLASS(...)"}, regex("$CLASS", _class_names(own["recording-classes"]))]})
    option = own.get("telemetry-option")
    if option:
        for function in own.get("telemetry-functions", ()):
            alternatives.append({"patterns": [
                {"pattern": f"{function}({{..., {option}: {{..., isEnabled: true, ...}}, ...}})"},
                {"pattern-not": f"{function}({{..., {option}: {{..., recordInputs: false, ..., recordOutputs: false, ...}}, ...}})"},
                {"pattern-not": f"{function}({{..., {option}: {{..., recordOutputs: false, ..., recordInputs: false, ...}}, ...}})"},
            ]})
    return _rule(alternatives)


# ---------------------------------------------------------------- PHI301-PHI303
def _option(path: str, value: str) -> str:
    """An options object with `path` (`configuration.baseURL`: nested) set to `value`."""
    *outer, last = path.split(".")
    inner = f"{{..., {last}: {value}, ...}}"
    for name in reversed(outer):
        inner = f"{{..., {name}: {inner}, ...}}"
    return inner


def _makers(client: JsClient, args: str) -> list[str]:
    return [f"new {c}({args})" for c in client.classes] + [f"{f}({args})" for f in client.factories]


def endpoints(js) -> dict:
    approved = js.config.approved_endpoints
    unapproved = common.unapproved_url_regex(js.catalog, approved, model_hosts_only=False)
    alternatives = []
    for client in js.js.clients:
        for path in client.endpoint:
            alternatives.append({"patterns": [either([m for m in _makers(client, _option(path, '"$URL"') + ", ...")]), regex("$URL", unapproved)]})
        if client.default and not is_approved(client.default, approved):
            shapes = either(_makers(client, "") + _makers(client, "{...}"))
            nots = [{"pattern-not": m} for path in client.endpoint for m in _makers(client, _option(path, "$ANY") + ", ...")]
            nots += [{"pattern-not": m} for m in _makers(client, "{..., ...$REST, ...}")]
            if client.vertex_switch:
                nots += [{"pattern-not": m} for m in _makers(client, f"{{..., {client.vertex_switch}: true, ...}}")]
            alternatives.append({"patterns": [shapes, *nots]})
            for instance in client.default_instances:
                for package in client.packages:
                    alternatives.append({"patterns": [
                        {"pattern-inside": f'import {{ ..., {instance}, ... }} from "{package}";\n...\n'},
                        {"pattern": f"{instance}(...)"},
                    ]})
    model_url = common.unapproved_url_regex(js.catalog, approved, model_hosts_only=True)
    alternatives += _http_urls(js, model_url)
    return _rule(alternatives)


def _http_urls(js, url: str) -> list[dict]:
    """HTTP calls whose URL matches `url`."""
    out = []
    for http in js.js.http:
        for function in http.functions:
            if http.url_option:
                call = f'{function}({{..., {http.url_option}: "$URL", ...}}, ...)'
            else:
                call = f'{function}("$URL", ...)'
            out.append({"patterns": [{"pattern": call}, regex("$URL", url)]})
    return out


def transport(js) -> dict:
    plain = common.plain_http_regex()
    alternatives = []
    for client in js.js.clients:
        for path in client.endpoint:
            alternatives.append({"patterns": [either(_makers(client, _option(path, '"$URL"') + ", ...")), regex("$URL", plain)]})
    provider_http = common.model_url_regex(js.catalog, js.config.approved_endpoints).replace("(?i:https?)", "(?i:http)")
    alternatives += _http_urls(js, provider_http)
    transport = js.js.transport
    classes = sorted({c for client in js.js.clients for c in client.classes})
    for option in transport.get("tls-off-options", ()):
        if classes:
            alternatives.append({"patterns": [{"pattern": f"new $CLASS(<... {{..., {option}: false, ...}} ...>)"}, regex("$CLASS", one_of(classes))]})
    for name in transport.get("tls-off-env", ()):
        for target in (f"process.env.{name} = $VALUE", f'process.env["{name}"] = $VALUE'):
            alternatives.append({"patterns": [{"pattern": target}, regex("$VALUE", f"^{QUOTE}0{QUOTE}$")]})
    return _rule(alternatives)


def regions(js) -> dict:
    approved = js.config.approved_regions
    unapproved = f"^{QUOTE}(?!(?:{'|'.join(re.escape(r) for r in sorted(approved))}){QUOTE}$)[A-Za-z0-9-]+{QUOTE}$"
    alternatives = []
    for client in js.js.clients:
        for option in client.region:
            alternatives.append({"patterns": [either(_makers(client, _option(option, '"$REGION"') + ", ...")), regex("$REGION", unapproved)]})
    hosts = common.region_host_regex(js.catalog, approved)
    for client in js.js.clients:
        for path in client.endpoint:
            alternatives.append({"patterns": [either(_makers(client, _option(path, '"$URL"') + ", ...")), regex("$URL", hosts)]})
    alternatives += _http_urls(js, hosts)
    return _rule(alternatives)


# ---------------------------------------------------------------- PHI304
def retention(js) -> dict:
    alternatives = []
    for entry in js.js.retention:
        for chain in entry.chains:
            call = f"$CLIENT.{chain}"
            alternatives.append({"patterns": [
                {"pattern": f"{call}({{..., {entry.option}: $VALUE, ...}}, ...)"},
                regex("$VALUE", f"^{re.escape(entry.value)}$"),
                {"focus-metavariable": "$VALUE"},
            ]})
            if entry.default:  # on unless the request turns it off
                alternatives.append({"patterns": [
                    {"pattern": f"{call}({{...}}, ...)"},
                    {"pattern-not": f"{call}({{..., {entry.option}: $ANY, ...}}, ...)"},
                    {"pattern-not": f"{call}({{..., ...$REST, ...}}, ...)"},
                ]})
    return {"patterns": [{"pattern-either": alternatives}]}


# ---------------------------------------------------------------- PHI401
def keys(js) -> dict:
    catalog = js.catalog
    alternatives = [{"patterns": [{"pattern": '"$KEY"'}, regex("$KEY", common.key_regex(catalog, plain=False))]}]
    names = common.key_names(catalog)
    if names:
        name_re = NameRegexes.whole(terms_regex(names, plural_last=False))
        quoted = "^" + QUOTE + name_re[1:-1] + QUOTE + "$"
        plain = common.key_regex(catalog, plain=True)
        for shape in ('{..., $NAME: "$KEY", ...}', '$NAME = "$KEY"', '$OBJ.$NAME = "$KEY"'):
            alternatives.append({"patterns": [{"pattern": shape}, regex("$NAME", quoted), regex("$KEY", plain), {"focus-metavariable": "$KEY"}]})
    # a constant's uses are not more keys: match literals only
    return {"options": {"constant_propagation": False}, "patterns": [{"pattern-either": alternatives}]}


# The pattern rules (common.pattern_rules builds them), by code.
BUILDERS = {"PHI204": tracing, "PHI301": endpoints, "PHI302": transport, "PHI303": regions, "PHI304": retention, "PHI401": keys}
