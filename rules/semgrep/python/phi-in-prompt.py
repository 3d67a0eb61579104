"""FastAPI service of a clinic assistant: visit summaries with OpenAI, Anthropic and LangChain."""

import anthropic
import litellm
from fastapi import FastAPI
from langchain_openai import ChatOpenAI
from openai import OpenAI

from clinic.db import get_patient
from phi_lint.redact import redact

app = FastAPI()
client = OpenAI()
claude = anthropic.Anthropic()
llm = ChatOpenAI(model="gpt-4o")


@app.post("/patients/{patient_id}/summary")
def visit_summary(patient_id: str):
    patient = get_patient(patient_id)
    prompt = f"Summarise the visit of {patient.first_name}, born {patient.date_of_birth}."
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: phi-in-prompt
        messages=[{"role": "user", "content": prompt}],
    )
    return {"summary": completion.choices[0].message.content}


@app.post("/patients/{patient_id}/summary-redacted")
def visit_summary_redacted(patient_id: str):
    patient = get_patient(patient_id)
    prompt = f"Summarise the visit of {redact(patient.first_name)}, born {redact(patient.date_of_birth)}."
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ok: phi-in-prompt
        messages=[{"role": "user", "content": prompt}],
    )
    return {"summary": completion.choices[0].message.content}


@app.post("/wards/{ward}/rounds")
def cleaning_round(ward: str, patient_id: str):
    patient = get_patient(patient_id)
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        # ok: phi-in-prompt
        messages=[{"role": "user", "content": f"Plan a cleaning round for ward {patient.ward}, bed {patient.bed}."}],
    )
    return {"plan": completion.choices[0].message.content}


def triage(diagnosis: str, medications: list[str]) -> str:
    message = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=512,
        # ruleid: phi-in-prompt
        system=f"You triage referrals. Working diagnosis: {diagnosis}.",
        # ruleid: phi-in-prompt
        messages=[{"role": "user", "content": "Current medications: " + ", ".join(medications)}],
    )
    return message.content[0].text


def triage_categories(specialty: str, wait_days: int) -> str:
    message = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=512,
        # ok: phi-in-prompt
        system=f"You sort referrals for the {specialty} service.",
        # ok: phi-in-prompt
        messages=[{"role": "user", "content": f"The queue is {wait_days} days long."}],
    )
    return message.content[0].text


def discharge_instructions(discharge_summary: str) -> str:
    # ruleid: phi-in-prompt
    return llm.invoke(f"Write discharge instructions for: {discharge_summary}").content


def leaflet(topic: str) -> str:
    # ok: phi-in-prompt
    return llm.invoke(f"Write a patient leaflet about {topic}").content


def claims_explanation(member_id: str, claim_id: str) -> str:
    response = litellm.completion(
        model="gpt-4o",
        # ruleid: phi-in-prompt
        messages=[{"role": "user", "content": f"Explain claim {claim_id} to member {member_id}."}],
    )
    return response.choices[0].message.content


def plan_explanation(plan_name: str) -> str:
    response = litellm.completion(
        model="gpt-4o",
        # ok: phi-in-prompt
        messages=[{"role": "user", "content": f"Explain the {plan_name} plan in plain words."}],
    )
    return response.choices[0].message.content


def soap_note(recording_path: str) -> str:
    with open(recording_path, "rb") as audio:
        transcript = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=audio)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: phi-in-prompt
        messages=[{"role": "user", "content": f"Turn this dictation into a SOAP note: {transcript.text}"}],
    )
    return completion.choices[0].message.content


def dictation_review_time(recording_path: str) -> str:
    with open(recording_path, "rb") as audio:
        transcript = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=audio, response_format="verbose_json")
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        # ok: phi-in-prompt
        messages=[{"role": "user", "content": f"How long to review {transcript.duration} seconds of dictation?"}],
    )
    return completion.choices[0].message.content
