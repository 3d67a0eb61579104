"""Code outside the project (an internal LLM gateway, an EHR client, a logging package installed
from the company's index) declared in [tool.phi-lint]: `extra-sinks`, `extra-sources`,
`extra-loggers`, validated like every other key."""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import ConfigError, validate
from phi_lint.engine import Engine

POLICY = {
    "approved-endpoints": ["https://contoso-health.openai.azure.com"],
    "extra-sinks": {"contoso_gateway.ask": "model-content", "contoso_gateway.Gateway.complete": "model-content",
                    "contoso_obs.emit": "log", "contoso_search.index_text": "embedding"},
    "extra-sources": {"contoso_ehr.fetch_chart": "record", "contoso_ehr.ocr_scan": "document", "contoso_ehr.lookup_ssn": "phi"},
    "extra-loggers": ["contoso_obs.get_logger", "contoso_obs.audit_log"],
}

JOB = '''\
"""Nightly chart digest, through the company's gateway and observability packages."""

from contoso_ehr import fetch_chart, lookup_ssn, ocr_scan
from contoso_gateway import Gateway, ask
from contoso_obs import audit_log, emit, get_logger
from contoso_search import index_text

log = get_logger(__name__)
gateway = Gateway(team="care")


def nightly(patient_id: str, scan_path: str) -> None:
    chart = fetch_chart(patient_id)
    ask(f"Summarise {chart}")  # !PHI102
    ask("Summarise the ward's staffing for tonight")
    text = ocr_scan(scan_path)
    gateway.complete(text)  # !PHI101
    gateway.complete(f"{len(text)} pages were scanned")
    index_text(text)  # !PHI103
    emit("chart", chart)  # !PHI202
    emit("chart", patient_id)
    log.info("scan %s", text)  # !PHI201
    audit_log.info("ssn %s", lookup_ssn(patient_id))  # !PHI201
    log.info("done: %d pages", len(text))
    print_report(chart)


def print_report(chart) -> None:
    """Not a declared sink: phi-lint knows nothing of `contoso_printing`."""
    from contoso_printing import send

    send(chart)
'''


def test_declared_sinks_sources_and_loggers_carry_the_data() -> None:
    found = {(f.line, f.code) for f in Engine(validate(POLICY, None)).check_source(JOB, "jobs/nightly.py") if f.suppression is None}
    expected = {(n, line.rsplit("# !", 1)[1]) for n, line in enumerate(JOB.splitlines(), 1) if "# !" in line}
    assert found == expected


def test_without_the_declarations_nothing_is_known_of_that_code() -> None:
    plain = {k: v for k, v in POLICY.items() if not k.startswith("extra-")}
    assert [f for f in Engine(validate(plain, None)).check_source(JOB, "jobs/nightly.py") if f.suppression is None] == []


@pytest.mark.parametrize(("key", "value", "said"), [
    ("extra-sinks", {"contoso_gateway.ask": "prompt"}, "must be one of model-content"),
    ("extra-sinks", {"ask": "log"}, "is not a dotted name"),
    ("extra-sinks", ["contoso_gateway.ask"], "must be a table"),
    ("extra-sources", {"contoso_ehr.fetch_chart": "patient"}, "must be one of phi, record"),
    ("extra-loggers", ["get_logger"], "must be a list of dotted names"),
    ("extra-loggers", "contoso_obs.get_logger", "must be a list of dotted names"),
])
def test_bad_declarations_are_config_errors_naming_the_key(key: str, value, said: str) -> None:
    with pytest.raises(ConfigError, match=key) as error:
        validate({key: value}, Path("pyproject.toml"))
    assert said in str(error.value)
