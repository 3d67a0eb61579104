"""Decide whether a name is sensitive, and say why.

Names are split into lowercase words and matched against the vocabulary of
rules/sensitive-data.toml: strong terms always, context terms only next to a subject or on a
PHI record. A name made of a subject and record words (`patient`, `member_profile`) names a
whole record.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from phi_lint.analysis.syntax import names_holding, stems_pattern
from phi_lint.catalog import Category, Vocabulary

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@functools.lru_cache(maxsize=65536)
def split_words(name: str) -> tuple[str, ...]:
    """`patientDOB` -> (patient, dob); `icd10_code` -> (icd, 10, code); `HTTPServer` -> (http, server)."""
    return tuple(w.lower() for w in _WORD.findall(name))


def _singular(word: str) -> str:
    """`notes` -> `note`, `mrns` -> `mrn`, `summaries` -> `summary`; short words and `-ss` endings
    stay as they are."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# What `names_person` returns for an object named only by a weak subject (`member`, `person`,
# `dependent`: not record subjects). It is truthy, so a caller that passes it on as `on_record`
# (`on_record = PHI_RECORD in base or names_person(...)`) makes `classify` count only the
# unambiguous `weak-subject-terms` (`member.phone`), not `member.name` of an enum or tar member.
WEAK_SUBJECT = "weak-subject"


@dataclass(frozen=True)
class Sensitivity:
    category: str  # a category id of the vocabulary, or "record"
    kind: str  # "identifier", "health" or "record"
    why: str  # a sentence a human can read
    record: bool = False  # the name is a whole record, not one field


class Classifier:
    def __init__(
        self,
        vocabulary: Vocabulary,
        extra_fields: tuple[str, ...] = (),
        not_fields: tuple[str, ...] = (),
        subjects: tuple[str, ...] | None = None,
        profiles: tuple[str, ...] = (),
    ) -> None:
        self.vocabulary = vocabulary
        self.terms = dict(vocabulary.terms)
        extra = Category("configured", "identifier", "listed in `extra-phi-fields`")
        for name in extra_fields:
            self.terms[split_words(name)] = (extra, True)
        self.subjects = frozenset(subjects) if subjects is not None else vocabulary.subjects
        self.record_subjects = frozenset(subjects) if subjects is not None else vocabulary.record_subjects
        for name in profiles:  # `profiles = ["pii"]`: users, customers, employees are subjects too
            profile = vocabulary.profiles[name]
            self.subjects |= frozenset(profile.get("subjects", ()))
            self.record_subjects |= frozenset(profile.get("record-subjects", ()))
            category = Category(f"{name}-identifier", "identifier", profile["why"])
            for term in profile.get("strong", ()):
                self.terms.setdefault(tuple(term.split()), (category, True))
        self.max_words = max(len(t) for t in self.terms)
        self.first_words = frozenset(t[0] for t in self.terms) | self.subjects
        self.fhir_words = frozenset(w.lower() for w in vocabulary.fhir_resources)
        self.pieces = _compound_pieces(vocabulary, self.terms, self.subjects)
        self.longest_piece = max(map(len, self.pieces))
        self.words = functools.lru_cache(maxsize=65536)(self._words)
        self.not_fields = frozenset(self.words(n) for n in not_fields)
        self.classify = functools.lru_cache(maxsize=65536)(self._classify)
        self.is_metadata = functools.lru_cache(maxsize=16384)(self._is_metadata)
        self._triggers = functools.lru_cache(maxsize=65536)(self.triggers)
        self._trigger_stems_found = stems_pattern(self._trigger_stems())
        self._field_stems_found = stems_pattern(self._field_stems())
        # sensitive_names' memory: every name it has judged, and those that trigger or are a weak subject
        self._judged: set[str] = set()
        self._triggering: set[str] = set()
        self._weak_subjects: set[str] = set()

    def _words(self, name: str) -> tuple[str, ...]:
        """The words of a name, compounds split by the vocabulary: `patientname` -> (patient,
        name), `dateofbirth` -> (date, of, birth). A word is split only into pieces that are all
        words of the vocabulary, so `hostname` and `namespace` stay whole."""
        out: list[str] = []
        forms = self.vocabulary.word_forms
        for word in split_words(name):
            out.extend(self._compound(forms.get(word, word)))
        return tuple(out)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - a classifier lives for the process
    def _compound(self, word: str) -> tuple[str, ...]:
        if len(word) < 5 or word in self.pieces or _singular(word) in self.pieces or not word.isalpha():
            return (word,)
        n = len(word)
        best: list[tuple[str, ...] | None] = [()] + [None] * n  # fewest pieces ending at each index
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 2, min(n, i + self.longest_piece) + 1):
                piece = word[i:j]
                if piece in self.pieces and (best[j] is None or len(best[i]) + 1 < len(best[j])):
                    best[j] = best[i] + (piece,)
        found = best[n]
        return found if found is not None and len(found) > 1 else (word,)

    def is_subject(self, word: str) -> bool:
        return word in self.subjects or (word.endswith("s") and word[:-1] in self.subjects)

    def _is_record_subject(self, word: str) -> bool:
        return word in self.record_subjects or (word.endswith("s") and word[:-1] in self.record_subjects)

    def _match(self, words: tuple[str, ...]) -> tuple[Category, bool] | None:
        hit = self._match_at(words)
        return None if hit is None else hit[0]

    def _match_at(self, words: tuple[str, ...]) -> tuple[tuple[Category, bool], tuple[str, ...], int] | None:
        """The best term in `words`: strong over context, then the longest; with the term's
        words (singular) and the index just past it."""
        best: tuple[Category, bool] | None = None
        best_len = 0
        best_term: tuple[str, ...] = ()
        best_end = 0
        for i, word in enumerate(words):
            if word not in self.first_words and _singular(word) not in self.first_words:
                continue
            for n in range(min(self.max_words, len(words) - i), 0, -1):
                window = words[i : i + n]
                hit = self.terms.get(window)
                if hit is None and _singular(window[-1]) != window[-1]:
                    window = window[:-1] + (_singular(window[-1]),)
                    hit = self.terms.get(window)  # `nursing_notes`, `mrns`
                if hit:
                    if best is None or (hit[1] and not best[1]) or (hit[1] == best[1] and n > best_len):
                        best, best_len, best_term, best_end = hit, n, window, i + n
                    break
        return None if best is None else (best, best_term, best_end)

    def _is_weak_term(self, term: tuple[str, ...]) -> bool:
        return term in self.vocabulary.weak_subject_terms or (term[:-1] + (_singular(term[-1]),)) in self.vocabulary.weak_subject_terms

    @staticmethod
    def _starts_with(words: tuple[str, ...], prefixes: tuple[tuple[str, ...], ...]) -> bool:
        return any(len(words) > len(p) and words[: len(p)] == p for p in prefixes)

    def _classify(self, name: str, on_record: bool | str = False) -> Sensitivity | None:
        """Classify an identifier, attribute, key or keyword. `on_record`: it is a field of a
        PHI record or of an object named after a subject, so context terms count; WEAK_SUBJECT:
        of an object named only by a weak subject, so only `weak-subject-terms` count."""
        words = self.words(name)
        if not words or words in self.not_fields:
            return None
        if self._starts_with(words, self.vocabulary.count_prefixes) or any(w in self.vocabulary.cohort_words for w in words[1:]):
            return None  # `n_diagnoses`, `patients_with_visits`: a count or a cohort
        found = self._match_at(words)
        start, end = (found[2] - len(found[1]), found[2]) if found is not None else (0, 0)
        if any(_singular(w) in self.vocabulary.neutral_words for i, w in enumerate(words) if not start <= i < end):
            return None  # `ssn_pattern`, `transcript_files`: about the data, not the data (`blood_type` is)
        has_subject = any(self.is_subject(w) for w in words)
        if found is not None:
            (category, strong), term, end = found
            if not category.flags_are_data and self._starts_with(words, self.vocabulary.flag_prefixes):
                return None  # `has_ssn`, `has_transcript`: a flag about an identifier or a document
            if category.kind == "health" and end < len(words) and words[-1] in self.vocabulary.opaque_words:
                return None  # `transcript_id`, `diagnosis_id`: the opaque key of a health record
            if category.kind == "identifier" and any(w in self.vocabulary.other_party_words for w in words[:start]):
                return None  # `provider_name`, `clinic_phone`: the care team's, not the patient's
            weak_only = on_record == WEAK_SUBJECT and not has_subject and not self._is_weak_term(term)
            if strong or has_subject or (on_record and not weak_only):
                return Sensitivity(category.id, category.kind, f"`{name}` is {category.why}")
        if any(self._is_record_subject(w) for w in words) and (self.is_subject(words[-1]) or words[-1] in self.vocabulary.record_words):
            return Sensitivity("record", "record", f"`{name}` names a record about a person ({', '.join(w for w in words if self.is_subject(w))})", record=True)
        sources = [w for w in words[:-1] if w in self.vocabulary.record_sources]
        if sources and _singular(words[-1]) in self.vocabulary.record_words:
            return Sensitivity("record", "record", f"`{name}` names a clinical record ({sources[0].upper()})", record=True)
        return None

    def names_person(self, name: str) -> bool | str:
        """Is an object of this name about a person, so that context terms of its fields count
        (`patient.email`, `member_profile.phone`)? A bare `member` is not a record on its own
        (tar and enum members): it gives WEAK_SUBJECT (truthy), under which only the unambiguous
        `weak-subject-terms` of its fields count (`member.phone`, not `member.name`)."""
        hit = self.classify(name)
        if hit is not None and hit.record:
            return True
        words = self.words(name)
        if not any(self.is_subject(w) for w in words) or any(w in self.vocabulary.neutral_words for w in words):
            return False
        if any(self._is_record_subject(w) or w in self.vocabulary.record_words for w in words):
            return True
        return WEAK_SUBJECT

    def triggers(self, words: tuple[str, ...]) -> bool:
        """Could an identifier made of these words make anything sensitive? Only a subject or a
        whole strong term can (context terms count only next to one of them)."""
        if any(self.is_subject(w) or w in self.vocabulary.record_sources for w in words):
            return True
        hit = self._match(words)
        return hit is not None and hit[1]

    def _is_metadata(self, name: str) -> bool:
        """Does a field of this name hold a number, a flag or a status about a value, never its
        content (`status_code`, `total_tokens`, `confidence`, `is_error`)? Ask only of a name that
        is no term itself (`hiv_status` is data)."""
        words = self.words(name)
        if self._starts_with(words, self.vocabulary.flag_prefixes):
            return True
        return any(words[-n:] in self.vocabulary.metadata_words for n in (1, 2, 3) if len(words) >= n)

    def sensitive_names(self, identifiers: Iterable[str], fhir: bool = False) -> tuple[set[str], set[str]]:
        """Which of a module's identifiers could make anything sensitive, a cheap pre-check: those
        that could on their own (FHIR resource names too, when the module speaks FHIR), and those
        that are only a weak subject (`member`, `MemberDescriptorType`), which count only where a
        weak-subject term is read from them (`member.phone`). Remembered by name: the modules of a
        project share most of theirs."""
        names = identifiers if isinstance(identifiers, (set, frozenset)) else set(identifiers)
        if len(self._judged) > _NAMES_REMEMBERED:
            self._judged, self._triggering, self._weak_subjects = set(), set(), set()
        new = names - self._judged  # set operations: a module's names are mostly known
        for name in names_holding(self._trigger_stems_found, new):  # most names: no word of the vocabulary in them
            strength = self._trigger_strength(name)
            if strength == _TRIGGERS:
                self._triggering.add(name)
            elif strength == _WEAK_SUBJECT:
                self._weak_subjects.add(name)
        self._judged |= new
        found = names & self._triggering
        if fhir:
            found |= {name for name in names if name.lower() in self.fhir_words}
        return found, (names & self._weak_subjects) - found

    def any_weak_term(self, names: Iterable[str]) -> bool:
        """Is a field of any of these names sensitive on an object named by a weak subject
        (`phone`, `zip_code`, any strong term: as `member.<name>` is read)? The names with no word
        of the vocabulary in them are set aside by one search over them all."""
        return any(self.classify(name, WEAK_SUBJECT) is not None for name in names_holding(self._field_stems_found, names))

    def _trigger_stems(self) -> set[str]:
        """What the lower-cased text of any name that triggers holds: a subject, a record source
        or the first word of a strong term (or a word form of one); a word ending in `y` without
        it, since `summaries` is read as `summary`."""
        return self._stems(set(self.subjects) | set(self.vocabulary.record_sources) | {t[0] for t, (_, strong) in self.terms.items() if strong})

    def _field_stems(self) -> set[str]:
        """What the lower-cased text of any name `classify` finds sensitive holds: the first word
        of any term, a subject or a record source (or a word form of one)."""
        return self._stems(set(self.subjects) | set(self.record_subjects) | set(self.vocabulary.record_sources) | {t[0] for t in self.terms})

    def _stems(self, words: set[str]) -> set[str]:
        stems = words | {form for form, word in self.vocabulary.word_forms.items() if word in words}
        return {stem[:-1] if stem.endswith("y") and len(stem) > 2 else stem for stem in stems}

    def _trigger_strength(self, name: str) -> int:
        """How a name that holds a trigger stem triggers: not at all (0), _TRIGGERS or _WEAK_SUBJECT."""
        words = self.words(name)
        if not self._triggers(words):
            return 0
        vocabulary = self.vocabulary
        weak_only = self.classify(name) is None and self._match(words) is None and not any(
            self._is_record_subject(w) or w in vocabulary.record_words or w in vocabulary.record_sources for w in words)
        return _WEAK_SUBJECT if weak_only else _TRIGGERS


# what sensitive_names remembers of a name
_TRIGGERS, _WEAK_SUBJECT = 1, 2
_NAMES_REMEMBERED = 200_000  # ~20 MB; the stdlib (327k lines) has 48,000 distinct names


def _compound_pieces(vocabulary: Vocabulary, terms: dict, subjects: frozenset[str]) -> frozenset[str]:
    """The words a compound may be split into: every word of the vocabulary's terms, subjects,
    record, neutral, opaque and other-party words, two letters or more. Not `re`: it begins too
    many plain words (`remember`, `rename`) to be split off."""
    words = {w for term in terms for w in term} | set(subjects) | vocabulary.record_words | vocabulary.neutral_words
    words |= vocabulary.opaque_words | vocabulary.other_party_words | vocabulary.record_subjects
    return frozenset(w for w in words if len(w) >= 2 and w.isalpha() and w != "re")
