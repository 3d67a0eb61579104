"""The vocabulary of rules/sensitive-data.toml as regular expressions, for semgrep's
`metavariable-regex`: a name is judged by these as the classifier (analysis/classify.py) judges
it, word by word.

The classifier splits a name into words (`patientDOB` -> patient, dob) and matches terms against
consecutive words. Semgrep cannot call it, so each word becomes the three spellings the splitter
accepts as that word (`dob`, `Dob`, `DOB`, each bounded as the splitter bounds it), a term
becomes its words in a row, and the classifier's conditions (neutral words, flag and count
prefixes, opaque keys, subjects) become lookaheads. The expressions are plain PCRE that Python's
`re` reads the same way, so the tests hold them against the classifier.

Each expression matches one identifier and never steps out of it (`[A-Za-z0-9_$]` where a regex
would say `.`), so it works on a name alone (`whole`) and in source text (`in_text`). Rules use
the second with `pattern-regex`: semgrep scans a file once with it, where a
`metavariable-regex` is compiled anew for every name it tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phi_lint.catalog import Vocabulary

_SEP = "[_$]*"  # what may lie between two words of an identifier
_CHAR = "[A-Za-z0-9_$]"  # a character of an identifier: what `.` would be in a regex for names
_STOP = f"(?!{_CHAR})"  # the end of the identifier
# Where a word starts and ends as the splitter cuts names: at a separator, at a lower-to-upper
# change (`patientDob`), and before the last capital of a run that starts a word (`HTTPServer`).
_START = "(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]))"
_END = "(?![a-z])(?:(?<![A-Z])|(?![A-Z](?![a-z])))"
# Between two words of a term: separators, or none (`dateOfBirth`, `firstname`). Looser than the
# splitter (which wants a case change), and far shorter: semgrep compiles a metavariable-regex
# each time it tests one, so its length is its cost.
_JOIN = "[_$]*"
_PLAIN_WORD = re.compile(r"[a-z]+")


_PLURAL = "s?"


def _tokens(term: tuple[str, ...], plural_last: bool) -> list[str]:
    """A term as a list of regex tokens: its letters, a join between words, and the plural the
    classifier reads as the same word (`mrns`) after the last one."""
    out: list[str] = []
    for i, word in enumerate(term):
        if i:
            out.append(_JOIN)
        out += list(re.escape(word)) if not word.isalpha() else list(word)
    last = term[-1]
    if plural_last and not last.endswith("s") and len(last) + 1 > 3:
        out.append(_PLURAL)
    return out


def _trie_regex(sequences: list[list[str]]) -> str:
    """The alternation of token sequences as a trie (`d(?:ob|iagnosis)`): a regex engine then
    tries one branch per character instead of every word at every position."""
    trie: dict = {}
    for tokens in sequences:
        node = trie
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [token + emit(child) for token, child in sorted(node.items()) if token]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?" if len(branches) > 1 or len(branches[0]) > 1 else f"{body}?"
        return body if len(branches) == 1 else body

    return emit(trie)


def terms_regex(terms, plural_last: bool = True) -> str:
    """Any of the terms, as whole words of a name."""
    sequences = [_tokens(t, plural_last) for t in {tuple(t) for t in terms}]
    if not sequences:
        return "(?!)"
    return f"{_START}(?i:{_trie_regex(sequences)}){_END}"


def _either(items: list[str]) -> str:
    return "(?:" + "|".join(items) + ")" if items else "(?!)"


def _splittable(term: tuple[str, ...]) -> bool:
    """Terms the splitter can produce (`address1` never is one word of a split name)."""
    return all(_PLAIN_WORD.fullmatch(w) for w in term)


@dataclass(frozen=True)
class NameRegexes:
    """Each is an expression for one identifier (anchor it, or use `owner()` for an object)."""

    field: str  # PHI on its own: a strong term, or a context term next to a subject
    record: str  # a whole record about a person (`patient`, `member_profile`, `fhir_bundle`)
    record_field: str  # also PHI as a field of a record or a person (`patient.email`): context terms
    weak_field: str  # also PHI as a field of an object named only by a weak subject (`member.phone`)
    person: str  # an object about a person whose fields' context terms count (`member_info`)
    weak_person: str  # an object named only by a weak subject (`member`, `person`)
    any_term: str  # a name with any term: PHI somewhere (on a record at least)

    @staticmethod
    def whole(expression: str) -> str:
        """The expression as a whole identifier."""
        return f"^(?={_IDENTIFIER}$)(?:{expression})$"

    @staticmethod
    def in_text(expression: str) -> str:
        """The expression as an identifier in source text."""
        return f"(?<!{_CHAR})(?:{expression}){_STOP}"


_IDENTIFIER = "[A-Za-z_$][A-Za-z0-9_$]*"


def name_regexes(vocabulary: Vocabulary, extra_fields: tuple[str, ...] = (), not_fields: tuple[str, ...] = (),
                 subjects: tuple[str, ...] | None = None) -> NameRegexes:
    """The expressions for a vocabulary and the configured `extra-phi-fields`, `not-phi-fields`
    and `phi-subjects` (the classifier's constructor arguments)."""
    from phi_lint.analysis.classify import split_words

    groups: dict[tuple[bool, bool], list[tuple[str, ...]]] = {(s, h): [] for s in (True, False) for h in (True, False)}
    weak: dict[bool, list[tuple[str, ...]]] = {True: [], False: []}
    for term, (category, strong) in vocabulary.terms.items():
        if not _splittable(term):
            continue
        health = category.kind == "health"
        groups[strong, health].append(term)
        if not strong and term in vocabulary.weak_subject_terms:
            weak[health].append(term)
    groups[True, False] += [w for w in map(split_words, extra_fields) if w and _splittable(w)]
    subject = terms_regex([(w,) for w in (subjects if subjects is not None else vocabulary.subjects)])
    record_subject = terms_regex([(w,) for w in (subjects if subjects is not None else vocabulary.record_subjects)])
    neutral = terms_regex([(w,) for w in vocabulary.neutral_words], plural_last=False)
    opaque = terms_regex([(w,) for w in vocabulary.opaque_words], plural_last=False)
    record_word = terms_regex([(w,) for w in vocabulary.record_words])
    source = terms_regex([(w,) for w in vocabulary.record_sources], plural_last=False)
    more = f"(?={_SEP}[A-Za-z0-9])"  # another word follows
    flag = f"{_SEP}{terms_regex(vocabulary.flag_prefixes, False)}{more}"
    count = f"{_SEP}{terms_regex(vocabulary.count_prefixes, False)}{more}"
    excluded = [w for w in map(split_words, not_fields) if w and _splittable(w)]

    checks = f"(?!{_CHAR}*?{neutral})(?!{count})" + (f"(?!{_SEP}{terms_regex(excluded, False)}{_SEP}{_STOP})" if excluded else "")

    def found(terms: dict[bool, list]) -> str:
        """A term of identifiers (not after a flag prefix: `has_ssn`) or of health information
        (not followed by an opaque key: `diagnosis_id`)."""
        out = []
        if terms[False]:
            out.append(f"(?!{flag}){_CHAR}*?{terms_regex(terms[False])}")
        if terms[True]:
            out.append(f"{_CHAR}*?{terms_regex(terms[True])}(?!{_CHAR}*?{opaque}{_SEP}{_STOP})")
        return f"{checks}{_either(out)}{_CHAR}*"

    strong = found({h: groups[True, h] for h in (False, True)})
    context = found({h: groups[False, h] for h in (False, True)})
    any_term = found({h: groups[True, h] + groups[False, h] for h in (False, True)})
    record = (
        f"{checks}(?:(?={_CHAR}*?{record_subject}){_CHAR}*?(?:{subject}|{record_word}){_SEP}{_STOP}"
        f"|{_CHAR}*?{source}{_SEP}{_CHAR}*?{record_word}{_SEP}{_STOP})"
    )
    return NameRegexes(
        field=f"(?:{strong}|(?={_CHAR}*?{subject}){context})",
        record=record,
        record_field=context,
        weak_field=found(weak),
        person=f"(?!{_CHAR}*?{neutral})(?={_CHAR}*?{subject}){_CHAR}*?(?:{record_subject}|{record_word}){_CHAR}*",
        weak_person=f"(?!{_CHAR}*?{neutral})(?!{_CHAR}*?(?:{record_subject}|{record_word})){_CHAR}*?{subject}{_CHAR}*",
        any_term=any_term,
    )


def last_word_in(words: list[str]) -> str:
    """A name whose last word is one of `words` (`outputText`, `visit_notes`)."""
    return f"{_CHAR}*?{terms_regex([(w,) for w in set(words)])}{_SEP}{_STOP}"
