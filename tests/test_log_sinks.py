"""Sink recognition for PHI201-PHI203: every logger flavour, spans, Sentry scopes, raise/assert,
and the PHI201/PHI202 split (a field wins over a record or payload on the same argument)."""

from __future__ import annotations

import textwrap

import pytest

from phi_lint.engine import Engine
from phi_lint.config import Config

PATIENT = """
from dataclasses import dataclass

@dataclass
class Patient:
    id: str
    first_name: str
    mrn: str
    diagnosis: str
"""


def findings(body: str, prelude: str = PATIENT, config: Config | None = None) -> list[tuple[int, str]]:
    """(line, code) of PHI2xx findings in `prelude` + a function taking `patient: Patient`."""
    src = textwrap.dedent(prelude) + "\n" + textwrap.dedent(body)
    return [(f.line, f.code) for f in Engine(config or Config()).check_source(src, "app/x.py") if f.code.startswith("PHI2")]


def codes_on(body: str, marker: str = "# <-", prelude: str = PATIENT) -> set[str]:
    """The codes reported on the line carrying `marker`."""
    src = textwrap.dedent(prelude) + "\n" + textwrap.dedent(body)
    line = next(i for i, text in enumerate(src.splitlines(), 1) if marker in text)
    return {code for at, code in findings(body, prelude) if at == line}


# ---------------------------------------------------------------- logger flavours
LOGGER_FLAVOURS = {
    "logging function": ("import logging", "logging.warning('mrn %s', {v})"),
    "module logger": ("import logging\nlogger = logging.getLogger(__name__)", "logger.info('mrn %s', {v})"),
    "local logger": ("import logging", "log = logging.getLogger('x')\n    log.error('mrn %s', {v})"),
    "child logger": ("import logging", "logging.getLogger('a').getChild('b').debug('mrn %s', {v})"),
    "LoggerAdapter": (
        "import logging\naudit = logging.LoggerAdapter(logging.getLogger('audit'), {{'svc': 'x'}})",
        "audit.info('mrn %s', {v})",
    ),
    "logging.Logger annotation": ("import logging", "def inner(log: logging.Logger):\n        log.info('mrn %s', {v})"),
    "structlog event data": ("import structlog\nlog = structlog.get_logger()", "log.info('seen', mrn={v})"),
    "structlog bind": ("import structlog\nlog = structlog.get_logger()", "log.bind(mrn={v}).info('seen')"),
    "structlog contextvars": ("import structlog", "structlog.contextvars.bind_contextvars(mrn={v})"),
    "loguru": ("from loguru import logger", "logger.info('mrn {{}}', {v})"),
    "loguru bind": ("from loguru import logger", "logger.bind(mrn={v}).info('seen')"),
    "loguru opt": ("from loguru import logger", "logger.opt(lazy=True).info('mrn {{}}', {v})"),
    "print": ("", "print('mrn', {v})"),
    "sys.stderr.write": ("import sys", "sys.stderr.write(f'mrn {{{v}}}')"),
    "warnings.warn": ("import warnings", "warnings.warn(f'mrn {{{v}}}')"),
    "click.echo": ("import click", "click.echo(f'mrn {{{v}}}')"),
    "rich.print": ("import rich", "rich.print({v})"),
    "rich Console": ("from rich.console import Console\nconsole = Console()", "console.log('mrn', {v})"),
    "rich Console()": ("from rich.console import Console", "Console().print({v})"),
}


@pytest.mark.parametrize("name", sorted(LOGGER_FLAVOURS))
def test_each_logger_flavour_is_a_log_sink(name: str) -> None:
    imports, call = LOGGER_FLAVOURS[name]
    positive = f"{imports}\n\ndef handler(patient: Patient):\n    {call.format(v='patient.mrn')}  # <-\n"
    negative = f"{imports}\n\ndef handler(patient: Patient):\n    {call.format(v='patient.id')}  # <-\n"
    assert codes_on(positive) == {"PHI201"}, name
    assert codes_on(negative) == set(), name


def test_self_logger_set_in_init_is_used_in_other_methods() -> None:
    body = """
    import logging

    class Notifier:
        def __init__(self, mrn: str) -> None:
            self.log = logging.getLogger("notifier")
            self.mrn = mrn
            self.ward = "4 West"

        def page(self) -> None:
            self.log.warning("paging for %s", self.mrn)  # <-
            self.log.warning("paging for ward %s", self.ward)
    """
    assert codes_on(body) == {"PHI201"}
    assert len(findings(body)) == 1  # the ward is not PHI


def test_logging_options_are_not_data() -> None:
    body = """
    import logging

    def handler(patient: Patient, notes: list[str]):
        logging.exception("lookup failed for %s", patient.id, exc_info=True, stacklevel=2)
        logging.info("%d notes", len(notes))
    """
    assert findings(body) == []


# ---------------------------------------------------------------- OpenTelemetry
@pytest.mark.parametrize("call", [
    "span.set_attribute('patient.mrn', patient.mrn)",
    "span.set_attributes({'dx': patient.diagnosis})",
    "span.add_event('loaded', {'dx': patient.diagnosis})",
])
def test_span_from_start_as_current_span(call: str) -> None:
    body = f"""
    from opentelemetry import trace
    tracer = trace.get_tracer(__name__)

    def handler(patient: Patient):
        with tracer.start_as_current_span("lookup") as span:
            {call}  # <-
            span.set_attribute("patient.ref", patient.id)
    """
    assert codes_on(body) == {"PHI201"}
    assert len(findings(body)) == 1


def test_current_span_and_span_annotation() -> None:
    body = """
    from opentelemetry import trace
    from opentelemetry.trace import Span

    def annotate(span: Span, patient: Patient):
        span.set_attribute("mrn", patient.mrn)  # <- annotated

    def handler(patient: Patient):
        trace.get_current_span().set_attribute("mrn", patient.mrn)  # <- current
    """
    assert codes_on(body, "# <- annotated") == {"PHI201"}
    assert codes_on(body, "# <- current") == {"PHI201"}


def test_span_name_is_a_sink_but_a_constant_name_is_not() -> None:
    body = """
    from opentelemetry import trace
    tracer = trace.get_tracer(__name__)

    def handler(patient: Patient):
        with tracer.start_as_current_span(f"chart {patient.mrn}"):  # <-
            pass
        with tracer.start_as_current_span("chart", attributes={"ref": patient.id}):
            pass
    """
    assert codes_on(body) == {"PHI201"}
    assert len(findings(body)) == 1


# ---------------------------------------------------------------- error trackers and raise
@pytest.mark.parametrize("call", [
    "sentry_sdk.capture_message(f'no chart for {patient.mrn}')",
    "sentry_sdk.set_context('chart', {'dx': patient.diagnosis})",
    "sentry_sdk.set_user({'username': patient.first_name})",
    "sentry_sdk.set_extra('mrn', patient.mrn)",
    "sentry_sdk.set_tag('mrn', patient.mrn)",
    "sentry_sdk.add_breadcrumb(category='chart', message=patient.mrn)",
])
def test_sentry_module_functions(call: str) -> None:
    body = f"""
    import sentry_sdk

    def handler(patient: Patient):
        {call}  # <-
    """
    assert codes_on(body) == {"PHI203"}


@pytest.mark.parametrize("scope", [
    "with sentry_sdk.new_scope() as scope:",
    "with sentry_sdk.push_scope() as scope:",
    "with sentry_sdk.configure_scope() as scope:",
    "with sentry_sdk.isolation_scope() as scope:",
])
def test_sentry_scopes(scope: str) -> None:
    body = f"""
    import sentry_sdk

    def handler(patient: Patient):
        {scope}
            scope.set_extra("mrn", patient.mrn)  # <-
            scope.set_extra("ref", patient.id)
    """
    assert codes_on(body) == {"PHI203"}
    assert len(findings(body)) == 1


@pytest.mark.parametrize("statement, expected", [
    ("raise ValueError(f'no coverage for {patient.mrn}')", {"PHI203"}),
    ("raise ValueError(f'no coverage for patient {patient.id}')", set()),
    ("raise LookupFailed(patient)", {"PHI203"}),
    ("raise HTTPException(status_code=404, detail=f'{patient.first_name} not found')", {"PHI203"}),
    ("raise HTTPException(status_code=404, detail='patient not found')", set()),
    ("assert patient.mrn, f'empty MRN for {patient.first_name}'", {"PHI203"}),
    ("assert patient.mrn, f'empty MRN for {patient.id}'", set()),
])
def test_raise_and_assert_messages(statement: str, expected: set[str]) -> None:
    body = f"""
    from fastapi import HTTPException

    class LookupFailed(Exception):
        pass

    def handler(patient: Patient):
        {statement}  # <-
    """
    assert codes_on(body) == expected


def test_exception_rule_does_not_fire_on_log_sinks_and_back() -> None:
    body = """
    import logging
    import sentry_sdk

    def handler(patient: Patient):
        logging.info("mrn %s", patient.mrn)  # <- log
        sentry_sdk.capture_message(f"mrn {patient.mrn}")  # <- tracker
    """
    assert codes_on(body, "# <- log") == {"PHI201"}
    assert codes_on(body, "# <- tracker") == {"PHI203"}


# ---------------------------------------------------------------- the PHI201 / PHI202 split
def test_field_wins_over_record_on_the_same_argument() -> None:
    body = """
    import logging

    def handler(patient: Patient):
        logging.info("%s", f"{patient} {patient.mrn}")  # <- both
        logging.info("%s", patient)  # <- record
        logging.info("%s %s", patient, patient.mrn)  # <- two arguments
    """
    assert codes_on(body, "# <- both") == {"PHI201"}
    assert codes_on(body, "# <- record") == {"PHI202"}
    assert codes_on(body, "# <- two arguments") == {"PHI201", "PHI202"}


def test_field_wins_over_payload_on_the_same_argument() -> None:
    body = """
    import logging
    from flask import Flask, request

    app = Flask(__name__)

    @app.post("/intake")
    def intake():
        body = request.get_json()
        logging.info("%s", body["mrn"])  # <- field
        logging.info("%s", body)  # <- payload
        logging.info("%s", {"mrn": body["mrn"], "all": body})  # <- both
    """
    assert codes_on(body, "# <- field", prelude="") == {"PHI201"}
    assert codes_on(body, "# <- payload", prelude="") == {"PHI202"}
    assert codes_on(body, "# <- both", prelude="") == {"PHI201"}


@pytest.mark.parametrize("expr, expected", [
    ("body", {"PHI202"}),
    ("body['message']", {"PHI202"}),
    ("body.get('free_text')", {"PHI202"}),
    ("body['clinic_code']", set()),
    ("body.get('request_id')", set()),
    ("len(body)", set()),
])
def test_a_plain_field_of_a_payload_is_not_the_payload(expr: str, expected: set[str]) -> None:
    body = f"""
    import logging
    from flask import Flask, request

    app = Flask(__name__)

    @app.post("/intake")
    def intake():
        body = request.get_json()
        logging.info("%s", {expr})  # <-
    """
    assert codes_on(body, prelude="") == expected


@pytest.mark.parametrize("expr, expected", [
    ("resp.choices[0].message.content", {"PHI202"}),
    ("resp", {"PHI202"}),
    ("resp.model", set()),
    ("resp.usage.total_tokens", set()),
    ("resp.choices[0].finish_reason", set()),
])
def test_model_answer_text_is_logged_but_its_metadata_is_not(expr: str, expected: set[str]) -> None:
    prelude = """
    import logging
    from openai import AzureOpenAI

    client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")
    """
    body = f"""
    def answer(question: str):
        resp = client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": question}}])
        logging.info("%s", {expr})  # <-
    """
    assert codes_on(body, prelude=prelude) == expected


def test_configured_sanitizer_and_builtin_redactor_clear_labels() -> None:
    body = """
    import logging
    from contoso.privacy import redact
    from phi_lint.redact import redact as phi_redact

    def handler(patient: Patient):
        logging.info("%s", redact(patient.mrn))
        logging.info("%s", phi_redact(patient))
    """
    config = Config(sanitizers=("contoso.privacy.redact",))
    assert findings(body, config=config) == []
    assert {code for _, code in findings(body)} == {"PHI201"}  # not configured: only phi_lint.redact clears


def test_helper_logging_one_field_of_a_record_does_not_log_the_record() -> None:
    body = """
    import logging

    def log_amount(record):
        logging.info("amount %s", record.billed_cents)

    def log_reference(record):
        logging.info("ref %s", record.mrn)  # <-

    def handler(patient: Patient):
        log_amount(patient)
        log_reference(patient)
    """
    assert codes_on(body) == {"PHI201"}
    assert len(findings(body)) == 1
