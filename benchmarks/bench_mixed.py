"""A tree of Python and TypeScript/JavaScript: `phi-lint check` against semgrep alone with the pack
on the same files. Prints times and ratios, asserts nothing.

    python benchmarks/bench_mixed.py [--copies N] [--repeat N] [--tiny]

The tree is the demo projects (fixtures/demo: FastAPI and Celery; fixtures/demo-js: Next.js and
Express), the fixture projects (fixtures/projects) and the pack's own test files
(rules/semgrep/*/), copied N times into a temporary folder under one `pyproject.toml` (the
demo-js policy), so that the check is one project with one policy. Each step runs as a child
process, as a user runs it, and is timed by the CPU seconds of its processes (this one's waited-for
children, semgrep's included) and by the wall clock:

- `phi-lint check --no-cache -j1`: the Python files through the engine while one semgrep run
  checks the scripts (JavaScript/TypeScript rules of the pack),
- the same with the default job count (the CPUs),
- semgrep alone with the whole pack (its Python and JavaScript/TypeScript rules) on the same
  files, `--jobs 1`: what a team that runs the pack in semgrep pays instead,
- semgrep alone with the JavaScript/TypeScript rules on the scripts only: the part of the check
  phi-lint hands to semgrep.

The minimum of N runs after a warm-up run. `--tiny` runs the two demos once, the one-job check
and semgrep on the scripts only, so that a test keeps the script from rotting.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ROOT, children_cpu  # noqa: E402  (the same child-process clock as bench.py)

DEMOS = [ROOT / "fixtures" / "demo", ROOT / "fixtures" / "demo-js"]
SOURCES = [*DEMOS, ROOT / "fixtures" / "projects", ROOT / "rules" / "semgrep" / "python", ROOT / "rules" / "semgrep" / "javascript"]
SCRIPTS = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx")
CODE = (".py", *SCRIPTS)
SKIP = {"node_modules", ".phi-lint-cache", "__pycache__"}


def build_tree(target: Path, sources: list[Path], copies: int) -> tuple[list[Path], list[Path]]:
    """(Python files, script files) of a tree of `copies` copies of `sources` under one policy."""
    shutil.copy(ROOT / "fixtures" / "demo-js" / "pyproject.toml", target / "pyproject.toml")
    for n in range(copies):
        for source in sources:
            for folder, dirs, files in os.walk(source):
                dirs[:] = sorted(d for d in dirs if d not in SKIP)
                for name in files:
                    if name.endswith(CODE):
                        file = Path(folder) / name
                        copy = target / f"copy{n:02d}" / source.name / file.relative_to(source)
                        copy.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(file, copy)
    every = sorted(p for p in target.rglob("*") if p.suffix in CODE)
    return [p for p in every if p.suffix == ".py"], [p for p in every if p.suffix in SCRIPTS]


def run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(CPU s of the child and its children, wall s, exit status)."""
    env = dict(os.environ, PHI_LINT_NO_CACHE="1", SEMGREP_SEND_METRICS="off", NO_COLOR="1")
    start_cpu, start_wall = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
    return children_cpu() - start_cpu, time.perf_counter() - start_wall, done.returncode


def best(command: list[str], cwd: Path, repeat: int) -> tuple[float, float, int]:
    """The minimum CPU and wall time of `repeat` runs, after one warm-up run unless repeat is 1."""
    if repeat > 1:
        run(command, cwd)
    runs = [run(command, cwd) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def semgrep_alone(config: list[Path], files: list[Path]) -> list[str] | None:
    """semgrep with these rule folders on these files, found where `phi-lint check` finds it."""
    from phi_lint.semgrep.run import semgrep_command

    semgrep = semgrep_command()
    if semgrep is None:
        return None
    configs = [arg for folder in config for arg in ("--config", str(folder))]
    return [*semgrep, "scan", *configs, "--json", "--metrics=off", "--disable-version-check", "--quiet",
            "--disable-nosem", "--no-git-ignore", "--jobs", "1", "--timeout", "30", "--", *map(str, files)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", "-n", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="the two demos, one run")
    args = parser.parse_args(argv)
    copies, repeat = (1, 1) if args.tiny else (args.copies, args.repeat)

    with tempfile.TemporaryDirectory(prefix="phi-lint-bench-mixed-") as folder:
        tree = Path(folder)
        python, scripts = build_tree(tree, DEMOS if args.tiny else SOURCES, copies)
        lines = sum(p.read_bytes().count(b"\n") for p in python + scripts)
        print(f"mixed tree: {copies} cop{'y' if copies == 1 else 'ies'}, {len(python)} Python and {len(scripts)} "
              f"JavaScript/TypeScript files, {lines:,} lines; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        phi_lint = [sys.executable, "-m", "phi_lint", "check", "--no-cache", "--format", "json", "--exit-zero", "."]
        steps = {
            "phi-lint check -j1": phi_lint[:4] + ["-j1"] + phi_lint[4:],
            "phi-lint check (default -j)": phi_lint,
            "semgrep, whole pack": semgrep_alone([ROOT / "rules" / "semgrep" / "python", ROOT / "rules" / "semgrep" / "javascript"],
                                                   python + scripts),
            "semgrep, scripts only": semgrep_alone([ROOT / "rules" / "semgrep" / "javascript"], scripts),
        }
        if args.tiny:  # the whole pack compiles its Python rules for ~15 s before the first file
            steps = {name: steps[name] for name in ("phi-lint check -j1", "semgrep, scripts only")}
        if steps["semgrep, scripts only"] is None:
            print("semgrep is not installed (pip install 'phi-lint[semgrep]'): phi-lint checks the Python files alone and notes the others")
        times = {name: best(command, tree, repeat) for name, command in steps.items() if command is not None}

    alone = times.get("semgrep, whole pack")
    print(f"\n{'step':<28} {'CPU s':>8} {'wall s':>8} {'exit':>5} {'CPU vs whole pack':>18}")
    for name, (cpu, wall, status) in times.items():
        ratio = f"{cpu / alone[0]:17.2f}x" if alone else f"{'-':>18}"
        print(f"{name:<28} {cpu:8.2f} {wall:8.2f} {status:5d} {ratio}")
    if alone:
        cpu, wall, _ = times["phi-lint check -j1"]
        print(f"\nphi-lint check -j1 / semgrep alone with the whole pack: {cpu / alone[0]:.2f}x CPU, {wall / alone[1]:.2f}x wall")


if __name__ == "__main__":
    main()
