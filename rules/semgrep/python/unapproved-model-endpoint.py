"""Where model clients send requests. With no `approved-endpoints` configured (the pack's default)
every public provider endpoint is unapproved; loopback is always approved."""

import os

import anthropic
import boto3
import requests
from langchain_anthropic import ChatAnthropic
from openai import AzureOpenAI, OpenAI

# ruleid: unapproved-model-endpoint
client = OpenAI()
# ruleid: unapproved-model-endpoint
gateway = OpenAI(base_url="https://llm-proxy.example-vendor.com/v1")
# ok: unapproved-model-endpoint
local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
# ok: unapproved-model-endpoint
configured = OpenAI(base_url=os.environ["LLM_GATEWAY_URL"])
# ok: unapproved-model-endpoint
azure = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version="2024-10-21")
# ruleid: unapproved-model-endpoint
claude = anthropic.Anthropic()
# ok: unapproved-model-endpoint
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
# ruleid: unapproved-model-endpoint
chain = ChatAnthropic(model="claude-sonnet-4-5")


def raw_completion(body: dict) -> dict:
    # ruleid: unapproved-model-endpoint
    return requests.post("https://api.anthropic.com/v1/messages", json=body, timeout=30).json()


def internal_service(body: dict) -> dict:
    # ok: unapproved-model-endpoint
    return requests.post("https://records.internal.contoso-health.org/v1/notes", json=body, timeout=30).json()
