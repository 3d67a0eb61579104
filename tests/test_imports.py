"""Import resolution: which dotted name a local name or attribute chain stands for."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from phi_lint.analysis.imports import ImportMap, import_statements, module_package


def imports_of(source: str, path: str | None = "app/api/routes.py") -> ImportMap:
    imports = ImportMap(path)
    imports.collect(ast.parse(textwrap.dedent(source)).body)
    return imports


def resolve(imports: ImportMap, expression: str) -> str | None:
    return imports.resolve(ast.parse(expression, mode="eval").body)


def test_plain_import() -> None:
    imports = imports_of("import openai\nimport litellm")
    assert resolve(imports, "openai.OpenAI") == "openai.OpenAI"
    assert resolve(imports, "litellm.completion") == "litellm.completion"
    assert resolve(imports, "openai") == "openai"


def test_dotted_import_binds_the_top_package() -> None:
    imports = imports_of("import os.path\nimport google.generativeai")
    assert imports.names == {"os": "os", "google": "google"}
    assert resolve(imports, "os.path.join") == "os.path.join"
    assert resolve(imports, "google.generativeai.GenerativeModel") == "google.generativeai.GenerativeModel"


def test_module_alias() -> None:
    imports = imports_of("import boto3.session as s\nimport google.generativeai as genai")
    assert resolve(imports, "s.Session") == "boto3.session.Session"
    assert resolve(imports, "genai.GenerativeModel") == "google.generativeai.GenerativeModel"
    assert "boto3" not in imports.names


def test_from_import_with_alias() -> None:
    imports = imports_of("from openai import OpenAI as OA, AzureOpenAI\nfrom google import genai")
    assert resolve(imports, "OA") == "openai.OpenAI"
    assert resolve(imports, "AzureOpenAI") == "openai.AzureOpenAI"
    assert resolve(imports, "genai.Client") == "google.genai.Client"


def test_nested_attribute_chains() -> None:
    imports = imports_of("from langchain_core.prompts import ChatPromptTemplate\nimport vertexai")
    assert resolve(imports, "ChatPromptTemplate.from_template") == "langchain_core.prompts.ChatPromptTemplate.from_template"
    assert resolve(imports, "vertexai.generative_models.GenerativeModel.generate_content") == (
        "vertexai.generative_models.GenerativeModel.generate_content"
    )


def test_what_does_not_resolve() -> None:
    imports = imports_of("import openai")
    assert resolve(imports, "client.chat.completions.create") is None  # a local, not an import
    assert resolve(imports, "openai.OpenAI().chat") is None  # rooted at a call
    assert resolve(imports, "clients['openai'].chat") is None
    assert resolve(imports, "print") is None


@pytest.mark.parametrize(
    ("statement", "name", "dotted"),
    [
        ("from . import llm", "llm", "app.api.llm"),
        ("from .llm import client", "client", "app.api.llm.client"),
        ("from .. import models", "models", "app.models"),
        ("from ..models import Patient", "Patient", "app.models.Patient"),
        ("from ...settings import DEBUG", "DEBUG", "settings.DEBUG"),
    ],
)
def test_relative_imports_resolve_against_the_package(statement: str, name: str, dotted: str) -> None:
    assert imports_of(statement, "app/api/routes.py").names[name] == dotted


def test_relative_import_without_a_known_package() -> None:
    assert imports_of("from .llm import client", None).names["client"] == "llm.client"
    assert imports_of("from .llm import client", "-").names["client"] == "llm.client"


@pytest.mark.parametrize(
    ("path", "package"),
    [
        ("app/api/routes.py", ["app", "api"]),
        ("./src/clinic_ai/llm.py", ["src", "clinic_ai"]),
        ("src\\clinic_ai\\llm.py", ["src", "clinic_ai"]),
        ("../other/x.py", ["other"]),
        ("my-project/app/x.py", ["app"]),  # not an identifier: not a package
        ("x.py", []),
        ("-", []),
        (None, []),
    ],
)
def test_module_package(path: str | None, package: list[str]) -> None:
    assert module_package(path) == package


def test_collect_sees_conditional_imports_but_not_function_bodies() -> None:
    imports = imports_of(
        """
        from typing import TYPE_CHECKING
        try:
            import orjson as json
        except ImportError:
            import json
        if TYPE_CHECKING:
            from openai import AsyncOpenAI
        else:
            AsyncOpenAI = None
        from anthropic import *

        def later():
            import litellm
        """
    )
    assert imports.names["json"] == "json"  # the fallback is the last binding
    assert imports.names["AsyncOpenAI"] == "openai.AsyncOpenAI"
    assert "litellm" not in imports.names
    assert "*" not in imports.names
    assert imports.top_modules() == {"typing", "json", "openai"}


def test_add_one_statement() -> None:
    imports = ImportMap("pkg/mod.py")
    imports.add(ast.parse("from ollama import Client as OllamaClient").body[0])
    assert resolve(imports, "OllamaClient") == "ollama.Client"


def test_import_statements_are_read_from_the_lines_that_start_with_them() -> None:
    plain = re.compile(r"[ \t]*import[ \t]+([^\n#;]+)")
    from_ = re.compile(r"[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)")
    text = (
        '"""Helpers; nothing here imports the model SDK directly."""\n'
        "import os, json as j\n"
        "from importlib import import_module\n"
        "from .clients import (\n"
        "    make_client,  # import-time factory\n"
        "    Settings,\n"
        ")\n"
        "PROMPT = 'Do not import anything'\n"
        "def load():\n"
        "    from app.models import Patient\n"
        "    return import_module('x')  # import lazily\n"
    )
    found = [(m.re is plain, m.groups()) for m in import_statements(text, plain, from_)]
    assert found == [
        (True, ("os, json as j",)),
        (False, ("importlib", "import_module")),
        (False, (".clients", "(\n    make_client,  # import-time factory\n    Settings,\n)")),
        (False, ("app.models", "Patient")),
    ]
