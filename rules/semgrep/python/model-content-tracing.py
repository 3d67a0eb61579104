"""Switches that record prompts and model outputs: LangChain debug and tracing, LiteLLM callbacks,
OpenTelemetry content capture."""

import os

import litellm
from langchain.globals import set_debug
from langchain_openai import ChatOpenAI

# ruleid: model-content-tracing
os.environ["LANGCHAIN_TRACING_V2"] = "true"
# ok: model-content-tracing
os.environ["LANGCHAIN_TRACING_V2"] = "false"
# ok: model-content-tracing
os.environ["LANGCHAIN_PROJECT"] = "triage-assistant"
# ruleid: model-content-tracing
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")

# ruleid: model-content-tracing
set_debug(True)
# ok: model-content-tracing
set_debug(False)

# ruleid: model-content-tracing
litellm.success_callback = ["langfuse"]
# ok: model-content-tracing
litellm.success_callback = ["prometheus_internal"]

# ruleid: model-content-tracing
chatty = ChatOpenAI(model="gpt-4o", verbose=True)
# ok: model-content-tracing
quiet = ChatOpenAI(model="gpt-4o", verbose=False)
