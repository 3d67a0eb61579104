"""PHI1xx: sensitive data into model requests."""

from __future__ import annotations

from phi_lint.analysis.labels import CLINICAL_TEXT, PAYLOAD, PAYLOAD_TEXT, PHI_FIELD, PHI_RECORD
from phi_lint.checks.base import FlowRule
from phi_lint.checks.policy import SendingRule
from phi_lint.fix.build import prompt_fix, pseudonym_fix
from phi_lint.model import Applicability, Severity


class PhiInPrompt(SendingRule):
    """## What it does
    Finds a PHI or PII field (an SSN, a date of birth, a diagnosis, a patient's name...) or
    clinical text (a document's text from a PDF, OCR or an upload, a transcript of a recording, a
    clinical file read from disk) that reaches the content of a model request: chat messages, a
    prompt, a prompt template, a LangChain message or chain input, an audio file sent for
    transcription.

    ## Why is this bad?
    Whatever enters a prompt leaves your boundary: the provider processes it, may log it for abuse
    monitoring, and it can surface in completions, traces and caches. HIPAA's minimum necessary
    standard (§164.502(b)) and de-identification rules (§164.514) apply; sending identifiers to a
    provider without a BAA is a disclosure.

    ## Example
    ```python
    client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Summarise the chart of {patient.first_name}, SSN {patient.ssn}"}],
    )
    ```

    ## Use instead
    ```python
    from phi_lint.redact import redact
    client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Summarise the chart of {redact(patient.first_name)}"}],
    )
    ```
    Better still, leave identifiers out of the prompt: the model rarely needs them.

    With a prompt data policy (`allowed-prompt-data`), the categories it allows to the endpoint
    the request goes to are not reported (a BAA-covered endpoint may receive clinical text); the
    finding names the endpoint and what the policy allows there.

    ## Fix safety
    Unsafe: any fix changes what the model receives. An identifier a pseudonym can stand in for
    (a name, an email, a phone, an SSN, an MRN, a member number) becomes a stable pseudonym
    (`pseudonymizer`, else `phi_lint.redact.pseudonymize`: a keyed hash), so the model still tells
    people apart; other data is wrapped in the configured redactor (`redactor`, else the first
    sanitizer, else `phi_lint.redact.redact`). No fix where the value reaches the request inside a
    container or a prompt built step by step (`messages.append(...)`, `prompt += ...`): the
    redactor would pass a message's text through, and masking the whole prompt would leave the
    model nothing to work on.

    ## Controls
    SOC 2 C1.1, CC6.7, P6.1; HIPAA §164.502(b), §164.514(b), §164.514(d).

    ## References
    - HHS, Guidance regarding methods for de-identification of PHI (Safe Harbor, §164.514(b)(2))
    - OWASP Top 10 for LLM Applications: LLM02 Sensitive Information Disclosure
    """

    code = "PHI101"
    name = "phi-in-prompt"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}){destination}: {why}"
    fix_title = "Replace the identifier by a pseudonym"
    fix_applicability = Applicability.UNSAFE
    labels = (PHI_FIELD, CLINICAL_TEXT)
    sinks = frozenset({"MODEL_CONTENT"})

    def build_fix(self, ctx, targets, allowed=frozenset()):
        return prompt_fix(ctx, targets, self.labels, allowed)


class RecordInPrompt(SendingRule):
    """## What it does
    Finds a whole PHI record (a patient object, a FHIR resource, rows of a patient table, a
    `model_dump()` of one) or a whole inbound request body (a JSON body, a form, a Lambda
    `event`, a webhook payload) that reaches the content of a model request. A field the user
    typed for the model (`body["question"]`, `req.messages`) is the prompt's purpose and does not
    count here (logging it does: PHI202).

    ## Why is this bad?
    Serialising a record or a request body into a prompt sends every field it has, today's and
    tomorrow's: names, identifiers, dates. HIPAA's minimum necessary standard asks you to send only
    the fields the task needs.

    ## Example
    ```python
    prompt = f"Write a discharge letter for this patient: {patient.model_dump_json()}"
    llm.invoke(prompt)
    ```

    ## Use instead
    ```python
    prompt = f"Write a discharge letter. Diagnoses: {redact(patient.diagnoses)}"
    ```

    ## Fix safety
    Unsafe: wrapping the record in the redactor changes what the model sees (masked values
    instead of a full dump); review that the prompt still works.

    ## Controls
    SOC 2 C1.1, CC6.7, P6.1; HIPAA §164.502(b), §164.514(b), §164.514(d).

    ## References
    - 45 CFR §164.502(b), §164.514(d): minimum necessary
    """

    code = "PHI102"
    name = "record-in-prompt"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}) whole{destination}: {why}; send only the fields the task needs"
    fix_title = "Wrap the record in the redactor"
    fix_applicability = Applicability.UNSAFE
    labels = (PHI_RECORD, PAYLOAD)
    sinks = frozenset({"MODEL_CONTENT"})
    unless = frozenset({PHI_FIELD, CLINICAL_TEXT})
    not_categories = {PAYLOAD: frozenset({PAYLOAD_TEXT})}


class PhiInEmbedding(SendingRule):
    """## What it does
    Finds PHI fields or records that reach an embedding request or a vector store
    (`embeddings.create`, `embed_documents`, `add_texts`, `from_documents`, LlamaIndex documents).

    ## Why is this bad?
    Embeddings are sent to the provider, and vector stores keep the original text next to the
    vector, usually outside the systems your access controls and audit logs cover. Retrieval later
    hands that text to whoever asks a similar question.

    ## Example
    ```python
    vectorstore.add_texts([f"{p.full_name} ({p.mrn}): {p.clinical_notes}" for p in patients])
    ```

    ## Use instead
    ```python
    vectorstore.add_texts([redact(p.clinical_notes) for p in patients], metadatas=[{"ref": p.id} for p in patients])
    ```

    ## Fix safety
    Unsafe: the fix wraps the value in the redactor, which changes what the provider embeds and
    the store keeps. No fix where the value reaches the call inside a list or text built step by
    step (the redactor would pass it through). The prompt data policy (`allowed-prompt-data`)
    applies here too: embeddings are sent to the endpoint like prompts.

    ## Controls
    SOC 2 C1.1, CC6.7; HIPAA §164.502(b), §164.312(a)(1).

    ## References
    - 45 CFR §164.312(a)(1): access control
    """

    code = "PHI103"
    name = "phi-in-embedding"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}){destination}: {why}"
    fix_title = "Wrap the value in the redactor"
    fix_applicability = Applicability.UNSAFE
    labels = (PHI_FIELD, CLINICAL_TEXT, PHI_RECORD)
    sinks = frozenset({"MODEL_EMBED"})


class PhiInRequestMetadata(FlowRule):
    """## What it does
    Finds PHI that reaches the metadata of a model request: OpenAI's `user=`, `metadata=`,
    `safety_identifier=`, Anthropic's `metadata`, LangChain's `config` (run names, tags, metadata).

    ## Why is this bad?
    Request metadata is stored by the vendor and shown in dashboards, traces and abuse reports,
    outside the content protections of the request itself. Providers ask for a pseudonymous id.

    ## Example
    ```python
    client.chat.completions.create(model="gpt-4o", messages=messages, user=patient.email)
    ```

    ## Use instead
    ```python
    client.chat.completions.create(model="gpt-4o", messages=messages, user=hashlib.sha256(patient.email.encode()).hexdigest())
    ```

    ## Fix safety
    Unsafe: the fix replaces the value by a pseudonymous id (a hash); dashboards keyed on the old
    value change.

    ## Controls
    SOC 2 C1.1, P6.1; HIPAA §164.502(b), §164.514(b).

    ## References
    - OpenAI API reference: `safety_identifier` should be a hashed, non-identifying string
    """

    code = "PHI104"
    name = "phi-in-request-metadata"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}): {why}; use a pseudonymous id"
    fix_title = "Replace the value by a pseudonymous id"
    fix_applicability = Applicability.UNSAFE
    labels = (PHI_FIELD, CLINICAL_TEXT, PHI_RECORD)
    sinks = frozenset({"MODEL_METADATA"})

    def build_fix(self, ctx, targets):
        return pseudonym_fix(ctx, targets, self.fix_title, self.labels)
