"""Django views that ask a model about whole records: ORM rows, FHIR resources, pydantic dumps."""

import json

from django.http import JsonResponse
from fhir.resources.patient import Patient
from openai import OpenAI

from clinic.models import Encounter, PatientRecord

client = OpenAI()


def care_plan(request, pk):
    record = PatientRecord.objects.get(pk=pk)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: record-in-prompt
        messages=[{"role": "user", "content": f"Draft a care plan for {record}"}],
    )
    return JsonResponse({"plan": completion.choices[0].message.content})


def ward_checklist(request, pk):
    record = PatientRecord.objects.get(pk=pk)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ok: record-in-prompt
        messages=[{"role": "user", "content": f"Draft a checklist for ward {record.ward}"}],
    )
    return JsonResponse({"plan": completion.choices[0].message.content})


def explain_resource(request):
    patient = Patient.parse_raw(request.body)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: record-in-prompt
        messages=[{"role": "user", "content": json.dumps(patient.dict())}],
    )
    return JsonResponse({"text": completion.choices[0].message.content})


def explain_visit_types(request):
    visit_types = list(Encounter.objects.values_list("visit_type", flat=True).distinct())
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ok: record-in-prompt
        messages=[{"role": "user", "content": f"Explain these visit types: {', '.join(visit_types)}"}],
    )
    return JsonResponse({"text": completion.choices[0].message.content})


def outreach_draft(request, pk):
    member_profile = PatientRecord.objects.filter(pk=pk).first()
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        # ruleid: record-in-prompt
        messages=[{"role": "user", "content": f"Write an outreach text for {member_profile}"}],
    )
    return JsonResponse({"text": completion.choices[0].message.content})


def outreach_cadence(request, pk):
    member_profile = PatientRecord.objects.filter(pk=pk).first()
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        # ok: record-in-prompt
        messages=[{"role": "user", "content": f"Suggest a cadence for {member_profile.days_since_visit} days"}],
    )
    return JsonResponse({"text": completion.choices[0].message.content})


def chart_review(request, pk):
    fhir_bundle = load_bundle(pk)
    message = claude_review(f"Review this chart: {fhir_bundle}")
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: record-in-prompt
        messages=[{"role": "system", "content": "You review charts."}, {"role": "user", "content": str(fhir_bundle)}],
    )
    return JsonResponse({"review": completion.choices[0].message.content, "second": message})


def chart_review_stats(request, pk):
    fhir_bundle = load_bundle(pk)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ok: record-in-prompt
        messages=[{"role": "user", "content": f"A chart with {len(fhir_bundle)} entries: how long to review?"}],
    )
    return JsonResponse({"estimate": completion.choices[0].message.content})


def load_bundle(pk):
    return []


def claude_review(text):
    return text


def triage_intake(request):
    intake = json.loads(request.body)
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ruleid: record-in-prompt
        messages=[{"role": "user", "content": f"Triage this intake form: {json.dumps(intake)}"}],
    )
    return JsonResponse({"triage": completion.choices[0].message.content})


def answer_question(request):
    question = request.POST["question"]
    completion = client.chat.completions.create(
        model="gpt-4o",
        # ok: record-in-prompt
        messages=[{"role": "user", "content": question}],
    )
    return JsonResponse({"answer": completion.choices[0].message.content})
