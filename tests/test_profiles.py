"""Vocabulary profiles: `profiles = ["pii"]` adds SOC 2 privacy subjects (users, customers,
employees) to the patient vocabulary. Off by default; one config line turns it on; an unknown
profile is a config error that names the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import Config, ConfigError, validate
from phi_lint.engine import Engine

from conftest import FIXTURES

PROFILE_FIXTURES = sorted(FIXTURES.glob("PHI*/pii_profile/*.py"))


def test_the_profile_fixtures_exist() -> None:
    assert len(PROFILE_FIXTURES) >= 3


@pytest.mark.parametrize("path", PROFILE_FIXTURES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_off_by_default(path: Path) -> None:
    """Without the profile only strong terms count (`phone_number`, `full_name`): a user's email,
    login or address is found only with it."""
    def found(config: Config) -> set[tuple[int, str]]:
        return {(f.line, f.code) for f in Engine(config).check_source(path.read_bytes(), path.name) if f.code[:4] in ("PHI1", "PHI2")}

    without, with_profile = found(Config()), found(Config(profiles=("pii",)))
    assert without < with_profile
    assert len(with_profile - without) >= 2


def test_one_line_turns_it_on() -> None:
    source = "import logging\nlog = logging.getLogger(__name__)\n\ndef f(user):\n    log.info('%s', user.email)\n"
    assert not Engine(Config()).check_source(source, "a.py")
    on = validate({"profiles": ["pii"]}, None)
    assert [f.code for f in Engine(on).check_source(source, "a.py")] == ["PHI201"]


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="`profiles`.*unknown profile 'gdpr'"):
        validate({"profiles": ["gdpr"]}, None)
