"""One-file latency: how long `phi-lint check one.py` takes from start to exit, as pre-commit and
editors run it on every commit and save. Prints times and ratios, asserts nothing.

    python benchmarks/bench_startup.py [FILE] [--repeat N] [--importtime]

FILE defaults to a small FastAPI route with one finding. Every command runs as a fresh process
of this interpreter, `--repeat` times after a warm-up run; the minimum and median wall-clock
times are printed, with the minimum CPU time of the child (user + system: less disturbed by
other load on the machine). Baselines run the same way: the bare interpreter (`python -c pass`,
the floor for any Python tool), `import click` (the floor for a click CLI), and ruff and bandit
on the same file when they are installed. The goal is 0.15 s wall for a small file.

Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX) as it is for an installed package
(pip compiles it): with PYTHONDONTWRITEBYTECODE every run would compile phi-lint's sources
again, ~60 ms that no user pays. `--importtime` adds where start-up goes: `python -X
importtime`, the slowest imports (self time, minimum over the runs), and the catalogue's load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

GOAL = 0.15
SMALL = '''"""Appointment reminders."""

import logging

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
log = logging.getLogger("reminders")


class Reminder(BaseModel):
    patient_id: str
    patient_phone: str
    slot: str


@app.post("/reminders")
def schedule(reminder: Reminder) -> dict:
    log.info("reminder for %s at %s", reminder.patient_phone, reminder.slot)
    return {"status": "scheduled"}
'''


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(command: list[str], env: dict[str, str], cwd: Path, repeat: int) -> tuple[float, float, float]:
    """(min wall, median wall, min CPU) after one warm-up run."""
    run_once(command, env, cwd)
    walls, cpus = zip(*(run_once(command, env, cwd) for _ in range(repeat)))
    return min(walls), statistics.median(walls), min(cpus)


def import_profile(file: Path, env: dict[str, str], cwd: Path, runs: int = 5) -> list[tuple[int, str]]:
    """(self µs, module) of the slowest imports of a check, minimum over `runs`."""
    best: dict[str, int] = defaultdict(lambda: 1 << 60)
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "phi_lint", "check", str(file)],
                              env=env, cwd=cwd, capture_output=True, text=True)
        for line in proc.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
            if match:
                best[match.group(2)] = min(best[match.group(2)], int(match.group(1)))
    return sorted(((us, name) for name, us in best.items()), reverse=True)


def catalogue_load(env: dict[str, str], cwd: Path) -> float:
    code = ("import time; from phi_lint import catalog; t = time.perf_counter(); catalog.load(); "
            "print(time.perf_counter() - t)")
    times = [float(subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True).stdout or "nan")
             for _ in range(5)]
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help="the file to check (default: a small FastAPI route)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--importtime", action="store_true", help="also show where start-up goes")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="phi-lint-startup-"))
    try:
        file = args.file.resolve() if args.file else work / "reminders.py"
        if not args.file:
            file.write_text(SMALL, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")}
        env.update(PYTHONPYCACHEPREFIX=str(work / "pycache"), NO_COLOR="1")
        python = sys.executable
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "python -c 'import click'": [python, "-c", "import click"],
            "phi-lint check FILE": [python, "-m", "phi_lint", "check", str(file)],
        }
        if shutil.which("ruff"):
            commands["ruff check --no-cache FILE"] = ["ruff", "check", "--no-cache", str(file)]
        if shutil.which("bandit"):
            commands["bandit -q FILE"] = ["bandit", "-q", str(file)]
        print(f"{file.name}: {len(file.read_bytes())} bytes; {args.repeat} runs each after a warm-up; Python {sys.version.split()[0]}")
        print(f"{'command':<30} {'min wall':>9} {'median':>9} {'min CPU':>9} {'vs python':>10}")
        results = {name: measure(command, env, work, args.repeat) for name, command in commands.items()}
        floor = results["python -c pass"][0]
        for name, (low, median, cpu) in results.items():
            print(f"{name:<30} {low:>8.3f}s {median:>8.3f}s {cpu:>8.3f}s {low / floor:>9.1f}x")
        ours = results["phi-lint check FILE"][0]
        print(f"goal: one file in <= {GOAL:.2f} s wall: {'met' if ours <= GOAL else 'NOT met'} ({ours:.3f} s minimum)")
        if args.importtime:
            print(f"\ncatalogue load (rules/*.toml, parsed form cached): {catalogue_load(env, work) * 1000:.1f} ms")
            rows = import_profile(file, env, work)
            ours_total = sum(us for us, name in rows if name.startswith("phi_lint"))
            print(f"imports: {sum(us for us, _ in rows) / 1000:.1f} ms self time in {len(rows)} modules, "
                  f"{ours_total / 1000:.1f} ms of it in phi_lint; the slowest:")
            for us, name in rows[:15]:
                print(f"  {us / 1000:6.1f} ms  {name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
