"""Builders the rules call to attach a Fix to a Report.

Each takes the rule's Context and the ast nodes involved and returns a Fix (edits in Span
coordinates, imports to add) or None when no sound fix exists: the source text of a node could
not be trusted, the policy does not name exactly one replacement, or the code has a shape the
builder does not handle. No libcst here: these run on every `phi-lint check`.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Callable, Iterable
from urllib.parse import urlsplit

from phi_lint.analysis.keys import key_tokens
from phi_lint.analysis.syntax import target_name
from phi_lint.fix.source import Source, source_of
from phi_lint.fix.targets import block_of, definitions, fix_targets, keyed_value, parents_of, local_names, single_use_definition, sink_kinds
from phi_lint.model import Applicability, Edit, Fix

SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE

# How a truthy switch reads when switched off, per spelling; debug levels become "warning".
_OFF_WORDS = {"true": "false", "1": "0", "yes": "no", "on": "off", "t": "f", "y": "n"}
# Region shapes, so that "the approved region" is one of the same cloud (eu-west-1 -> us-east-1).
_CLOUDS = (
    ("aws", re.compile(r"[a-z]{2}(?:-gov)?-[a-z]+-\d")),
    ("gcp", re.compile(r"[a-z]+-[a-z]+\d+")),
    ("azure", re.compile(r"[a-z]+\d*")),
)


# ---------------------------------------------------------------------- edits and fixes
def _edit(src: Source, start: int, end: int, content: str) -> Edit:
    line, column = src.position(start)
    end_line, end_column = src.position(end)
    return Edit(line, column, end_line, end_column, content)


def _fix(title: str, applicability: Applicability, edits: Iterable[Edit | None], imports: tuple[str, ...] = ()) -> Fix | None:
    edits = list(edits)
    if not edits or any(e is None for e in edits):
        return None
    return Fix(title, applicability, tuple(sorted(set(edits), key=lambda e: (e.line, e.column))), imports)


def replace_node(ctx, node: ast.expr, content: str, title: str, applicability: Applicability, imports: tuple[str, ...] = ()) -> Fix | None:
    """Replace an expression by `content`."""
    src = source_of(ctx.source)
    span = src.node_offsets(node)
    if span is None or src.expression(node) is None:
        return None
    return _fix(title, applicability, [_edit(src, *span, content)], imports)


# ---------------------------------------------------------------------- names in the module
def _module_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements that run at module level, including those under if/try/with/for."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)) or type(stmt).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(stmt, block, []) or [])
            for handler in getattr(stmt, "handlers", []):
                yield from _module_statements(handler.body)


def _module_names(m) -> tuple[set[str], set[str]]:
    """(every name bound at module level, the modules imported whole by `import a.b`): a new
    import must not shadow the first; the second already spell a dotted call. Once per file."""
    found = m.derived.get("module-names")
    if found is not None:
        return found
    names: set[str] = set()
    plain: set[str] = set()
    for stmt in _module_statements(m.tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".", 1)[0] for a in stmt.names)
            if isinstance(stmt, ast.Import):
                plain.update(a.name for a in stmt.names if a.asname is None)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
            if isinstance(stmt, ast.With):
                targets = [item.optional_vars for item in stmt.items]
            for target in targets:
                for node in ast.walk(target) if target is not None else ():
                    if isinstance(node, ast.Name):
                        names.add(node.id)
    m.derived["module-names"] = (names, plain)
    return names, plain


def callee(ctx, dotted: str, import_module: bool = False, near: Iterable[ast.AST] = ()) -> tuple[str, tuple[str, ...]]:
    """How to spell a call to `dotted` in this module, and the imports that needs.

    An existing import is reused, aliases included: after `from contoso.privacy import redact as
    r` the redactor is `r`; after `import contoso.privacy as cp` it is `cp.redact`. Otherwise the
    import is added (`import_module`: `import hashlib` and `hashlib.sha256` rather than
    `from hashlib import sha256`), under another name if the plain one is taken. `near`: the
    nodes the call goes around; a name their enclosing functions bind locally (a parameter
    `redact: bool`) is never used, and an alias is imported instead.
    """
    module, _, attr = dotted.rpartition(".")
    if not module:
        return dotted, ()
    analysis = ctx.analysis
    taken_here = local_names(analysis, near)
    names = {k: v for k, v in (analysis.imports.names if analysis is not None else {}).items() if k.split(".", 1)[0] not in taken_here}
    exact = sorted(local for local, target in names.items() if target == dotted)
    if exact:
        return (attr if attr in exact else exact[0]), ()
    holders = sorted(local for local, target in names.items() if target == module)
    if holders:
        return f"{holders[0]}.{attr}", ()
    bound, plain_imports = _module_names(analysis) if analysis is not None else (set(), set())
    if module.split(".", 1)[0] not in taken_here and module in plain_imports:
        return dotted, ()  # `import contoso.privacy` binds `contoso`, and the path works
    bound = bound | taken_here
    if import_module and "." not in module:
        if module not in bound:
            return dotted, (module,)
        local = f"_{module}"
        return f"{local}.{attr}", (f"{module} as {local}",)
    local = attr
    while local in bound:
        local = f"phi_{local}"
    return local, (dotted if local == attr else f"{dotted} as {local}",)


# ---------------------------------------------------------------------- wrapping (PHI1xx, PHI2xx)
def _call_text(name: str, node: ast.expr, text: str) -> str:
    """`name(text)`; a bare `yield` needs its own parentheses to be an argument."""
    return f"{name}(({text}))" if isinstance(node, (ast.Yield, ast.YieldFrom)) else f"{name}({text})"


def _each_target(ctx, targets: list[ast.expr], make: Callable[[ast.expr, str], str], done: str) -> list[Edit | None]:
    """One edit per tainted part, `make(node, text)` giving its new text; [None] when a part
    cannot be trusted or already holds a call to `done` (wrapping it again would only nest)."""
    src = source_of(ctx.source)
    called = re.compile(r"(?<![\w.])" + re.escape(done))
    edits: list[Edit | None] = []
    seen: set[tuple[int, int]] = set()
    for node in targets:
        while isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            node = node.elt  # each element: a generator stays a generator, a list a list
        span = src.node_offsets(node)
        text = src.expression(node) if span else None
        if text is None or called.search(text):
            return [None]  # offer nothing rather than half a fix
        if span in seen:
            continue
        seen.add(span)
        edits.append(_edit(src, *span, make(node, text)))
    return edits


_RECORD_METHODS = frozenset({"dict", "model_dump", "to_dict", "as_dict", "_asdict", "asdict"})


def _own_name(node: ast.expr) -> str | None:
    """The name an expression reads its value by: `x`, `obj.x`, `obj["x"]`, `obj.get("x")`."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return target_name(node)


def _redacts_whole(ctx, node: ast.expr, depth: int = 3) -> bool:
    """Does wrapping `node` in the redactor really mask the sensitive data? Only when `node` is
    itself the sensitive value: a field (`patient.ssn`, `row["dob"]`, `mrn`) or a record
    (`patient`, `patient.dict()`) named as such, whose sensitive parts the redactor masks by their
    names, or the whole value under a sensitive dict key. A variable or payload that merely
    carries the data (a list of chat messages, a prompt built with `+=`, `request.json`) is not:
    the redactor would pass a dict of messages through, or mask the whole prompt."""
    analysis = ctx.analysis
    if analysis is None:
        return True
    while isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
        node = node.elt
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RECORD_METHODS and not node.args:
        return _redacts_whole(ctx, node.func.value, depth)
    if keyed_value(analysis, node) is node and not isinstance(node, ast.Name) and _under_sensitive_key(analysis, node):
        return True
    name = _own_name(node)
    if name is None:
        return False
    if analysis.classifier.classify(name, not isinstance(node, ast.Name)) is not None:
        return True
    if isinstance(node, ast.Name) and depth > 0:  # `note = patient.ssn` ... `log.info("%s", note)`
        single = single_use_definition(analysis, node)
        found = (single[0], [single[1]]) if single else definitions(analysis, node)
        return bool(found) and all(_redacts_whole(ctx, d.value, depth - 1) for d in found[1])
    return False


def _under_sensitive_key(m, node: ast.expr) -> bool:
    parent = parents_of(m).get(id(node))
    if not isinstance(parent, ast.Dict):
        return False
    return any(value is node and isinstance(key, ast.Constant) and isinstance(key.value, str) and m.classifier.classify(key.value)
               for key, value in zip(parent.keys, parent.values))


def wrap_fix(ctx, targets: list[ast.expr], title: str, applicability: Applicability, labels: tuple[str, ...] = ()) -> Fix | None:
    """Wrap every tainted part of a sink argument in the project's redactor. With `labels`, a
    variable used only there is followed into its definition (fix/targets.py)."""
    original = targets
    targets = fix_targets(ctx, targets, labels) if labels else targets
    if not targets:
        return None
    whole = {id(node) for node in targets if not _redacts_whole(ctx, node)}
    if whole:
        # an aggregate (a request payload, a list of messages): the redactor would pass its
        # unnamed parts through. In a log or an exception message, its text can be masked whole
        # (`redact(str(payload))`), which changes what is logged: unsafe. A model request masked
        # whole would be useless: no fix.
        if not _only_logs(ctx, original):
            return None
        applicability = UNSAFE
    name, imports = callee(ctx, ctx.config.fix_redactor, near=targets)

    def make(node: ast.expr, text: str) -> str:
        return _call_text(name, node, _call_text("str", node, text)) if id(node) in whole else _call_text(name, node, text)

    return _fix(title, applicability, _each_target(ctx, targets, make, f"{name}("), imports)


def _only_logs(ctx, atoms: list[ast.expr]) -> bool:
    """Are `atoms` parts of log or exception-message arguments only (never of a model request)?"""
    analysis = ctx.analysis
    if analysis is None:
        return False
    kinds = sink_kinds(analysis, atoms)
    return bool(kinds) and kinds <= {"LOG", "EXCEPTION"}


def prompt_fix(ctx, targets: list[ast.expr], labels: tuple[str, ...] = (), allowed: frozenset[str] = frozenset()) -> Fix | None:
    """What a prompt may carry instead of a sensitive value (PHI101); never safe, since the model
    then receives something else. An identifier a pseudonym can stand in for (a name, an MRN:
    rules/sensitive-data.toml `[pseudonyms]`) becomes a stable pseudonym from the configured
    `pseudonymizer`, so the model still tells people apart; anything else passes the redactor.
    Parts of a category in `allowed` (the prompt data policy's, for this endpoint) stay as they are."""
    targets = fix_targets(ctx, targets, labels) if labels else targets
    targets = [node for node in targets or () if _category(ctx, node) not in allowed]
    if not targets or not all(_redacts_whole(ctx, node) for node in targets):
        return None  # a message list or a prompt built step by step: nothing sound to wrap
    named = {id(node) for node in targets if _category(ctx, node) in ctx.analysis.catalog.pseudonymous}
    pseudonym, imports = callee(ctx, ctx.config.fix_pseudonymizer, near=targets) if named else ("", ())
    redactor, more = callee(ctx, ctx.config.fix_redactor, near=targets) if len(named) < len(targets) else ("", ())
    title = ("Replace the identifier by a pseudonym" if len(named) == len(targets) else
             "Pseudonymise identifiers, redact the rest" if named else "Wrap the value in the redactor")

    def make(node: ast.expr, text: str) -> str:
        return _call_text(pseudonym if id(node) in named else redactor, node, text)

    return _fix(title, UNSAFE, _each_target(ctx, targets, make, f"{pseudonym or redactor}("), imports + more)


def _category(ctx, node: ast.expr) -> str | None:
    """The category of data a part of a prompt is, by the name it is read by (`patient.mrn`: mrn)."""
    analysis = ctx.analysis
    name = _own_name(node)
    hit = analysis.classifier.classify(name, not isinstance(node, ast.Name)) if analysis is not None and name else None
    return hit.category if hit is not None else None


def pseudonym_fix(ctx, targets: list[ast.expr], title: str, labels: tuple[str, ...] = ()) -> Fix | None:
    """Replace each tainted part by a pseudonymous id: the SHA-256 of its text (PHI104)."""
    targets = fix_targets(ctx, targets, labels) if labels else targets
    if not targets:
        return None
    sha, imports = callee(ctx, "hashlib.sha256", import_module=True, near=targets)

    def make(node: ast.expr, text: str) -> str:
        return f"{sha}({_call_text('str', node, text)}.encode()).hexdigest()"

    return _fix(title, UNSAFE, _each_target(ctx, targets, make, f"{sha}("), imports)


# ---------------------------------------------------------------------- string literals
def _quote_of(text: str) -> tuple[str, str] | None:
    """(prefix, quote) of a literal's source text; None for bytes and f-strings."""
    match = re.match(r"([rRuU]*)('''|\"\"\"|'|\")", text)
    if match is None:
        return None
    return match.group(1), match.group(2)


def string_literal(value: str, like: str | None = None) -> str:
    """A Python string literal for `value`, in the quotes of `like` when that is a literal."""
    quote = '"'
    if like is not None:
        found = _quote_of(like)
        if found is not None and len(found[1]) == 1:
            quote = found[1]
    body = json.dumps(value, ensure_ascii=False)[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace("'", "\\'")
    return f"{quote}{body}{quote}"


def replace_literal(ctx, node: ast.expr, value: str, title: str, applicability: Applicability) -> Fix | None:
    """Replace an expression (usually a string literal) by the literal `value`, keeping its quotes."""
    src = source_of(ctx.source)
    text = src.expression(node)
    if text is None:
        return None
    return replace_node(ctx, node, string_literal(value, text), title, applicability)


def substitute_in_literal(ctx, node: ast.Constant, old: str, new: str, title: str, applicability: Applicability) -> Fix | None:
    """Change the first `old` in a string literal's text to `new` (`http://` -> `https://`),
    checking that the literal then holds exactly the value expected."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or old not in node.value:
        return None
    src = source_of(ctx.source)
    text = src.expression(node)
    if text is None or old not in text or _quote_of(text) is None:
        return None
    changed = text.replace(old, new, 1)
    try:
        value = ast.literal_eval(f"(\n{changed}\n)")
    except (SyntaxError, ValueError):
        return None
    if value != node.value.replace(old, new, 1):
        return None
    return replace_node(ctx, node, changed, title, applicability)


# ---------------------------------------------------------------------- switches (PHI204, PHI304)
def _off_spelling(word: str) -> str:
    stripped = word.strip().lower()
    off = _OFF_WORDS.get(stripped, "warning")
    core = word.strip()
    if core.isupper():
        return off.upper()
    if core[:1].isupper():
        return off.capitalize()
    return off


def switch_off(ctx, node: ast.expr, title: str, env: bool = False) -> Fix | None:
    """Turn a recording switch off where it is set: `True` -> `False`, `"true"` -> `"false"`,
    `"debug"` -> `"warning"`. `env`: the value is an environment variable's (a string)."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return replace_node(ctx, node, "False", title, SAFE)
        if isinstance(value, (int, float)):
            return replace_node(ctx, node, "0", title, SAFE)
        if isinstance(value, str) and value.strip():
            return replace_literal(ctx, node, _off_spelling(value), title, SAFE)
        return None
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.BoolOp, ast.IfExp, ast.UnaryOp, ast.Compare)):
        return replace_node(ctx, node, '"false"' if env else "False", title, SAFE)
    return None


def set_value(ctx, node: ast.expr, value: str | None, title: str) -> Fix | None:
    """Set a value to a safe one given as Python source (`store=True` -> `store=False`)."""
    if not value:
        return None
    return replace_node(ctx, node, value, title, SAFE)


def drop_items(ctx, container: ast.expr, drop: Callable[[ast.expr], bool], title: str, applicability: Applicability = SAFE) -> Fix | None:
    """Remove the elements `drop` selects from a list, tuple or set literal (third-party
    tracing callbacks); a lone string becomes an empty list."""
    src = source_of(ctx.source)
    if isinstance(container, ast.Constant) and drop(container):
        return replace_node(ctx, container, "[]", title, applicability)
    if not isinstance(container, (ast.List, ast.Tuple, ast.Set)):
        return None
    remove = [i for i, e in enumerate(container.elts) if drop(e)]
    if not remove:
        return None
    if len(remove) == len(container.elts):
        empty = {ast.List: "[]", ast.Tuple: "()", ast.Set: "set()"}[type(container)]
        return replace_node(ctx, container, empty, title, applicability)
    edits = _remove_items(src, container.elts, remove)
    return _fix(title, applicability, edits)


# ---------------------------------------------------------------------- arguments (PHI302, PHI301)
def _call_items(call: ast.Call) -> list[ast.AST]:
    return sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))


def remove_argument(ctx, call: ast.Call, argument: ast.AST, title: str, applicability: Applicability = SAFE) -> Fix | None:
    """Remove one argument of a call (`verify=False`), its comma and, when it has a line to
    itself, that line; a comment on the line stays."""
    items = _call_items(call)
    index = next((i for i, item in enumerate(items) if item is argument), None)
    if index is None:
        return None
    return _fix(title, applicability, _remove_items(source_of(ctx.source), items, [index]))


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in sorted(indices):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _remove_items(src: Source, items: list[ast.AST], remove: list[int]) -> list[Edit | None]:
    spans = [src.node_offsets(item) for item in items]
    if any(s is None for s in spans):
        return [None]
    text = src.text
    edits: list[Edit | None] = []
    for first, last in _runs(remove):
        start, end = spans[first][0], spans[last][1]
        line_start = src.starts[src.position(start)[0] - 1]
        line_end_match = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)").match(text, end)
        if not text[line_start:start].strip() and line_end_match:
            # the run has lines of its own: remove them, keeping a trailing comment
            comment = line_end_match.group(1)
            indent = text[line_start:start]
            kept = f"{indent}{comment}{line_end_match.group(2)}" if comment else ""
            edits.append(_edit(src, line_start, line_end_match.end(), kept))
            continue
        if last + 1 < len(items) and "#" not in text[start : spans[last + 1][0]]:
            edits.append(_edit(src, start, spans[last + 1][0], ""))  # `a, verify=False, b` -> `a, b`
        elif first > 0 and "#" not in text[spans[first - 1][1] : end]:
            edits.append(_edit(src, spans[first - 1][1], end, ""))  # `a, verify=False` -> `a`
        else:
            comma = re.compile(r"[ \t]*,[ \t]*").match(text, end)
            edits.append(_edit(src, start, comma.end() if comma else end, ""))
    return edits


def add_keyword(ctx, call: ast.Call, name: str, value: str | None, title: str, applicability: Applicability = SAFE) -> Fix | None:
    """Add `name=value` as the last argument of a call, on a line of its own when the
    arguments have theirs."""
    if not value or any(kw.arg is None or kw.arg == name for kw in call.keywords):
        return None  # `**options` may already hold it
    src = source_of(ctx.source)
    span = src.node_offsets(call)
    if span is None or not src.text[span[0] : span[1]].endswith(")"):
        return None
    items = _call_items(call)
    if not items:
        return _fix(title, applicability, [_edit(src, span[1] - 1, span[1] - 1, f"{name}={value}")])
    last = src.node_offsets(items[-1])
    if last is None:
        return None
    text = src.text
    line_start = src.starts[src.position(last[0])[0] - 1]
    tail = re.compile(r"([ \t]*,)?[ \t]*(#[^\r\n]*)?(?=\r\n|\r|\n)").match(text, last[1])
    if not text[line_start : last[0]].strip() and tail:  # one argument per line
        indent = text[line_start : last[0]]
        edits = [] if tail.group(1) else [_edit(src, last[1], last[1], ",")]
        edits.append(_edit(src, tail.end(), tail.end(), f"{src.newline}{indent}{name}={value},"))
        return _fix(title, applicability, edits)
    return _fix(title, applicability, [_edit(src, last[1], last[1], f", {name}={value}")])


# ---------------------------------------------------------------------- endpoints and regions (PHI301-303)
def _family(catalog, url: str | None) -> str | None:
    """The API family of a URL's host (rules/endpoints.toml `api-family`): an approved endpoint
    replaces an endpoint only when it speaks the same API (Azure OpenAI for an OpenAI client,
    never for Anthropic)."""
    import fnmatch

    from phi_lint.analysis.endpoints import host_of

    host = host_of(url) if url else ""
    if not host:
        return None
    families = catalog.endpoints.get("api-family", ())
    return next((f["name"] for f in families if any(fnmatch.fnmatchcase(host, h) for h in f["hosts"])), None)


def _approved_endpoint(ctx, family: str | None) -> str | None:
    """The one approved endpoint (not loopback) of the API family `family`; None when there is
    none, more than one, or the family is unknown."""
    from phi_lint.analysis.endpoints import host_of, is_loopback

    if family is None:
        return None
    fits = [e for e in ctx.config.approved_endpoints if not is_loopback(host_of(e)) and _family(ctx.analysis.catalog, e) == family]
    return fits[0] if len(fits) == 1 else None


def _client_family(catalog, call, url: str | None) -> str | None:
    """The API family of a client (from its SDK default endpoint, else the URL it is given, else
    its type: `AzureOpenAI` speaks OpenAI's API) or of a plain HTTP call (from the URL)."""
    entries = [e for e in catalog.endpoints.get("client-endpoint", ())
               if call.key in e.get("constructors", ()) or set(call.types) & set(e.get("types", ()))]
    for entry in entries:
        family = _family(catalog, entry.get("default"))
        if family:
            return family
    family = _family(catalog, url)
    if family:
        return family
    if any(t.rsplit(".", 1)[-1].lower().endswith("azureopenai") or t.startswith("openai.") for t in call.types):
        return "openai"
    return None


def endpoint_fix(ctx, target, title: str) -> Fix | None:
    """Point a client or HTTP call at the approved endpoint, when exactly one (not loopback) of
    the same API family as the client or URL is configured. Client base URLs become the approved endpoint; a full request URL keeps its path."""
    call = target.call
    catalog = ctx.analysis.catalog
    url = _approved_endpoint(ctx, _client_family(catalog, call, target.url))
    if url is None:
        return None
    if target.default:
        entry = next((e for e in catalog.endpoints.get("client-endpoint", ()) if call.key in e.get("constructors", ()) or set(call.types) & set(e.get("types", ()))), None)
        param = entry["params"][0] if entry else None
        if not param or "." in param:
            return None
        return add_keyword(ctx, call.node, param, string_literal(url), title, UNSAFE)
    base = bool(call.types) or any(call.key in e.get("calls", ()) for e in catalog.endpoints.get("call-endpoint", ()))
    new = url if base else _rebase(target.url, url)
    literal = call.scope.literal_of(target.node)
    node = literal if literal is not None and literal.value == target.url else target.node
    return replace_literal(ctx, node, new, title, UNSAFE)


def _rebase(request_url: str, endpoint: str) -> str:
    """A full request URL moved to another endpoint, keeping its path: the path segments the
    endpoint already ends with are not repeated (`/openai/v1` + `/v1/chat/completions` ->
    `/openai/v1/chat/completions`)."""
    parts = urlsplit(request_url)
    have = [s for s in urlsplit(endpoint).path.split("/") if s]
    path = [s for s in parts.path.split("/") if s]
    overlap = next((k for k in range(min(len(have), len(path)), 0, -1) if have[-k:] == path[:k]), 0)
    rest = "/".join(path[overlap:])
    return endpoint.rstrip("/") + (f"/{rest}" if rest else "") + (f"?{parts.query}" if parts.query else "")


def https_fix(ctx, target, title: str) -> Fix | None:
    """`http://` -> `https://` in the literal the URL comes from."""
    node = target.node
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.left  # "http://host/model/" + model_id + "/invoke": the scheme is in the first part
    literal = target.call.scope.literal_of(node)
    if literal is None or not literal.value.startswith("http://"):
        return None
    return substitute_in_literal(ctx, literal, "http://", "https://", title, SAFE)


def _cloud(region: str) -> str | None:
    return next((name for name, shape in _CLOUDS if shape.fullmatch(region)), None)


def region_fix(ctx, call, node: ast.expr, region: str, title: str) -> Fix | None:
    """Use the approved region, when exactly one of the same cloud is configured: in a region
    argument, or in the host of an endpoint URL."""
    cloud = _cloud(region)
    approved = [r for r in ctx.config.approved_regions if _cloud(r) == cloud]
    if len(approved) != 1:
        return None
    literal = call.scope.literal_of(node)
    if literal is not None and literal.value == region:
        return replace_literal(ctx, literal, approved[0], title, UNSAFE)
    if literal is not None:
        host = urlsplit(literal.value).hostname or ""
        if region in host:
            return substitute_in_literal(ctx, literal, region, approved[0], title, UNSAFE)
        return None
    return replace_literal(ctx, node, approved[0], title, UNSAFE) if not isinstance(node, ast.JoinedStr) else None


# ---------------------------------------------------------------------- keys (PHI401)
def _environ_write(stmt: ast.stmt, node: ast.Constant) -> bool:
    """`os.environ["X"] = "<key>"`, `os.environ.setdefault("X", "<key>")`, `os.putenv(...)`."""
    if isinstance(stmt, ast.Assign) and stmt.value is node and len(stmt.targets) == 1:
        target = stmt.targets[0]
        return isinstance(target, ast.Subscript) and ast.unparse(target.value).endswith("environ")
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and any(a is node for a in stmt.value.args):
        func = ast.unparse(stmt.value.func)
        return func.endswith(("environ.setdefault", "putenv"))
    return False


def _delete_statement(ctx, stmt: ast.stmt, title: str) -> Fix | None:
    src = source_of(ctx.source)
    span = src.node_offsets(stmt)
    block = block_of(ctx.analysis, stmt)
    if span is None or block is None:
        return None
    text = src.text
    line_start = src.starts[src.position(span[0])[0] - 1]
    tail = re.compile(r"[ \t]*(#[^\r\n]*)?(\r\n|\r|\n|$)").match(text, span[1])
    if text[line_start : span[0]].strip() or tail is None:
        return None  # shares its line with another statement
    if len(block) == 1:  # the block must keep a statement
        return _fix(title, UNSAFE, [_edit(src, span[0], span[1], "pass")])
    comment = tail.group(1)
    indent = text[line_start : span[0]]
    kept = f"{indent}{comment}{tail.group(2)}" if comment else ""
    return _fix(title, UNSAFE, [_edit(src, line_start, tail.end(), kept)])


def env_key_fix(ctx, node: ast.Constant, env: str, stmt: ast.stmt, title: str) -> Fix | None:
    """Read a hard-coded key from the environment (`os.environ["OPENAI_API_KEY"]`); a statement
    that only puts the key into the environment is removed."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    if stmt is not None and _environ_write(stmt, node):
        return _delete_statement(ctx, stmt, title)
    environ, imports = callee(ctx, "os.environ", import_module=True)
    read = f"{environ}[{env!r}]"
    src = source_of(ctx.source)
    fstring = next((n for n in ast.walk(stmt) if isinstance(n, ast.JoinedStr) and any(v is node for v in n.values)), None) if stmt else None
    if fstring is not None:
        return _key_in_fstring(ctx, fstring, node.value, environ, env, title, imports)
    text = src.expression(node)
    if text is None or _quote_of(text) is None:
        return None
    tokens = key_tokens(node.value)
    if len(tokens) <= 1:
        return replace_node(ctx, node, f'{environ}["{env}"]', title, UNSAFE, imports)
    # the key is one word of a longer string ("Bearer sk-..."): an f-string around the read
    shapes = [pattern for _, pattern, _ in ctx.analysis.catalog.key_shapes]
    key = next((t for t in tokens if any(p.match(t) for p in shapes)), None)
    if key is None or node.value.count(key) != 1:
        return None
    before, after = node.value.split(key)

    def body(part: str) -> str:
        return json.dumps(part, ensure_ascii=False)[1:-1].replace("{", "{{").replace("}", "}}")

    return replace_node(ctx, node, f'f"{body(before)}{{{read}}}{body(after)}"', title, UNSAFE, imports)


def _key_in_fstring(ctx, fstring: ast.JoinedStr, part: str, environ: str, env: str, title: str, imports) -> Fix | None:
    """`f"Bearer sk-... {x}"`: the key becomes a replacement field reading the environment."""
    shapes = [pattern for _, pattern, _ in ctx.analysis.catalog.key_shapes]
    key = next((t for t in key_tokens(part) if any(p.match(t) for p in shapes)), None)
    text = source_of(ctx.source).expression(fstring)
    quote = re.match(r"[A-Za-z]*(['\"])", text or "")
    if key is None or text is None or quote is None or text.count(key) != 1:
        return None
    inner = '"' if quote.group(1) == "'" else "'"
    changed = text.replace(key, f"{{{environ}[{inner}{env}{inner}]}}")
    try:
        ast.parse(changed, mode="eval")
    except SyntaxError:
        return None
    return replace_node(ctx, fstring, changed, title, UNSAFE, imports)
