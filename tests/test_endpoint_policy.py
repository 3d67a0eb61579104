"""The small judgements under PHI301-PHI303 and PHI401: URL policy, regions in hosts, key shapes."""

from __future__ import annotations

import pytest

from phi_lint.analysis.endpoints import host_of, is_approved, is_loopback, is_model_endpoint, region_of_host
from phi_lint.catalog import load
from phi_lint.analysis.keys import key_provider, looks_random

APPROVED = ("https://contoso-health.openai.azure.com", "https://gw.contoso.net/openai", "http://gpu.contoso.internal:8000")


@pytest.mark.parametrize("url, ok", [
    ("https://contoso-health.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=1", True),
    ("https://contoso-health.openai.azure.com:443/openai/v1", True),  # the default port, written out
    ("https://CONTOSO-HEALTH.openai.azure.com", True),
    ("http://contoso-health.openai.azure.com", False),  # another scheme is another endpoint
    ("https://contoso-health.openai.azure.com.attacker.net", False),
    ("https://contoso-research.openai.azure.com", False),
    ("https://gw.contoso.net/openai/v1/chat", True),
    ("https://gw.contoso.net/openai-staging", False),  # a path prefix ends at a segment
    ("https://gw.contoso.net/", False),
    ("http://gpu.contoso.internal:8000/v1", True),
    ("http://gpu.contoso.internal:8001/v1", False),
    ("http://localhost:8080/v1", True),  # loopback is always approved
    ("http://127.0.0.2:11434", True),
    ("http://[::1]:8000", True),
    ("https://gw.contoso.net:notaport/openai", False),
])
def test_is_approved(url: str, ok: bool) -> None:
    assert is_approved(url, APPROVED) is ok


def test_loopback() -> None:
    assert is_loopback("localhost") and is_loopback("api.localhost") and is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5") and not is_loopback("localhost.contoso.net")


@pytest.mark.parametrize("url, model", [
    ("https://api.openai.com/v1/chat/completions", True),
    ("https://eastus2.api.cognitive.microsoft.com/language", True),
    ("https://bedrock-runtime.eu-west-1.amazonaws.com/model/x/invoke", True),
    ("https://s3.eu-west-1.amazonaws.com/bucket", False),
    ("https://gw.contoso.net/openai/v1", True),  # an approved endpoint is a model endpoint too
    ("https://api.stripe.com/v1/charges", False),
    ("not a url", False),
])
def test_is_model_endpoint(url: str, model: bool) -> None:
    assert is_model_endpoint(url, load(), APPROVED) is model


@pytest.mark.parametrize("host, region", [
    ("bedrock-runtime.eu-central-1.amazonaws.com", "eu-central-1"),
    ("bedrock-runtime-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
    ("bedrock-agent-runtime.ap-southeast-2.amazonaws.com", "ap-southeast-2"),
    ("europe-west4-aiplatform.googleapis.com", "europe-west4"),
    ("westeurope.api.cognitive.microsoft.com", "westeurope"),
    ("aiplatform.googleapis.com", None),  # the global endpoint names no region
    ("contoso-health.openai.azure.com", None),
])
def test_region_of_host(host: str, region: str | None) -> None:
    assert region_of_host(host, load()) == region


def test_host_of_tolerates_bad_urls() -> None:
    assert host_of("https://[::1") == ""
    assert host_of("api.openai.com/v1") == "api.openai.com"


@pytest.mark.parametrize("value, context, provider", [
    ("sk-proj-znS6befSyj7WvfLTxLtxX76fjV4xIAh1pUgkQbvP2frdOJSATVQuXLKNvYHy0s0W", None, "OpenAI"),
    ("sk-ant-api03-ZaoOajynCiqm6Puw4I9eBRA3KZA1EJX8EVjpYRLz-2bHrITm60ISr7h0KjjqNE9ZeA1eXWzAA", None, "Anthropic"),
    ("Bearer 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", "Authorization", "Groq"),
    ("f9c70ec4c5202c5db4682a5244dd33fc", "api_key", "Azure OpenAI"),
    ("f9c70ec4c5202c5db4682a5244dd33fc", "AZURE_OPENAI_API_KEY", "Azure OpenAI"),
    ("f9c70ec4c5202c5db4682a5244dd33fc", "api-key", "Azure OpenAI"),  # the REST header
    # plain shapes count only where a key goes
    ("f9c70ec4c5202c5db4682a5244dd33fc", "trace_id", None),
    ("d3d331e44f3137adb63f2d1f77a7df3fae5816d3", "BUILD_COMMIT", None),
    # placeholders and words
    ("sk-your-key-here", "api_key", None),
    ("sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "api_key", None),
    ("sk-proj-...", "api_key", None),
    ("sk-learn-readmission-risk-pipeline-v2", None, None),
    ("sk-no-key-required", "api_key", None),
    ("sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", None, None),
    ("EMPTY", "api_key", None),
])
def test_key_provider(value: str, context: str | None, provider: str | None) -> None:
    found = key_provider(value, context, load())
    assert (found[0] if found else None) == provider


def test_looks_random() -> None:
    assert looks_random("hf_X49tM6O5WOa5GGdfdoEa6QIKhlGwKQSEnY")
    assert not looks_random("sk-this-is-only-a-test-key-1234")
    assert not looks_random("abcdefabcdefabcdefabcdefabcdefab")  # no digits


POLICY_SOURCE = '''import boto3
from openai import OpenAI

client = OpenAI()
bedrock = boto3.client("bedrock-runtime", region_name="eu-west-1")
'''


@pytest.mark.parametrize("policy, severities", [
    ({}, {"PHI301": "warning", "PHI303": None}),  # no approved-regions: PHI303 is silent
    ({"approved_endpoints": ("https://contoso-health.openai.azure.com",)}, {"PHI301": "error", "PHI303": None}),
    ({"approved_regions": ("us-east-1",)}, {"PHI301": "warning", "PHI303": "error"}),
])
def test_policy_rules_are_errors_once_the_policy_is_written(policy: dict, severities: dict) -> None:
    from phi_lint.engine import Engine
    from phi_lint.config import Config

    found = {f.code: f.severity.value for f in Engine(Config(**policy)).check_source(POLICY_SOURCE, "app.py")}
    assert {code: found.get(code) for code in severities} == severities


def test_url_prefix_of_an_f_string_is_judged_by_its_host() -> None:
    import textwrap

    from phi_lint.engine import Engine
    from phi_lint.config import Config

    text = textwrap.dedent('''
        import requests

        def call(model_id, path, suffix, host, diagnosis):
            requests.post(f"https://api-inference.huggingface.co/models/{model_id}", json={"inputs": diagnosis})
            requests.post("https://api.openai.com/v1/" + path, json={"inputs": diagnosis})
            requests.post(f"https://api.openai.com{suffix}", json={"inputs": diagnosis})
            requests.post(f"https://{host}/v1", json={"inputs": diagnosis})
            requests.post(f"https://billing.contoso.net/{path}", json={"inputs": diagnosis})
    ''')
    found = [f for f in Engine(Config(approved_endpoints=APPROVED)).check_source(text, "app/x.py") if f.suppression is None]
    assert sorted((f.line, f.code) for f in found) == [(5, "PHI101"), (5, "PHI301"), (6, "PHI101"), (6, "PHI301")]
    assert all(f.fix is None for f in found if f.code == "PHI301")  # a partial URL is never rewritten
