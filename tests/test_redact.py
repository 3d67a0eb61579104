"""phi_lint.redact: the runtime redactor fixes call when a project has none."""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime
import doctest
import os
from typing import NamedTuple

import pytest

import phi_lint.redact as redact_module
from phi_lint.engine import Engine
from phi_lint.config import Config
from phi_lint.redact import MASK, redact


def test_module_examples() -> None:
    assert doctest.testmod(redact_module).failed == 0


@pytest.mark.parametrize("value", ["Ann Smith", "123-45-6789", "", 42, 3.5, True, b"\x00\x01", datetime.date(1961, 4, 2)])
def test_a_sensitive_scalar_becomes_the_mask(value) -> None:
    assert redact(value) == MASK


def test_none_stays_none() -> None:
    assert redact(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123-45-6789", "[REDACTED]6789"),
        ("(617) 555-0142", "[REDACTED]0142"),
        ("MRN-00482913", "[REDACTED]2913"),
        (123456789, "[REDACTED]6789"),
        ("1961-04-02", MASK),  # a date is not an identifier: its tail is the day of birth
        ("04/02/1961", MASK),
        ("Ann Smith", MASK),  # names are masked whole
        ("E11.65", MASK),  # too short to keep a part
        ("ann.smith@example.org", MASK),
    ],
)
def test_keep_last_four_only_for_identifiers(value, expected) -> None:
    assert redact(value, keep_last_four=True) == expected


def test_keep_last_four_follows_the_key_kind() -> None:
    record = {"ssn": "123-45-6789", "diagnosis": "Type 2 diabetes mellitus 12345678", "first_name": "Ann"}
    assert redact(record, keep_last_four=True) == {"ssn": "[REDACTED]6789", "diagnosis": MASK, "first_name": MASK}


def test_keep_last_four_never_keeps_dates_names_or_addresses() -> None:
    record = {
        "dob": "19800102",
        "date_of_birth": "01/02/1980",
        "first_name": "Annabel12345678",
        "address": "1234 Main Street 90210",
        "zip": "902101234",
        "email": "a12345678@example.org",
        "diagnosis": "E11.9 12345678",
        "home_address": {"line1": "12345678"},
    }
    assert redact(record, keep_last_four=True) == {
        "dob": MASK, "date_of_birth": MASK, "first_name": MASK, "address": MASK, "zip": MASK,
        "email": MASK, "diagnosis": MASK, "home_address": {"line1": MASK},
    }
    assert redact(datetime.date(1980, 1, 2), keep_last_four=True) == MASK
    assert redact("19800102", keep_last_four=True) == MASK  # on its own, a compact date stays masked


def test_keep_last_four_keeps_identifier_numbers() -> None:
    record = {"ssn": "123-45-6789", "mrn": "MRN00012345", "phone": "555-123-4567", "card_number": "4111 1111 1111 1234",
              "member_id": "ABC123456789", "policy_number": "P-0099887766"}
    assert redact(record, keep_last_four=True) == {
        "ssn": MASK + "6789", "mrn": MASK + "2345", "phone": MASK + "4567", "card_number": MASK + "1234",
        "member_id": MASK + "6789", "policy_number": MASK + "7766",
    }


def test_custom_mask() -> None:
    assert redact({"mrn": "00482913", "ward": "4B"}, mask="***") == {"mrn": "***", "ward": "4B"}


def test_records_keep_fields_that_are_not_sensitive() -> None:
    record = {
        "id": "p-17",
        "ward": "4B",
        "first_name": "Ann",
        "date_of_birth": datetime.date(1961, 4, 2),
        "contact": {"email": "ann@example.org", "priority": 2, "preferred_channel": "sms"},
        "allergies": ["penicillin", "latex"],
        "admissions": [{"admission_date": "2024-02-01", "bed": 12}],
        "tags": ["vip", "fall-risk"],
    }
    assert redact(record) == {
        "id": "p-17",
        "ward": "4B",
        "first_name": MASK,
        "date_of_birth": MASK,
        "contact": {"email": MASK, "priority": 2, "preferred_channel": "sms"},
        "allergies": [MASK, MASK],
        "admissions": [{"admission_date": MASK, "bed": 12}],
        "tags": ["vip", "fall-risk"],
    }


def test_a_value_under_a_sensitive_key_is_masked_whole() -> None:
    record = {"diagnosis": {"code": "E11.9", "display": "Type 2 diabetes"}, "status": "active"}
    assert redact(record) == {"diagnosis": {"code": MASK, "display": MASK}, "status": "active"}


def test_a_record_key_is_walked_as_a_record() -> None:
    assert redact({"patient": {"name": "Ann", "room": "4B"}, "model_version": "v3"}) == {
        "patient": {"name": MASK, "room": "4B"},
        "model_version": "v3",
    }


def test_lists_and_tuples_of_values_are_masked() -> None:
    assert redact(["123-45-6789", "987-65-4321"]) == [MASK, MASK]
    assert redact(("Ann", None)) == (MASK, None)
    assert redact({"Ann", "Bob"}) == {MASK}
    assert redact(collections.deque(["x"])) == collections.deque([MASK])


@dataclasses.dataclass(frozen=True)
class Patient:
    id: str
    first_name: str
    mrn: str
    allergies: tuple[str, ...] = ()


@dataclasses.dataclass
class Encounter:
    encounter_id: str
    patient: Patient
    ward: str


class Member(NamedTuple):
    member_id: str
    plan: str


def test_dataclasses_become_copies() -> None:
    patient = Patient("p-1", "Ann", "00482913", ("latex",))
    encounter = Encounter("e-9", patient, "4B")
    out = redact(encounter)
    assert isinstance(out, Encounter) and out is not encounter
    assert out.patient == Patient("p-1", MASK, MASK, (MASK,))
    assert out.ward == "4B"
    assert encounter.patient.first_name == "Ann"  # the original is untouched


def test_namedtuples_keep_their_type() -> None:
    assert redact(Member("ABC123456789", "gold")) == Member(MASK, "gold")


def test_pydantic_models_become_copies() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Claim(pydantic.BaseModel):
        id: str
        subscriber_ssn: str
        diagnosis_codes: list[str]
        amount: float

    claim = Claim(id="c-1", subscriber_ssn="123-45-6789", diagnosis_codes=["E11.9"], amount=120.5)
    out = redact(claim)
    assert isinstance(out, Claim)
    assert (out.id, out.subscriber_ssn, out.diagnosis_codes, out.amount) == ("c-1", MASK, [MASK], 120.5)
    assert claim.subscriber_ssn == "123-45-6789"


def test_never_mutates_its_argument() -> None:
    record = {"ssn": "123-45-6789", "visits": [{"notes": "chest pain", "room": 4}], "ids": {"mrn": "00482913"}}
    before = copy.deepcopy(record)
    redact(record)
    redact(record, keep_last_four=True)
    assert record == before


def test_mappings_that_write_through_are_never_copied_in_place() -> None:
    before = dict(os.environ)
    out = redact(os.environ)
    assert dict(os.environ) == before
    assert isinstance(out, dict)


class Hostile:
    """An object that fails at everything a redactor might try."""

    def __getattr__(self, name):
        raise RuntimeError(name)

    def __iter__(self):
        raise RuntimeError("iter")

    def __repr__(self):
        raise RuntimeError("repr")


class BrokenMapping(collections.abc.Mapping):
    def __getitem__(self, key):
        raise KeyError(key)

    def __iter__(self):
        return iter(["ssn"])

    def __len__(self):
        return 1


def test_never_raises_on_odd_input() -> None:
    cyclic: dict = {"ward": "4B"}
    cyclic["self"] = cyclic
    assert redact(cyclic) == {"ward": "4B", "self": MASK}
    assert redact(Hostile()) == MASK
    assert redact({"ward": Hostile()}) == {"ward": MASK}
    assert redact(BrokenMapping()) == MASK
    assert redact(iter(["123-45-6789"])) == MASK  # never consumed: the caller's iterator stays whole
    deep: list = []
    node = deep
    for _ in range(200):
        node.append([])
        node = node[0]
    assert redact(deep) is not None


def test_the_static_analysis_treats_it_as_a_sanitizer() -> None:
    source = '''import logging

from phi_lint.redact import redact

log = logging.getLogger(__name__)


def admit(patient):
    log.info("admitting %s", redact(patient.ssn))
    log.info("admitting %s", patient.ssn)
'''
    findings = Engine(Config()).check_source(source, "admit.py")
    assert [(f.code, f.line) for f in findings] == [("PHI201", 10)]


def test_pseudonyms_are_stable_per_key_and_reveal_nothing() -> None:
    from phi_lint.redact import pseudonymize

    first = pseudonymize("123-45-6789", key=b"team-key")
    assert first == pseudonymize("123-45-6789", key=b"team-key") and first.startswith("ID-") and len(first) == 15
    assert first != pseudonymize("123-45-6790", key=b"team-key")
    assert first != pseudonymize("123-45-6789", key=b"other-key")
    assert "6789" not in first
    assert pseudonymize("Maria Example") == pseudonymize("Maria Example")  # one process key
    assert pseudonymize(object(), prefix="PT-").startswith("PT-")
