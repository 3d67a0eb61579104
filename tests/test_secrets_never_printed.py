"""The key literals of the PHI401 fixtures never appear in anything phi-lint prints or writes: in
any output format, when PHI401 is switched off and another rule reports the same line, when the
finding is suppressed, in fixes shown as a diff, in a baseline, and through flake8."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phi_lint.cli import main
from phi_lint.config import find_config_file
from phi_lint.report import FORMATS

from conftest import FIXTURES, annotations

KEY_FILES = sorted((FIXTURES / "PHI401").glob("*.py"))
QUOTED = re.compile(r"""(?P<q>["'])(?P<text>.*?)(?P=q)""")
WINDOW = 12  # no run of this many characters of a key's random part may be printed


def fixture_keys() -> list[str]:
    """The string literals on the lines the fixtures annotate `# ruleid: PHI401`, read from the
    annotations (not found by the code under test)."""
    keys = []
    for path in KEY_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        expected, _ = annotations(path)
        for line, code in expected:
            if code != "PHI401":
                continue
            # the key is the longest word of the literal ("Bearer sk-...", "https://host?key=AIza...")
            literals = [max(re.split(r"[\s?&=:@/]+", m.group("text")), key=len) for m in QUOTED.finditer(lines[line - 1]) if len(m.group("text")) >= 20]
            assert literals, f"{path.name}:{line} has no key literal"
            keys.extend(literals)
    return keys


KEYS = fixture_keys()


def fragments(key: str) -> set[str]:
    body = re.sub(r"^(sk-(ant-api\d\d-|proj-)?|AIza|hf_|gsk_)", "", key)
    return {body[i : i + WINDOW] for i in range(len(body) - WINDOW + 1)}


def assert_no_key(output: str, where: str) -> None:
    for key in KEYS:
        leaked = [f for f in fragments(key) if f in output]
        assert not leaked, f"{where}: part of a key was printed ({len(leaked)} fragments)"


def test_the_fixtures_have_keys_and_phi401_finds_them() -> None:
    assert len(KEYS) >= 4
    assert len({k[:6] for k in KEYS}) >= 4  # several providers' shapes


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "pyproject.toml", tmp_path / "pyproject.toml")
    for path in KEY_FILES:
        shutil.copy(path, tmp_path / path.name)
    # keys suppressed on lines other rules also report: PHI301, and PHI901 for the bare noqa
    (tmp_path / "suppressed.py").write_text(
        "from openai import OpenAI\n\n"
        f'client = OpenAI(api_key="{KEYS[0]}")  # noqa: PHI401 -- rotated; tracked in SEC-19\n'
        f'backup = OpenAI(api_key="{KEYS[-1]}")  # noqa: PHI401\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORCE_COLOR", "1")  # colour codes must not split a mask
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_a_key(project: Path, fmt: str) -> None:
    out = run("check", "--format", fmt, "--show-suppressed", ".")
    assert "PHI401" in out or fmt == "gitlab" and "hardcoded-model-key" in out
    assert "PHI901" in out or fmt == "gitlab" and "unjustified-suppression" in out
    assert_no_key(out, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_rules_on_a_key_line_do_not_print_it(project: Path, fmt: str) -> None:
    """PHI401 switched off: the PHI301 findings on the key lines still must not show the key."""
    out = run("check", "--format", fmt, "--select", "PHI301", ".")
    assert "PHI301" in out or "unapproved-model-endpoint" in out
    assert_no_key(out, f"{fmt} without PHI401")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file(project: Path, fmt: str) -> None:
    run("check", "--format", fmt, "--output-file", "report.out", ".")
    assert_no_key((project / "report.out").read_text(encoding="utf-8"), f"{fmt} --output-file")


def test_fixes_shown_as_a_diff(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--diff", "--unsafe-fixes", "--show-fixes", "."], catch_exceptions=False)
    assert "os.environ" in result.output  # the fix is shown
    assert_no_key(result.output, "--diff")


def test_a_diff_of_another_rule_on_a_key_line_does_not_print_it(project: Path) -> None:
    """PHI401 not selected: a PHI201 fix on the key's line shows the line in the diff, masked."""
    (project / "intake.py").write_text(
        "import logging\nfrom openai import OpenAI\n\nlog = logging.getLogger(__name__)\n\n\n"
        f'def intake(patient):\n    log.info("%s", patient.ssn); OpenAI(api_key="{KEYS[0]}")\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", "--diff", "--select", "PHI201", "intake.py"], catch_exceptions=False)
    assert "redact(patient.ssn)" in result.output
    assert_no_key(result.output, "--diff of PHI201")


def test_baseline_file(project: Path) -> None:
    result = CliRunner().invoke(main, ["baseline", "-o", "baseline.json", "."], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_no_key(result.output + (project / "baseline.json").read_text(encoding="utf-8"), "baseline")


def test_rule_pages() -> None:
    assert_no_key(run("rule", "PHI401") + run("rules"), "rule docs")


def test_flake8_front(project: Path) -> None:
    pytest.importorskip("flake8")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=PHI", "--show-source", "."],
        cwd=project, capture_output=True, text=True, encoding="utf-8",
    )
    assert "PHI401" in proc.stdout, proc.stderr
    # flake8 --show-source prints whole source lines itself: that is flake8's output, not
    # phi-lint's, so only the messages are held to the rule
    messages = "\n".join(line for line in proc.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: PHI", line))
    assert_no_key(messages, "flake8 messages")


# ---------------------------------------------------------------------- a file full of keys
def _random_part(seed: int, n: int, alphabet: str = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") -> str:
    import random

    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


EVERYWHERE = {
    "openai": "sk-proj-" + _random_part(1, 40),
    "anthropic": "sk-ant-api03-" + _random_part(2, 40),
    "google": "AIza" + _random_part(3, 35),
    "hf": "hf_" + _random_part(4, 34),
    "groq": "gsk_" + _random_part(5, 48),
    "xai": "xai-" + _random_part(6, 48),
    "replicate": "r8_" + _random_part(7, 36),
    "azure": _random_part(8, 32, "0123456789abcdef"),
    "bearer": "sk-" + _random_part(9, 44),
    "userinfo": "sk-" + _random_part(10, 44),
    "comment": "sk-" + _random_part(11, 44),
    "fstring": "hf_" + _random_part(12, 34),
    "docstring": "AIza" + _random_part(13, 35),
    "exception": "gsk_" + _random_part(14, 48),
    "environ": "sk-proj-" + _random_part(15, 40),
    "suppressed": "sk-ant-api03-" + _random_part(16, 40),
}
K = EVERYWHERE
FULL_OF_KEYS = f'''"""Clinical assistant gateway. Old notes: the staging key was {K["docstring"]} (rotated)."""

import logging
import os

import requests
from openai import AzureOpenAI, OpenAI

log = logging.getLogger("gateway")

ANTHROPIC_KEY = "{K["anthropic"]}"
os.environ["OPENAI_API_KEY"] = "{K["environ"]}"
client = OpenAI(api_key="{K["openai"]}")
azure = AzureOpenAI(api_key="{K["azure"]}", azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-06-01")
proxied = OpenAI(base_url="https://svc:{K["userinfo"]}@llm-gateway.contoso.example/v1")
backup = OpenAI(api_key="{K["suppressed"]}")  # noqa: PHI401 -- rotated in SEC-19, kept for the incident record
SETTINGS = {{"groq": "{K["groq"]}", "xai": "{K["xai"]}", "replicate": "{K["replicate"]}", "hf": "{K["hf"]}"}}


def gemini(prompt):
    return requests.post("http://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key={K["google"]}", json={{"contents": prompt}})


def summarise(patient):
    headers = {{"Authorization": "Bearer {K["bearer"]}"}}
    log.info("summarising %s", patient.ssn)  # old token {K["comment"]}
    log.info(f"token {K["fstring"]} used for {{patient.mrn}}")
    requests.post("https://api.openai.com/v1/chat/completions", headers=headers, json={{"messages": [patient.diagnosis]}})
    if not patient.consent:
        raise ValueError(f"no consent for {{patient.ssn}} (caller {K["exception"]})")
'''


def assert_none_of_everywhere(output: str, where: str) -> None:
    for name, key in EVERYWHERE.items():
        random_part = re.sub(r"^(sk-(ant-api\d\d-|proj-)?|AIza|hf_|gsk_|xai-|r8_)", "", key)
        windows = {random_part[i : i + WINDOW] for i in range(len(random_part) - WINDOW + 1)}
        assert not [w for w in windows if w in output], f"{where}: the {name} key was printed"


@pytest.fixture()
def keys_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "gateway.py").write_text(FULL_OF_KEYS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORCE_COLOR", "1")
    find_config_file.cache_clear()
    return tmp_path


def test_the_file_full_of_keys_has_findings_of_every_kind(keys_everywhere: Path) -> None:
    import json

    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", "gateway.py"]).stdout)
    codes = {f["code"] for f in doc["findings"]}
    assert {"PHI101", "PHI201", "PHI203", "PHI301", "PHI302", "PHI401"} <= codes, codes
    assert sum(f["code"] == "PHI401" for f in doc["findings"]) >= 9
    assert any(f["fix"] and f["fix"].get("edits_withheld") for f in doc["findings"])  # the http:// URL that holds a key


SELECTIONS = [[], ["--select", "PHI1,PHI2,PHI3"], ["--select", "PHI302"], ["--ignore", "PHI401", "--show-suppressed"]]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: " ".join(s) or "default")
def test_no_output_format_prints_any_key_anywhere(keys_everywhere: Path, fmt: str, selection: list[str]) -> None:
    result = CliRunner().invoke(main, ["check", "--format", fmt, "--unsafe-fixes", *selection, "gateway.py"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert_none_of_everywhere(result.stdout + result.stderr, f"{fmt} {selection}")
    CliRunner().invoke(main, ["check", "--format", fmt, *selection, "-o", "report.out", "gateway.py"], catch_exceptions=False)
    assert_none_of_everywhere((keys_everywhere / "report.out").read_text(encoding="utf-8"), f"{fmt} -o")


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: " ".join(s) or "default")
def test_diff_and_fix_print_no_key_anywhere(keys_everywhere: Path, selection: list[str]) -> None:
    diff = CliRunner().invoke(main, ["check", "--diff", "--unsafe-fixes", "--show-fixes", *selection, "gateway.py"], catch_exceptions=False)
    assert diff.exit_code == 1 and diff.stdout.startswith("--- a/gateway.py"), diff.output
    assert_none_of_everywhere(diff.stdout + diff.stderr, f"--diff {selection}")
    fixed = CliRunner().invoke(main, ["check", "--fix", "--unsafe-fixes", "--show-fixes", *selection, "gateway.py"], catch_exceptions=False)
    assert_none_of_everywhere(fixed.stdout + fixed.stderr, f"--fix {selection}")
    assert (keys_everywhere / "gateway.py").read_text(encoding="utf-8") != FULL_OF_KEYS  # the fixes were applied


def test_flake8_messages_print_no_key(keys_everywhere: Path) -> None:
    pytest.importorskip("flake8")
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=PHI", "gateway.py"],
                          cwd=keys_everywhere, capture_output=True, text=True, encoding="utf-8")
    assert "PHI401" in proc.stdout, proc.stderr
    assert_none_of_everywhere(proc.stdout + proc.stderr, "flake8")
