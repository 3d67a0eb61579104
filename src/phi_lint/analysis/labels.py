"""Labels and their origins: what a value carries, and where it came from.

A Taint is a dict from label (PHI_FIELD, PHI_RECORD, CLINICAL_TEXT, PAYLOAD, LLM_PROMPT,
LLM_RESPONSE) to the Origin that explains it: where the value was born and each step it took.
Summary markers (`PARAM:0`: "from the first parameter") ride along the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PHI_FIELD = "PHI_FIELD"
PHI_RECORD = "PHI_RECORD"
# Free text about a patient that no field name gives away: a document's text (PDF, OCR, upload),
# a transcript of a recording, a clinical file read from disk. Category "clinical-text".
CLINICAL_TEXT = "CLINICAL_TEXT"
PAYLOAD = "PAYLOAD"
LLM_PROMPT = "LLM_PROMPT"
LLM_RESPONSE = "LLM_RESPONSE"
LABELS = (PHI_FIELD, PHI_RECORD, CLINICAL_TEXT, PAYLOAD, LLM_PROMPT, LLM_RESPONSE)
# what the data is (a field, a record, clinical text, a request body), not what it became (a prompt, an answer)
PATIENT_DATA = (PHI_FIELD, PHI_RECORD, CLINICAL_TEXT, PAYLOAD)
PARAM = "PARAM:"  # marker labels for summaries: PARAM:0 is "from the first parameter"
# marker labels for what a sanitizer cleared: SANITISED:PHI_FIELD is "a PHI field, redacted".
# They ride along like any label, so a sink knows what reached it redacted; rules never see them.
SANITISED = "SANITISED:"
MARKERS = (PARAM, SANITISED)
PAYLOAD_TEXT = "payload-text"  # category of PAYLOAD on a field the user typed (`body["question"]`)
FIELD_OF = "field-of"  # category of a marker that went through a field access (source: the field)

MAX_STEPS = 12

WEB_REQUEST = "web.Request"


@dataclass(frozen=True)
class Step:
    line: int
    col: int  # 0-based: the ast byte offset in this file; the character offset in another (path set)
    note: str
    path: str | None = None  # another file of the project (project-relative POSIX path); None: this one


@dataclass(frozen=True)
class Origin:
    label: str
    category: str
    source: str  # short source text of where the value was born
    why: str
    steps: tuple[Step, ...]
    also: frozenset[str] = frozenset()  # categories of the same label merged into this value

    @property
    def categories(self) -> frozenset[str]:
        """Every category of data this label stands for here (`messages` built from a name and a
        diagnosis: both), for a policy that allows some of them."""
        return self.also | {self.category}

    def then(self, step: Step) -> "Origin":
        if self.steps and self.steps[-1] == step:
            return self
        steps = self.steps + (step,)
        if len(steps) > MAX_STEPS:
            steps = steps[:1] + steps[-(MAX_STEPS - 1) :]
        return Origin(self.label, self.category, self.source, self.why, steps, self.also)  # not replace(): 3x slower, and this is hot



Taint = dict  # label -> Origin; never mutated once built
CLEAN: Taint = {}



def union(a: Taint, b: Taint) -> Taint:
    if not a:
        return b
    if not b or a is b:
        return a
    out = dict(b)
    out.update(a)  # the first origin of a label wins
    for k, v in a.items():  # ...but a whole parameter beats one field of it (only markers are FIELD_OF)
        w = b.get(k)
        if w is None or w is v:
            continue
        if v.category == FIELD_OF and w.category != FIELD_OF:
            out[k] = w
        elif (w.category != v.category or w.also) and FIELD_OF not in (v.category, w.category):
            out[k] = _with_categories(v, w)
    return out


def _with_categories(kept: Origin, merged: Origin) -> Origin:
    """The origin that explains a label, remembering the categories of another origin of it."""
    also = (kept.also | merged.categories) - {kept.category}
    return kept if also == kept.also else replace(kept, also=also)


def without(t: Taint, *labels: str) -> Taint:
    if not t or not any(l in t for l in labels):
        return t
    return {k: v for k, v in t.items() if k not in labels}


def real(t: Taint) -> Taint:
    """The taint without markers (summary parameters, what a sanitizer cleared)."""
    if not t or not any(k.startswith(MARKERS) for k in t):
        return t
    return {k: v for k, v in t.items() if not k.startswith(MARKERS)}


def sanitised(t: Taint, step: Step) -> Taint:
    """What a sanitizer gives back: its argument's labels as SANITISED markers (parameter
    markers dropped: the result holds nothing of the argument)."""
    out = {}
    for k, v in t.items():
        if k.startswith(SANITISED):
            out[k] = v.then(step)
        elif not k.startswith(PARAM):
            out[SANITISED + k] = replace(v, label=SANITISED + k).then(step)
    return out


def sanitised_labels(t: Taint) -> Taint:
    """The labels that reached a place redacted: label -> Origin."""
    return {k[len(SANITISED):]: v for k, v in t.items() if k.startswith(SANITISED)}


def add_step(t: Taint, step: Step) -> Taint:
    if not t:
        return t
    return {k: v.then(step) for k, v in t.items()}



def field_of(t: Taint, member: str) -> Taint:
    """Summary markers under a field access remember the field, so a caller reads that field of
    the argument it passes (`amount(claim)` logging `claim.billed_cents` does not log the claim)."""
    if not t or not any(k.startswith(PARAM) and v.category != FIELD_OF for k, v in t.items()):
        return t
    return {k: replace(v, category=FIELD_OF, source=member) if k.startswith(PARAM) and v.category != FIELD_OF else v
            for k, v in t.items()}

