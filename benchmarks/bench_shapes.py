"""Does a check's cost grow with the size of a file, and no faster? Prints seconds per thousand
lines for the shapes that once grew faster (issue 8), asserts nothing.

    python benchmarks/bench_shapes.py [--repeat N] [--tiny]

The shapes (benchmarks/shapes.py): a chain of n helpers, each calling the next twice, the last one
logging its parameter (n = 10, 15, 20: one real flow, 2^(n-1) paths to it); one function of 250
and of 1,000 assignment statements derived from a patient record, a log call every 25th; and
generated FastAPI modules of 1k, 5k and 20k lines (routes calling a model client, helpers, a
service class, logging; a finding every ~25 lines). Each is timed, in this one process, as:

- `ast.parse` of the same text (the floor),
- a plain check (`Engine.check_source(fixes=False)`: the flake8 front, JSON without edits),
- a check that builds every fix (`fixes=True`: text output, `--fix`, `--diff`),
- the project check of the file alone (`check_project`, one job, no cache: what `phi-lint
  check` does, fixes included).

Times are CPU seconds (`time.process_time`), the minimum of N runs after a warm-up run. The goals
of issue 8 are printed beside them: 15 helpers under 0.1 s, and the per-thousand-lines cost of the
20k-line module within 2x that of the 1k-line one (likewise 1,000 statements against 250).
`--tiny` runs small sizes once, so a test can keep the script from rotting.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import timed  # noqa: E402  (the same timing loop as the stdlib benchmark)
from shapes import helper_chain, long_function, realistic_module  # noqa: E402

FULL = {"chain": (10, 15, 20), "long function": (250, 1000), "module": (1000, 5000, 20000)}
TINY = {"chain": (4,), "long function": (30,), "module": (150,)}
CHAIN_GOAL = 0.1  # seconds for 15 helpers
GROWTH_GOAL = 2.0  # largest size's s/kLOC over the smallest's


def sources(sizes: dict[str, tuple[int, ...]]) -> list[tuple[str, str]]:
    out = [(f"helper chain n={n}", helper_chain(n)) for n in sizes["chain"]]
    out += [(f"one function, {n:,} statements", long_function(n)) for n in sizes["long function"]]
    out += [(f"FastAPI module ~{n // 1000 or n}{'k' if n >= 1000 else ''} lines", realistic_module(n)) for n in sizes["module"]]
    return out


def project_check(folder: Path, name: str, text: str):
    """`phi-lint check` of one file in a project folder of its own (one job, no cache)."""
    from phi_lint.config import Config
    from phi_lint.workspace import check_project, run_settings

    path = folder / name
    path.write_text(text, encoding="utf-8")
    settings = run_settings([path], Config(), root=str(folder))

    def run() -> int:
        return len(check_project([path], settings, jobs=1)[0].findings)

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", "-n", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="small sizes, one run (for the tests)")
    args = parser.parse_args(argv)
    repeat = 1 if args.tiny else args.repeat

    from phi_lint.config import Config
    from phi_lint.engine import engine_for

    engine = engine_for(Config())
    print(f"phi-lint shapes: CPU s, minimum of {repeat} run(s) after a warm-up; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"\n{'shape':<32} {'lines':>6} {'parse s':>8} {'plain s':>8} {'s/kLOC':>7} {'fixes s':>8} {'s/kLOC':>7} "
          f"{'project s':>9} {'plain/parse':>11}  findings (with a fix)")
    per_kloc: dict[str, float] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (shape, text) in enumerate(sources(TINY if args.tiny else FULL)):
            lines = text.count("\n")
            folder = Path(tmp) / f"p{i}"
            folder.mkdir()
            times = timed({
                "parse": lambda: ast.parse(text),
                "plain": lambda: engine.check_source(text, "shape.py", fixes=False),
                "fixes": lambda: engine.check_source(text, "shape.py", fixes=True),
                "project": project_check(folder, "shape.py", text),
            }, repeat)
            findings = engine.check_source(text, "shape.py", fixes=True)
            parse, plain, fixes, project = (times[k][0] for k in ("parse", "plain", "fixes", "project"))
            kloc = lines / 1000
            per_kloc[shape], seconds[shape] = fixes / kloc, fixes
            print(f"{shape:<32} {lines:>6,} {parse:8.4f} {plain:8.3f} {plain / kloc:7.3f} {fixes:8.3f} {fixes / kloc:7.3f} "
                  f"{project:9.3f} {plain / max(parse, 1e-9):10.1f}x  {len(findings)} ({sum(f.fix is not None for f in findings)})")
    print()
    chain = [s for s in seconds if s.startswith("helper chain")]
    target = next((s for s in chain if s.endswith("n=15")), chain[-1])
    verdict = "met" if seconds[target] < CHAIN_GOAL else "MISSED"
    print(f"goal: 15 double-calling helpers under {CHAIN_GOAL} s: {target} takes {seconds[target]:.3f} s with fixes ({verdict})")
    for prefix in ("one function", "FastAPI module"):
        group = [s for s in per_kloc if s.startswith(prefix)]
        if len(group) > 1:
            growth = per_kloc[group[-1]] / per_kloc[group[0]]
            verdict = "met" if growth <= GROWTH_GOAL else "MISSED"
            print(f"goal: per-thousand-lines cost of the largest within {GROWTH_GOAL:g}x the smallest: "
                  f"{group[-1]} / {group[0]} = {growth:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
