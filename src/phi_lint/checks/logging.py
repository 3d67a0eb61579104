"""PHI2xx: sensitive data or unredacted payloads into logs, traces and errors."""

from __future__ import annotations

from phi_lint.analysis.labels import CLINICAL_TEXT, LLM_PROMPT, LLM_RESPONSE, PAYLOAD, PHI_FIELD, PHI_RECORD
from phi_lint.checks.base import FlowRule
from phi_lint.model import Applicability, Severity


class PhiInLog(FlowRule):
    """## What it does
    Finds a PHI or PII field, or clinical text (a document's text, a transcript), that reaches a
    log call (Flask's `app.logger` and a `.log` file included), `print`, console output, an
    OpenTelemetry span attribute or event, a Datadog span tag, a New Relic custom attribute or
    event, or Scout APM context.

    ## Why is this bad?
    Logs are copied to aggregators, kept for months and read by people who have no need to see
    PHI. An identifier in a log line is a disclosure that the audit controls of §164.312(b) must
    then account for.

    ## Example
    ```python
    logger.info("Summarising chart for %s (DOB %s)", patient.full_name, patient.dob)
    ```

    ## Use instead
    ```python
    logger.info("Summarising chart for patient %s", patient.id)
    ```

    ## Fix safety
    Safe: the fix wraps the value in the redactor; the log keeps its shape. Where the value is
    part of a larger object (a dict of messages, a text built step by step), the fix masks that
    object's whole text (`redact(str(...))`) and is unsafe.

    ## Controls
    SOC 2 CC7.2, C1.1; HIPAA §164.312(b), §164.502(b).

    ## References
    - OWASP Logging Cheat Sheet: data to exclude
    """

    code = "PHI201"
    name = "phi-in-log"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}): {why}"
    fix_title = "Wrap the value in the redactor"
    fix_applicability = Applicability.SAFE
    labels = (PHI_FIELD, CLINICAL_TEXT)
    sinks = frozenset({"LOG"})


class PayloadInLog(FlowRule):
    """## What it does
    Finds a whole record, an inbound request body, a prompt or a model's answer that reaches a
    log call, `print`, console output or telemetry, including values given to OpenTelemetry GenAI
    content attributes and events (`gen_ai.prompt`, `gen_ai.input.messages`, `gen_ai.completion`)
    whatever they are called.

    ## Why is this bad?
    Request bodies, prompts and completions of a healthcare app carry whatever the user or the
    chart held. Logging them whole ships PHI to every log reader, even when no field name gives it
    away.

    ## Example
    ```python
    body = await request.json()
    logger.debug("triage request: %s", body)
    ```

    ## Use instead
    ```python
    logger.debug("triage request with %d fields", len(body))
    ```

    ## Fix safety
    Unsafe: wrapping in the redactor hides the payload from the log, which may be what someone
    debugs with. A record is masked field by field; a request body or a model's prompt or answer,
    whose keys say nothing, is masked as a whole text (`redact(str(payload))`).

    ## Controls
    SOC 2 CC7.2, C1.1; HIPAA §164.312(b), §164.502(b).

    ## References
    - OWASP Top 10 for LLM Applications: LLM02 Sensitive Information Disclosure
    """

    code = "PHI202"
    name = "payload-in-log"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}) unredacted: {why}"
    fix_title = "Wrap the value in the redactor"
    fix_applicability = Applicability.UNSAFE
    labels = (PHI_RECORD, PAYLOAD, LLM_PROMPT, LLM_RESPONSE)
    sinks = frozenset({"LOG"})
    unless = frozenset({PHI_FIELD, CLINICAL_TEXT})


class PhiInException(FlowRule):
    """## What it does
    Finds PHI, clinical text, a PHI record, a request body or a model's answer in the message of
    a raised exception, an assertion, or data sent to an error tracker (`sentry_sdk.capture_message`,
    `set_context`, `set_user`, `set_extra`, scopes, breadcrumbs and `before_send` hooks; Bugsnag,
    Airbrake, Honeybadger, Rollbar, New Relic errors).

    ## Why is this bad?
    Exception messages end up in tracebacks, HTTP error responses, error trackers and on-call
    chat channels, all outside the PHI boundary.

    ## Example
    ```python
    raise ValueError(f"No coverage found for member {member.member_id}")
    ```

    ## Use instead
    ```python
    raise ValueError(f"No coverage found for member {member.id}")
    ```

    ## Fix safety
    Safe: the fix wraps the value in the redactor. A request body, whose keys say nothing, is
    masked as a whole text (`redact(str(payload))`): unsafe.

    ## Controls
    SOC 2 CC7.2, C1.1; HIPAA §164.502(b).

    ## References
    - Sentry docs: scrubbing sensitive data
    """

    code = "PHI203"
    name = "phi-in-exception"
    severity = Severity.ERROR
    message = "`{source}` reaches {sink} ({argument}): {why}"
    fix_title = "Wrap the value in the redactor"
    fix_applicability = Applicability.SAFE
    labels = (PHI_FIELD, CLINICAL_TEXT, PHI_RECORD, PAYLOAD, LLM_RESPONSE)
    sinks = frozenset({"EXCEPTION"})
