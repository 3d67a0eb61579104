from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import DEFAULT_REDACTOR, Config, ConfigError, find_config_file, load_config, validate


def write(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_documented_key_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, """
[tool.phi-lint]
approved-endpoints = ["https://contoso-health.openai.azure.com", "http://localhost:11434"]
approved-regions = ["us-east-1", "eastus"]
sanitizers = ["contoso.privacy.redact", "presidio_anonymizer.AnonymizerEngine.anonymize"]
redactor = "contoso.privacy.redact"
extra-phi-fields = ["member_number", "claim_id"]
not-phi-fields = ["display_name"]
phi-subjects = ["patient", "member"]
select = ["PHI"]
ignore = []
extend-select = []
per-file-ignores = { "tests/**" = ["PHI401"] }
exclude = []
""")
    config = load_config(path)
    assert config.approved_regions == ("us-east-1", "eastus")
    assert config.phi_subjects == ("patient", "member")
    assert config.per_file_ignores == (("tests/**", ("PHI401",)),)
    assert config.fix_redactor == "contoso.privacy.redact"
    assert config.source == path.resolve()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("aproved-endpoints = []", "aproved-endpoints"),
        ("approved-regions = \"us-east-1\"", "approved-regions"),
        ("select = [\"E501\"]", "select"),
        ("redactor = 3", "redactor"),
        ("redactor = \"redact\"", "redactor"),
        ("redactor = \"contoso.Scrubber.scrub\"", "redactor"),
        ("redactor = \"contoso.privacy.Redactor\"", "redactor"),
        ("per-file-ignores = { \"tests/**\" = \"PHI401\" }", "per-file-ignores"),
        ("approved-endpoints = [\"contoso.openai.azure.com\"]", "approved-endpoints"),
        ("respect-gitignore = \"yes\"", "respect-gitignore"),
        ("pseudonymizer = \"hash\"", "pseudonymizer"),
        ("allowed-prompt-data = [\"health\"]", "allowed-prompt-data"),
        ("allowed-prompt-data = { \"*\" = \"health\" }", "allowed-prompt-data.\"*\""),
        ("allowed-prompt-data = { \"*\" = [\"healthcare\"] }", "allowed-prompt-data.\"*\""),
        ("approved-endpoints = [\"https://a.openai.azure.com\"]\nallowed-prompt-data = { \"https://api.openai.com\" = [\"health\"] }",
         "allowed-prompt-data.\"https://api.openai.com\""),
    ],
)
def test_config_errors_name_the_key_and_the_file(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, f"[tool.phi-lint]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert key in str(info.value)
    assert str(path.resolve()) in str(info.value)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[tool.phi-lint\nselect = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_nearest_pyproject_with_a_section_wins(tmp_path: Path) -> None:
    write(tmp_path, "[tool.phi-lint]\napproved-regions = [\"eastus\"]\n")
    inner = tmp_path / "service"
    inner.mkdir()
    write(inner, "[project]\nname = \"service\"\n")  # no [tool.phi-lint]: keep looking up
    (inner / "app.py").write_text("x = 1\n")
    find_config_file.cache_clear()
    assert load_config(start=inner / "app.py").approved_regions == ("eastus",)


def test_defaults_without_any_config(tmp_path: Path) -> None:
    find_config_file.cache_clear()
    config = load_config(start=tmp_path)
    assert config.select == ("PHI",) and config.fix_redactor == DEFAULT_REDACTOR


def test_selection_longest_prefix_wins_like_ruff() -> None:
    config = Config(select=("PHI",), ignore=("PHI2",), extend_select=("PHI201",))
    assert config.is_enabled("PHI101")
    assert not config.is_enabled("PHI202")
    assert config.is_enabled("PHI201")
    assert not Config(select=("PHI1",)).is_enabled("PHI401")


def test_per_file_ignores_match_globs() -> None:
    config = validate({"per-file-ignores": {"tests/**": ["PHI401"], "*_fixture.py": ["PHI2"]}}, None)
    assert not config.is_enabled("PHI401", "tests/unit/test_keys.py")
    assert config.is_enabled("PHI401", "app/keys.py")
    assert not config.is_enabled("PHI201", "app/log_fixture.py")


def test_fix_redactor_prefers_a_plain_function_sanitizer() -> None:
    config = Config(sanitizers=("presidio_anonymizer.AnonymizerEngine.anonymize", "contoso.privacy.redact"))
    assert config.fix_redactor == "contoso.privacy.redact"
    assert Config(sanitizers=("presidio_anonymizer.AnonymizerEngine.anonymize",)).fix_redactor == DEFAULT_REDACTOR


def test_fix_redactor_takes_only_importable_module_functions() -> None:
    # `scrub` alone would be wrapped with no import (NameError); `pkg.Cls.m` is no function
    assert Config(sanitizers=("pkg.Cls.m", "scrub")).fix_redactor == DEFAULT_REDACTOR
    assert Config(sanitizers=("scrub", "pkg.Cls.m", "pkg.util.scrub")).fix_redactor == "pkg.util.scrub"
    assert Config(sanitizers=("pkg.util._scrub",)).fix_redactor == "pkg.util._scrub"


def test_a_valid_redactor_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "[tool.phi-lint]\nredactor = \"contoso.privacy.redact\"\n")
    assert load_config(path).fix_redactor == "contoso.privacy.redact"


def test_prompt_data_policy(tmp_path: Path) -> None:
    path = write(tmp_path, """[tool.phi-lint]
approved-endpoints = ["https://contoso-health.openai.azure.com/"]
pseudonymizer = "contoso.privacy.pseudonymize"

[tool.phi-lint.allowed-prompt-data]
"https://contoso-health.openai.azure.com" = ["health", "clinical-text"]
"*" = ["diagnosis"]
""")
    config = load_config(path)
    assert config.allowed_prompt_data == (("https://contoso-health.openai.azure.com", ("health", "clinical-text")), ("*", ("diagnosis",)))
    assert config.fix_pseudonymizer == "contoso.privacy.pseudonymize"
    assert Config().fix_pseudonymizer == "phi_lint.redact.pseudonymize" and Config().allowed_prompt_data == ()
