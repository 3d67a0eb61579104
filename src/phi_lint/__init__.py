"""phi-lint: find PHI/PII leaks into LLM prompts, logs and unapproved model endpoints."""

__version__ = "0.1.0"
