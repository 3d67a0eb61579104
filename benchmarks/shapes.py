"""Generated source of the shapes whose cost once grew faster than their size (issue 8): chains
of helpers that call each other twice, long functions, and long realistic modules. Shared by the
benchmarks; nothing here imports phi-lint."""

from __future__ import annotations

HEADER = '''"""Visit summaries for the care team (generated for the phi-lint benchmarks)."""

import logging

from fastapi import FastAPI
from openai import OpenAI
from pydantic import BaseModel

app = FastAPI()
client = OpenAI()
log = logging.getLogger(__name__)
'''

# Four kinds of block, so that a module is not one block repeated: a route that leaks a record
# field into a prompt and a log, a route that sends de-identified text only, a helper pair, and a
# service class with a client attribute. `{i}` makes every name unique.
BLOCKS = (
    '''

class Visit{i}(BaseModel):
    patient_name: str
    mrn: str
    reason: str
    notes: str


def build_prompt_{i}(visit: Visit{i}) -> str:
    header = "Summarise this visit for the care team."
    body = "\\n".join([visit.reason, visit.notes])
    return header + "\\n" + body


@app.post("/visits/{i}/summary")
def summarise_visit_{i}(visit: Visit{i}) -> dict:
    log.info("summarising visit for %s", visit.patient_name)
    prompt = build_prompt_{i}(visit)
    response = client.chat.completions.create(
        model="gpt-4o",
        messages=[{{"role": "user", "content": prompt + " MRN " + visit.mrn}}],
    )
    answer = response.choices[0].message.content
    log.info("model answered with %d characters", len(answer or ""))
    return {{"summary": answer}}
''',
    '''

def word_count_{i}(text: str) -> int:
    words = [w for w in text.split() if w]
    log.debug("counted %d words", len(words))
    return len(words)


@app.post("/leaflets/{i}")
def explain_leaflet_{i}(leaflet: str, language: str = "en") -> dict:
    log.info("leaflet request in %s (%d words)", language, word_count_{i}(leaflet))
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {{"role": "system", "content": "Explain medication leaflets in plain words."}},
            {{"role": "user", "content": leaflet}},
        ],
    )
    return {{"text": response.choices[0].message.content}}
''',
    '''

def normalise_code_{i}(code: str) -> str:
    cleaned = code.strip().upper()
    if not cleaned:
        raise ValueError("empty code")
    return cleaned


def describe_codes_{i}(codes: list[str]) -> str:
    parts = []
    for code in codes:
        parts.append(normalise_code_{i}(code))
    log.info("describing %d codes", len(parts))
    return ", ".join(parts)


@app.get("/codes/{i}")
def codes_{i}(codes: str) -> dict:
    text = describe_codes_{i}(codes.split(","))
    return {{"codes": text}}
''',
    '''

class TriageService{i}:
    def __init__(self, model: str = "gpt-4o") -> None:
        self.client = OpenAI()
        self.model = model
        self.log = logging.getLogger("triage")

    def triage(self, patient, complaint: str) -> str:
        self.log.info("triage for %s, dob %s", patient.full_name, patient.date_of_birth)
        prompt = f"Patient {{patient.full_name}} reports: {{complaint}}. Suggest a triage level."
        response = self.client.chat.completions.create(model=self.model, messages=[{{"role": "user", "content": prompt}}])
        return response.choices[0].message.content or ""
''',
)


def realistic_module(lines: int) -> str:
    """A FastAPI module of about `lines` lines: routes calling a model client, helpers, logging."""
    parts = [HEADER]
    total = HEADER.count("\n")
    i = 0
    while total < lines:
        block = BLOCKS[i % len(BLOCKS)].format(i=i)
        parts.append(block)
        total += block.count("\n")
        i += 1
    return "".join(parts)


def helper_chain(n: int) -> str:
    """n helpers, each calling the next twice, the last one logging its parameter, and a route
    handing it a patient's SSN: one real flow, 2^(n-1) paths to it."""
    out = ["import logging\n\nlog = logging.getLogger(__name__)\n\n"]
    for i in range(n - 1):
        out.append(f"\ndef helper_{i}(value):\n    helper_{i + 1}(value)\n    helper_{i + 1}(value)\n\n")
    out.append(f"\ndef helper_{n - 1}(value):\n    log.info('value: %s', value)\n\n")
    out.append("\ndef register(patient):\n    helper_0(patient.ssn)\n")
    return "".join(out)


def long_function(statements: int) -> str:
    """One function of `statements` assignments that derive values from a patient record, with
    a log call of the latest value after every 25th (each one a finding with a fix)."""
    fields = ("ssn", "mrn", "date_of_birth", "diagnosis", "phone")
    out = ["import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef intake(patient, visit):\n"]
    for k in range(statements):
        kind = k % 5
        if kind == 0:
            out.append(f"    v{k} = patient.{fields[(k // 5) % len(fields)]}\n")
        elif kind == 1:
            out.append(f"    v{k} = v{k - 1}.strip()\n")
        elif kind == 2:
            out.append(f"    v{k} = f\"{{v{k - 1}}}:{{visit.id}}\"\n")
        elif kind == 3:
            out.append(f"    v{k} = visit.count + {k}\n")
        else:
            out.append(f"    v{k} = [v{k - 2}, v{k - 1}]\n")
        if k % 25 == 24:
            out.append(f"    log.info(\"step {k}: %s\", v{k - 2})\n")
    out.append(f"    return v{statements - 1}\n")
    return "".join(out)
