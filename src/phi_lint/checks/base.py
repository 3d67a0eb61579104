"""What a rule is, and what it gets to look at.

A rule is one class: code, name, severity, message, and a docstring with the sections
What it does / Why is this bad? / Example / Use instead / Fix safety / Controls / References.
Flow rules only select from the flow events the analysis computed once per file; pattern rules
look at the calls, assignments and constants it recorded. Rules register themselves by
subclassing; the engine asks the registry for all of them and knows none by name.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import ClassVar, Iterable, Iterator

from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import Step, real
from phi_lint.analysis.module import ModuleAnalysis
from phi_lint.config import Config, ConfigError
from phi_lint.fix.build import wrap_fix
from phi_lint.model import Applicability, Fix, Severity

_REGISTRY: dict[str, type["Rule"]] = {}


@dataclass
class Report:
    """A rule's raw finding, in ast coordinates; the engine turns it into a Finding."""

    node: ast.AST  # where it is reported (lineno/col_offset/end_lineno/end_col_offset)
    message: str
    stmt: ast.AST | None
    steps: tuple[Step, ...] = ()
    fix: Fix | None = None
    secret: bool = False  # the reported span is a secret: never show its text
    fix_targets: list[ast.AST] = field(default_factory=list)  # what a wrapping fix wraps


@dataclass
class Context:
    """What rules see of one file."""

    path: str
    source: str
    lines: list[str]
    config: Config
    analysis: ModuleAnalysis | None = None
    parse_error: SyntaxError | ValueError | None = None
    suppressions: list = field(default_factory=list)  # Suppression comments, `used` set by the engine
    memo: dict = field(default_factory=dict)  # what several rules ask of this file, computed once
    build_fixes: bool = True  # False when no output shows fixes (the flake8 front): flow rules skip them

    def once(self, key: str, compute):
        """The value of `compute()`, computed once per file under `key`."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    message: ClassVar[str]
    fix_title: ClassVar[str | None] = None
    policy_key: ClassVar[str | None] = None  # a Config field: once the policy sets it, findings are errors
    needs_tree: ClassVar[bool] = True  # False: runs on files that did not parse (PHI900)
    after_suppressions: ClassVar[bool] = False  # runs once suppressions are matched (PHI901)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if code:
            if code in _REGISTRY:
                raise ValueError(f"two rules claim {code}")
            _REGISTRY[code] = cls

    def check(self, ctx: Context) -> Iterable[Report]:
        raise NotImplementedError

    def severity_for(self, config: Config) -> Severity:
        """Warnings by default; errors where the organisation wrote the policy they break."""
        return Severity.ERROR if self.policy_key and getattr(config, self.policy_key) else self.severity

    @classmethod
    def docs(cls) -> str:
        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n\n", 1)[0].replace("## What it does", "").strip().splitlines()[0] if cls.docs() else cls.name


def all_rules() -> list[type[Rule]]:
    from phi_lint import checks  # noqa: F401 - importing the package registers every rule

    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def rule_by_code(code: str) -> type[Rule] | None:
    all_rules()
    return _REGISTRY.get(code.upper())


def is_rule_selector(code: str) -> bool:
    """A rule code or a prefix of one (`PHI101`, `PHI1`, `PHI`), as select/ignore take them."""
    all_rules()
    return code.startswith("PHI") and any(known.startswith(code) for known in _REGISTRY)


def validate_codes(config: Config) -> Config:
    """`config`, once every code and prefix it selects or ignores names a rule: a typo in
    `select` must not switch rules off in silence. ConfigError names the key and the file."""
    where = f" in {config.source}" if config.source else ""
    keyed = [("select", config.select), ("ignore", config.ignore), ("extend-select", config.extend_select)]
    keyed += [(f'per-file-ignores."{pattern}"', codes) for pattern, codes in config.per_file_ignores]
    for key, codes in keyed:
        for code in codes:
            if not is_rule_selector(code):
                raise ConfigError(f"`{key}`{where} names an unknown rule code: {code!r} (see `phi-lint rules`)")
    return config


class FlowRule(Rule):
    """Fires where labels of `labels` reach a sink of `sinks`, unless a label of `unless` does
    too (then a more specific rule of the same family reports it)."""

    labels: ClassVar[tuple[str, ...]]
    sinks: ClassVar[frozenset[str]]
    unless: ClassVar[frozenset[str]] = frozenset()
    # label -> categories of it that this rule does not count (PHI102: a question the user typed)
    not_categories: ClassVar[dict[str, frozenset[str]]] = {}
    what: ClassVar[str]  # how the sink side reads in a message: "the prompt of", "a log call"
    fix_applicability: ClassVar[Applicability | None] = None  # None: the rule offers no fix

    def check(self, ctx: Context) -> Iterator[Report]:
        for event in ctx.analysis.events.values() if ctx.analysis else ():
            if event.kind not in self.sinks:
                continue
            taint = real(event.taint)
            hit = [label for label in self.labels if label in taint and taint[label].category not in self.not_categories.get(label, ())]
            if not hit or any(label in taint for label in self.unless):
                continue
            report = self.report(ctx, event, hit)
            if report is not None:
                yield report

    def report(self, ctx: Context, event: FlowEvent, hit: list[str]) -> Report | None:
        """The finding of one flow event that carries the labels `hit`, at its first tainted part."""
        origin = real(event.taint)[hit[0]]
        atoms = [node for node, t in event.atoms if any(label in real(t) for label in hit)] or [event.node]
        return Report(
            node=atoms[0],
            message=self.message.format(source=origin.source, why=origin.why, sink=event.sink, argument=event.argument, destination=""),
            stmt=event.stmt,
            steps=origin.steps,
            fix=self.build_fix(ctx, atoms) if ctx.build_fixes else None,
            fix_targets=atoms,
        )

    def build_fix(self, ctx: Context, targets: list[ast.AST]) -> Fix | None:
        """The rule's fix for the tainted parts of one sink argument: by default, wrap each in
        the project's redactor."""
        if self.fix_applicability is None:
            return None
        return wrap_fix(ctx, targets, self.fix_title or "Wrap the value in the redactor", self.fix_applicability, self.labels)

