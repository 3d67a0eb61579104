"""The rules, by family. Importing this package registers all of them."""

from phi_lint.checks import access, endpoints, logging, prompt, secrets, tool, tracing  # noqa: F401
