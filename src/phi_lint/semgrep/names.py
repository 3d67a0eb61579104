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


def _tokens(term: tuple[str, ...], plural_last: bool, forms: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """A term as a list of regex tokens: its letters (a word with other forms the classifier
    reads as it, `diagnosed` for `diagnosis`, as one token), a join between words, and the
    plural it reads as the same word (`mrns`, `summaries`) after the last one."""
    out: list[str] = []
    for i, word in enumerate(term):
        if i:
            out.append(_JOIN)
        plural = plural_last and i == len(term) - 1
        spellings = (forms or {}).get(word, ())
        if spellings:
            out.append("(?:" + "|".join([_plural(word, plural), *(re.escape(w) for w in sorted(spellings))]) + ")")
        elif plural and _plural(word, True) != word:
            out += list(word[:-1]) + [_plural(word, True)[len(word) - 1 :]]
        else:
            out += list(re.escape(word)) if not word.isalpha() else list(word)
    return out


def _plural(word: str, plural: bool) -> str:
    """The word and the plural the classifier reads as it (`mrns`, `summaries`)."""
    if not plural or not word.isalpha():
        return re.escape(word)
    if word.endswith("y") and len(word) + 2 > 4:
        return word[:-1] + "(?:y|ies)"
    if not word.endswith("s") and len(word) + 1 > 3:
        return word + "s?"
    return word


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


def terms_regex(terms, plural_last: bool = True, forms: dict[str, tuple[str, ...]] | None = None) -> str:
    """Any of the terms, as whole words of a name."""
    sequences = [_tokens(t, plural_last, forms) for t in {tuple(t) for t in terms}]
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
                 subjects: tuple[str, ...] | None = None, profiles: tuple[str, ...] = ()) -> NameRegexes:
    """The expressions for a vocabulary and the configured `extra-phi-fields`, `not-phi-fields`,
    `phi-subjects` and `profiles` (the classifier's constructor arguments)."""
    from phi_lint.catalog import Category
    from phi_lint.analysis.classify import split_words

    terms = dict(vocabulary.terms)
    subject_words = set(subjects if subjects is not None else vocabulary.subjects)
    record_subject_words = set(subjects if subjects is not None else vocabulary.record_subjects)
    for name in profiles:  # `profiles = ["pii"]`: users, customers, employees are subjects too
        profile = vocabulary.profiles[name]
        subject_words |= set(profile.get("subjects", ()))
        record_subject_words |= set(profile.get("record-subjects", ()))
        for term in profile.get("strong", ()):
            terms.setdefault(tuple(term.split()), (Category(f"{name}-identifier", "identifier", profile["why"]), True))
    forms: dict[str, tuple[str, ...]] = {}
    for form, word in sorted(vocabulary.word_forms.items()):
        forms[word] = forms.get(word, ()) + (form,)

    def any_of(words, plural: bool = True) -> str:
        return terms_regex([(w,) for w in words], plural, forms)

    # terms by (strong, kind, flags are data): each kind has its own conditions (see `found`)
    groups: dict[tuple[bool, str, bool], list[tuple[str, ...]]] = {}
    weak: dict[tuple[str, bool], list[tuple[str, ...]]] = {}
    words_of_terms: set[str] = set()
    for term, (category, strong) in terms.items():
        if not _splittable(term):
            continue
        kind = (category.kind, category.flags_are_data)
        groups.setdefault((strong, *kind), []).append(term)
        words_of_terms.update(term)
        if not strong and term in vocabulary.weak_subject_terms:
            weak.setdefault(kind, []).append(term)
    extra = [w for w in map(split_words, extra_fields) if w and _splittable(w)]
    if extra:
        groups.setdefault((True, "identifier", False), []).extend(extra)
    subject = any_of(subject_words)
    record_subject = any_of(record_subject_words)
    opaque = any_of(vocabulary.opaque_words, plural=False)
    record_word = any_of(vocabulary.record_words)
    source = any_of(vocabulary.record_sources, plural=False)
    other_party = any_of(vocabulary.other_party_words, plural=False)
    cohort = any_of(vocabulary.cohort_words, plural=False)
    more = f"(?={_SEP}[A-Za-z0-9])"  # another word follows
    flag = f"{_SEP}{terms_regex(vocabulary.flag_prefixes, False)}{more}"
    count = f"{_SEP}{terms_regex(vocabulary.count_prefixes, False)}{more}"
    excluded = [w for w in map(split_words, not_fields) if w and _splittable(w)]

    # A neutral word (singular or plural) says the name is about the data, not the data
    # (`ssn_pattern`, `transcript_files`), unless it is a word of the term the name has
    # (`blood_type`): those few words are neutral only where no term holds them.
    plain = sorted(w for w in vocabulary.neutral_words if w not in words_of_terms)
    neutral = f"(?!{_CHAR}*?{any_of(plain)})"
    for word in sorted(vocabulary.neutral_words & words_of_terms):
        holding = terms_regex([t for group in groups.values() for t in group if word in t], True, forms)
        neutral += f"(?!(?!{_CHAR}*?{holding}){_CHAR}*?{any_of([word])})"
    checks = f"{neutral}(?!{count})(?!{_CHAR}+?{cohort})" + (f"(?!{_SEP}{terms_regex(excluded, False)}{_SEP}{_STOP})" if excluded else "")

    def found(terms: dict[tuple[str, bool], list]) -> str:
        """A term: of identifiers not after another party's word (`provider_name`); not after a
        flag prefix unless a flag of its kind is data (`has_ssn`, not `has_hiv`); of health
        information not followed by an opaque key (`diagnosis_id`)."""
        out = []
        for (kind, flags_are_data), group in sorted(terms.items()):
            if not group:
                continue
            term = terms_regex(group, True, forms)
            guards = "" if flags_are_data else f"(?!{flag})"
            if kind == "identifier":
                guards += f"(?!{_CHAR}*?{other_party}{_CHAR}*?{term})"
            tail = f"(?!{_CHAR}*?{opaque}{_SEP}{_STOP})" if kind == "health" else ""
            out.append(f"{guards}{_CHAR}*?{term}{tail}")
        return f"{checks}{_either(out)}{_CHAR}*"

    def of(strong: bool | None) -> dict[tuple[str, bool], list]:
        out: dict[tuple[str, bool], list] = {}
        for (is_strong, *kind), group in groups.items():
            if strong is None or is_strong == strong:
                out.setdefault(tuple(kind), []).extend(group)
        return out

    strong, context = found(of(True)), found(of(False))
    record = (
        f"{checks}(?:(?={_CHAR}*?{record_subject}){_CHAR}*?(?:{subject}|{record_word}){_SEP}{_STOP}"
        f"|{_CHAR}*?{source}{_SEP}{_CHAR}*?{record_word}{_SEP}{_STOP})"
    )
    return NameRegexes(
        field=f"(?:{strong}|(?={_CHAR}*?{subject}){context})",
        record=record,
        record_field=context,
        weak_field=found(weak),
        person=f"{neutral}(?={_CHAR}*?{subject}){_CHAR}*?(?:{record_subject}|{record_word}){_CHAR}*",
        weak_person=f"{neutral}(?!{_CHAR}*?(?:{record_subject}|{record_word})){_CHAR}*?{subject}{_CHAR}*",
        any_term=found(of(None)),
    )


def last_word_in(words: list[str]) -> str:
    """A name whose last word is one of `words` (`outputText`, `visit_notes`)."""
    return f"{_CHAR}*?{terms_regex([(w,) for w in set(words)])}{_SEP}{_STOP}"
