"""The taint analysis: how labels travel through a function, between functions and methods, and
where they stop.

Most tests run the public engine on a small module and compare the lines that get a finding with
the lines marked `# !`; a few look at the analysis itself (labels of module-level names, summaries).
"""

from __future__ import annotations

import ast
import textwrap

from phi_lint.engine import Engine
from phi_lint.analysis.labels import LLM_PROMPT, PAYLOAD, PHI_FIELD, PHI_RECORD, real, sanitised_labels
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.config import Config

APPROVED = ("https://contoso-health.openai.azure.com",)
CONFIG = Config(approved_endpoints=APPROVED, sanitizers=("contoso.privacy.redact", "presidio_anonymizer.AnonymizerEngine.anonymize"))

# Every snippet starts with this: an approved client, and `ask(text)` is a model call.
PRELUDE = """\
import dataclasses
import hashlib
import json

from openai import AzureOpenAI

client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
"""
ASK = 'client.chat.completions.create(model="m", messages=[{"role": "user", "content": %s}])'


def source(body: str) -> str:
    return PRELUDE + textwrap.dedent(body).replace("ASK(", "ASK__(")


def _expand(text: str) -> str:
    """`ASK__(expr)` -> the model call with `expr` as the message content."""
    out = []
    for line in text.splitlines():
        if "ASK__(" in line:
            head, _, rest = line.partition("ASK__(")
            depth, end = 1, 0
            for end, char in enumerate(rest):
                depth += char == "("
                depth -= char == ")"
                if depth == 0:
                    break
            line = head + ASK % rest[:end] + rest[end + 1 :]
        out.append(line)
    return "\n".join(out) + "\n"


def findings(body: str, code: str = "PHI101", config: Config = CONFIG):
    text = _expand(source(body))
    return [f for f in Engine(config).check_source(text, "app/x.py") if f.code == code and f.suppression is None], text


def check(body: str, code: str = "PHI101", config: Config = CONFIG) -> None:
    """The findings of `code` are exactly on the lines marked `# !`."""
    found, text = findings(body, code, config)
    expected = {n for n, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith("# !")}
    got = {f.line for f in found}
    assert got == expected, f"expected lines {sorted(expected)}, got {sorted(got)}:\n" + "\n".join(
        f"{f.line}: {f.message}" for f in found
    )


def module_labels(body: str, config: Config = CONFIG) -> dict[str, set[str]]:
    """The labels each module-level name holds after the module body ran."""
    text = textwrap.dedent(body)
    engine = Engine(config)
    analysis = ModuleAnalysis(ast.parse(text), "app/x.py", text.splitlines(), engine.catalog, engine.classifier,
                              config.sanitizers, config.approved_endpoints, False)
    analysis.run(None)
    return {name: set(real(taint)) for name, taint in analysis.module_scope.env.items()}


def analysis_of(body: str, config: Config = CONFIG) -> ModuleAnalysis:
    text = textwrap.dedent(body)
    engine = Engine(config)
    analysis = ModuleAnalysis(ast.parse(text), "app/x.py", text.splitlines(), engine.catalog, engine.classifier,
                              config.sanitizers, config.approved_endpoints, False)
    analysis.run(None)
    return analysis


# ---------------------------------------------------------------- assignments


def test_assignment_chain_and_overwrite() -> None:
    labels = module_labels(
        """
        a = patient.ssn
        b = a
        c = b
        d = patient.ssn
        d = "n/a"
        """
    )
    assert labels["a"] == labels["b"] == labels["c"] == {PHI_FIELD}
    assert labels["d"] == set()


def test_tuple_unpacking_pairs_values_with_names() -> None:
    labels = module_labels(
        """
        ward, mrn = chart.ward, chart.mrn
        first, second = load()
        x, y = y0, patient.ssn
        y, x = x, y
        [head, *tail] = patient.diagnoses
        """
    )
    assert labels["ward"] == set() and labels["mrn"] == {PHI_FIELD}
    assert labels["first"] == labels["second"] == set()
    assert labels["x"] == {PHI_FIELD} and labels["y"] == set()  # swapped: values evaluated first
    assert labels["head"] == labels["tail"] == {PHI_FIELD}


def test_augmented_assignment_and_walrus() -> None:
    labels = module_labels(
        """
        summary = "Problems: "
        summary += patient.diagnosis
        counted = 0
        counted += len(patient.diagnosis)
        if (primary := patient.diagnoses[0]) is not None:
            pass
        if (n := len(patient.diagnoses)) > 2:
            pass
        """
    )
    assert labels["summary"] == {PHI_FIELD}
    assert labels["counted"] == set()
    assert labels["primary"] == {PHI_FIELD}
    assert labels["n"] == set()


def test_name_of_the_target_counts_only_for_computed_values() -> None:
    labels = module_labels(
        """
        diagnosis = lookup(code)
        mrn = "MRN"
        ssn = len(text)
        """
    )
    assert labels["diagnosis"] == {PHI_FIELD}
    assert labels["mrn"] == set()  # a literal
    assert labels["ssn"] == set()  # a count, whatever its name


# ---------------------------------------------------------------- expressions


def test_string_building() -> None:
    labels = module_labels(
        """
        f = f"Patient {patient.first_name}"
        pct = "Patient %s" % patient.first_name
        fmt = "Patient {}".format(patient.first_name)
        fmt_kw = "Patient {name}".format(name=patient.first_name)
        plus = "Patient " + patient.first_name
        joined = ", ".join(patient.allergies)
        as_str = str(patient.mrn)
        clean = f"Ward {ward} has {len(patient.allergies)} allergies on file"
        """
    )
    for name in ("f", "pct", "fmt", "fmt_kw", "plus", "joined", "as_str"):
        assert labels[name] == {PHI_FIELD}, name
    assert labels["clean"] == set()


def test_containers_and_dict_keys() -> None:
    labels = module_labels(
        """
        as_list = [1, patient.mrn]
        as_tuple = ("x", patient.mrn)
        as_set = {patient.mrn}
        as_dict = {"ref": patient.mrn}
        keyed = {"diagnosis": code}
        literal = {"diagnosis": "pending"}
        opaque = {"patient_id": code}
        message = {"role": "user", "content": text}
        """
    )
    for name in ("as_list", "as_tuple", "as_set", "as_dict"):
        assert labels[name] == {PHI_FIELD}, name
    assert labels["keyed"] == {PHI_FIELD}  # the key says what the value is
    assert labels["literal"] == set()
    assert labels["opaque"] == set()
    assert labels["message"] == {LLM_PROMPT}


def test_comprehensions() -> None:
    labels = module_labels(
        """
        mrns = [row.mrn for row in rows]
        wards = [row.ward for row in rows]
        by_ref = {row.ref: row.diagnosis for row in rows}
        gen = list(r.mrn for r in rows if r.ward)
        notes = [n for n in clinical_notes]
        sizes = [len(n) for n in clinical_notes]
        """
    )
    assert labels["mrns"] == labels["by_ref"] == labels["gen"] == labels["notes"] == {PHI_FIELD}
    assert labels["wards"] == set() and labels["sizes"] == set()
    assert "row" not in labels and "n" not in labels  # comprehension variables stay inside


def test_records_and_their_dumps() -> None:
    labels = module_labels(
        """
        dumped = json.dumps(patient)
        as_text = str(patient)
        as_model = patient.model_dump()
        as_json = patient.model_dump_json()
        as_dict = patient.dict()
        fields = patient.__dict__
        attrs = vars(patient)
        data = dataclasses.asdict(patient)
        only = patient.model_dump(include={"ward", "preferred_language"})
        only_mrn = patient.model_dump(include={"ward", "mrn"})
        ward = patient.ward
        ref = patient.id
        """
    )
    for name in ("dumped", "as_text", "as_model", "as_json", "as_dict", "fields", "attrs", "data"):
        assert labels[name] == {PHI_RECORD}, name
    assert labels["only"] == set()
    assert labels["only_mrn"] == {PHI_FIELD}
    assert labels["ward"] == set() and labels["ref"] == set()


def test_classes_with_phi_fields_make_records() -> None:
    labels = module_labels(
        """
        from dataclasses import dataclass
        from django.db import models
        from fhir.resources.observation import Observation
        from sqlalchemy import select

        @dataclass
        class Chart:
            mrn: str
            ward: str

        @dataclass
        class Ward:
            name: str
            beds: int

        class Admission(models.Model):
            diagnosis = models.TextField()

        chart = Chart(scanned, "4W")
        sample_chart = Chart("1", "4W")
        ward = Ward("4W", 20)
        one = Admission.objects.filter(ward="4W").order_by("-id").first()
        how_many = Admission.objects.filter(ward="4W").count()
        by_key = session.get(Admission, key)
        query = select(Admission).where(Admission.id == key)
        obs = Observation.parse_obj(payload)
        table = getattr(Admission, "__tablename__")
        """
    )
    assert labels["table"] == set()  # a builtin looking at the class, not a query for records
    assert labels["chart"] == {PHI_RECORD}
    assert labels["sample_chart"] == set()  # made of literals only: sample data (a test, a demo)
    assert labels["ward"] == set()
    assert labels["one"] == labels["by_key"] == labels["query"] == labels["obs"] == {PHI_RECORD}
    assert labels["how_many"] == set()


def test_counting_and_hashing_drop_labels() -> None:
    labels = module_labels(
        """
        import hashlib
        import uuid
        n = len(patient.allergies)
        present = bool(patient.ssn)
        digest = hashlib.sha256(patient.ssn.encode()).hexdigest()
        ref = uuid.uuid5(uuid.NAMESPACE_URL, patient.mrn)
        flag = "yes" if patient.ssn else "no"
        negated = not patient.ssn
        """
    )
    assert all(labels[name] == set() for name in ("n", "present", "digest", "ref", "flag", "negated"))


def test_container_mutation() -> None:
    labels = module_labels(
        """
        turns = []
        turns.append({"role": "user", "content": patient.diagnosis})
        context = {}
        context.update(mrn=patient.mrn)
        other = []
        other.append(len(patient.diagnosis))
        by_key = {}
        by_key["ward"] = patient.ssn
        """
    )
    assert PHI_FIELD in labels["turns"] and PHI_FIELD in labels["context"]
    assert labels["other"] == set()
    assert labels["by_key"] == {PHI_FIELD}


# ---------------------------------------------------------------- control flow


def test_branches_merge() -> None:
    labels = module_labels(
        """
        if urgent:
            either = patient.ssn
        else:
            either = "n/a"
        if urgent:
            neither = "a"
        else:
            neither = "b"
        try:
            tried = patient.mrn
        except KeyError:
            tried = None
        match kind:
            case "a":
                matched = patient.mrn
            case _:
                matched = ""
        """
    )
    assert labels["either"] == labels["tried"] == labels["matched"] == {PHI_FIELD}
    assert labels["neither"] == set()


def test_loops_iterate_to_a_fixpoint() -> None:
    labels = module_labels(
        """
        a = b = c = ""
        for _ in range(3):
            c = b
            b = a
            a = patient.ssn
        x = y = ""
        while again():
            y = x
            x = patient.mrn
        for note in clinical_notes:
            last = note
        """
    )
    assert labels["a"] == labels["b"] == labels["c"] == {PHI_FIELD}
    assert labels["x"] == labels["y"] == {PHI_FIELD}
    assert labels["last"] == {PHI_FIELD}


# ---------------------------------------------------------------- sinks, atoms, traces


def test_finding_is_reported_at_the_smallest_tainted_part() -> None:
    found, text = findings(
        """
        def f(patient):
            ASK(f"Summarise the chart of {patient.first_name}, born {patient.date_of_birth}")
        """
    )
    assert len(found) == 1
    finding = found[0]
    line = text.splitlines()[finding.line - 1]
    assert line[finding.span.column - 1 : finding.span.end_column - 1] == "patient.first_name"
    assert finding.message.startswith("`patient.first_name` reaches OpenAI chat.completions.create (`messages=`)")


def test_trace_goes_from_source_to_sink() -> None:
    found, _ = findings(
        """
        def f(patient):
            mrn = patient.mrn
            text = "MRN " + mrn
            ASK(text)
        """
    )
    notes = [step.note for step in found[0].trace]
    assert notes[0] == "source: `patient.mrn`"
    assert "assigned to `mrn`" in notes and "assigned to `text`" in notes
    assert notes[-1] == "reaches OpenAI chat.completions.create (`messages=`)"
    assert [step.line for step in found[0].trace] == sorted(step.line for step in found[0].trace)


def test_one_finding_per_sink_argument_and_field_rule_wins() -> None:
    check(
        """
        def f(patient):
            ASK(f"{patient.ssn} {patient.mrn} {patient.model_dump_json()}")  # !
        """
    )
    check(
        """
        def f(patient):
            ASK(f"{patient.ssn} {patient.mrn} {patient.model_dump_json()}")
            ASK(patient.model_dump_json())  # !
        """,
        code="PHI102",
    )


def test_prompt_builders_report_once() -> None:
    check(
        """
        from langchain_core.messages import HumanMessage
        from langchain_openai import AzureChatOpenAI
        llm = AzureChatOpenAI(azure_endpoint="https://contoso-health.openai.azure.com")

        def f(patient):
            message = HumanMessage(content=f"Allergies: {patient.allergies}")  # !
            return llm.invoke([message])
        """
    )


def test_request_payload_fields() -> None:
    check(
        """
        from flask import Flask, request
        app = Flask(__name__)

        @app.post("/x")
        def view():
            body = request.get_json()
            ASK(body["symptoms"])  # !
            ASK(body["question"])
            ASK(str(len(body)))
        """
    )


# ---------------------------------------------------------------- between functions and methods


def test_summary_param_to_return() -> None:
    analysis = analysis_of(
        """
        def describe(chart, ward):
            return f"{chart} on {ward}"

        def count(chart):
            return len(chart)

        def mrn_of(row):
            return row["mrn"]
        """
    )
    assert analysis.summary(analysis.functions["describe"]).return_params == {0, 1}
    assert analysis.summary(analysis.functions["count"]).return_params == frozenset()
    assert PHI_FIELD in analysis.summary(analysis.functions["mrn_of"]).return_taint


def test_summary_return_through_a_helper() -> None:
    check(
        """
        def prompt_for(text):
            return "Summarise: " + text

        def f(clinical_note, leaflet):
            ASK(prompt_for(clinical_note))  # !
            ASK(prompt_for(leaflet))
            ASK(prompt_for(len(clinical_note)))
        """
    )


def test_summary_param_to_sink_is_reported_in_the_helper() -> None:
    found, text = findings(
        """
        def send(content):
            return ASK(content)

        def f(clinical_note, leaflet):
            send(leaflet)
            send(clinical_note)
        """
    )
    assert len(found) == 1
    assert text.splitlines()[found[0].line - 2].startswith("def send(")  # at the sink, not at the caller
    notes = [step.note for step in found[0].trace]
    assert notes[0] == "source: `clinical_note`" and "passed to `send()`" in notes


def test_summaries_hold_one_event_per_parameter_and_sink_however_often_helpers_call_each_other() -> None:
    # 20 helpers, each calling the next twice, the last one logging: one real flow, so every
    # summary holds one event (not 2**19), and the check stays linear in the number of helpers
    helpers = "\n".join(f"def h{i}(x):\n    h{i + 1}(x)\n    h{i + 1}(x)\n" for i in range(19))
    analysis = analysis_of("import logging\nlog = logging.getLogger(__name__)\n" + helpers + "def h19(x):\n    log.info('%s', x)\n")
    assert all(len(analysis.summary(fn).sink_events) == 1 for fn in analysis.functions.values())
    found, _ = findings("import logging\nlog = logging.getLogger(__name__)\n" + helpers + "def h19(x):\n    log.info('%s', x)\n"
                        "def entry(patient):\n    h0(patient.ssn)\n", "PHI201")
    notes = [step.note for step in found[0].trace]
    assert len(found) == 1 and notes[0] == "source: `patient.ssn`" and notes[-1].startswith("reaches log call info")


def test_a_nested_function_s_parameters_are_not_the_outer_function_s() -> None:
    # `inner(text)` logs its own first parameter; the outer function's first parameter (a PHI
    # field at the caller) never reaches the log
    check(
        """
        import logging

        log = logging.getLogger(__name__)

        def outer(mrn, text):
            def inner(words):
                log.info("%s", words)
            inner(text)

        def f(patient, leaflet):
            outer(patient.mrn, leaflet)
        """,
        "PHI201",
    )

def test_self_attributes_across_methods() -> None:
    check(
        """
        class Reviewer:
            def __init__(self, clinical_note, ward):
                self.llm = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com")
                self.note = clinical_note
                self.ward = ward

            def review(self):
                return self.llm.chat.completions.create(model="m", messages=[{"role": "user", "content": self.note}])  # !

            def review_ward(self):
                return self.llm.chat.completions.create(model="m", messages=[{"role": "user", "content": self.ward}])
        """
    )


def test_methods_through_self_and_local_instances() -> None:
    check(
        """
        class Prompts:
            def build(self, text):
                return "Context: " + text

        class Service:
            def helper(self, text):
                return f"[{text}]"

            def run(self, diagnosis, topic):
                ASK(self.helper(diagnosis))  # !
                ASK(self.helper(topic))
                prompts = Prompts()
                ASK(prompts.build(diagnosis))  # !
                ASK(prompts.build(topic))
        """
    )


def test_client_made_by_a_factory_function() -> None:
    check(
        """
        import boto3

        def runtime():
            return boto3.client("bedrock-runtime", region_name="us-east-1")

        def f(discharge_summary):
            bedrock = runtime()
            bedrock.converse(modelId="m", messages=[{"role": "user", "content": [{"text": discharge_summary}]}])  # !
        """
    )


# ---------------------------------------------------------------- sanitizers


def test_configured_and_builtin_sanitizers() -> None:
    check(
        """
        import contoso.privacy
        from contoso.privacy import redact as scrub
        from phi_lint.redact import redact

        def f(patient):
            ASK(contoso.privacy.redact(patient.ssn))
            ASK(scrub(patient.ssn))
            ASK(redact(patient.ssn))
            ASK(other.redact(patient.ssn))  # !
        """
    )


def test_class_method_sanitizer_through_local_types() -> None:
    check(
        """
        from presidio_anonymizer import AnonymizerEngine
        import presidio_anonymizer as pa

        engine = AnonymizerEngine()

        class Scrubber:
            def __init__(self):
                self.engine = pa.AnonymizerEngine()

            def prompt(self, clinical_note, results):
                return ASK(self.engine.anonymize(text=clinical_note, analyzer_results=results).text)

        def module_level(clinical_note, results):
            ASK(engine.anonymize(text=clinical_note, analyzer_results=results).text)

        def local(clinical_note, results):
            anonymizer = AnonymizerEngine()
            ASK(anonymizer.anonymize(text=clinical_note, analyzer_results=results).text)

        def chained(clinical_note, results):
            ASK(AnonymizerEngine().anonymize(text=clinical_note, analyzer_results=results).text)

        def other_class(clinical_note, normaliser):
            ASK(normaliser.anonymize(clinical_note))  # !
        """
    )


def test_sanitized_value_keeps_no_name_label() -> None:
    labels = module_labels(
        """
        from contoso.privacy import redact
        diagnosis = redact(raw)
        mrn = redact(patient.mrn)
        """
    )
    assert labels["diagnosis"] == labels["mrn"] == set()


def test_sanitised_labels_ride_along_as_markers() -> None:
    """What a sanitizer cleared is remembered (the inventory shows it), never reported."""
    analysis = analysis_of(_expand(source(
        """
        from contoso.privacy import redact

        def summarise(patient):
            text = f"Allergies: {redact(patient.allergies)}; ward {patient.ward}"
            ASK(text)
        """
    )))
    [event] = [e for e in analysis.events.values() if e.kind == "MODEL_CONTENT"]
    assert not set(real(event.taint)) & {PHI_FIELD, PHI_RECORD}
    cleared = sanitised_labels(event.taint)
    assert set(cleared) == {PHI_FIELD} and cleared[PHI_FIELD].category == "allergy"
    assert any("sanitised by `redact()`" in s.note for s in cleared[PHI_FIELD].steps)


def test_each_unit_keeps_its_own_view_of_a_shared_helper() -> None:
    """Two callers of one helper: the module's events merge, each unit's own flows do not."""
    analysis = analysis_of(_expand(source(
        """
        def ask(text):
            ASK(text)

        def triage(patient_ssn):
            ask(patient_ssn)

        def intake(member_email):
            ask(member_email)
        """
    )))
    sources = {}
    for unit, events in analysis.unit_events.items():
        if unit is not None:
            sources[unit.name] = {o.source for e in events for o in real(e.taint).values()}
    assert sources["triage"] == {"patient_ssn"} and sources["intake"] == {"member_email"}


def test_class_sanitizer_is_not_matched_without_config() -> None:
    check(
        """
        from presidio_anonymizer import AnonymizerEngine

        def f(clinical_note, results):
            ASK(AnonymizerEngine().anonymize(text=clinical_note, analyzer_results=results).text)  # !
        """,
        config=Config(approved_endpoints=APPROVED),
    )


def test_payload_label_from_request_body() -> None:
    analysis = analysis_of(
        """
        from fastapi import FastAPI, Request
        app = FastAPI()

        @app.post("/x")
        async def view(request: Request):
            body = await request.json()
            return body
        """
    )
    assert PAYLOAD in analysis.summary(analysis.functions["view"]).return_taint


# ---------------------------------------------------------------- sink kinds


def test_embedding_and_metadata_sinks() -> None:
    body = """
        def f(patient, question):
            client.embeddings.create(model="e", input=patient.clinical_notes)
            client.embeddings.create(model="e", input=question)
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": question}], user=patient.email)
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": question}], user=patient.id)
        """
    embed, text = findings(body, "PHI103")
    metadata, _ = findings(body, "PHI104")
    lines = text.splitlines()
    assert [lines[f.line - 1].strip() for f in embed] == ['client.embeddings.create(model="e", input=patient.clinical_notes)']
    assert [f.message.split(" reaches ")[0] for f in metadata] == ["`patient.email`"]
    assert findings(body, "PHI101")[0] == []


# ---------------------------------------------------------------- request bodies, loop counters, keys


def test_get_on_a_request_body_attribute_keeps_the_payload() -> None:
    check(
        """
        import logging
        from flask import Flask, request
        app = Flask(__name__)
        log = logging.getLogger(__name__)

        @app.post("/x")
        def view():
            log.info("prompt %s", request.json.get("prompt"))  # !
            log.info("prompt %s", request.get_json().get("prompt"))  # !
            log.info("prompt %s", request.json["prompt"])  # !
            log.info("page %s", request.json.get("page"))
            log.info("page %s", request.args.get("prompt"))
        """,
        "PHI202",
    )
    check(
        """
        import logging
        from flask import Flask, request
        app = Flask(__name__)
        log = logging.getLogger(__name__)

        @app.post("/x")
        def view():
            log.info("s %s", request.form.get("symptoms"))  # !
            log.info("s %s", request.form.get("page_size"))
        """,
        "PHI201",
    )


def test_enumerate_counter_and_mapping_keys_are_clean() -> None:
    check(
        """
        import logging
        log = logging.getLogger(__name__)

        def f(patients, patient_record):
            for i, patient in enumerate(patients, start=1):
                log.info("processing %d of %d", i, len(patients))
                log.info("processing %s", patient)  # !
            for key, value in patient_record.items():
                log.info("field %s", key)
                log.info("value %s", value)  # !
            for key in patient_record.keys():
                log.info("field %s", key)
            log.info("fields %s", sorted(patient_record.keys()))
            log.info("fields %s", [k for k, v in patient_record.items()])
            log.info("fields %s", {k: v for k, v in patient_record.items()})  # !
        """,
        "PHI202",
    )
    check(
        """
        def f(diagnoses):
            for n, dx in enumerate(diagnoses):
                print(f"item {n}")
                print(f"item {dx}")  # !
        """,
        "PHI201",
    )


def test_keyword_mapping_into_a_model_call() -> None:
    check(
        """
        def f(diagnosis, leaflet):
            params = {"model": "m", "messages": [{"role": "user", "content": diagnosis}]}  # !
            client.chat.completions.create(**params)
            client.chat.completions.create(**{"model": "m", "messages": [{"role": "user", "content": diagnosis}]})  # !
            built = {"model": "m"}
            built["messages"] = [{"role": "user", "content": diagnosis}]  # !
            client.chat.completions.create(**built)
            keywords = dict(model="m", messages=[{"role": "user", "content": diagnosis}])  # !
            client.chat.completions.create(**keywords)
            fine = {"model": "m", "messages": [{"role": "user", "content": leaflet}]}
            client.chat.completions.create(**fine)
            odd = {"model": diagnosis, "messages": [{"role": "user", "content": leaflet}]}
            client.chat.completions.create(**odd)
        """
    )


def test_exception_built_before_it_is_raised() -> None:
    check(
        """
        class Rejected(ValueError):
            pass

        def f(patient_ssn, ref):
            err = ValueError(f"bad {patient_ssn}")  # !
            raise err

        def g(patient_ssn, ref):
            err = ValueError(f"bad {ref}")
            raise err

        def h(patient_ssn, ref):
            problem = Rejected("bad", patient_ssn)  # !
            if ref:
                raise problem
            unused = ValueError(f"bad {patient_ssn}")
            return unused is None
        """,
        "PHI203",
    )


def test_parameter_to_sink_through_two_helpers() -> None:
    found, text = findings(
        """
        import logging
        log = logging.getLogger(__name__)

        def _emit(y):
            log.error("y %s", y)

        def audit(x):
            _emit(x)

        def caller(patient, ref):
            audit(ref)
            audit(patient.ssn)

        class Service:
            def _emit(self, y):
                log.error("y %s", y)

            def audit(self, x):
                self._emit(x)

            def run(self, patient, ref):
                self.audit(ref)
                self.audit(patient.ssn)
        """,
        "PHI201",
    )
    lines = text.splitlines()
    assert sorted(lines[f.line - 1].strip() for f in found) == ['log.error("y %s", y)'] * 2
    for f in found:
        notes = [step.note for step in f.trace]
        assert notes[0] == "source: `patient.ssn`"
        assert any("audit()" in n for n in notes) and any("_emit()" in n for n in notes)


def test_two_helpers_without_a_sensitive_argument_say_nothing() -> None:
    check(
        """
        import logging
        log = logging.getLogger(__name__)

        def _emit(y):
            log.error("y %s", y)

        def audit(x):
            _emit(len(x))

        def caller(patient):
            audit(patient.ssn)
            audit("started")
        """,
        "PHI201",
    )


def test_answer_to_a_constant_prompt_is_not_a_response() -> None:
    check(
        """
        from langchain_openai import ChatOpenAI
        from anthropic import Anthropic

        TOPIC = "insurance claims"
        HAIKU = f"Write a haiku about {TOPIC}."
        llm = ChatOpenAI(model="gpt-4o-mini")
        claude = Anthropic()

        def haiku():
            prompt = "Write a haiku about insurance claims."
            result = llm.invoke(prompt)
            print(result)
            print(llm.invoke(HAIKU).content)
            reply = claude.messages.create(model="m", max_tokens=64, messages=[{"role": "user", "content": "Say hello"}])
            print(reply.content[0].text)

        def answer(question):
            prompt = "Answer briefly."
            if question:
                prompt = f"Answer briefly: {question}"
            result = llm.invoke(prompt)
            print(result)  # !
            reply = claude.messages.create(model="m", max_tokens=64, messages=[{"role": "user", "content": question}])
            print(reply.content[0].text)  # !
            typed = input("> ")
            print(llm.invoke(typed))  # a typed line holds no data phi-lint sees: nor does its answer
            turns = [{"role": "user", "content": "Hi"}]
            turns.append({"role": "user", "content": question})
            print(claude.messages.create(model="m", max_tokens=64, messages=turns).content)  # !
            body = {"role": "user", "content": "Hi"}
            body["content"] = question
            print(claude.messages.create(model="m", max_tokens=64, messages=[body]).content)  # !

        def follow_up(previous):
            reply = client.responses.create(model="m", input="And then?", previous_response_id=previous)
            print(reply.output_text)  # !
        """,
        "PHI202",
    )


def test_calling_a_legacy_langchain_model_is_a_model_call() -> None:
    check(
        """
        from langchain.chat_models import AzureChatOpenAI
        from langchain.schema import HumanMessage

        class Letters:
            def __init__(self):
                self.chat = AzureChatOpenAI(openai_api_base="https://contoso-health.openai.azure.com", deployment_name="gpt-4o")

            def draft(self, diagnosis, letter_type):
                self.chat([HumanMessage(content=f"Diagnosis: {diagnosis}")])  # !
                self.chat([HumanMessage(content=f"Type: {letter_type}")])
        """
    )


def test_values_that_cannot_carry_content() -> None:
    labels = module_labels(
        """
        from contoso.ehr import EhrClient

        ehr = EhrClient()
        response = ehr.submit(patient_ssn)
        code = response.status_code
        error = response.message
        echoed = response.body
        lines = clinical_notes.count("\\n")
        total = sum(len(n) for n in clinical_notes)
        titled = clinical_notes.startswith("Dr")
        ssn = getattr(patient_record, "ssn")
        ward = getattr(patient_record, "ward")
        fallback = getattr(patient_record, "ward", patient_ssn)
        """
    )
    assert labels["code"] == labels["error"] == set()  # metadata of a result phi-lint does not know
    assert labels["echoed"] == {PHI_FIELD}  # its content may hold what was sent
    assert labels["lines"] == labels["total"] == labels["titled"] == set()
    assert labels["ssn"] == {PHI_FIELD} and labels["ward"] == set()  # getattr reads what `.attr` reads
    assert labels["fallback"] == {PHI_FIELD}  # ...or its default


CHART_WALK = '''\
import logging

from openai import OpenAI

log = logging.getLogger(__name__)


def walk_sections(section, depth):
    if depth < 3:
        walk(section, depth + 1)
    log.info("visited %s", section)
    return section


def walk(section, depth):
    if depth > 5:
        return None
    return walk_sections(section, depth)


def export(patient_chart):
    walk(patient_chart, 0)


def export_outline(outline):
    walk(outline, 0)  # a section outline, no patient: the same walk logs nothing sensitive
'''


def test_functions_that_call_each_other_are_summarised_whichever_is_asked_first() -> None:
    """The module imports an SDK, so every function is analysed, in order. `walk_sections` comes
    first and calls `walk`, which calls it back: `walk` was summarised with nothing known of
    `walk_sections` and kept so, and the chart `export` hands to `walk` was never seen reaching
    the log; with `walk` first, it was. `walk` is now computed again once `walk_sections` is
    known, so the finding does not depend on the order of the functions (or, across modules, on
    which file a pre-commit hook was given)."""
    for text in (CHART_WALK, CHART_WALK.replace("def walk_sections", "def walk_sections_")
                 .replace("return walk_sections(", "return walk_sections_(")):
        found = [(f.line, f.code) for f in Engine(Config()).check_source(text, "app/charts.py")]
        assert found == [(11, "PHI202")], found
    reordered = CHART_WALK.split("\n\n\n")
    reordered[1], reordered[2] = reordered[2], reordered[1]
    found = [(f.line, f.code) for f in Engine(Config()).check_source("\n\n\n".join(reordered), "app/charts.py")]
    assert found == [(11 + 6, "PHI202")], found  # the log call, now after `walk`


def test_a_template_closed_at_column_0_hides_nothing_after_it() -> None:
    """Comments and docstrings are left out of what makes a function worth a pass; the closing
    quotes of a prompt template at column 0 do not start one, so the log call after it is read."""
    text = (
        "import logging\n\n"
        "log = logging.getLogger(__name__)\n\n\n"
        "def visit_prompt(visit):\n"
        '    text = """\n'
        "Summarise the visit below. # no names\n"
        '"""\n'
        '    log.info("prompt for %s", visit.patient_name)\n'
        '    log.info("prompt for a %s visit", visit.kind)\n'
        "    return text\n"
    )
    assert [(f.line, f.code) for f in Engine(Config()).check_source(text, "app/prompts.py")] == [(10, "PHI201")]
