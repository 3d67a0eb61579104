"""Prompts over plain http or with certificate checks off."""

import httpx
import litellm
import requests
from openai import OpenAI

# ruleid: insecure-model-transport
gateway = OpenAI(base_url="http://llm-gateway.contoso-health.internal:8080/v1")
# ok: insecure-model-transport
gateway_tls = OpenAI(base_url="https://llm-gateway.contoso-health.internal:8443/v1")
# ok: insecure-model-transport
ollama = OpenAI(base_url="http://127.0.0.1:11434/v1", api_key="ollama")
# ruleid: insecure-model-transport
pinned = OpenAI(http_client=httpx.Client(verify=False))
# ok: insecure-model-transport
pinned_ok = OpenAI(http_client=httpx.Client(timeout=30))

# ruleid: insecure-model-transport
litellm.ssl_verify = False


def raw_completion(body: dict) -> dict:
    # ruleid: insecure-model-transport
    return requests.post("http://api.openai.com/v1/chat/completions", json=body, timeout=30).json()


def raw_completion_tls(body: dict) -> dict:
    # ok: insecure-model-transport
    return requests.post("https://api.openai.com/v1/chat/completions", json=body, timeout=30).json()
