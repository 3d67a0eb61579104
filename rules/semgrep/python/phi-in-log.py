"""Logging in a Flask clinic app: stdlib logging, structlog, print and OpenTelemetry."""

import logging

import structlog
from flask import Flask
from opentelemetry import trace

from phi_lint.redact import redact

app = Flask(__name__)
log = logging.getLogger(__name__)
slog = structlog.get_logger()
tracer = trace.get_tracer(__name__)


def appointment_booked(patient):
    # ruleid: phi-in-log
    log.info("booked for %s born %s", patient.id, patient.date_of_birth)
    # ok: phi-in-log
    log.info("booked for %s at clinic %s", patient.id, patient.clinic_id)


def refill_requested(member_id: str, medication: str, pharmacy_code: str):
    # ruleid: phi-in-log
    slog.info("refill requested", member_id=member_id, medication=medication)
    # ok: phi-in-log
    slog.info("refill requested", pharmacy=pharmacy_code)
    # ok: phi-in-log
    slog.info("refill requested", medication=redact(medication))


def lab_upload(lab_results: list[str], upload_id: str):
    # ruleid: phi-in-log
    print("parsed lab upload", upload_id, lab_results)
    # ok: phi-in-log
    print("parsed lab upload", upload_id, len(lab_results))


def schedule_follow_up(patient_phone: str, visit_type: str):
    with tracer.start_as_current_span("schedule-follow-up") as span:
        # ruleid: phi-in-log
        span.set_attribute("patient.phone", patient_phone)
        # ok: phi-in-log
        span.set_attribute("visit.type", visit_type)
