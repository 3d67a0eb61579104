"""What the Python semgrep pack finds against the engine, on the engine's own annotated fixtures
(the table in the README's "The semgrep pack"). Prints counts, asserts nothing.

    python benchmarks/pack_vs_engine.py [--tiny]

The fixtures of the flow rules (PHI1xx, PHI2xx; PHI401) and fixtures/precision carry `# ruleid:`
lines (a finding expected on the next code line) and `# ok:` lines (a negative twin: code that
looks like a leak and is not). Both checkers run over the same files, each file under the policy
the fixture tests give it (its nearest pyproject.toml): the engine in this process, semgrep as a
child process with the Python pack generated for that policy (as `phi-lint semgrep-rules
--config` writes it), once per policy. For each, the expected findings found, the negative twins
flagged, and the findings on lines no annotation names. `--tiny` takes one folder (PHI401), so that a test keeps the script from rotting.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import annotations  # noqa: E402  (the annotation reader the fixture tests use)

FOLDERS = ["PHI101", "PHI102", "PHI103", "PHI104", "PHI201", "PHI202", "PHI203", "PHI204", "PHI401", "precision"]
FLOW = ("PHI1", "PHI2", "PHI4")


def policies(files: list[Path]) -> dict:
    """{config: its files}, by each file's nearest configuration."""
    from phi_lint.config import load_config

    groups: dict = {}
    for file in files:
        groups.setdefault(load_config(start=file), []).append(file)
    return groups


def engine_findings(groups: dict) -> dict[Path, set[tuple[int, str]]]:
    from phi_lint.engine import Engine

    found = {}
    for config, files in groups.items():
        engine = Engine(config)
        for f in files:
            found[f] = {(x.line, x.code) for x in engine.check_source(f.read_bytes(), str(f)) if x.suppression is None}
    return found


def pack_findings(groups: dict) -> dict[Path, set[tuple[int, str]]] | None:
    from phi_lint.semgrep.pack import dump, rules_for

    from phi_lint.semgrep.run import semgrep_command

    semgrep = semgrep_command()
    if semgrep is None:
        return None
    found: dict[Path, set[tuple[int, str]]] = {}
    for config, files in groups.items():
        with tempfile.TemporaryDirectory() as folder:
            rules = Path(folder) / "python.yaml"
            rules.write_text(dump({"rules": rules_for(config, "python")}), encoding="utf-8")
            done = subprocess.run([*semgrep, "scan", "--config", str(rules), "--json", "--metrics=off", "--disable-version-check",
                                   "--quiet", "--disable-nosem", "--no-git-ignore", "--", *map(str, files)], capture_output=True, check=False)
        by_name = {str(f): f for f in files}
        found.update({f: set() for f in files})
        for result in json.loads(done.stdout)["results"]:
            found[by_name[result["path"]]].add((result["start"]["line"], result["extra"]["metadata"]["phi-lint-code"]))
    return found


def score(files: list[Path], found: dict[Path, set[tuple[int, str]]]) -> Counter:
    counts: Counter = Counter()
    for file in files:
        expected, absent = annotations(file)
        expected = {x for x in expected if x[1].startswith(FLOW)}
        absent = {x for x in absent if x[1].startswith(FLOW)}
        got = {x for x in found[file] if x[1].startswith(FLOW)}
        counts.update(expected=len(expected), twins=len(absent), found=len(expected & got),
                      flagged=len(absent & got), other=len(got - expected - absent))
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="one fixture folder (PHI401)")
    args = parser.parse_args(argv)
    folders = ["PHI401"] if args.tiny else FOLDERS
    files = sorted(p for folder in folders for p in (ROOT / "fixtures" / folder).rglob("*.py") if p.is_file())
    groups = policies(files)
    results = {"phi-lint (the engine)": engine_findings(groups)}
    pack = pack_findings(groups)
    if pack is None:
        print("semgrep is not installed (pip install 'phi-lint[semgrep]'): the engine alone")
    else:
        results["the Python pack in semgrep"] = pack
    counts = score(files, results["phi-lint (the engine)"])
    print(f"{len(files)} fixture files, {counts['expected']} expected findings, {counts['twins']} negative twins\n")
    print(f"{'':<28} {'expected found':>16} {'twins flagged':>14} {'other lines':>12}")
    for name, found in results.items():
        c = score(files, found)
        print(f"{name:<28} {c['found']:>7} ({c['found'] / max(c['expected'], 1):4.0%}) {c['flagged']:>6} ({c['flagged'] / max(c['twins'], 1):4.0%}) {c['other']:>12}")


if __name__ == "__main__":
    main()
