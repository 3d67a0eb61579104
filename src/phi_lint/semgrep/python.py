"""The pack's Python rules, from the catalogue the engine itself reads (model-sdks.toml,
log-sinks.toml, web-frameworks.toml, endpoints.toml, the vocabulary).

For teams that run semgrep in CI and want phi-lint's rules there: the engine finds more (it
follows values across functions of a module and through more of Python's syntax, and tells
clients apart by import resolution and type tracking); the README says where they differ.
Sinks bind the data to `$DATA` (the finding's span).
"""

from __future__ import annotations

import re

from phi_lint.catalog import SinkSpec, load, load_js, load_toml
from phi_lint.config import Config
from phi_lint.semgrep import common
from phi_lint.semgrep.common import either, inside, one_of, regex


def glob_pattern(dotted: str, name: str = "$G") -> tuple[str, list[dict]]:
    """A catalogue name with `*` (`langchain_openai.*Chat*`) as a pattern and conditions: each
    segment with a `*` becomes a metavariable of one segment."""
    parts, conditions = [], []
    for i, segment in enumerate(dotted.split(".")):
        if "*" not in segment:
            parts.append(segment)
            continue
        metavariable = f"{name}{i}"
        parts.append(metavariable)
        if segment != "*":
            conditions.append(regex(metavariable, "^" + ".*".join(re.escape(p) for p in segment.split("*")) + "$"))
    return ".".join(parts), conditions


class Python:
    folder = "python"
    languages = ["python"]

    def __init__(self, config: Config) -> None:
        self.config = config
        self.catalog = load()
        self.names = common.names_for(config)
        self.web = load_toml("web-frameworks.toml")
        self.type_names = sorted(self.catalog.types, key=len, reverse=True)

    def options(self) -> dict:
        return {}

    # ------------------------------------------------------------ how code gets an object
    def makers(self, type_name: str) -> list[tuple[str, list[dict]]]:
        """Expressions that make an instance of the type, with conditions on their
        metavariables."""
        out: list[tuple[str, list[dict]]] = []
        spec = self.catalog.types[type_name]
        constructors = [name for name, pairs in self.catalog.constructors.items() for t, _ in pairs if t == type_name]
        constructors += [pattern for pattern, t, _ in self.catalog.constructor_patterns if t == type_name]
        for name in sorted(set(constructors)):
            owner = next((t for t in self.type_names if name.startswith(t + ".")), None)
            if owner is not None:  # a method of another type (`chromadb.Client.get_collection`)
                pattern, conditions = glob_pattern(name[len(owner) + 1:])
                out.append((f"$MAKER.{pattern}(...)", conditions))
            elif spec.service:
                out.append((f'{name}("{spec.service}", ...)', []))
            else:
                pattern, conditions = glob_pattern(name)
                out.append((f"{pattern}(...)", conditions))
        if spec.pipe:
            out.append(("$LEFT | $RIGHT", []))
        return out

    def instances(self, type_name: str) -> list[tuple[list[dict], str]]:
        """(conditions, receiver) pairs for the instances of a type: bound by assignment (in
        a scope, or as `self.x` in `__init__`), by `with ... as x`, made in place, or a
        module attribute that is one (`loguru.logger`)."""
        out: list[tuple[list[dict], str]] = []
        makers = self.makers(type_name)
        places = [
            ("$OBJ = {}\n...\n", "$OBJ"),
            ("with {} as $OBJ:\n    ...\n", "$OBJ"),
            ("class $HOLDER(...):\n    ...\n    def __init__(self, ...):\n        ...\n        self.$OBJ = {}\n        ...\n    ...\n", "self.$OBJ"),
        ]
        for place, receiver in places:
            insides = [{"patterns": [inside(place.format(m)), *c]} if c else inside(place.format(m)) for m, c in makers]
            if insides:
                out.append(([insides[0] if len(insides) == 1 else {"pattern-either": insides}], receiver))
        out += [(list(c), f"{m}") for m, c in makers if not m.startswith("$LEFT")]
        out += [([], name) for name, t in sorted(self.catalog.instances.items()) if t == type_name]
        return out

    def split(self, key: str) -> tuple[str | None, str]:
        """A sink key as (type, method chain) or (None, dotted function)."""
        owner = next((t for t in self.type_names if key.startswith(t + ".")), None)
        return (owner, key[len(owner) + 1:]) if owner else (None, key)

    def calls(self, keys: list[str]) -> list[tuple[list[dict], str]]:
        """(conditions, call template) pairs matching a call of any of the catalogue keys of one
        [[sink]] entry; the template takes the arguments (see javascript.JavaScript.calls).
        The methods of one type share one alternative (`$METHOD` one of them)."""
        out: list[tuple[list[dict], str]] = []
        typed: dict[str, list[str]] = {}
        for key in keys:
            owner, rest = self.split(key)
            if owner is None:
                pattern, conditions = glob_pattern(rest)
                out.append((conditions, f"{pattern}(%s)"))
            elif "." in rest:  # a chain (`chat.completions.create`) tells the client on its own
                pattern, conditions = glob_pattern(rest)
                out.append((conditions, f"$RECEIVER.{pattern}(%s)"))
            else:
                typed.setdefault(owner, []).append(rest)
        for owner, methods in typed.items():
            for conditions, receiver in self.instances(owner):
                out.append(([*conditions, regex("$METHOD", one_of(methods))], f"{receiver}.$METHOD(%s)"))
        return out

    def shapes(self, spec: SinkSpec) -> list[tuple[str, list[dict]]]:
        out: list[tuple[str, list[dict]]] = []
        if spec.keywords == "*":
            excluded = sorted(spec.excluded)
            out.append(("..., $KEY=$DATA, ...", [regex("$KEY", f"^(?!(?:{'|'.join(map(re.escape, excluded))})$)") ] if excluded else []))
        elif spec.keywords:
            out.append(("..., $KEY=$DATA, ...", [regex("$KEY", one_of(spec.keywords))]))
        if spec.positions == "*":
            out.append(("..., $DATA, ...", []))
        else:
            for position in spec.positions:
                out.append(("".join("$A%d, " % i for i in range(position)) + "$DATA, ...", []))
        return out

    def _entries(self, kind: str):
        """(keys, spec) for each [[sink]] entry of a kind: its calls share one SinkSpec."""
        grouped: dict[int, tuple[list[str], SinkSpec]] = {}
        for key, specs in sorted(self.catalog.sinks.items()):
            for spec in specs:
                if spec.kind == kind:
                    grouped.setdefault(id(spec), ([], spec))[0].append(key)
        for key, spec in self.catalog.sink_patterns:
            if spec.kind == kind:
                grouped.setdefault(id(spec), ([], spec))[0].append(key)
        return sorted(grouped.values(), key=lambda item: item[0][0])

    # ------------------------------------------------------------ sinks
    def sinks(self, kind: str) -> list[dict]:
        out = []
        url = common.model_url_regex(self.catalog, self.config.approved_endpoints)
        for keys, spec in self._entries(kind):
            if spec.returns == "prompt":
                continue  # builds a prompt: the data is reported where the prompt is sent
            for conditions, template in self.calls(keys):
                shapes = [{"patterns": [{"pattern": template % args}, *more]} if more else {"pattern": template % args} for args, more in self.shapes(spec)]
                if not shapes:
                    continue
                body = shapes[0] if len(shapes) == 1 else {"pattern-either": shapes}
                if spec.http:  # only to a model endpoint
                    urls = {"pattern-either": [{"pattern": template % '"$URL", ...'}, {"pattern": template % '..., url="$URL", ...'}]}
                    conditions = [*conditions, urls, regex("$URL", url)]
                out.append({"patterns": [*conditions, body]} if conditions else body)
        if kind == "EXCEPTION":
            out.append({"pattern": "raise $CLASS($DATA, ...)"})
        if not out:
            return []
        return [{"patterns": [{"pattern-either": out}, {"focus-metavariable": "$DATA"}]}]

    # ------------------------------------------------------------ sources
    def sources(self, label: str) -> list[dict]:
        names = self.names
        if label == "PHI_FIELD":
            return [
                {"pattern-regex": common.name_in_text(names.field)},
                {"pattern-regex": common.key_in_text(names.field)},
                {"pattern-regex": common.object_key_in_text(f"[\"']{names.field}[\"']")},
                {"pattern-regex": common.name_in_text(names.record_field, owner=f"(?:{names.person}|{names.record})")},
                {"pattern-regex": common.name_in_text(names.weak_field, owner=names.weak_person)},
                {"requires": "PHI_RECORD", "pattern-regex": common.name_in_text(names.record_field, path=True)},
                {"requires": "PHI_RECORD", "pattern-regex": common.key_in_text(names.record_field)},
            ]
        if label == "PHI_RECORD":
            fhir = sorted(self.catalog.vocabulary.fhir_resources)
            classes = f"(?:{'|'.join(fhir)}|(?=[A-Z]){names.record})"
            return [
                {"pattern-regex": common.name_in_text(names.record)},
                {"pattern-regex": common.call_in_text(classes)},  # `Patient(...)`: a record made
                {"pattern-regex": common.annotated_in_text(classes)},
            ]
        if label == "PAYLOAD":
            return self.payload_sources() + self.catalogue_sources(label)
        if label == "CLINICAL_TEXT":
            return self.catalogue_sources(label)
        if label == "PAYLOAD_TEXT":  # a field of a request body the user typed (`body["question"]`)
            words = self.web.get("payload-text-words", ())
            return [{"requires": "PAYLOAD", "pattern-regex": common.name_in_text(common.last_word_in(words))},
                    {"requires": "PAYLOAD", "pattern-regex": common.key_in_text(common.last_word_in(words))}] if words else []
        if label == "LLM_PROMPT":
            return self.made_by_calls(lambda spec: spec.kind == "MODEL_CONTENT" and spec.returns == "prompt")
        if label == "LLM_RESPONSE":
            return self.made_by_calls(lambda spec: spec.kind == "MODEL_CONTENT" and spec.returns == "response")
        return []

    def catalogue_sources(self, label: str) -> list[dict]:
        """rules/sources.toml's calls of a label whose result is patient data whatever their
        arguments (those that depend on a file name, a query or a URL are the engine's)."""
        keys = [key for key, specs in sorted(self.catalog.sources.items()) for spec in specs if spec.label == label and not spec.match]
        keys += [key for key, spec in self.catalog.source_patterns if spec.label == label and not spec.match]
        return [{"exact": True, "patterns": [*conditions, {"pattern": template % "..."}]} for conditions, template in self.calls(keys)] if keys else []

    def made_by_calls(self, wanted) -> list[dict]:
        out = []
        for keys, spec in self._entries("MODEL_CONTENT"):
            if wanted(spec) and not spec.http:
                out += [{"exact": True, "patterns": [*conditions, {"pattern": template % "..."}]} for conditions, template in self.calls(keys)]
        return out

    def payload_sources(self) -> list[dict]:
        web = self.web
        attributes = one_of(web.get("payload-attributes", ()))
        methods = one_of(web.get("payload-methods", ()))
        out = []
        for instance in web.get("request-instances", ()):
            out.append({"patterns": [{"pattern": f"{instance}.$ATTR"}, regex("$ATTR", attributes)]})
            out.append({"patterns": [{"pattern": f"{instance}.$ATTR(...)"}, regex("$ATTR", methods)]})
        for annotation in web.get("request-annotations", ()):
            for head in ("def", "async def"):
                out.append({"patterns": [
                    inside(f"{head} $F(..., $REQ: {annotation}, ...):\n    ...\n"),
                    {"pattern-either": [{"pattern": "$REQ.$ATTR(...)"}, {"pattern": "await $REQ.$ATTR(...)"}]},
                    regex("$ATTR", methods),
                ]})
        # Django and DRF views: the first parameter named `request` (as the engine reads them)
        for head in ("def", "async def"):
            out.append({"patterns": [inside(f"{head} $VIEW(request, ...):\n    ...\n"), {"pattern": "request.$ATTR"}, regex("$ATTR", attributes)]})
        return out

    # ------------------------------------------------------------ sanitizers
    def sanitizers(self) -> list[dict]:
        names = self.names
        words = [*self.web.get("payload-content-words", ()), *self.web.get("record-managers", ()), *load_js().content_words]
        keep = "|".join(f"(?:{r})" for r in (names.any_term, names.record, common.last_word_in(words)))
        counting = []
        for name in self.web.get("counting", ()):
            pattern, conditions = glob_pattern(name)
            counting.append({"patterns": [{"pattern": f"{pattern}(...)"}, *conditions]} if conditions else {"pattern": f"{pattern}(...)"})
        out = [
            # one value of an object, judged by its own name: `patient.ward`, `row.id`
            {"pattern-regex": common.property_not_in_text(keep)},
            {"pattern-either": counting},
        ]
        cleaners = []
        for name in sorted(set(self.config.sanitizers + ((self.config.redactor,) if self.config.redactor else ()) + ("phi_lint.redact.redact",))):
            parts = name.split(".")
            if len(parts) > 2 and parts[-2][:1].isupper():  # `pkg.Class.method`: the method of any object
                cleaners.append(f"$OBJ.{parts[-1]}(...)")
            else:
                cleaners.append(f"{name}(...)")
        out.append(either(cleaners))
        return out

    # ------------------------------------------------------------ pattern rules
    def pattern_rules(self) -> dict[str, dict]:
        from phi_lint.semgrep import python_patterns

        return common.pattern_rules(self, python_patterns.BUILDERS)
