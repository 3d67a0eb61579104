"""Vendor-visible request metadata: the end-user id OpenAI and Anthropic keep."""

import hashlib

import anthropic
from openai import OpenAI

client = OpenAI()
claude = anthropic.Anthropic()


def pseudonym(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def answer_portal_question(patient_email: str, question: str):
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        # ruleid: phi-in-request-metadata
        user=patient_email,
    )


def answer_portal_question_pseudonymously(account_ref: str, question: str):
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        # ok: phi-in-request-metadata
        user=pseudonym(account_ref),
    )


def coach_reply(member_id: str, draft: str):
    return claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        messages=[{"role": "user", "content": draft}],
        # ruleid: phi-in-request-metadata
        metadata={"user_id": member_id},
    )


def coach_reply_for_session(session_ref: str, draft: str):
    return claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        messages=[{"role": "user", "content": draft}],
        # ok: phi-in-request-metadata
        metadata={"user_id": session_ref},
    )


def embed_for_member(member_number: str, texts: list[str]):
    return client.embeddings.create(
        model="text-embedding-3-small",
        input=texts,
        # ruleid: phi-in-request-metadata
        user=member_number,
    )


def embed_for_tenant(tenant_slug: str, texts: list[str]):
    return client.embeddings.create(
        model="text-embedding-3-small",
        input=texts,
        # ok: phi-in-request-metadata
        user=tenant_slug,
    )


def portal_answer_with_metadata(patient, question: str):
    return client.responses.create(
        model="gpt-4.1",
        input=question,
        # ruleid: phi-in-request-metadata
        metadata={"mrn": patient.mrn},
    )


def portal_answer_with_clinic(clinic_code: str, question: str):
    return client.responses.create(
        model="gpt-4.1",
        input=question,
        # ok: phi-in-request-metadata
        metadata={"clinic": clinic_code},
    )
