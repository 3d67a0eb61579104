"""The report as GitHub-flavoured Markdown: renders in a pull request, a wiki, and a job summary
(`$GITHUB_STEP_SUMMARY`, 1 MiB at most). The diagram is a Mermaid flowchart, which GitHub draws;
long lists fold into `<details>`."""

from __future__ import annotations

from phi_lint.evidence.model import APPROVED, SANITISED, SENT, UNAPPROVED, Evidence, FindingRecord
from phi_lint.report.evidence.diagram import edge_label, edges
from phi_lint.report.evidence.document import summary

_MARK = {APPROVED: "✅ approved", UNAPPROVED: "❌ not approved"}
LIMIT = 1_000_000  # bytes: GitHub keeps a step summary up to 1 MiB


def render(evidence: Evidence) -> str:
    run = evidence.run
    n = summary(evidence)
    parts = [
        "# phi-lint compliance report",
        "",
        f"phi-lint {run.version} · commit `{(run.commit or 'none')[:12]}` · {run.date} · policy: "
        + (f"`{run.policy_file}`" if run.policy_file else "phi-lint's defaults"),
        "",
        f"**{n['open']}** findings open · **{n['accepted']}** risks accepted · **{n['fixed']}** fixed since the base · "
        f"**{n['model_calls']}** model calls ({n['unapproved_model_calls']} to unapproved endpoints) · **{n['vendors']}** vendors · "
        f"**{n['unguarded_routes']}** unguarded routes to models",
        "",
        _run(evidence),
        _controls(evidence),
        _findings("Open findings", evidence.open),
        _accepted(evidence),
        _findings(f"Fixed since `{run.diff_base}`", evidence.fixed) if run.diff_base else "",
        _vendors(evidence),
        _inventory(evidence),
        _routes(evidence),
        "\n".join(["## Files that could not be read", "", *(f"- {_cell(e)}" for e in evidence.errors), ""]) if evidence.errors else "",
        "_Generated from the source code alone: no code was run and no network was used. Vendor facts come from each vendor's "
        "public terms on the date shown; your signed agreements prevail._",
        "",
    ]
    text = "\n".join(p for p in parts if p is not None)
    if len(text.encode("utf-8")) > LIMIT:  # a job summary that large is dropped whole: keep the head
        text = text.encode("utf-8")[: LIMIT - 200].decode("utf-8", "ignore").rsplit("\n", 1)[0]
        text += "\n\n_The report was cut to fit a job summary; run `phi-lint report --format html` for all of it._\n"
    return text


def _run(evidence: Evidence) -> str:
    run = evidence.run
    rows = [("Paths checked", ", ".join(run.paths)), *((f"`{k}`", v) for k, v in run.policy)]
    if run.baseline_file:
        rows.append(("Baseline", run.baseline_file))
    lines = ["<details><summary>The run and the policy in force</summary>", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in rows]
    return "\n".join(lines + ["", "</details>", ""])


def _controls(evidence: Evidence) -> str:
    lines = ["## Summary by control", ""]
    for framework in ("SOC 2", "HIPAA"):
        rows = [c for c in evidence.controls if c.framework == framework]
        if not rows:
            continue
        lines += [f"| {framework} | What it asks | Open | Accepted | Fixed | Rules |", "| --- | --- | ---: | ---: | ---: | --- |"]
        lines += [f"| **{c.control}** | {_cell(c.title)} | {c.open} | {c.accepted} | {c.fixed} | {', '.join(c.rules)} |" for c in rows]
        lines.append("")
    return "\n".join(lines)


def _findings(title: str, records: list[FindingRecord]) -> str:
    lines = [f"## {title}", ""]
    if not records:
        return "\n".join(lines + ["None.", ""])
    lines += _fold(len(records), "finding", [
        "| Rule | Where | Finding |", "| --- | --- | --- |",
        *(f"| `{r.code}` | `{r.path}:{r.line}` | {_cell(r.message)} |" for r in records),
    ])
    return "\n".join(lines + [""])


def _accepted(evidence: Evidence) -> str:
    lines = ["## Accepted risks", ""]
    if not evidence.accepted:
        return "\n".join(lines + ["None.", ""])
    rows = ["| Rule | Where | Accepted by | Reason | Added by | When |", "| --- | --- | --- | --- | --- | --- |"]
    for risk in evidence.accepted:
        f = risk.finding
        how = f"suppression `{risk.where}`" if risk.how == "suppression" else f"baseline `{risk.where}`"
        reason = _cell(risk.reason) if risk.reason else ("_no reason (PHI901)_" if risk.how == "suppression" else "—")
        who = _cell(risk.author) if risk.author else ("_not committed_" if risk.commit is None and risk.date is None else "—")
        when = f"{risk.date} `{risk.commit[:10]}`" if risk.date and risk.commit else "—"
        rows.append(f"| `{f.code}` | `{f.path}:{f.line}` | {how} | {reason} | {who} | {when} |")
    return "\n".join(lines + _fold(len(evidence.accepted), "accepted risk", rows) + [""])


def _vendors(evidence: Evidence) -> str:
    lines = ["## Model vendors", "", "```mermaid", "flowchart LR"]
    ids: dict[str, str] = {}

    def node(name: str, prefix: str) -> str:
        if name not in ids:
            ids[name] = f"{prefix}{len(ids)}"
        return ids[name]

    styles = []
    for i, edge in enumerate(edges(evidence)):
        left, right = node(edge.module, "m"), node(edge.destination, "d")
        arrow = "-.->" if edge.approval != APPROVED else "-->"
        label = ("✗ " if edge.approval == UNAPPROVED else "? " if edge.approval != APPROVED else "") + edge_label(edge)
        lines.append(f'  {left}["{_mermaid(edge.module)}"] {arrow}|"{_mermaid(label)}"| {right}["{_mermaid(edge.destination)}"]')
        colour = {APPROVED: "#1a7f37", UNAPPROVED: "#cf222e"}.get(edge.approval, "#6e7781")
        styles.append(f"  linkStyle {i} stroke:{colour},stroke-width:2px")
    if not ids:
        lines.append('  none["No model call was found"]')
    lines += styles + ["```", ""]
    if evidence.vendors:
        lines += ["| Vendor | BAA | Trains on API data by default | Default retention | Zero retention | Residency | Calls |",
                  "| --- | --- | --- | --- | --- | --- | ---: |"]
        for v in evidence.vendors:
            sources = " ".join(f"[[{i}]]({url})" for i, url in enumerate(v.sources, 1))
            lines.append(f"| **{_cell(v.name)}**<br>checked {v.checked} {sources} | **{v.baa}**: {_cell(v.baa_scope)} | **{v.trains_by_default}**: "
                         f"{_cell(v.training)} | {_cell(v.retention)} | {_cell(v.zero_retention)} | {_cell(v.residency)} | {v.calls} |")
        lines.append("")
    return "\n".join(lines)


def _inventory(evidence: Evidence) -> str:
    lines = ["## Model call inventory", ""]
    if not evidence.model_calls:
        return "\n".join(lines + ["No model call was found.", ""])
    rows = ["| Where | Call | Goes to | Policy | Data (~~sanitised~~) | From |", "| --- | --- | --- | --- | --- | --- |"]
    for c in evidence.model_calls:
        shown = dict.fromkeys(f"~~{d.category}~~" if d.state == SANITISED else d.category if d.state == SENT else f"{d.category} ({d.state})"
                              for d in c.data)
        data = ", ".join(shown) or "—"
        policy = _MARK.get(c.approval, "❔ unknown") + f": {_cell(c.approval_why)}"
        rows.append(f"| `{c.path}:{c.line}` ({_cell(c.function)}) | `{_cell(c.call)}` | {_cell(c.destination)} | {policy} | {data} | "
                    f"{_cell(', '.join(c.senders)) or '—'} |")
    return "\n".join(lines + _fold(len(evidence.model_calls), "model call", rows) + [""])


def _routes(evidence: Evidence) -> str:
    lines = ["## Access control: routes that reach models", ""]
    if not evidence.routes:
        return "\n".join(lines + ["No route sends patient data to a model.", ""])
    rows = ["| Route | Handler | Guarded by | Sends | Finding |", "| --- | --- | --- | --- | --- |"]
    for r in evidence.routes:
        guards = "<br>".join(_cell(g) for g in r.guards) or (f"explicitly public: {_cell(', '.join(r.public))}" if r.public else "**nothing**")
        status = "guarded" if r.finding is None else f"`{r.finding}` accepted: {_cell(r.accepted)}" if r.accepted else f"`{r.finding}` **open**"
        rows.append(f"| **{_cell(r.route)}** ({r.framework}) | `{r.path}:{r.line}` {_cell(r.handler)} | {guards} | {_cell(r.sends)} | {status} |")
    return "\n".join(lines + rows + [""])


def _fold(count: int, noun: str, rows: list[str], above: int = 15) -> list[str]:
    """Long tables fold away: the summary stays readable."""
    if count <= above:
        return rows
    return [f"<details><summary>{count} {noun}s</summary>", "", *rows, "", "</details>"]


def _cell(text: str | None) -> str:
    """Text safe inside a table cell: pipes escaped, lines joined, no HTML."""
    text = (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _mermaid(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")
