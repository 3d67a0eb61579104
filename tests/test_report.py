"""`phi-lint report`: the committed example is current, the HTML shows what the JSON holds, the
diagram is well-formed SVG, the page fetches nothing, and the evidence itself is right."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import example_report
from phi_lint.cli import main


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict[str, str]:
    return example_report.render(tmp_path_factory.mktemp("example"))


class Page(HTMLParser):
    """The text of a page, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> tuple[str, list[tuple[str, dict]]]:
    page = Page()
    page.feed(html)
    page.close()
    return " ".join("".join(page.text).split()), page.tags


def test_the_committed_example_report_is_current(example: dict[str, str]) -> None:
    for fmt, path in example_report.committed().items():
        assert path.is_file(), f"run `python tests/example_report.py` to write {path.name}"
        assert path.read_text(encoding="utf-8") == example[fmt], f"{path.name} is stale: run `python tests/example_report.py`"


def test_the_html_shows_every_control_accepted_risk_and_vendor_of_the_json(example: dict[str, str]) -> None:
    doc = json.loads(example["json"])
    text, _ = parse(example["html"])
    assert doc["controls"] and doc["accepted"] and doc["vendors"]
    assert all(f["message"].replace("`", "") in text for f in doc["open"] + doc["fixed"])
    for row in doc["controls"]:
        assert row["control"] in text and row["title"] in text
    for risk in doc["accepted"]:
        finding = risk["finding"]
        assert f"{finding['path']}:{finding['line']}" in text and finding["code"] in text and risk["where"] in text
        assert (risk["reason"] or "") in text and (risk["author"] or "") in text and (risk["date"] or "") in text
    for vendor in doc["vendors"]:
        for field in ("name", "baa_scope", "training", "retention", "zero_retention", "residency", "checked"):
            assert vendor[field] in text, (vendor["id"], field)
    for call in doc["model_calls"]:
        assert f"{call['path']}:{call['line']}" in text and call["destination"] in text
    for route in doc["routes"]:
        assert route["route"] in text and route["sends"].replace("`", "") in text  # `code` spans are <code> on the page
    assert doc["run"]["commit"] in text and doc["run"]["date"] in text and doc["run"]["policy_file"] in text


def test_the_page_is_self_contained(example: dict[str, str]) -> None:
    html = example["html"]
    _, tags = parse(html)
    names = {tag for tag, _ in tags}
    assert "script" not in names and "link" not in names and "img" not in names and "iframe" not in names
    assert not any("src" in attrs or attrs.get("rel") for _, attrs in tags)
    assert "@import" not in html and "url(http" not in html and "<style>" in html
    # the only links are the vendors' published terms, for people to follow
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)


def test_the_diagram_is_well_formed_svg_and_tells_approved_from_unapproved(example: dict[str, str]) -> None:
    svg = re.search(r"<svg\b.*?</svg>", example["html"], re.S).group(0)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    strokes = {(p.get("stroke"), p.get("stroke-dasharray")) for p in root.iter(f"{ns}path") if p.get("fill") == "none"}
    assert ("#1a7f37", None) in strokes and ("#cf222e", "7 5") in strokes  # approved solid green, unapproved dashed red
    labels = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "clinic_ai.jobs.nightly_index" in labels and "https://api.openai.com/v1" in labels and "mrn, name" in labels


def test_the_markdown_fits_a_job_summary(example: dict[str, str]) -> None:
    markdown = example["markdown"]
    assert len(markdown.encode("utf-8")) < 1_000_000
    assert "```mermaid" in markdown and "| **CC6.1** |" in markdown and "| **§164.312(d)** |" in markdown


def test_the_evidence_of_the_demo(example: dict[str, str]) -> None:
    doc = json.loads(example["json"])
    calls = {(c["path"], c["line"]): c for c in doc["model_calls"]}
    bedrock = calls[("clinic_ai/jobs/nightly_index.py", 46)]
    assert (bedrock["vendor"], bedrock["region"], bedrock["approval"]) == ("aws-bedrock", "us-east-1", "approved")
    gateway = calls[("clinic_ai/jobs/nightly_index.py", 49)]
    assert (gateway["vendor"], gateway["approval"]) == (None, "unapproved")  # the team's own gateway, plain http
    summary = calls[("clinic_ai/api.py", 67)]
    assert {(d["category"], d["state"]) for d in summary["data"]} >= {("allergy", "sanitised")}
    triage = calls[("clinic_ai/api.py", 52)]
    assert triage["routes"] == ["POST /triage"] and ("name", "sent") in {(d["category"], d["state"]) for d in triage["data"]}
    chain = calls[("clinic_ai/summarizer.py", 63)]
    assert chain["endpoint"] == "https://contoso-health.openai.azure.com" and chain["data"][0]["state"] == "allowed"
    routes = {r["route"]: r for r in doc["routes"]}
    assert routes["POST /triage"]["finding"] == "PHI501" and routes["POST /handover"]["guards"] == ["`Depends(get_current_user)` on the route"]
    accepted = {(a["finding"]["code"], a["how"]): a for a in doc["accepted"]}
    assert accepted[("PHI201", "suppression")]["author"] == "Dana Reyes" and accepted[("PHI201", "suppression")]["date"] == "2026-11-20"
    assert accepted[("PHI204", "baseline")]["where"] == ".phi-lint-baseline.json"
    assert [(f["code"], f["path"]) for f in doc["fixed"]] == [("PHI201", "clinic_ai/jobs/nightly_index.py")]
    soc2 = {c["control"]: c for c in doc["controls"] if c["framework"] == "SOC 2"}
    assert soc2["CC7.2"]["accepted"] == 2 and soc2["CC7.2"]["fixed"] == 1
    assert doc["summary"]["unguarded_routes"] == 1


def test_report_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n", encoding="utf-8")
    runner = CliRunner()
    outside = runner.invoke(main, ["report", str(tmp_path), "--diff-base", "HEAD~1"])
    assert outside.exit_code == 2 and "not inside a git repository" in outside.output
    assert runner.invoke(main, ["report", str(tmp_path), "--date", "yesterday"]).exit_code == 2
    assert runner.invoke(main, ["report", str(tmp_path / "missing")]).exit_code == 2
    written = runner.invoke(main, ["report", str(tmp_path), "--format", "json", "--date", "2026-01-02", "-o", str(tmp_path / "r.json")])
    assert written.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())["run"]["date"] == "2026-01-02"



def test_the_readme_excerpt_is_from_the_example() -> None:
    readme = (example_report.ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("<!-- example-report:start", 1)[1].split("<!-- example-report:end -->", 1)[0].splitlines()[1:]
    example = example_report.committed()["markdown"].read_text(encoding="utf-8").splitlines()
    assert [line for line in excerpt if line] and all(line in example for line in excerpt if line)


def test_the_vendor_catalogue_covers_the_sdks_and_cites_its_sources() -> None:
    from phi_lint.catalog import load, load_vendors

    vendors = load_vendors()
    assert all(v.sources and all(s.startswith("https://") for s in v.sources) and v.checked for v in vendors)
    wrappers = {"LangChain", "LlamaIndex", "LiteLLM"}  # they call a vendor; the vendor comes from the endpoint or the class
    providers = {t.provider for t in load().types.values() if t.provider} - wrappers
    assert providers <= {p for v in vendors for p in v.providers}


def test_every_control_a_rule_maps_to_has_a_title() -> None:
    from phi_lint.catalog import load

    catalog = load()
    used = {(f, c) for soc2, hipaa in catalog.controls.values() for f, controls in (("SOC 2", soc2), ("HIPAA", hipaa)) for c in controls}
    assert used <= set(catalog.control_titles)


def test_the_inventory_names_who_receives_each_call() -> None:
    from phi_lint.config import Config
    from phi_lint.engine import Engine
    from phi_lint.evidence.inventory import model_calls

    source = '''\
import ollama
import requests
from anthropic import Anthropic

local = ollama.Client(host="http://localhost:11434")
claude = Anthropic()


def triage(patient_symptoms: str) -> str:
    local.chat(model="llama3", messages=[{"role": "user", "content": patient_symptoms}])
    requests.post("https://api.openai.com/v1/chat/completions", json={"messages": [{"role": "user", "content": patient_symptoms}]})
    requests.post("https://tickets.contoso.example/api", json={"text": patient_symptoms})
    return claude.messages.create(model="claude", max_tokens=10, messages=[{"role": "user", "content": "Say hi"}]).content
'''
    ctx = Engine(Config(approved_regions=("us-east-1",))).context_of(source, "app/triage.py")
    calls = {c.line: c for c in model_calls(ctx, "app/triage.py", "app.triage")}
    assert sorted(calls) == [10, 11, 13]  # the ticket system is not a model
    assert (calls[10].vendor, calls[10].approval) == ("ollama", "approved")  # loopback, self-hosted
    assert (calls[11].vendor, calls[11].endpoint, calls[11].approval) == ("openai", "https://api.openai.com/v1/chat/completions", "unapproved")
    assert [(d.category, d.state) for d in calls[11].data] == [("diagnosis", "sent")]
    assert (calls[13].vendor, calls[13].data, calls[13].function) == ("anthropic", (), "triage")  # a call with no patient data is listed too
