"""Fixes: the fixture pairs, the fixer's safety rules, and the CLI options around them.

fixtures/fix/<CODE>/**/NAME.py holds code with findings of CODE and NAME.fixed.py what `check
--fix` (with --unsafe-fixes for rules whose fixes are unsafe) makes of it, checked with only CODE
selected and the policy of the nearest pyproject.toml.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from phi_lint.engine import Engine
from phi_lint.checks.base import all_rules
from phi_lint.cli import main
from phi_lint.config import Config, find_config_file, load_config
from phi_lint.fix import apply as fixer
from phi_lint.fix.apply import applicable, apply_fixes, fix_text, unified_diff
from phi_lint.fix.build import add_keyword, callee, remove_argument, wrap_fix
from phi_lint.model import Applicability, Edit, Finding, Fix, Severity, Span

from conftest import FIXTURES, ROOT

FIX_DIR = FIXTURES / "fix"
PAIRS = sorted(p for p in FIX_DIR.rglob("*.py") if not p.name.endswith(".fixed.py"))
FIXABLE_CODES = sorted(cls.code for cls in all_rules() if cls.fix_title)


def code_of(path: Path) -> str:
    return path.relative_to(FIX_DIR).parts[0]


def twin(path: Path) -> Path:
    return path.with_name(path.name[: -len(".py")] + ".fixed.py")


def fix_config(path: Path) -> Config:
    # PHI903 judges suppressions against the rules that run for the file: its pairs run them all
    # (and have nothing else to fix)
    code = code_of(path)
    return load_config(start=path).with_overrides(select=("PHI",) if code == "PHI903" else (code,))


# ---------------------------------------------------------------------- fixture pairs
def test_every_fixable_rule_has_four_pairs() -> None:
    counts = {code: 0 for code in FIXABLE_CODES}
    for path in PAIRS:
        counts[code_of(path)] += 1
        assert twin(path).is_file(), f"{path} has no .fixed.py twin"
    assert not [c for c, n in counts.items() if n < 4], counts
    assert len(FIXABLE_CODES) == 14


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.relative_to(FIX_DIR).as_posix())
def test_fixture_pair(path: Path) -> None:
    config = fix_config(path)
    rel = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    findings = [f for f in Engine(config).check_source(text, rel) if f.suppression is None]
    fixable = [f for f in findings if f.fix is not None]
    assert fixable, "the pair must show a fixable finding of its rule"
    unsafe = any(f.fix.applicability is Applicability.UNSAFE for f in fixable)

    fixed = fix_text(text, rel, config, unsafe=unsafe)
    assert fixed.text == twin(path).read_text(encoding="utf-8")
    assert fixed.messages == []
    ast.parse(fixed.text)
    assert [f for f in fixed.findings if applicable(f, unsafe)] == [], "a fixable finding is left"
    again = fix_text(fixed.text, rel, config, unsafe=unsafe)
    assert again.text == fixed.text and again.applied == []


RULE_FIXTURES = sorted(
    p for p in FIXTURES.glob("*/**/*.py")
    if p.relative_to(FIXTURES).parts[0] != "fix" and not p.name.endswith(".fixed.py")
)


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_offered_fix_applies_cleanly_to_the_rule_fixtures(path: Path) -> None:
    """Beyond the pairs: on every annotated fixture, all fixes (unsafe ones too) apply, parse,
    leave nothing fixable and are stable."""
    config = load_config(start=path)
    rel = path.relative_to(ROOT).as_posix()
    decoded = fixer.decode(path.read_bytes())
    if decoded is None:
        pytest.skip("not decodable: a PHI900 fixture")
    text = decoded[0]
    fixed = fix_text(text, rel, config, unsafe=True)
    assert fixed.messages == []
    if fixed.applied:
        ast.parse(fixed.text)
    assert [f for f in fixed.findings if applicable(f, True)] == []
    assert fix_text(fixed.text, rel, config, unsafe=True).text == fixed.text


def test_fix_field_in_json_has_the_documented_shape(tmp_path: Path, monkeypatch) -> None:
    source = FIX_DIR / "PHI201" / "fastapi_fstring_log.py"
    (tmp_path / "pyproject.toml").write_text('[tool.phi-lint]\nsanitizers = ["contoso.privacy.redact"]\n')
    (tmp_path / "app.py").write_text(source.read_text())
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    import json

    result = CliRunner().invoke(main, ["check", "--format", "json", "--select", "PHI201", "app.py"])
    doc = json.loads(result.output)
    [finding] = doc["findings"]
    assert finding["fix"] == {
        "title": "Wrap the value in the redactor",
        "applicability": "safe",
        "edits": [{"line": 20, "column": 81, "end_line": 20, "end_column": 102, "content": "redact(booking.patient_phone)"}],
        "imports": ["contoso.privacy.redact"],
    }


# ---------------------------------------------------------------------- a project to fix
LEAKS = '''"""Admissions."""

import logging

from flask import request
from openai import AzureOpenAI

log = logging.getLogger(__name__)
client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


def admit(patient):
    log.info("admitting %s born %s", patient.last_name, patient.date_of_birth)
    log.debug("record: %r", patient)
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Plan the admission of {patient.first_name}"}],
        store=True,
    )
    return completion
'''
# the prompt keeps the name: a fix that changes what the model receives is never safe
SAFE_FIXED = LEAKS.replace(
    "from openai import AzureOpenAI\n", "from openai import AzureOpenAI\nfrom phi_lint.redact import redact\n"
).replace(
    "patient.last_name, patient.date_of_birth", "redact(patient.last_name), redact(patient.date_of_birth)"
).replace("store=True", "store=False")
CLEAN = '''import logging

log = logging.getLogger(__name__)


def admit(patient):
    log.info("admitting patient %s", patient.id)
'''
POLICY = '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\n'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(POLICY)
    (tmp_path / "admit.py").write_text(LEAKS)
    (tmp_path / "clean.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    return tmp_path


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def snapshot(path: Path) -> tuple:
    st = path.stat()
    return path.read_bytes(), st.st_ino, st.st_mtime_ns


def test_fix_applies_safe_fixes_and_reports_what_remains(project: Path) -> None:
    result = run("check", "--fix", "admit.py")
    assert (project / "admit.py").read_text() == SAFE_FIXED
    assert result.exit_code == 1  # the record in the log and the name in the prompt need --unsafe-fixes
    assert "Fixed 3 findings in 1 file." in result.output
    assert "PHI202" in result.output and "PHI101" in result.output and "PHI201" not in result.output
    assert "0 fixable with --fix (2 more with --unsafe-fixes)." in result.output


def test_unsafe_fixes_fix_everything_and_exit_zero(project: Path) -> None:
    result = run("check", "--fix", "--unsafe-fixes", "admit.py")
    assert result.exit_code == 0, result.output
    fixed = (project / "admit.py").read_text()
    assert 'log.debug("record: %r", redact(patient))' in fixed
    assert "Plan the admission of {pseudonymize(patient.first_name)}" in fixed  # an identifier: a pseudonym
    assert "from phi_lint.redact import pseudonymize, redact" in fixed
    assert result.output.strip() == "Fixed 5 findings in 1 file."


def test_second_fix_changes_nothing(project: Path) -> None:
    run("check", "--fix", "--unsafe-fixes", "admit.py")
    before = snapshot(project / "admit.py")
    result = run("check", "--fix", "--unsafe-fixes", "admit.py")
    assert result.exit_code == 0 and result.output == ""
    assert snapshot(project / "admit.py") == before


def test_show_fixes_lists_each_fix(project: Path) -> None:
    result = run("check", "--fix", "--unsafe-fixes", "--show-fixes", "admit.py")
    lines = result.output.splitlines()
    assert lines[0] == "Fixed 5 findings in 1 file:"
    assert "  admit.py:13:38: PHI201 Wrap the value in the redactor" in lines
    assert "  admit.py:14:29: PHI202 Wrap the value in the redactor (unsafe)" in lines
    assert "  admit.py:18:15: PHI304 Switch vendor storage off" in lines


def test_exit_non_zero_on_fix(project: Path) -> None:
    only_safe = LEAKS.replace('    log.debug("record: %r", patient)\n', "").replace("{patient.first_name}", "patient {patient.id}")
    (project / "admit.py").write_text(only_safe)
    assert run("check", "--fix", "admit.py").exit_code == 0
    (project / "admit.py").write_text(only_safe)
    assert run("check", "--fix", "--exit-non-zero-on-fix", "admit.py").exit_code == 1
    assert run("check", "--fix", "--exit-non-zero-on-fix", "admit.py").exit_code == 0  # nothing left to fix


def test_diff_prints_a_patch_and_writes_nothing(project: Path) -> None:
    before = snapshot(project / "admit.py")
    result = run("check", "--diff", "admit.py", "clean.py")
    assert result.exit_code == 1
    assert snapshot(project / "admit.py") == before
    assert result.output.startswith("--- a/admit.py\n+++ b/admit.py\n@@ ")
    assert '+    log.info("admitting %s born %s", redact(patient.last_name), redact(patient.date_of_birth))\n' in result.output
    assert "clean.py" not in result.output
    # the patch applies: git takes it as it is
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply"], cwd=project, input=result.output.encode(), check=True)
    assert (project / "admit.py").read_text() == SAFE_FIXED


def test_diff_exits_zero_without_changes(project: Path) -> None:
    result = run("check", "--diff", "clean.py")
    assert result.exit_code == 0 and result.output == ""


def test_plain_check_never_writes(project: Path) -> None:
    before = snapshot(project / "admit.py")
    assert run("check", "admit.py").exit_code == 1
    assert snapshot(project / "admit.py") == before


def test_a_file_without_applicable_fixes_is_not_rewritten(project: Path) -> None:
    only_unsafe = '''import logging

from flask import request

log = logging.getLogger(__name__)


def intake(patient):
    log.debug("record: %r", patient)
'''
    (project / "intake.py").write_text(only_unsafe)
    before, clean_before = snapshot(project / "intake.py"), snapshot(project / "clean.py")
    result = run("check", "--fix", "intake.py", "clean.py")
    assert result.exit_code == 1
    assert snapshot(project / "intake.py") == before
    assert snapshot(project / "clean.py") == clean_before
    assert "Fixed" not in result.output


def test_each_file_is_fixed_with_its_own_project_policy(project: Path) -> None:
    (project / "billing").mkdir()
    (project / "billing" / "pyproject.toml").write_text('[tool.phi-lint]\nredactor = "contoso.privacy.scrub"\n')
    (project / "billing" / "claims.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef submit(claim):\n    log.info(\"claim for %s\", claim.subscriber_ssn)\n"
    )
    result = run("check", "--fix", ".")
    assert "Fixed" in result.output
    assert 'log.info("claim for %s", scrub(claim.subscriber_ssn))' in (project / "billing" / "claims.py").read_text()
    assert "from contoso.privacy import scrub" in (project / "billing" / "claims.py").read_text()
    assert "from phi_lint.redact import redact" in (project / "admit.py").read_text()


def test_fix_from_stdin_prints_the_fixed_source(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", "--fix", "--stdin-filename", "admit.py", "-"], input=LEAKS.encode(), catch_exceptions=False
    )
    assert result.stdout == SAFE_FIXED
    assert "PHI202" in result.stderr
    assert (project / "admit.py").read_text() == LEAKS  # the file on disk is not the input


def test_diff_never_shows_a_key(project: Path) -> None:
    key = "sk-proj-M0XvqZjxTW3xvboSRt5Mh3dAwVtRMflhbmuaptt0Azn0DNRUQxA71p2Td8VKqxry"
    (project / "keys.py").write_text(f'from openai import OpenAI\n\nclient = OpenAI(api_key="{key}")\n')
    result = CliRunner().invoke(main, ["check", "--diff", "--unsafe-fixes", "--show-fixes", "--select", "PHI401", "keys.py"])
    assert result.exit_code == 1
    assert key not in result.stdout + result.stderr
    assert "-client = OpenAI(api_key=[REDACTED])" in result.stdout
    assert '+client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])' in result.stdout


# ---------------------------------------------------------------------- how files are written
def test_mode_bom_crlf_and_missing_final_newline_are_kept(project: Path) -> None:
    path = project / "admit.py"
    text = LEAKS.replace("\n", "\r\n").rstrip("\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    os.chmod(path, 0o640)
    run("check", "--fix", "admit.py")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == SAFE_FIXED.replace("\n", "\r\n").rstrip("\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_declared_encoding_is_kept(project: Path) -> None:
    path = project / "admit.py"
    text = "# -*- coding: latin-1 -*-\n" + LEAKS.replace('"""Admissions."""', '"""Admissions (Fran\u00e7ois\' ward)."""')
    path.write_bytes(text.encode("latin-1"))
    run("check", "--fix", "admit.py")
    fixed = path.read_bytes().decode("latin-1")
    assert "Fran\u00e7ois" in fixed and "redact(patient.last_name)" in fixed


def test_symlink_stays_a_link(project: Path) -> None:
    (project / "real").mkdir()
    os.replace(project / "admit.py", project / "real" / "admit.py")
    (project / "admit.py").symlink_to(project / "real" / "admit.py")
    run("check", "--fix", "admit.py")
    assert (project / "admit.py").is_symlink()
    assert (project / "real" / "admit.py").read_text() == SAFE_FIXED


def test_write_is_atomic(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        renames.append((Path(src), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(fixer.os, "replace", replace)
    run("check", "--fix", "admit.py")
    [(tmp, dst)] = renames
    assert tmp.parent == dst.parent == project.resolve() and dst.name == "admit.py"
    assert sorted(p.name for p in project.iterdir()) == ["admit.py", "clean.py", "pyproject.toml"]


def test_a_failed_write_leaves_the_file_and_no_temporary(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fixer.os, "replace", fail)
    result = CliRunner().invoke(main, ["check", "--fix", "admit.py"])
    assert (project / "admit.py").read_text() == LEAKS
    assert sorted(p.name for p in project.iterdir()) == ["admit.py", "clean.py", "pyproject.toml"]
    assert "admit.py: not fixed: cannot write it (No space left on device)" in result.stderr
    assert result.exit_code == 1


# ---------------------------------------------------------------------- the fixer's own rules
def finding(fix: Fix, line: int = 1, column: int = 1, code: str = "PHI201") -> Finding:
    return Finding(code, "name", Severity.ERROR, "message", "f.py", Span(line, column, line, column), fix=fix)


def edit_fix(*edits: Edit, imports: tuple[str, ...] = ()) -> Fix:
    return Fix("title", Applicability.SAFE, tuple(edits), imports)


def test_a_fix_that_would_not_parse_is_dropped_with_a_message() -> None:
    text = "log.info('%s', patient.ssn)\nlog.info('%s', patient.mrn)\n"
    broken = finding(edit_fix(Edit(1, 16, 1, 27, "redact(patient.ssn")), 1, 16)
    good = finding(edit_fix(Edit(2, 16, 2, 27, "redact(patient.mrn)"), imports=("phi_lint.redact.redact",)), 2, 16)
    out, applied, messages = apply_fixes(text, [broken, good], "f.py")
    assert out == "from phi_lint.redact import redact\n\nlog.info('%s', patient.ssn)\nlog.info('%s', redact(patient.mrn))\n"
    assert [(a.line, a.code) for a in applied] == [(2, "PHI201")]
    assert len(messages) == 1 and messages[0].startswith("f.py:1:16: PHI201 fix dropped: the fixed code would not parse (")


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    text = "x = a + b\n"
    outer = finding(edit_fix(Edit(1, 5, 1, 10, "f(a + b)")), 1, 5)
    inner = finding(edit_fix(Edit(1, 5, 1, 6, "g(a)")), 1, 5)
    same = finding(edit_fix(Edit(1, 5, 1, 10, "f(a + b)")), 1, 5)
    out, applied, messages = apply_fixes(text, [outer, inner, same])
    assert out == "x = f(a + b)\n" and len(applied) == 2 and messages == []


def test_edits_outside_the_file_are_refused() -> None:
    out, applied, messages = apply_fixes("x = 1\n", [finding(edit_fix(Edit(3, 1, 3, 2, "y")))], "f.py")
    assert out == "x = 1\n" and applied == [] and "do not fit the file" in messages[0]


def test_passes_stop_when_a_fix_does_not_help(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix that leaves its finding in place is applied once, not once per pass."""
    import phi_lint.engine as engine_module

    class Stubborn:  # every check finds the same fixable finding again
        def check_source(self, text: str, path: str, project=None) -> list[Finding]:
            return [finding(edit_fix(Edit(1, 1, 1, 1, "# reviewed\n")))]

    monkeypatch.setattr(engine_module, "engine_for", lambda config: Stubborn())
    fixed = fix_text("x = 1\n", "f.py", Config())
    assert fixed.text == "# reviewed\nx = 1\n" and len(fixed.applied) == 1


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("f.py", "a = 1", "a = 2")
    assert diff == "--- a/f.py\n+++ b/f.py\n@@ -1 +1 @@\n-a = 1\n\\ No newline at end of file\n+a = 2\n\\ No newline at end of file\n"


# ---------------------------------------------------------------------- builders
def ctx_for(source: str, config: Config | None = None) -> SimpleNamespace:
    from phi_lint.analysis.module import ModuleAnalysis
    from phi_lint.catalog import load

    config = config or Config()
    engine = Engine(config)
    tree = ast.parse(source)
    analysis = ModuleAnalysis(tree, "f.py", source.splitlines(), load(), engine.classifier, (), (), False)
    return SimpleNamespace(source=source, analysis=analysis, config=config)


@pytest.mark.parametrize(
    ("source", "config", "expected"),
    [
        ("import os\n", Config(), ("redact", ("phi_lint.redact.redact",))),
        ("from phi_lint.redact import redact\n", Config(), ("redact", ())),
        ("from contoso.privacy import redact as r\n", Config(redactor="contoso.privacy.redact"), ("r", ())),
        ("import contoso.privacy as cp\n", Config(redactor="contoso.privacy.redact"), ("cp.redact", ())),
        ("import contoso.privacy\n", Config(redactor="contoso.privacy.redact"), ("contoso.privacy.redact", ())),
        ("from contoso import privacy\n", Config(sanitizers=("contoso.privacy.redact",)), ("privacy.redact", ())),
        ("def redact(x):\n    return x\n", Config(), ("phi_redact", ("phi_lint.redact.redact as phi_redact",))),
    ],
)
def test_the_redactor_is_spelled_as_the_module_imports_it(source: str, config: Config, expected) -> None:
    assert callee(ctx_for(source, config), config.fix_redactor) == expected


def test_a_wrap_that_cannot_be_trusted_is_not_offered() -> None:
    source = "log.info('%s', x)\n"
    ctx = ctx_for(source)
    node = ast.parse(source).body[0].value.args[1]
    node.col_offset += 1  # a position that does not match the text (as inside old f-strings)
    assert wrap_fix(ctx, [node], "t", Applicability.SAFE) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("c = Client(verify=False)\n", "c = Client()\n"),
        ("c = Client(a, verify=False, b=1)\n", "c = Client(a, b=1)\n"),
        ("c = Client(a, verify=False)\n", "c = Client(a)\n"),
        ("c = Client(\n    a,\n    verify=False,\n)\n", "c = Client(\n    a,\n)\n"),
        ("c = Client(\n    verify=False,  # self-signed\n    b=1,\n)\n", "c = Client(\n    # self-signed\n    b=1,\n)\n"),
        ("c = Client(a,  # note\n    verify=False)\n", "c = Client(a,  # note\n    )\n"),
    ],
)
def test_remove_argument(source: str, expected: str) -> None:
    call = ast.parse(source).body[0].value
    kw = next(k for k in call.keywords if k.arg == "verify")
    fix = remove_argument(ctx_for(source), call, kw, "t")
    assert apply_fixes(source, [finding(fix)])[0] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("c = Client()\n", 'c = Client(store=False)\n'),
        ("c = Client(a)\n", 'c = Client(a, store=False)\n'),
        ("c = Client(\n    a=1,\n    b=2,  # two\n)\n", 'c = Client(\n    a=1,\n    b=2,  # two\n    store=False,\n)\n'),
        ("c = Client(\n    a=1,\n    b=2  # two\n)\n", 'c = Client(\n    a=1,\n    b=2,  # two\n    store=False,\n)\n'),
        ("c = Client(\r\n    a=1,\r\n)\r\n", 'c = Client(\r\n    a=1,\r\n    store=False,\r\n)\r\n'),
        ("c = Client(**options)\n", None),
    ],
)
def test_add_keyword(source: str, expected: str | None) -> None:
    call = ast.parse(source).body[0].value
    fix = add_keyword(ctx_for(source), call, "store", "False", "t")
    if expected is None:
        assert fix is None
    else:
        assert apply_fixes(source, [finding(fix)])[0] == expected


HANDLER = """import logging

from fastapi import FastAPI, Request
from openai import AzureOpenAI

app = FastAPI()
log = logging.getLogger(__name__)
client = AzureOpenAI(azure_endpoint="https://contoso-health.openai.azure.com", api_version="2024-10-21")


@app.post("/triage")
async def triage(request: Request, patient: dict) -> dict:
{body}
"""


def fixed_handler(body: str) -> str:
    source = HANDLER.format(body=body)
    result = fix_text(source, "triage.py", Config(), unsafe=True)
    assert result.messages == []
    return result.text[result.text.index("async def triage"):].split("\n", 1)[1]


def test_a_variable_used_once_is_fixed_where_its_value_is_built() -> None:
    body = (
        "    prompt = f\"Triage {patient['first_name']}\"\n"
        "    completion = client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": prompt}])\n"
        "    return {}\n"
    )
    assert fixed_handler(body).startswith("    prompt = f\"Triage {pseudonymize(patient['first_name'])}\"\n")


def test_a_variable_used_twice_is_not_wrapped_whole() -> None:
    # redact(prompt) would send the model only "[REDACTED]"; the definition has another use
    body = (
        "    prompt = f\"Triage {patient['first_name']}\"\n"
        "    log.debug(\"prompt of %d characters\", len(prompt))\n"
        "    completion = client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": prompt}])\n"
        "    return {}\n"
    )
    fixed = fixed_handler(body)
    assert "redact(" not in fixed


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('    log.info("incoming %s", request.json)\n    return {}\n', 'log.info("incoming %s", redact(str(request.json)))'),
        ('    log.debug("triage: %s", await request.json())\n    return {}\n', 'log.debug("triage: %s", redact(str(await request.json())))'),
        ('    payload = await request.json()\n    raise ValueError(payload)\n', "raise ValueError(redact(str(payload)))"),
    ],
)
def test_a_payload_in_a_log_is_masked_whole_by_an_unsafe_fix(body: str, expected: str) -> None:
    # redact(payload) would pass a dict with unnamed keys through: its text is masked instead
    source = HANDLER.format(body=body)
    findings = [f for f in Engine(Config()).check_source(source, "triage.py") if f.code.startswith("PHI2")]
    assert findings and all(f.fix is not None and f.fix.applicability is Applicability.UNSAFE for f in findings)
    assert not [f for f in Engine(Config()).check_source(source, "triage.py") if f.fix and f.fix.applicability is Applicability.SAFE and f.code.startswith("PHI2")]
    assert expected in fixed_handler(body)


def test_a_prompt_built_in_branches_is_fixed_where_the_data_enters() -> None:
    body = (
        '    if patient:\n        prompt = "Triage " + patient["diagnosis"]\n    else:\n        prompt = "none"\n'
        '    client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])\n    return {}\n'
    )
    fixed = fixed_handler(body)
    assert 'prompt = "Triage " + redact(patient["diagnosis"])' in fixed and "redact(prompt)" not in fixed


@pytest.mark.parametrize(
    "body",
    [
        # the list of messages passes the redactor unchanged: its dicts have no sensitive keys
        '    messages = []\n    messages.append({"role": "user", "content": patient["diagnosis"]})\n'
        '    client.chat.completions.create(model="m", messages=messages)\n    return {}\n',
        # a prompt built with += or in branches: wrapping it would mask the whole prompt
        '    prompt = "Triage: "\n    prompt += patient["diagnosis"]\n'
        '    client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])\n    return {}\n',
    ],
)
def test_aggregates_that_only_carry_the_data_get_no_wrapping_fix(body: str) -> None:
    source = HANDLER.format(body=body)
    findings = Engine(Config()).check_source(source, "triage.py")
    assert [f for f in findings if f.code.startswith(("PHI1", "PHI2"))], "the case must have a finding"
    assert not [f for f in findings if f.code.startswith(("PHI1", "PHI2")) and f.fix is not None]
    assert "redact(" not in fix_text(source, "triage.py", Config(), unsafe=True).text


def test_a_value_under_a_sensitive_key_is_wrapped_whole() -> None:
    body = '    client.chat.completions.create(model="m", messages=[], metadata={"diagnoses": ", ".join(d["code"] for d in patient["diagnoses"])})\n    return {}\n'
    fixed = fixed_handler(body)
    assert 'metadata={"diagnoses": hashlib.sha256(str(", ".join(d["code"] for d in patient["diagnoses"])).encode()).hexdigest()}' in fixed


def test_comprehensions_wrap_each_element() -> None:
    source = "import logging\n\n\ndef f(patients):\n    logging.info('%s', ', '.join(p.ssn for p in patients))\n"
    fixed = fix_text(source, "f.py", Config())
    assert "', '.join(redact(p.ssn) for p in patients)" in fixed.text


# ---------------------------------------------------------------------- libcst stays out of plain checks
def test_libcst_is_loaded_only_where_an_import_cannot_simply_follow_the_leading_imports(project: Path) -> None:
    script = (
        "import sys\n"
        "from phi_lint.cli import main\n"
        "try:\n"
        "    main(['check', '--format', 'json', 'admit.py'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 1, exc.code\n"
        "sys.stderr.write('libcst loaded' if 'libcst' in sys.modules else 'libcst not loaded')\n"
    )
    plain = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True)
    assert plain.stderr.strip() == "libcst not loaded", plain.stderr
    # the redactor's import goes after the file's imports: text, no second parser
    fixing = subprocess.run([sys.executable, "-c", script.replace("'--format'", "'--diff', '--format'")], cwd=project, capture_output=True, text=True)
    assert fixing.stderr.strip() == "libcst not loaded", fixing.stderr
    # an existing `from phi_lint.redact import ...` to merge the redactor into: libcst does that
    (project / "admit.py").write_text(LEAKS.replace("import logging\n", "import logging\nfrom phi_lint.redact import MASK\n"))
    merging = subprocess.run([sys.executable, "-c", script.replace("'--format'", "'--diff', '--format'")], cwd=project, capture_output=True, text=True)
    assert merging.stderr.strip() == "libcst loaded", merging.stderr


def test_added_imports_go_where_libcst_puts_them() -> None:
    from phi_lint.fix.imports import add_imports

    cases = {
        '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nx = 1\n':
            '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport hashlib\nfrom contoso.privacy import redact\n\nx = 1\n',
        '"""Doc."""\n\n__all__ = ["f"]\n': '"""Doc."""\nimport hashlib\nfrom contoso.privacy import redact\n\n__all__ = ["f"]\n',
        "# header\n\n@app.get('/')\ndef f():\n    pass\n": "# header\n\nimport hashlib\nfrom contoso.privacy import redact\n\n@app.get('/')\ndef f():\n    pass\n",
        "import hashlib\n\n\nx = 1\n": "import hashlib\nfrom contoso.privacy import redact\n\n\nx = 1\n",
        "import os\r\nx = 1\r\n": "import os\r\nimport hashlib\r\nfrom contoso.privacy import redact\r\n\r\nx = 1\r\n",
    }
    for before, after in cases.items():
        assert add_imports(before, ["contoso.privacy.redact", "hashlib"]) == after


@pytest.mark.parametrize(
    "source",
    [
        "import logging\nlog = logging.getLogger(__name__)\n\n\ndef audit(patient, redact: bool = True):\n    log.info('viewed chart of %s', patient.mrn)\n",
        "import logging\nfrom phi_lint.redact import redact\nlog = logging.getLogger(__name__)\n\n\ndef audit(patient):\n    redact = patient.consent\n    log.info('viewed chart of %s', patient.mrn)\n",
        "import logging\nlog = logging.getLogger(__name__)\n\n\ndef audit(patients):\n    for redact in patients:\n        log.info('mrn %s', redact.mrn)\n",
    ],
)
def test_a_redactor_name_bound_in_the_function_is_not_called(source: str) -> None:
    first = fix_text(source, "f.py", Config())
    assert first.applied and "phi_redact(" in first.text
    assert "from phi_lint.redact import redact as phi_redact" in first.text
    assert not [f for f in first.findings if f.code == "PHI201"]
    assert fix_text(first.text, "f.py", Config()).text == first.text  # a second --fix changes nothing


def test_the_endpoint_fix_keeps_to_the_provider_of_the_client(tmp_path: Path) -> None:
    config = Config(approved_endpoints=("https://contoso.openai.azure.com",))
    source = (
        "import requests\nfrom anthropic import Anthropic\nfrom openai import OpenAI\n\n"
        "a = Anthropic()\n"
        "b = Anthropic(base_url=\"https://api.anthropic.com\")\n"
        "r = requests.post(\"https://api.anthropic.com/v1/messages\", json={})\n"
        "o = OpenAI()\n"
    )
    findings = [f for f in Engine(config).check_source(source, "f.py") if f.code == "PHI301"]
    assert sorted(f.line for f in findings) == [5, 6, 7, 8]
    assert [f.line for f in findings if f.fix is not None] == [8]  # only the OpenAI client fits the Azure OpenAI host
    two = Config(approved_endpoints=("https://contoso.openai.azure.com", "https://claude.contoso.net"))
    assert [f.line for f in Engine(two).check_source(source, "f.py") if f.code == "PHI301" and f.fix is not None] == [8]


# ---------------------------------------------------------------------- promises match what --fix does
NESTED = ("import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef admit(patient):\n"
          "    log.info('%s', " + "(" * 199 + "patient.ssn" + ")" * 199 + ")\n"
          "    log.info('%s', patient.mrn)\n")


@pytest.mark.parametrize("fix_flag", [[], ["--fix"]])
def test_a_fix_the_parser_cannot_take_is_not_counted_as_fixable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fix_flag: list[str]) -> None:
    """Wrapping the SSN adds a 200th level of parentheses, which CPython's parser refuses: --fix
    drops that fix, so neither the summary nor `[*]` may promise it (the MRN fix is fine)."""
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "deep.py").write_text(NESTED)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    result = CliRunner().invoke(main, ["check", *fix_flag, "deep.py"], catch_exceptions=False)
    out = result.stdout
    ssn = next(line for line in out.splitlines() if "`patient.ssn`" in line)
    assert "[*]" not in ssn
    if fix_flag:
        assert "PHI201 fix dropped: the fixed code would not parse" in result.stderr
        assert out.rstrip().endswith("Found 1 finding in 1 file.")
    else:
        assert "[*]" in next(line for line in out.splitlines() if "`patient.mrn`" in line)
        assert out.rstrip().endswith("Found 2 findings in 1 file.\n1 fixable with --fix.")
        doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", "deep.py"]).stdout)
        assert [f["fix"] is not None for f in doc["findings"]] == [False, True]


def test_unsafe_fixes_without_fix_show_the_fixes_as_available_like_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "mixed.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef admit(patient):\n"
        "    log.info('%s', patient.ssn)\n    log.info('%s', patient)\n")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    plain = CliRunner().invoke(main, ["check", "mixed.py"]).stdout
    assert plain.rstrip().endswith("1 fixable with --fix (1 more with --unsafe-fixes).")
    assert "(unsafe: needs --unsafe-fixes)" in plain
    unsafe = CliRunner().invoke(main, ["check", "--unsafe-fixes", "mixed.py"]).stdout
    assert unsafe.rstrip().endswith("Found 2 findings in 1 file.\n2 fixable with --fix.")
    assert "--unsafe-fixes" not in unsafe  # the footer and the fix lines must not ask for what was given
    assert sum(line.startswith("mixed.py:") and "[*]" in line for line in unsafe.splitlines()) == 2
    github = CliRunner().invoke(main, ["check", "--unsafe-fixes", "--format", "github", "mixed.py"]).stdout
    assert "needs --unsafe-fixes" not in github
