"""Data sent to a model endpoint (PHI101-PHI103): where it goes, and what the prompt data policy
allows there.

A team with a BAA-covered endpoint sends clinical text to it on purpose. `allowed-prompt-data`
in [tool.phi-lint] names, per approved endpoint (or `"*"` for every approved endpoint), the data
groups (rules/sensitive-data.toml `[data-groups]`) or categories that may be sent there. An
endpoint's own entry replaces the `"*"` entry. Without a policy, or when phi-lint cannot tell
where a request goes, every category is reported.
"""

from __future__ import annotations

import functools

from phi_lint.analysis.endpoints import host_of, is_approved, is_loopback
from phi_lint.analysis.facts import FlowEvent
from phi_lint.analysis.labels import Origin, Taint, real
from phi_lint.catalog import Catalog
from phi_lint.checks.base import Context, FlowRule, Report
from phi_lint.checks.endpoints import destination_of, shown_url
from phi_lint.config import ALL_APPROVED, Config


class SendingRule(FlowRule):
    """A flow rule about data that leaves for a model endpoint: its findings say where the data
    goes, and categories the policy allows to that endpoint are not reported."""

    def report(self, ctx: Context, event: FlowEvent, hit: list[str]) -> Report | None:
        target = destination_of(ctx, event.node)
        url = event.destination or (target.url if target is not None else None)  # a request made in another module: known there
        allowed, names = allowed_data(ctx.config, ctx.analysis.catalog, url)
        parts = [(node, real(t)) for node, t in event.atoms if any(label in real(t) for label in hit)]
        denied = [(node, t) for node, t in parts or [(event.node, real(event.taint))] if categories_of(t, hit) - allowed]
        if not denied:
            return None  # everything it sends, the policy allows to this endpoint
        node, taint = denied[0]
        if allowed:  # the first part the policy does not allow, and the sink it reaches
            label, origin = next((k, taint[k]) for k in hit if k in taint and categories_of(taint, (k,)) - allowed)
            steps = origin.steps + real(event.taint)[label].steps[-1:]
        else:
            origin = real(event.taint)[hit[0]]
            steps = origin.steps
        source, why = _reason(ctx, node, origin, allowed, names)
        destination = f", sent to {shown_url(url)}" if url is not None else ""
        targets = [n for n, _ in denied]
        return Report(
            node=node,
            message=self.message.format(source=source, why=why, sink=event.sink, argument=event.argument, destination=destination),
            stmt=event.stmt,
            steps=steps,
            fix=self.build_fix(ctx, targets, allowed),
            fix_targets=targets,
        )

    def build_fix(self, ctx: Context, targets: list, allowed: frozenset[str] = frozenset()):
        """The fix of the parts of one request the policy does not allow (`allowed`: what it does)."""
        return super().build_fix(ctx, targets)


def _reason(ctx: Context, node, origin: Origin, allowed: frozenset[str], names: tuple[str, ...]) -> tuple[str, str]:
    """(source, why) of a finding: the origin's, or, when its own category is allowed but the value
    mixes in another, that other category; with what the policy allows and what it does not."""
    catalog = ctx.analysis.catalog
    source, why, category = origin.source, origin.why, origin.category
    if category in allowed:
        category = sorted(origin.categories - allowed)[0]
        source, why = ctx.analysis.line_text(node), f"it also holds {_category_why(catalog, category)}"
    if names:
        group = _group_of(catalog, category)
        shown = group if group == category else f"{group} ({category})"
        why += f"; the prompt data policy allows {', '.join(names)} to this endpoint, not {shown}"
    return source, why


def allowed_data(config: Config, catalog: Catalog, url: str | None) -> tuple[frozenset[str], tuple[str, ...]]:
    """The categories the policy allows to `url` (groups expanded to categories), and the names
    it allows them by; nothing for an endpoint that is unknown, not approved, or has no policy."""
    if url is None or not config.allowed_prompt_data or not is_approved(url, config.approved_endpoints):
        return frozenset(), ()
    own = [names for endpoint, names in config.allowed_prompt_data if endpoint != ALL_APPROVED and _under(url, endpoint)]
    names = own[0] if own else next((names for endpoint, names in config.allowed_prompt_data if endpoint == ALL_APPROVED), ())
    groups = catalog.data_groups
    return frozenset(c for name in names for c in groups.get(name, (name,))), tuple(names)


def categories_of(taint: Taint, labels) -> frozenset[str]:
    """The categories of data that the labels of `labels` stand for in `taint`."""
    out: frozenset[str] = frozenset()
    for label in labels:
        if label in taint:
            out |= taint[label].categories
    return out


def _under(url: str, endpoint: str) -> bool:
    """Is `url` under the approved endpoint `endpoint` (loopback only under a loopback entry)?"""
    return is_approved(url, (endpoint,)) and (not is_loopback(host_of(url)) or is_loopback(host_of(endpoint)))


@functools.lru_cache(maxsize=4)
def _category_whys(catalog: Catalog) -> dict[str, str]:
    return {category.id: category.why for category, _ in catalog.vocabulary.terms.values()}


def _category_why(catalog: Catalog, category: str) -> str:
    """How a finding names a category: `a HIPAA identifier: names (...)`, else its id."""
    return _category_whys(catalog).get(category, f"{category} data")


def _group_of(catalog: Catalog, category: str) -> str:
    return next((group for group, ids in catalog.data_groups.items() if category in ids), category)
