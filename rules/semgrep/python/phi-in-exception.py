"""Errors that leave the process: raised messages and Sentry in a claims service."""

import sentry_sdk
from flask import Flask, request

app = Flask(__name__)


@app.post("/claims")
def submit_claim():
    payload = request.get_json()
    member = find_member(payload["member_number"])
    if member is None:
        # ruleid: phi-in-exception
        raise LookupError(f"no member with number {payload['member_number']}")
    if not member.active:
        # ok: phi-in-exception
        raise LookupError(f"member record {member.id} is inactive")
    try:
        forward(payload)
    except ConnectionError:
        # ruleid: phi-in-exception
        sentry_sdk.set_context("claim", payload)
        # ok: phi-in-exception
        sentry_sdk.set_context("claim", {"route": "/claims", "retryable": True})
        raise
    return {"ok": True}


def validate_dob(patient_dob: str) -> None:
    if len(patient_dob) != 10:
        # ruleid: phi-in-exception
        raise ValueError(f"invalid date of birth {patient_dob}")
    # ok: phi-in-exception
    raise ValueError("invalid date of birth format")


def find_member(number):
    return None


def forward(payload):
    return payload


def report_sync_failure(patient):
    # ruleid: phi-in-exception
    sentry_sdk.set_user({"email": patient.email})
    # ok: phi-in-exception
    sentry_sdk.set_user({"id": patient.id})
