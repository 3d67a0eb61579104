"""The pack's JavaScript/TypeScript rules, from js-model-sdks.toml, js-log-sinks.toml,
js-sources.toml, the vocabulary and the endpoint catalogue.

Sinks bind the data to `$DATA` (the finding's span). Names are matched in the text (see
semgrep/names.py). Objects are recognised by how
they were made (`const llm = new ChatOpenAI()`, a class field, `prompt.pipe(llm)`), never by
their variable's name.
"""

from __future__ import annotations

import re

from phi_lint.catalog import JsArguments, JsCall, JsType, load, load_js, load_toml
from phi_lint.config import Config
from phi_lint.semgrep import common
from phi_lint.semgrep.common import either, inside, one_of, regex
from phi_lint.semgrep.names import NameRegexes


class JavaScript:
    folder = "javascript"
    languages = ["javascript", "typescript"]

    def __init__(self, config: Config) -> None:
        self.config = config
        self.js = load_js()
        self.catalog = load()
        self.names = common.names_for(config)
        self.web = load_toml("web-frameworks.toml")

    def options(self) -> dict:
        return {"taint_assume_safe_numbers": True, "taint_assume_safe_booleans": True}

    # ------------------------------------------------------------ how code gets an object
    def instances(self, type_name: str) -> list[tuple[list[dict], str]]:
        """(conditions, receiver) pairs: where an instance of the type is bound, and the
        expression that names it there (`$OBJ`, `this.$OBJ`, or the making expression itself).
        Each maker is spelled out: a pattern-inside that matched any assignment (`$OBJ = $X`)
        would make a region of every assignment of a file, and slow semgrep down quadratically."""
        spec: JsType = self.js.types[type_name]
        makers: list[tuple[str, list[dict]]] = [(f"new {c}(...)", []) for c in spec.classes if not c.endswith("*")]
        prefixes = [c[:-1] for c in spec.classes if c.endswith("*")]
        if prefixes:
            family = "^(?:" + "|".join(map(re.escape, prefixes)) + r")[A-Za-z0-9_]*$"
            makers.append(("new $CLASS(...)", [regex("$CLASS", family)]))
        makers += [(f"{f}(...)", []) for f in spec.factories]
        for chain in spec.made_by:
            makers.append((f"$MAKER.{chain}(...)", []))
            if "." in chain:  # `RunnableSequence.from(...)`: a namespace, not a receiver
                makers.append((f"{chain}(...)", []))
        places = [
            ("$OBJ = {};\n...\n", "$OBJ"),
            ("$OBJ = await {};\n...\n", "$OBJ"),
            ("class $HOLDER {{\n  ...\n  $OBJ = {};\n  ...\n}}\n", "this.$OBJ"),
            ("class $HOLDER {{\n  ...\n  constructor(...) {{\n    ...\n    this.$OBJ = {};\n    ...\n  }}\n  ...\n}}\n", "this.$OBJ"),
        ]
        out: list[tuple[list[dict], str]] = []
        for place, receiver in places:
            insides = [{"patterns": [inside(place.format(maker)), *conditions]} if conditions else inside(place.format(maker))
                       for maker, conditions in makers]
            out.append(([insides[0] if len(insides) == 1 else {"pattern-either": insides}], receiver))
        for maker, conditions in makers:  # used where it is made: `prompt.pipe(llm).invoke(...)`
            out.append((list(conditions), maker))
        for method in spec.callbacks:
            for function in ("($OBJ, ...) => {\n  ...\n}", "async ($OBJ, ...) => {\n  ...\n}", "function ($OBJ, ...) {\n  ...\n}"):
                out.append(([inside(f"$MAKER.{method}(..., {function})\n")], "$OBJ"))
        return out

    def calls(self, call: JsCall) -> list[tuple[list[dict], str]]:
        """(conditions, call template) pairs matching a call of `call`: the template
        (`$RECEIVER.chat.completions.create(%s)`) takes the arguments. Each names its callee
        (a pattern every call matches, `$SINK(...)`, costs a pass over all the calls of a file
        for each alternative)."""
        out: list[tuple[list[dict], str]] = []
        out += [([], f"{f}(%s)") for f in call.functions]
        out += [([], f"$RECEIVER.{c}(%s)") for c in call.chains]
        if call.classes:
            out.append(([regex("$CLASS", one_of(call.classes))], "new $CLASS(%s)"))
        methods = regex("$METHOD", one_of(call.methods))
        for type_name in call.on:
            for conditions, receiver in self.instances(type_name):
                out.append(([*conditions, methods], f"{receiver}.$METHOD(%s)"))
        return out

    def argument_calls(self, call: JsCall, arguments: JsArguments, whole_options: bool) -> list[dict]:
        """Sink alternatives: the call with `$DATA` bound to each argument that carries data."""
        shapes: list[tuple[str, list[dict]]] = []
        before = "".join("$A%d, " % i for i in range(arguments.options_at))
        if arguments.options:
            shapes.append((f"{before}{{..., $KEY: $DATA, ...}}, ...", [regex("$KEY", one_of(arguments.options, quoted=True))]))
            if whole_options:  # `create(params)`: the options object built elsewhere
                shapes.append((f"{before}$DATA, ...", [regex("$DATA", r"^[A-Za-z_$][\w$.]*$")]))
        if arguments.positions == "*":
            shapes.append(("..., $DATA, ...", []))
        else:
            for position in arguments.positions:
                shapes.append(("".join("$A%d, " % i for i in range(position)) + "$DATA, ...", []))
        out = []
        for conditions, template in self.calls(call):
            alternatives = [{"patterns": [{"pattern": template % args}, *more]} if more else {"pattern": template % args} for args, more in shapes]
            body = alternatives[0] if len(alternatives) == 1 else {"pattern-either": alternatives}
            out.append({"patterns": [*conditions, body]} if conditions else body)
        return out

    # ------------------------------------------------------------ sinks
    def sinks(self, kind: str) -> list[dict]:
        out = []
        for sink in self.js.sinks:
            if sink.kind == kind:
                out += self.argument_calls(sink.call, sink.arguments, kind in ("MODEL_CONTENT", "MODEL_EMBED"))
        if kind == "MODEL_CONTENT":
            out += self.http_sinks()
        if kind == "EXCEPTION":
            out.append({"pattern": "throw new $CLASS($DATA, ...)"})
        if not out:
            return []
        return [{"patterns": [{"pattern-either": out}, {"focus-metavariable": "$DATA"}]}]

    def http_sinks(self) -> list[dict]:
        """The body of an HTTP request to a provider host (or an approved model endpoint)."""
        url = common.model_url_regex(self.catalog, self.config.approved_endpoints)
        out = []
        for http in self.js.http:
            for function in http.functions:
                call = JsCall(functions=(function,))
                where = f'{function}({{..., {http.url_option}: "$URL", ...}}, ...)' if http.url_option else f'{function}("$URL", ...)'
                for alternative in self.argument_calls(call, http.arguments, False):
                    out.append({"patterns": [{"pattern": where}, regex("$URL", url), alternative]})
        return out

    # ------------------------------------------------------------ sources
    def sources(self, label: str) -> list[dict]:
        own = {
            "PHI_FIELD": self.field_sources,
            "PHI_RECORD": self.record_sources,
            "CLINICAL_TEXT": self.clinical_sources,
            "PAYLOAD": self.payload_sources,
            "PAYLOAD_TEXT": self.typed_payload_sources,
            "LLM_PROMPT": self.prompt_sources,
            "LLM_RESPONSE": self.response_sources,
        }[label]()
        return own + [self._called(c, t) for l, call in self.js.sources if l == label for c, t in self.calls(call)]

    def clinical_sources(self) -> list[dict]:
        """Files uploaded with a request (the catalogue's calls come with every label)."""
        uploads = [f"$REQ.{p}" for p in self.js.request.get("upload-properties", ())]
        return [{"patterns": [{"pattern-either": [inside(h) for h in self.handlers()]}, either(uploads)]}] if uploads else []

    def typed_payload_sources(self) -> list[dict]:
        """A field of a request body that the user typed (`body.question`): PAYLOAD_TEXT, which
        a whole body in a prompt is not (PHI102)."""
        words = self.web.get("payload-text-words", ())
        return [{"requires": "PAYLOAD", "pattern-regex": common.name_in_text(common.last_word_in(words))}] if words else []

    def _named(self, expression: str) -> list[dict]:
        """Names that match: identifiers and properties (in the text), subscripts by a string
        key, keys of object literals (their values)."""
        return [
            {"pattern-regex": common.name_in_text(expression)},
            {"pattern-regex": common.key_in_text(expression)},
            {"pattern-regex": common.object_key_in_text(NameRegexes.in_text(expression))},
            {"pattern-regex": common.mapped_in_text(NameRegexes.in_text(expression))},
        ]

    def field_sources(self) -> list[dict]:
        names = self.names
        return [
            *self._named(names.field),
            # `patient.email`, `memberInfo.phone`: context terms count on a person
            {"pattern-regex": common.name_in_text(names.record_field, owner=f"(?:{names.person}|{names.record})")},
            # `member.phone`, not `member.name` (enum and tar members): only unambiguous terms
            {"pattern-regex": common.name_in_text(names.weak_field, owner=names.weak_person)},
            # fields of a record however it was named (`row.email` of a Prisma patient row)
            {"requires": "PHI_RECORD", "pattern-regex": common.name_in_text(names.record_field, path=True)},
        ]

    def record_sources(self) -> list[dict]:
        fhir = sorted(self.catalog.vocabulary.fhir_resources)
        resource = "^[\"'`]?(?:" + "|".join(fhir) + r")(?:/[^\"'`]*)?[\"'`]?$"
        methods = one_of(self.js.records.get("fhir-read-methods", ()))
        record_type = f"(?:{'|'.join(fhir)}|{NameRegexes.in_text(self.names.record)})"
        return [
            *self._named(self.names.record),
            # `(patient: Patient)`: TypeScript annotations with a record or FHIR resource type
            {"pattern-regex": common.annotated_in_text(record_type)},
            # FHIR resources: literals and reads (`medplum.readResource("Patient", id)`)
            {"patterns": [{"pattern": '{..., resourceType: "$SOURCE", ...}'}, regex("$SOURCE", resource)]},
            {"patterns": [{"pattern": '$CLIENT.$METHOD("$SOURCE", ...)'}, regex("$METHOD", methods), regex("$SOURCE", resource)]},
            {"patterns": [{"pattern": '$CLIENT.$METHOD({..., resourceType: "$SOURCE", ...}, ...)'}, regex("$METHOD", methods), regex("$SOURCE", resource)]},
        ]

    def handlers(self) -> list[str]:
        """Where a request is: the handlers of Next.js routes and of Express-style routers, and
        functions with a parameter annotated as a request; the request is `$REQ`. Verbs and
        types are spelled out (see `instances`)."""
        request = self.js.request
        out = []
        for verb in request.get("handler-exports", ()):
            out += [
                f"export async function {verb}($REQ, ...) {{\n  ...\n}}\n",
                f"export function {verb}($REQ, ...) {{\n  ...\n}}\n",
                f"export const {verb} = async ($REQ, ...) => {{\n  ...\n}}\n",
            ]
        out += [
            "export default async function $HANDLER($REQ, $RES) {\n  ...\n}\n",
            "export default function $HANDLER($REQ, $RES) {\n  ...\n}\n",
        ]
        functions = ("($REQ, ...) => {\n  ...\n}", "async ($REQ, ...) => {\n  ...\n}", "function ($REQ, ...) {\n  ...\n}", "async function ($REQ, ...) {\n  ...\n}")
        out += [f"$APP.{route}($PATH, ..., {function})\n" for route in request.get("route-methods", ()) for function in functions]
        for annotation in request.get("request-types", ()):
            out += [
                f"function $F(..., $REQ: {annotation}, ...) {{\n  ...\n}}\n",
                f"async function $F(..., $REQ: {annotation}, ...) {{\n  ...\n}}\n",
                f"(..., $REQ: {annotation}, ...) => {{\n  ...\n}}\n",
                f"async (..., $REQ: {annotation}, ...) => {{\n  ...\n}}\n",
            ]
        return out

    def payload_sources(self) -> list[dict]:
        request = self.js.request
        body = [f"$REQ.{p}" for p in request.get("body-properties", ())] + [f"$REQ.{m}(...)" for m in request.get("body-methods", ())]
        body += [f"$REQ.{r}.{m}(...)" for r in request.get("context-requests", ()) for m in request.get("body-methods", ())]
        out = [{"patterns": [{"pattern-either": [inside(h) for h in self.handlers()]}, either(body)]}]
        body_types = request.get("body-types", ())
        if body_types:
            out.append({"pattern-regex": common.annotated_in_text("|".join(re.escape(t) for t in body_types))})
        return out

    def prompt_sources(self) -> list[dict]:
        out = []
        for call in self.js.prompts:
            out += [self._called(conditions, template) for conditions, template in self.calls(call)]
        return out

    @staticmethod
    def _called(conditions: list[dict], template: str) -> dict:
        """A call as a source: its result, not its arguments (`exact`: a transcription's audio is
        no transcript yet)."""
        return {"exact": True, "patterns": [*conditions, {"pattern": template % "..."}]}

    def response_sources(self) -> list[dict]:
        calls = [s.call for s in self.js.sinks if s.kind == "MODEL_CONTENT" and s.answers] + list(self.js.answers)
        out = []
        for call in calls:
            out += [self._called(conditions, template) for conditions, template in self.calls(call)]
        return out

    # ------------------------------------------------------------ sanitizers
    def sanitizers(self) -> list[dict]:
        names = self.names
        words = list(self.js.content_words) + list(self.web.get("payload-content-words", ()))
        content = common.last_word_in(words)
        keep = "|".join(f"(?:{r})" for r in (names.any_term, names.record, content))
        records = self.js.records
        out = [
            # one value of an object, judged by its own name: `patient.ward`, `row.id`, `notes.length`
            {"pattern-regex": common.property_not_in_text(keep)},
            {"patterns": [{"pattern": "$OBJ.$METHOD(...)"}, regex("$METHOD", one_of(records.get("counting-methods", ())))]},
            {"patterns": [{"pattern": "$COUNT(...)"}, either([f"{f}(...)" for f in records.get("counting-functions", ())])]},
        ]
        functions, methods = common.sanitizer_names(self.config, self.js.sanitizers)
        if functions:
            out.append({"patterns": [{"pattern-either": [{"pattern": "$CLEAN(...)"}, {"pattern": "$MODULE.$CLEAN(...)"}]}, regex("$CLEAN", one_of(functions))]})
        if methods:
            out.append({"patterns": [{"pattern": "$OBJ.$CLEAN(...)"}, regex("$CLEAN", one_of(methods))]})
        return out

    # ------------------------------------------------------------ pattern rules
    def pattern_rules(self) -> dict[str, dict]:
        from phi_lint.semgrep import javascript_patterns

        return common.pattern_rules(self, javascript_patterns.BUILDERS)

