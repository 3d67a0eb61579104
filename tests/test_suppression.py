"""Suppression comments: `# phi-lint: ignore[CODE] reason="..."` and `# noqa: CODE [-- reason]`,
on the finding's line, the first line of its statement or the comment line above it; and PHI901
for every suppression that gives no reason."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from phi_lint.engine import Engine
from phi_lint.cli import main
from phi_lint.config import Config, find_config_file

HEADER = '''import logging

log = logging.getLogger("intake")


def admit(patient):
'''


def check(body: str, config: Config | None = None):
    source = HEADER + textwrap.indent(textwrap.dedent(body), "    ")
    findings = Engine(config or Config()).check_source(source, "intake.py")
    return source.splitlines(), findings


def active(findings, code: str) -> list:
    return [f for f in findings if f.code == code and f.suppression is None]


def suppressed(findings, code: str) -> list:
    return [f for f in findings if f.code == code and f.suppression is not None]


def test_an_unsuppressed_leak_is_reported() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)\n')
    assert len(active(findings, "PHI201")) == 1
    assert not active(findings, "PHI901")


def test_phi_lint_comment_with_reason_suppresses_and_keeps_the_reason() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201] reason="verified by the PHI vault"\n')
    assert not active(findings, "PHI201")
    (hidden,) = suppressed(findings, "PHI201")
    assert hidden.suppression.kind == "phi-lint"
    assert hidden.suppression.reason == "verified by the PHI vault"
    assert hidden.suppression.line == hidden.line
    assert not active(findings, "PHI901")


def test_single_quoted_reason_and_several_codes() -> None:
    _, findings = check("log.info('ssn %s', patient.ssn)  # phi-lint: ignore[PHI202, PHI201] reason='audit log, PHI store'\n")
    assert not active(findings, "PHI201")
    assert suppressed(findings, "PHI201")[0].suppression.reason == "audit log, PHI store"
    assert not active(findings, "PHI901")


def test_phi_lint_comment_without_reason_suppresses_but_is_phi901() -> None:
    lines, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201]\n')
    assert not active(findings, "PHI201")
    assert suppressed(findings, "PHI201")[0].suppression.reason is None
    (complaint,) = active(findings, "PHI901")
    line = lines[complaint.line - 1]
    assert line[complaint.column - 1 : complaint.span.end_column - 1] == "# phi-lint: ignore[PHI201]"


def test_empty_reason_is_no_reason() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201] reason=""\n')
    assert not active(findings, "PHI201")
    assert len(active(findings, "PHI901")) == 1


def test_comment_for_another_code_does_not_suppress() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI101] reason="not about logs"\n')
    assert len(active(findings, "PHI201")) == 1


def test_ignore_without_codes_covers_every_code() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore reason="break-glass audit trail"\n')
    assert not active(findings, "PHI201")
    assert not active(findings, "PHI901")


def test_noqa_with_code_suppresses_and_is_phi901_without_reason() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa: PHI201\n')
    assert not active(findings, "PHI201")
    assert suppressed(findings, "PHI201")[0].suppression.kind == "noqa"
    assert len(active(findings, "PHI901")) == 1


def test_noqa_with_reason_after_double_dash() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa: PHI201 -- written to the PHI vault only\n')
    assert not active(findings, "PHI201")
    assert suppressed(findings, "PHI201")[0].suppression.reason == "written to the PHI vault only"
    assert not active(findings, "PHI901")


@pytest.mark.parametrize("comment", ["# noqa:PHI", "# noqa: PHI2", "# noqa:PHI201", "# NOQA: phi201", "# noqa: E501, PHI201"])
def test_noqa_prefixes_and_spellings(comment: str) -> None:
    _, findings = check(f'log.info("ssn %s", patient.ssn)  {comment}\n')
    assert not active(findings, "PHI201"), comment
    assert len(active(findings, "PHI901")) == 1, comment


def test_noqa_prefix_of_another_family_does_not_suppress() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa: PHI1\n')
    assert len(active(findings, "PHI201")) == 1


def test_noqa_for_other_tools_is_ignored() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa: E501\n')
    assert len(active(findings, "PHI201")) == 1
    assert not active(findings, "PHI901")


def test_bare_noqa_suppresses_and_is_phi901_only_when_it_hides_something() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa\n')
    assert not active(findings, "PHI201")
    assert len(active(findings, "PHI901")) == 1
    _, clean = check('log.info("admitted %s", patient.id)  # noqa\n')
    assert not active(clean, "PHI901")  # flake8's business, not ours


def test_unused_suppression_naming_a_phi_code_still_needs_a_reason() -> None:
    _, findings = check('log.info("admitted %s", patient.id)  # noqa: PHI201\n')
    assert len(active(findings, "PHI901")) == 1


def test_comment_line_above_a_multi_line_statement() -> None:
    _, findings = check('''\
        # phi-lint: ignore[PHI201] reason="audit log, PHI store"
        log.info(
            "admitting %s",
            patient.ssn,
        )
    ''')
    assert not active(findings, "PHI201")
    (hidden,) = suppressed(findings, "PHI201")
    assert hidden.line == hidden.suppression.line + 3


def test_comment_on_the_first_line_of_a_multi_line_statement() -> None:
    _, findings = check('''\
        log.info(  # noqa: PHI201 -- audit log, PHI store
            "admitting %s",
            patient.ssn,
        )
    ''')
    assert not active(findings, "PHI201")


def test_comment_two_lines_above_does_not_reach() -> None:
    _, findings = check('''\
        # phi-lint: ignore[PHI201] reason="meant for the next statement only"
        log.info("admitted")
        log.info("ssn %s", patient.ssn)
    ''')
    assert len(active(findings, "PHI201")) == 1


def test_comment_on_a_later_line_of_the_statement_does_not_reach() -> None:
    """Same rule as flake8: a noqa counts on the line of the finding (or, ours, the statement's
    first line), not on any line of the statement."""
    _, findings = check('''\
        log.info(
            "admitting %s",
            patient.last_name,
        )  # noqa: PHI201 -- misplaced
    ''')
    assert len(active(findings, "PHI201")) == 1


def test_noqa_text_inside_a_string_is_not_a_comment() -> None:
    _, findings = check('log.info("ssn %s # noqa: PHI201", patient.ssn)\n')
    assert len(active(findings, "PHI201")) == 1
    assert not active(findings, "PHI901")


def test_phi901_cannot_be_suppressed_by_the_comment_it_is_about() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa\n')
    assert len(active(findings, "PHI901")) == 1


def test_phi901_can_be_switched_off_by_configuration() -> None:
    _, findings = check('log.info("ssn %s", patient.ssn)  # noqa: PHI201\n', Config(ignore=("PHI901",)))
    assert not active(findings, "PHI901")
    assert not active(findings, "PHI201")


def test_suppressing_a_pattern_rule() -> None:
    source = textwrap.dedent('''\
        from openai import OpenAI

        # phi-lint: ignore[PHI301] reason="vendor evaluation under BAA-2024-17"
        evaluation = OpenAI(
            timeout=30,
        )
        production = OpenAI()  # noqa: PHI301
    ''')
    findings = Engine(Config()).check_source(source, "clients.py")
    assert [f.line for f in active(findings, "PHI301")] == []
    assert [f.line for f in active(findings, "PHI901")] == [7]


def test_suppression_in_a_file_that_does_not_parse() -> None:
    """PHI900 is reported whatever the comments say; the file's suppressions are still read."""
    findings = Engine(Config()).check_source("def broken(:  # noqa: PHI900\n", "broken.py")
    assert {f.code for f in findings if f.suppression is None} == {"PHI901"}
    assert [f.code for f in findings if f.suppression is not None] == ["PHI900"]


def test_cli_hides_suppressed_findings_and_lists_them_on_request(tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    (tmp_path / "intake.py").write_text(HEADER + '    log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201] reason="PHI vault"\n')
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    runner = CliRunner()
    quiet = runner.invoke(main, ["check", "intake.py"], catch_exceptions=False)
    assert quiet.exit_code == 0, quiet.output
    assert "PHI201" not in quiet.output
    shown = runner.invoke(main, ["check", "--show-suppressed", "intake.py"], catch_exceptions=False)
    assert shown.exit_code == 0
    assert "PHI201" in shown.output and "PHI vault" in shown.output


# ---------------------------------------------------------------------- reasons in every habit's form
@pytest.mark.parametrize("comment", [
    "# noqa: PHI201 — audit log, PHI store",
    "# noqa: PHI201 – audit log, PHI store",
    "# noqa: PHI201 -- audit log, PHI store",
    '# noqa: PHI201 reason="audit log, PHI store"',
    "# phi-lint: ignore[PHI201] — audit log, PHI store",
    "# phi-lint: ignore[PHI201] -- audit log, PHI store",
    "# phi-lint: ignore[PHI201] reason='audit log, PHI store'",
])
def test_a_reason_after_an_em_dash_or_as_reason_counts(comment: str) -> None:
    _, findings = check(f'log.info("ssn %s", patient.ssn)  {comment}\n')
    (hidden,) = suppressed(findings, "PHI201")
    assert hidden.suppression.reason == "audit log, PHI store"
    assert not active(findings, "PHI901")


def test_a_reason_ends_where_the_next_suppression_starts() -> None:
    _, findings = check('log.info("%s %s", patient.ssn, patient)  # noqa: PHI201 — vault log  # phi-lint: ignore[PHI202] reason="whole record, vault"\n')
    reasons = {f.code: f.suppression.reason for f in findings if f.suppression}
    assert reasons == {"PHI201": "vault log", "PHI202": "whole record, vault"}
    assert not active(findings, "PHI901") and not active(findings, "PHI903")


# ---------------------------------------------------------------------- PHI902: codes that do not exist
@pytest.mark.parametrize(("comment", "unknown"), [
    ('# phi-lint: ignore[PHI2O1] reason="vault"', "`PHI2O1`"),
    ('# phi-lint: ignore[PHI201, PHI299] reason="vault"', "`PHI299`"),
    ("# noqa: PHI999 -- vault", "`PHI999`"),
    ('# phi-lint: ignore[E501] reason="long"', "`E501`"),
])
def test_an_unknown_code_in_a_suppression_is_a_finding(comment: str, unknown: str) -> None:
    _, findings = check(f'log.info("ssn %s", patient.ssn)  {comment}\n')
    (finding,) = active(findings, "PHI902")
    assert finding.message == f"{unknown} in this suppression is not a phi-lint rule code (see `phi-lint rules`)"


@pytest.mark.parametrize("comment", ["# noqa: E501, PHI201 -- vault", "# noqa: PHI2 -- vault", '# phi-lint: ignore[PHI] reason="vault"'])
def test_known_codes_prefixes_and_other_tools_codes_in_a_noqa_are_fine(comment: str) -> None:
    _, findings = check(f'log.info("ssn %s", patient.ssn)  {comment}\n')
    assert not active(findings, "PHI902")


# ---------------------------------------------------------------------- PHI903: suppressions that hide nothing
def test_an_unused_suppression_is_reported_with_a_fix_that_removes_it() -> None:
    lines, findings = check('log.info("admitted %s", patient.id)  # phi-lint: ignore[PHI201] reason="vault"\n')
    (finding,) = active(findings, "PHI903")
    assert finding.message == "unused suppression: `PHI201` reports nothing here"
    assert finding.fix.title == "Remove the unused suppression" and finding.fix.applicability.value == "safe"
    from phi_lint.fix.apply import apply_fixes

    text = "\n".join(lines) + "\n"
    fixed, applied, _ = apply_fixes(text, [finding])
    assert fixed.splitlines()[-1] == '    log.info("admitted %s", patient.id)'


def test_only_the_unused_codes_go() -> None:
    lines, findings = check('log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201, PHI202, PHI203] reason="vault"\n')
    (finding,) = active(findings, "PHI903")
    assert finding.message == "unused suppression: `PHI202`, `PHI203` report nothing here"
    from phi_lint.fix.apply import apply_fixes

    fixed, _, _ = apply_fixes("\n".join(lines) + "\n", [finding])
    assert fixed.splitlines()[-1] == '    log.info("ssn %s", patient.ssn)  # phi-lint: ignore[PHI201] reason="vault"'


def test_a_suppression_for_a_rule_not_selected_is_left_alone() -> None:
    """Selection is a view (a CI step with --select PHI3, per-file-ignores): the comment still
    matters once the rule runs again."""
    _, findings = check('log.info("admitted %s", patient.id)  # phi-lint: ignore[PHI201] reason="vault"\n',
                        Config(select=("PHI3", "PHI9")))
    assert not active(findings, "PHI903")


def test_bare_noqa_and_other_tools_codes_are_not_judged() -> None:
    _, findings = check('log.info("admitted %s", patient.id)  # noqa\nlog.info("x")  # noqa: E501\n')
    assert not active(findings, "PHI903")


def test_fix_removes_an_unused_comment_line_above_a_statement(tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.phi-lint]\n")
    body = HEADER + '    # phi-lint: ignore[PHI201] reason="vault"\n    log.info("admitted %s", patient.id)\n'
    (tmp_path / "intake.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    find_config_file.cache_clear()
    before = CliRunner().invoke(main, ["check", "--format", "concise", "intake.py"], catch_exceptions=False)
    assert "intake.py:7:5: PHI903 unused suppression" in before.output
    fixed = CliRunner().invoke(main, ["check", "--fix", "intake.py"], catch_exceptions=False)
    assert fixed.exit_code == 0, fixed.output
    assert (tmp_path / "intake.py").read_text() == HEADER + '    log.info("admitted %s", patient.id)\n'


@pytest.mark.parametrize(("source", "count"), [
    ("import os  # noqa: F401\nwidth = 1  # noqa:E501\n", 0),
    ('marker = "# noqa"  # noqa: F401\n', 0),
    ('query = """\n# phi-lint: ignore[PHI201]\n"""  # noqa: E501\n', 0),
    ("log.info(ssn)  # noqa: PHI201, E501\n", 1),
    ("log.info(ssn)  # NOQA\n", 1),
    ("log.info(mrn)  # type: ignore  # noqa: PHI203 -- reviewed by privacy\n", 1),
    ('log.info("#")  # phi-lint: ignore[PHI201] reason="synthetic"\n', 1),
    ('text = """unterminated\nlog.info(ssn)  # noqa\n', 1),
])
def test_suppressions_read_without_tokenizing_are_those_read_by_tokenizing(source: str, count: int, monkeypatch) -> None:
    """A file whose `noqa` comments all list other tools' codes is not tokenized: no line of it
    has a `#` that starts a suppression of ours. What is found is the same either way."""
    import phi_lint.engine as engine

    lines = engine.split_lines(source)
    found = engine._suppression_comments(source, lines)
    assert len(found) == count
    monkeypatch.setattr(engine, "_may_suppress", lambda line: True)
    assert found == engine._suppression_comments(source, lines)
