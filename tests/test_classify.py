"""Classification of names: word splitting, strong and context terms, subjects, records, neutral
words, configuration and the reasons shown to people."""

from __future__ import annotations

import re

import pytest

from phi_lint.analysis.classify import WEAK_SUBJECT, Classifier, split_words
from phi_lint.analysis.syntax import names_holding, whole_word_starts
from phi_lint.catalog import load


@pytest.fixture(scope="module")
def vocabulary():
    return load().vocabulary


@pytest.fixture(scope="module")
def classifier(vocabulary) -> Classifier:
    return Classifier(vocabulary)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("patient_dob", ("patient", "dob")),
        ("patientDOB", ("patient", "dob")),
        ("birthDate", ("birth", "date")),
        ("icd10_code", ("icd", "10", "code")),
        ("HTTPServer", ("http", "server")),
        ("SSN", ("ssn",)),
        ("__dict__", ("dict",)),
        ("member-email", ("member", "email")),
        ("", ()),
    ],
)
def test_split_words(name: str, words: tuple[str, ...]) -> None:
    assert split_words(name) == words


@pytest.mark.parametrize(
    ("name", "category", "kind"),
    [
        ("ssn", "ssn", "identifier"),
        ("mrn", "mrn", "identifier"),
        ("date_of_birth", "date", "identifier"),
        ("dateOfBirth", "date", "identifier"),
        ("birthDate", "date", "identifier"),
        ("first_name", "name", "identifier"),
        ("home_address", "address", "identifier"),
        ("primary_diagnosis", "diagnosis", "health"),
        ("discharge_summary", "clinical", "health"),
        ("medical_record_number", "mrn", "identifier"),
        ("allergies", "allergy", "health"),
        ("referral_letter", "clinical", "health"),
    ],
)
def test_strong_terms_are_sensitive_anywhere(classifier: Classifier, name: str, category: str, kind: str) -> None:
    hit = classifier.classify(name)
    assert hit is not None and not hit.record
    assert (hit.category, hit.kind) == (category, kind)


@pytest.mark.parametrize("name", ["email", "name", "phone", "address", "city", "age", "notes", "result"])
def test_context_terms_alone_are_not_sensitive(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None


@pytest.mark.parametrize(
    ("name", "category"),
    [("patient_email", "email"), ("patientPhone", "phone"), ("subscriber_address", "address"), ("beneficiary_name", "name")],
)
def test_context_terms_next_to_a_subject(classifier: Classifier, name: str, category: str) -> None:
    hit = classifier.classify(name)
    assert hit is not None and hit.category == category


@pytest.mark.parametrize(("name", "category"), [("email", "email"), ("phone", "phone"), ("notes", "clinical"), ("letter_text", "clinical")])
def test_context_terms_on_a_record(classifier: Classifier, name: str, category: str) -> None:
    hit = classifier.classify(name, on_record=True)
    assert hit is not None and hit.category == category


@pytest.mark.parametrize(
    "name",
    # the traps of RULES.md: names of things that are not people, opaque ids
    ["model_name", "file_name", "server_address", "ip_address", "deploy_date", "patient_id", "request_id", "model"],
)
def test_names_of_things_that_are_not_people(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None


def test_strong_beats_context_and_longest_wins(classifier: Classifier) -> None:
    assert classifier.classify("email_diagnosis").category == "diagnosis"  # strong over context
    assert classifier.classify("social_security_number").category == "ssn"
    hit = classifier.classify("discharge_date")
    assert hit.category == "date" and "`discharge_date`" in hit.why


def test_plural_of_a_term(classifier: Classifier) -> None:
    assert classifier.classify("mrns").category == "mrn"
    assert classifier.classify("nursing_notes").category == "clinical"
    assert classifier.classify("allowed_ips") is None  # a context term: still needs a subject
    assert classifier.classify("status") is None


@pytest.mark.parametrize("name", ["patient", "patients", "Patient", "patient_record", "subscriber_profile", "claimant_info", "patientData"])
def test_subjects_and_record_words_name_records(classifier: Classifier, name: str) -> None:
    hit = classifier.classify(name)
    assert hit is not None and hit.record and hit.kind == "record"
    assert "record about a person" in hit.why


def test_a_subject_with_other_words_is_not_a_record(classifier: Classifier) -> None:
    assert classifier.classify("patient_id") is None
    assert classifier.classify("patient_portal_url") is None


@pytest.mark.parametrize("name", ["ssn_pattern", "diagnosis_count", "redacted_note", "hashed_mrn", "dob_format", "mrn_regex", "patient_count", "PATIENT_TEMPLATE"])
def test_neutral_words_make_metadata_about_the_data(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None


def test_names_person(classifier: Classifier) -> None:
    assert classifier.names_person("patient")
    assert classifier.names_person("member_profile")
    assert classifier.names_person("current_subscriber")
    assert not classifier.names_person("model")
    assert not classifier.names_person("server")
    assert not classifier.names_person("patient_count")


def test_extra_phi_fields(vocabulary) -> None:
    classifier = Classifier(vocabulary, extra_fields=("member_number", "claim_ref", "clientCode"))
    hit = classifier.classify("claim_ref")
    assert hit is not None and hit.category == "configured" and "extra-phi-fields" in hit.why
    assert classifier.classify("client_code").category == "configured"  # matched by words, any spelling
    assert Classifier(vocabulary).classify("claim_ref") is None


def test_not_phi_fields(vocabulary) -> None:
    classifier = Classifier(vocabulary, not_fields=("display_name", "bed_number"))
    assert classifier.classify("display_name", on_record=True) is None
    assert classifier.classify("displayName", on_record=True) is None
    assert Classifier(vocabulary).classify("display_name", on_record=True) is not None


def test_phi_subjects_replace_the_default_list(vocabulary) -> None:
    classifier = Classifier(vocabulary, subjects=("client", "resident"))
    assert classifier.classify("client_email").category == "email"
    assert classifier.classify("patient_email") is None
    assert classifier.classify("client").record  # a configured subject names a record
    assert classifier.classify("resident_record").record


def test_reasons_name_the_identifier_and_the_rule(classifier: Classifier) -> None:
    assert classifier.classify("birthDate").why == "`birthDate` is a HIPAA identifier: dates related to an individual (§164.514(b)(2)(i)(C))"
    assert classifier.classify("ssn").why.startswith("`ssn` is a HIPAA identifier: Social Security numbers")
    assert classifier.classify("medications").why == "`medications` is health information: medications and prescriptions"


def test_sensitive_names_is_a_cheap_superset(classifier: Classifier) -> None:
    assert classifier.sensitive_names({"import", "patient"}) == ({"patient"}, set())
    assert classifier.sensitive_names(["mrns", "os"]) == ({"mrns"}, set())
    assert classifier.sensitive_names({"import", "os", "path", "join"}) == (set(), set())
    assert classifier.sensitive_names({"Observation"}, fhir=True) == ({"Observation"}, set())
    # a bare weak subject counts only where a weak-subject term is read from it (the engine looks)
    assert classifier.sensitive_names({"member", "MemberDescriptorType", "member_phone", "member_profile"}) == (
        {"member_phone", "member_profile"}, {"member", "MemberDescriptorType"})
    assert classifier.any_weak_term(["phone"]) and classifier.any_weak_term(["zip"]) and classifier.any_weak_term(["ssn"])
    assert not classifier.any_weak_term(["name"]) and not classifier.any_weak_term(["address"])


def test_a_weak_subject_alone_counts_only_unambiguous_context_terms(classifier: Classifier) -> None:
    # `for member in Harness` / `tf.getmembers()`: a bare `member` is a weak subject
    weak = classifier.names_person("member")
    assert weak == WEAK_SUBJECT and weak
    assert classifier.classify("name", weak) is None  # enum / tar member.name
    assert classifier.classify("value", weak) is None
    assert classifier.classify("address", weak) is None  # a cluster member's address
    assert classifier.classify("phone", weak).category == "phone"  # a health-plan member's phone
    assert classifier.classify("email", weak).category == "email"
    assert classifier.classify("date_of_birth", weak).category == "date"  # strong terms always count
    assert classifier.classify("ssn", weak).category == "ssn"
    assert classifier.classify("member_name", weak).category == "name"  # the field names its subject
    # records and record subjects keep every context term
    assert classifier.names_person("member_profile") is True
    assert classifier.names_person("patient") is True
    assert classifier.classify("name", classifier.names_person("patient")).category == "name"
    assert classifier.classify("name", True).category == "name"
    assert classifier.classify("member_name").category == "name"


@pytest.mark.parametrize("name", ["transcript_id", "transcriptId", "diagnosis_id", "patient_note_id", "anamnesis_uuid"])
def test_an_opaque_key_of_a_health_record_is_not_health_information(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None


def test_an_opaque_suffix_does_not_hide_identifier_terms(classifier: Classifier) -> None:
    assert classifier.classify("member_id").category == "plan"  # the term itself ends in `id`
    assert classifier.classify("claim_id").category == "insurance"
    assert classifier.classify("patient_email_id").category == "email"  # "email id": an address


@pytest.mark.parametrize("name", ["has_ssn", "is_email_verified", "should_mask_dob", "needs_phone", "with_ssn", "hasSsn", "n_diagnoses", "n_patients", "number_of_medications"])
def test_flags_and_counts_are_about_the_data(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None


@pytest.mark.parametrize(("name", "category"), [("has_hiv", "sensitive-health"), ("is_pregnant", "sensitive-health"), ("has_allergies", "allergy"), ("ssn", "ssn"), ("this_ssn", "ssn")])
def test_a_flag_about_health_is_health_information(classifier: Classifier, name: str, category: str) -> None:
    hit = classifier.classify(name)
    assert hit is not None and hit.category == category


def test_transcripts_and_transcriptions(classifier: Classifier) -> None:
    assert classifier.classify("transcript").category == "clinical"  # strong (ambient-scribe fixtures)
    assert classifier.classify("transcription") is None  # speech-to-text output
    assert classifier.classify("transcription_text") is None
    assert classifier.classify("patient_transcription").category == "clinical"
    assert classifier.classify("medical_transcription").category == "clinical"
    assert classifier.classify("transcription", on_record=True).category == "clinical"


def test_clinical_history_terms(classifier: Classifier) -> None:
    assert classifier.classify("anamnesis").category == "clinical"
    assert classifier.classify("patient_anamnesis").category == "clinical"
    assert classifier.classify("soap_notes").category == "clinical"
    assert classifier.classify("soap_client") is None  # the protocol, not a note
    assert classifier.classify("case_summary") is None  # too generic alone
    assert classifier.classify("member_case_summary").category == "clinical"


@pytest.mark.parametrize(("name", "record"), [
    ("fhir_bundle", True), ("fhirBundle", True), ("ehr_data", True), ("emr_records", True), ("fhir_resources", True),
    ("fhir_client", False), ("fhir_base_url", False), ("fhir", False), ("ehr_api", False),
])
def test_record_sources_with_a_record_word_name_a_clinical_record(classifier: Classifier, name: str, record: bool) -> None:
    hit = classifier.classify(name)
    assert (hit is not None and hit.record) is record


@pytest.mark.parametrize(("name", "words"), [
    ("patientname", ("patient", "name")), ("dateofbirth", ("dateofbirth",)), ("memberid", ("member", "id")),
    ("hostname", ("hostname",)), ("namespace", ("namespace",)), ("remember", ("remember",)), ("rename", ("rename",)),
])
def test_compounds_split_only_into_vocabulary_words(classifier: Classifier, name: str, words: tuple[str, ...]) -> None:
    assert classifier.words(name) == words


def test_compounds_without_separators_are_classified(classifier: Classifier) -> None:
    assert classifier.classify("patientname").category == "name"
    assert classifier.classify("patientdob").category == "date"
    assert classifier.classify("memberphone").category == "phone"
    assert classifier.classify("username") is None  # `user` is no subject of the default vocabulary
    assert Classifier(load().vocabulary, subjects=("patient", "user")).classify("username").category == "name"


@pytest.mark.parametrize("name", [
    "patients_with_visits", "members_without_claims", "visits_per_patient", "has_transcript", "needs_discharge_summary",
    "transcript_model", "note_type", "template_id", "provider_name", "doctor_name", "clinic_phone", "date_of_service",
    "transcript_files", "sample_patient",
])
def test_names_that_are_not_the_data(classifier: Classifier, name: str) -> None:
    assert classifier.classify(name) is None, classifier.classify(name)


@pytest.mark.parametrize(("name", "category"), [
    ("patient_date_of_service", "date"), ("blood_type", "lab"), ("physician_note", "clinical"), ("doctor_notes_of_patient", "clinical"), ("has_hiv", "sensitive-health"),
])
def test_terms_keep_their_meaning_beside_those_words(classifier: Classifier, name: str, category: str) -> None:
    assert classifier.classify(name).category == category
    assert classifier.classify("date_of_service", True).category == "date"  # on a record it is the patient's


@pytest.mark.parametrize(("name", "metadata"), [
    ("status_code", True), ("total_tokens", True), ("confidence", True), ("is_error", True), ("key", True),
    ("content", False), ("text", False), ("message", False), ("name", False),
])
def test_metadata_fields(classifier: Classifier, name: str, metadata: bool) -> None:
    assert classifier.is_metadata(name) is metadata


def _names_spelled_from(terms, vocabulary, classifier: Classifier) -> set[str]:
    """Names built from `terms`, every subject, record source and word form, as real code spells
    them (snake, camel, plural, `ies` plurals, compounds), beside names that hold none of them."""
    words = [list(term) for term in terms]
    words += [[w] for w in sorted(classifier.subjects | vocabulary.record_sources | set(vocabulary.word_forms))]
    names = {"total_count", "HTTPServer", "self", "tokenizer", "ward_id", "visit_date", "value", "items"}
    for parts in words:
        last = parts[-1]
        plural = last[:-1] + "ies" if last.endswith("y") else last + "s"
        names |= {"_".join(parts), "get_" + "_".join(parts[:-1] + [plural]), "".join(p.title() for p in parts) + "List",
                  "".join(parts), "raw_" + "".join(parts) + "_text"}
    return names


def test_the_text_prefilter_of_the_gating_hides_no_name_that_triggers(vocabulary) -> None:
    """`sensitive_names` skips the word analysis of a name whose text holds no stem of the
    vocabulary; it must judge every name as the full analysis does, for names built from every
    strong term."""
    filtered = Classifier(vocabulary, profiles=("pii",))
    unfiltered = Classifier(vocabulary, profiles=("pii",))
    unfiltered._trigger_stems_found = re.compile("")  # finds something in every name
    names = _names_spelled_from([term for term, (_, strong) in filtered.terms.items() if strong], vocabulary, filtered)
    assert filtered.sensitive_names(names) == unfiltered.sensitive_names(names)
    assert filtered.sensitive_names(names)[0]  # the names do trigger


def test_the_text_prefilter_of_weak_subject_fields_hides_no_field(vocabulary) -> None:
    """`any_weak_term` (is `member.<name>` sensitive?) skips the word analysis of the names whose
    text holds no first word of a term, subject or record source; it must answer as the full
    analysis does, for names built from every term, one at a time and all at once."""
    filtered = Classifier(vocabulary, profiles=("pii",))
    unfiltered = Classifier(vocabulary, profiles=("pii",))
    unfiltered._field_stems_found = re.compile("")  # finds something in every name
    names = _names_spelled_from(filtered.terms, vocabulary, filtered)
    answers = {name: filtered.any_weak_term([name]) for name in sorted(names)}
    assert answers == {name: unfiltered.any_weak_term([name]) for name in sorted(names)}
    assert any(answers.values()) and not all(answers.values())
    # all at once, as a module's names are read: the same names set aside
    assert set(names_holding(filtered._field_stems_found, names)) == {name for name in names if filtered._field_stems_found.search(name.lower())}
    assert filtered.any_weak_term(names) and not filtered.any_weak_term([n for n, weak in answers.items() if not weak])


@pytest.mark.parametrize("words", [
    {"patient", "patient_id", "lookups.row_for", "row_for"},
    {"ssn", "x"},
    {"mrn"},
])
def test_whole_word_starts_are_those_a_look_behind_pattern_finds(words) -> None:
    """`whole_word_starts` tests the character before a match by hand (the gating's lines worth a
    pass); it must find what the pattern with a look-behind finds, also where a match it turns
    down (`xlookups.row_for`) holds one it must take (`row_for` after the dot)."""
    text = ("patient = load(patient_id)  # patients, outpatient\nxlookups.row_for(ssn)\nlookups.row_for(x)\n"
            "ssn_x = ssn.x + mrn2 + _mrn + mrn\r\nprint(f'{patient}') if x else row_for(mrn)\n")
    look_behind = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
    expected = [m.start() for m in look_behind.finditer(text)]
    assert whole_word_starts(text, words) == expected and expected
