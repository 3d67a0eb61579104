"""Provider keys in code. The literals are made up for this test."""

import os

import anthropic
from openai import AzureOpenAI, OpenAI

# ruleid: hardcoded-model-key
client = OpenAI(api_key="sk-proj-Zq8v2LmN4pR6tY1wX3cB5dF7gH9jK0sA2eU4iO6")
# ok: hardcoded-model-key
from_env = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
# ok: hardcoded-model-key
placeholder = OpenAI(api_key="sk-your-key-goes-here-xxxxxxxxxxxxxxxx")

# ruleid: hardcoded-model-key
ANTHROPIC_KEY = "sk-ant-api03-Qw7eR9tY2uI4oP6aS8dF0gH3jK5lZ7xC9vB1nM3qW5eR7tY9uI"
claude = anthropic.Anthropic(api_key=ANTHROPIC_KEY)

# ruleid: hardcoded-model-key
azure = AzureOpenAI(api_key="4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e", azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
# ok: hardcoded-model-key
build = {"commit": "4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e", "branch": "main"}

# ruleid: hardcoded-model-key
HEADERS = {"Authorization": "Bearer gsk_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4"}

SETTINGS = {
    # ok: hardcoded-model-key
    "example_key": "sk-proj-EXAMPLE0000000000000000000000000000",
    # ruleid: hardcoded-model-key
    "hf_token": "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",
}
