"""The vendor diagram: modules on the left, the endpoints their model calls go to on the right,
each edge labelled with the data categories that flow. Approved destinations are drawn solid,
unapproved ones red and dashed, unknown ones grey and dotted, so the difference survives print
and colour blindness. Plain SVG written here: no library, no script, no font to fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from phi_lint.evidence.model import ALLOWED, APPROVED, SANITISED, SENT, UNAPPROVED, Evidence

WIDTH = 1100
NODE_W = 240  # modules
END_W = 320  # endpoints
LABEL_X, LABEL_W = 320, 380  # the column of edge labels, one row per edge
NODE_H = 46
PITCH = 56  # one edge row
GAP = 10
TOP = 44
CHAR_W = 6.6  # average width of a 12px sans-serif character, for cutting long names

_STYLE = {
    APPROVED: ("#1a7f37", "none", "approved"),
    UNAPPROVED: ("#cf222e", "7 5", "not approved"),
}
_UNKNOWN = ("#6e7781", "2 4", "approval unknown")


@dataclass
class Edge:
    module: str
    destination: str
    approval: str
    sent: set[str] = field(default_factory=set)
    allowed: set[str] = field(default_factory=set)
    sanitised: set[str] = field(default_factory=set)
    calls: int = 0


def edges(evidence: Evidence) -> list[Edge]:
    """One edge per module and destination, with the categories of every call along it."""
    found: dict[tuple[str, str], Edge] = {}
    for call in evidence.model_calls:
        edge = found.setdefault((call.module, call.destination), Edge(call.module, call.destination, call.approval))
        edge.calls += 1
        if call.approval == UNAPPROVED:
            edge.approval = UNAPPROVED
        edge.sent |= {d.category for d in call.data if d.state == SENT}
        edge.allowed |= {d.category for d in call.data if d.state == ALLOWED}
        edge.sanitised |= {d.category for d in call.data if d.state == SANITISED}
    return sorted(found.values(), key=lambda e: (e.module, e.destination))


def edge_label(edge: Edge) -> str:
    """`name, payload; allowed: diagnosis; sanitised: allergy`: what flows, what the prompt data
    policy allows there, and what reaches it only sanitised."""
    parts = [", ".join(sorted(edge.sent))] if edge.sent else []
    parts += [f"allowed: {', '.join(sorted(edge.allowed))}"] if edge.allowed else []
    parts += [f"sanitised: {', '.join(sorted(edge.sanitised))}"] if edge.sanitised else []
    return "; ".join(parts) or "no patient data"


def render_svg(evidence: Evidence) -> str:
    """The diagram as a standalone `<svg>` element (well-formed XML). Three columns: modules,
    one labelled row per edge (so no two labels overlap), endpoints."""
    links = edges(evidence)
    vendors = {v.id: v.name for v in evidence.vendors}
    rows = {id(edge): TOP + i * PITCH for i, edge in enumerate(links)}
    left = _modules(links, rows)
    right = _endpoints(links, rows)
    approvals = _destinations(evidence)
    bottom = max([TOP + len(links) * PITCH, *(y + NODE_H for y in left.values()), *(y + NODE_H for y in right.values()), TOP + NODE_H])
    height = int(bottom) + 50
    x_right = WIDTH - END_W - 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="diagram-title" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">',
        '<title id="diagram-title">Modules and the model endpoints their calls reach, with the data categories sent</title>',
        _markers(),
        f'<text x="20" y="24" font-weight="600">Modules</text><text x="{LABEL_X}" y="24" font-weight="600">Data sent</text>'
        f'<text x="{x_right}" y="24" font-weight="600">Model endpoints</text>',
    ]
    if not links:
        out.append(f'<text x="20" y="{TOP + 20}">No model call was found.</text>')
    for edge in links:
        out.append(_edge(edge, left[edge.module], rows[id(edge)], right[edge.destination]))
    for name, y in left.items():
        out.append(_node(20, y, name, "module", "#0969da", "none", NODE_W))
    for name, y in right.items():
        approval, vendor = approvals[name]
        colour, dash, words = _STYLE.get(approval, _UNKNOWN)
        subtitle = f"{vendors.get(vendor, 'not a catalogued vendor') if vendor else 'your own endpoint'} · {words}"
        out.append(_node(x_right, y, name, subtitle, colour, dash, END_W))
    out.append(_legend(height - 22))
    out.append("</svg>")
    return "\n".join(out)


def _modules(links: list[Edge], rows: dict[int, float]) -> dict[str, float]:
    """Each module beside the middle of its own edges (edges come sorted by module)."""
    out: dict[str, float] = {}
    for edge in links:
        out.setdefault(edge.module, [])
        out[edge.module].append(rows[id(edge)])
    return {name: (ys[0] + ys[-1]) / 2 for name, ys in out.items()}


def _endpoints(links: list[Edge], rows: dict[int, float]) -> dict[str, float]:
    """Each endpoint as near the middle of its edges as the ones above it allow."""
    wanted: dict[str, list[float]] = {}
    for edge in links:
        wanted.setdefault(edge.destination, []).append(rows[id(edge)])
    out: dict[str, float] = {}
    floor = TOP
    for name, ys in sorted(wanted.items(), key=lambda item: (sum(item[1]) / len(item[1]), item[0])):
        y = max(sum(ys) / len(ys), floor)
        out[name] = y
        floor = y + NODE_H + GAP
    return out


def _destinations(evidence: Evidence) -> dict[str, tuple[str, str | None]]:
    """Each destination's approval (unapproved when any call to it is) and vendor."""
    found: dict[str, tuple[str, str | None]] = {}
    for call in evidence.model_calls:
        approval, vendor = found.get(call.destination, (call.approval, call.vendor))
        found[call.destination] = (UNAPPROVED if UNAPPROVED in (approval, call.approval) else approval, vendor)
    return found


def _node(x: float, y: float, title: str, subtitle: str, colour: str, dash: str, width: int) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash != "none" else ""
    return (
        f'<g><title>{escape(title)}</title>'
        f'<rect x="{x}" y="{y:.1f}" width="{width}" height="{NODE_H}" rx="6" fill="#ffffff" stroke="{colour}" stroke-width="2"{dashes}/>'
        f'<text x="{x + 10}" y="{y + 19:.1f}" font-weight="600">{escape(_cut(title, width - 20))}</text>'
        f'<text x="{x + 10}" y="{y + 36:.1f}" fill="#57606a">{escape(_cut(subtitle, width - 20))}</text></g>'
    )


def _edge(edge: Edge, y_module: float, y_row: float, y_endpoint: float) -> str:
    """Module -> its labelled row -> endpoint, in the colour and dash of the approval."""
    colour, dash, words = _STYLE.get(edge.approval, _UNKNOWN)
    dashes = f' stroke-dasharray="{dash}"' if dash != "none" else ""
    x1, x2, x3, x4 = 20 + NODE_W, LABEL_X, LABEL_X + LABEL_W, WIDTH - END_W - 20
    a, b, c = y_module + NODE_H / 2, y_row + NODE_H / 2, y_endpoint + NODE_H / 2
    head = "unknown" if edge.approval not in _STYLE else edge.approval
    calls = f"{edge.calls} call" + ("s" if edge.calls != 1 else "")
    label = edge_label(edge)
    sent = ", ".join(sorted(edge.sent)) or "no patient data sent as it is"
    rest = "; ".join(p for p in label.split("; ") if p.startswith(("allowed:", "sanitised:")))
    return (
        f'<g><title>{escape(f"{edge.module} → {edge.destination}: {label} ({words}, {calls})")}</title>'
        f'<path d="M{x1} {a:.1f} C{(x1 + x2) / 2:.1f} {a:.1f} {(x1 + x2) / 2:.1f} {b:.1f} {x2} {b:.1f}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>'
        f'<path d="M{x3} {b:.1f} C{(x3 + x4) / 2:.1f} {b:.1f} {(x3 + x4) / 2:.1f} {c:.1f} {x4} {c:.1f}" fill="none" stroke="{colour}" stroke-width="2"{dashes} '
        f'marker-end="url(#arrow-{_slug(head)})"/>'
        f'<rect x="{x2}" y="{b - 19:.1f}" width="{LABEL_W}" height="38" rx="5" fill="#ffffff" stroke="{colour}" stroke-width="1.5"{dashes}/>'
        f'<text x="{x2 + 10}" y="{b - 3:.1f}" fill="{colour}" font-weight="600">{escape(_cut(sent, LABEL_W - 20))}</text>'
        f'<text x="{x2 + 10}" y="{b + 12:.1f}" fill="#57606a">{escape(_cut(rest or calls, LABEL_W - 20))}</text></g>'
    )


def _markers() -> str:
    """One arrow head per approval state, defined once."""
    heads = []
    for approval in (APPROVED, UNAPPROVED, "unknown"):
        colour = _STYLE.get(approval, _UNKNOWN)[0]
        heads.append(f'<marker id={quoteattr("arrow-" + _slug(approval))} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                     f'markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z" fill="{colour}"/></marker>')
    return "<defs>" + "".join(heads) + "</defs>"


def _legend(y: int) -> str:
    parts = []
    x = 20
    for approval in (APPROVED, UNAPPROVED, "unknown"):
        colour, dash, words = _STYLE.get(approval, _UNKNOWN)
        dashes = f' stroke-dasharray="{dash}"' if dash != "none" else ""
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 40}" y2="{y}" stroke="{colour}" stroke-width="2"{dashes}/>'
                     f'<text x="{x + 48}" y="{y + 4}">{escape(words)}</text>')
        x += 190
    return "<g>" + "".join(parts) + "</g>"


def _cut(text: str, width: float) -> str:
    most = max(4, int(width / CHAR_W))
    return text if len(text) <= most else text[: most - 1] + "…"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)
