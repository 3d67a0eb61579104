"""The semgrep pack in rules/semgrep/: generated from the catalogue, every rule tested on both
sides of its line, and `semgrep --test` green (one run for the whole pack)."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from phi_lint.analysis.classify import WEAK_SUBJECT, Classifier
from phi_lint.catalog import load
from phi_lint.cli import main
from phi_lint.config import Config
from phi_lint.semgrep import pack
from phi_lint.semgrep.names import NameRegexes, name_regexes
from phi_lint.semgrep.run import semgrep_command

from conftest import FIXTURES, ROOT

PACK = ROOT / "rules" / "semgrep"
ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok)\s*:\s*([\w-]+)")


def rule_files() -> list[Path]:
    return sorted(PACK.glob("*/*.yaml"))


def test_the_committed_pack_is_what_the_catalogue_generates() -> None:
    differences = pack.differences(PACK, Config())
    assert not differences, "rules/semgrep is stale; run `phi-lint semgrep-rules -o rules/semgrep`:\n" + "\n".join(differences)


def test_the_command_writes_the_pack_and_checks_a_folder(tmp_path: Path) -> None:
    (tmp_path / "python").mkdir()
    (tmp_path / "python" / "retired-rule.yaml").write_text("rules: []\n")
    (tmp_path / "python" / "phi-in-log.py").write_text("# a test file is kept\n")
    runner = CliRunner()
    assert runner.invoke(main, ["semgrep-rules", "-o", str(tmp_path), "--check"]).exit_code == 1
    result = runner.invoke(main, ["semgrep-rules", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.glob("*/*.yaml")) == sorted(p.relative_to(PACK) for p in rule_files())
    assert (tmp_path / "python" / "phi-in-log.py").exists() and not (tmp_path / "python" / "retired-rule.yaml").exists()
    assert runner.invoke(main, ["semgrep-rules", "-o", str(tmp_path), "--check"]).exit_code == 0


def test_a_policy_is_baked_into_the_rules(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.phi-lint]\napproved-endpoints = ["https://contoso-health.openai.azure.com"]\n'
        'approved-regions = ["us-east-1"]\nsanitizers = ["contoso.privacy.scrub_phi"]\n'
    )
    result = CliRunner().invoke(main, ["semgrep-rules", "-o", str(tmp_path / "pack"), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 0, result.output
    region = yaml.safe_load((tmp_path / "pack" / "javascript" / "unapproved-model-region.yaml").read_text())
    regions = [re.compile(r["regex"]) for r in _walk(region) if isinstance(r, dict) and r.get("metavariable") == "$REGION"]
    assert regions and all(r.match('"eu-west-1"') and not r.match('"us-east-1"') for r in regions)
    assert not (PACK / "javascript" / "unapproved-model-region.yaml").exists()  # PHI303 needs a policy
    endpoint = yaml.safe_load((tmp_path / "pack" / "javascript" / "unapproved-model-endpoint.yaml").read_text())
    urls = [re.compile(r["regex"]) for r in _walk(endpoint) if isinstance(r, dict) and r.get("metavariable") == "$URL"]
    assert urls and not any(u.match('"https://contoso-health.openai.azure.com/openai/deployments"') for u in urls)
    assert any(u.match('"https://api.openai.com/v1"') for u in urls)
    assert "scrub_phi" in (tmp_path / "pack" / "javascript" / "phi-in-prompt.yaml").read_text()
    assert "contoso.privacy.scrub_phi" in (tmp_path / "pack" / "python" / "phi-in-prompt.yaml").read_text()


def _walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


def test_every_rule_carries_phi_lint_metadata() -> None:
    from phi_lint.checks.base import rule_by_code

    for path in rule_files():
        text = path.read_text()
        code = re.search(r'phi-lint-code: "(PHI\d{3})"', text).group(1)
        rule = rule_by_code(code)
        assert f'id: "{rule.name}"' in text and path.stem == rule.name
        soc2, hipaa = load().controls[code]
        for control in (*soc2, *hipaa):
            assert f'"{control}"' in text, (path, control)
        for key in ("category: \"security\"", "cwe:", "confidence:", "likelihood:", "impact:", f"docs/rules/{code}.md"):
            assert key in text, (path, key)


@pytest.mark.parametrize("rule", rule_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_rule_has_positive_and_negative_cases(rule: Path) -> None:
    tests = [p for p in rule.parent.glob(rule.stem + ".*") if p.suffix != ".yaml"]
    marks = [m.groups() for t in tests for m in ANNOTATION.finditer(t.read_text())]
    positives = sum(1 for kind, rid in marks if kind == "ruleid" and rid == rule.stem)
    negatives = sum(1 for kind, rid in marks if kind == "ok" and rid == rule.stem)
    assert positives >= 4 and negatives >= 4, f"{rule}: {positives} positive, {negatives} negative cases"


def test_semgrep_test_passes_on_the_whole_pack() -> None:
    command = semgrep_command()
    assert command is not None, "semgrep is part of the test extras: pip install -e '.[test]'"
    result = subprocess.run([*command, "--test", "--metrics=off", "--disable-version-check", str(PACK)], capture_output=True, text=True)
    summary = [line for line in result.stdout.splitlines() if "unit tests did not pass" in line or "tests passed" in line or "✖" in line]
    assert result.returncode == 0, "\n".join(summary) or result.stdout[-3000:] + result.stderr[-3000:]
    assert "All tests passed" in result.stdout


# ---------------------------------------------------------------- names as regular expressions

def identifiers() -> set[str]:
    """Names of the Python fixtures and of the pack's tests, and spellings of every term."""
    names: set[str] = set()
    for path in FIXTURES.rglob("*.py"):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    for path in PACK.glob("javascript/*.[jt]s"):
        names.update(re.findall(r"[A-Za-z_$][\w$]*", path.read_text()))
    for term in load().vocabulary.terms:
        snake = "_".join(term)
        names |= {snake, snake.upper(), "patient_" + snake, "has_" + snake, snake + "_id", snake + "_count",
                  term[0] + "".join(w.title() for w in term[1:]), "patient" + "".join(w.title() for w in term)}
    return names


# Where the expressions and the classifier part, and why: the classifier splits a run of
# lower-case letters into the vocabulary's words (`patientname`: patient, name) where the
# expressions want a case change or a separator before a word, but they accept the words of a
# term run together (`fullname`: "full name"); and the classifier judges a name by its best term
# where the expressions accept any (`insurance_claim_id`: "claim id" or "insurance claim").
KNOWN = {"fullname", "FULLNAME", "fullname_id", "insurance_claim_id", "drug_name_id", "has_insurance_number", "patientname", "memberphone"}


def test_the_name_expressions_judge_names_as_the_classifier_does() -> None:
    vocabulary = load().vocabulary
    classifier = Classifier(vocabulary)
    regexes = name_regexes(vocabulary)
    whole = {k: re.compile(NameRegexes.whole(getattr(regexes, k))) for k in ("field", "record", "record_field", "weak_field", "person", "weak_person")}
    disagree = []
    for name in sorted(identifiers() - KNOWN):
        if "$" in name:
            continue
        hit, on_record, on_weak = classifier.classify(name), classifier.classify(name, True), classifier.classify(name, WEAK_SUBJECT)
        field = bool(whole["field"].match(name))
        person = classifier.names_person(name)
        expected = {
            "field": bool(hit and not hit.record),
            "record": bool(hit and hit.record),
            "record_field": bool(on_record and not on_record.record),
            "weak_field": bool(on_weak and not on_weak.record),
            "person": person is True and not (hit and not hit.record),
            "weak_person": person == WEAK_SUBJECT,
        }
        found = {
            "field": field,
            "record": bool(whole["record"].match(name)) and not field,
            "record_field": field or bool(whole["record_field"].match(name)),
            "weak_field": field or bool(whole["weak_field"].match(name)),
            "person": bool(whole["person"].match(name) or whole["record"].match(name)) and not field,
            "weak_person": bool(whole["weak_person"].match(name)) and not whole["record"].match(name),
        }
        disagree += [(name, k) for k in expected if expected[k] != found[k]]
    assert not disagree, disagree[:30]


def test_the_expressions_find_names_in_source_text() -> None:
    regexes = name_regexes(load().vocabulary)
    text = "log(patient.dateOfBirth, ssnPattern, row['mrn'], patientId, diagnosisCodes.length)"
    found = [m.group() for m in re.finditer(NameRegexes.in_text(regexes.field), text)]
    assert found == ["dateOfBirth", "mrn", "diagnosisCodes"]


def test_configured_fields_and_subjects_reach_the_expressions() -> None:
    regexes = name_regexes(load().vocabulary, extra_fields=("member_number",), not_fields=("display_name",), subjects=("client",))
    field = re.compile(NameRegexes.whole(regexes.field))
    assert field.match("memberNumber") and field.match("client_email")
    assert not field.match("patient_email")  # `phi-subjects` replaces the subjects
