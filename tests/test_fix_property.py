"""Property: for any mix of PHI sources, formatting and sinks, applying the fixes gives code that
parses and that phi-lint no longer flags for the rules it fixed."""

from __future__ import annotations

import ast
import textwrap

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from phi_lint.engine import Engine
from phi_lint.config import Config
from phi_lint.fix.apply import fix_text

# What the handler receives: a PHI field, a record, a request body.
SOURCES = [
    "patient.ssn",
    "patient.date_of_birth",
    "member.member_id",
    "patient['first_name']",
    "record.get('mrn')",
    "patient",
    "body",
    "member.subscriber_phone",
]
# How it is put into the message.
SHAPES = [
    "{x}",
    'f"chart of {{{x}}} for review"',
    'f"{{{x}!r}} / {{n}}"',
    '"chart of %s" % {x}',
    '"chart of %s (%d)" % ({x}, n)',
    '"chart of {{}}".format({x})',
    '"chart of " + str({x})',
    "[{x}, n]",
    "str({x})",
]
# Where it goes.
SINKS = [
    'log.info("admitting %s", {arg})',
    "log.warning({arg})",
    "print({arg}, flush=True)",
    "raise ValueError({arg})",
    'client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": {arg}}}])',
    'client.chat.completions.create(\n    model="gpt-4o",\n    # the request\n    messages=[{{"role": "user", "content": {arg}}}],\n)',
    'client.embeddings.create(model="text-embedding-3-small", input={arg})',
    'client.chat.completions.create(model="gpt-4o", messages=[], user={arg})',
    'note = {arg}\nlog.info("%s", note)',
    'messages = [{{"role": "user", "content": {arg}}}]\nclient.chat.completions.create(model="gpt-4o", messages=messages)',
    'metadata = {{"patient_ref": {arg}, "feature": "triage"}}\nclient.chat.completions.create(model="gpt-4o", messages=[], metadata=metadata)',
]
# How the project spells its redactor.
IMPORTS = [
    (Config(), ""),
    (Config(), "from phi_lint.redact import redact\n"),
    (Config(), "from phi_lint.redact import redact as scrub\n"),
    (Config(redactor="contoso.privacy.redact"), "import contoso.privacy as privacy\n"),
    (Config(sanitizers=("contoso.privacy.mask", "presidio_anonymizer.AnonymizerEngine.anonymize")), ""),
    (Config(), "def redact(text):\n    return text\n\n"),
]

HEADER = '''import logging

from flask import request
from openai import AzureOpenAI
{imports}
log = logging.getLogger(__name__)
client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def handler(patient, member, record, n):
    body = request.get_json()
'''


@st.composite
def programs(draw) -> tuple[Config, str]:
    config, imports = draw(st.sampled_from(IMPORTS))
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        value = draw(st.sampled_from(SHAPES)).format(x=draw(st.sampled_from(SOURCES)))
        sink = draw(st.sampled_from(SINKS)).format(arg=value)
        lines.append(textwrap.indent(sink, "    "))
    if not any(line.lstrip().startswith("raise") for line in lines[-1:]):
        lines.append("    return n")
    source = HEADER.format(imports=imports) + "\n".join(lines) + "\n"
    ast.parse(source)  # the generator writes valid code (the f-strings run on Python 3.10 too)
    return config, source


# a body sent whole has no fix while a record beside it has one: PHI102 stays, for the body only
BODY_AND_RECORD = HEADER.format(imports="") + (
    '    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": patient}])\n'
    '    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": body}])\n'
    "    return n\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
@example((Config(), BODY_AND_RECORD))
def test_fixes_parse_and_silence_the_rules_they_fix(program) -> None:
    config, source = program
    engine = Engine(config)
    before = [f for f in engine.check_source(source, "handler.py") if f.suppression is None]
    fixed_codes = {f.code for f in before if f.fix is not None}
    result = fix_text(source, "handler.py", config, unsafe=True)
    ast.parse(result.text)
    assert result.messages == []
    after = [f.code for f in engine.check_source(result.text, "handler.py") if f.suppression is None]
    for code in fixed_codes:  # what remains of a fixed rule are its findings that had no fix
        unfixable = sum(1 for f in before if f.code == code and f.fix is None)
        assert after.count(code) <= unfixable, (code, result.text)
    again = fix_text(result.text, "handler.py", config, unsafe=True)
    assert again.text == result.text
