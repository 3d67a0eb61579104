"""What does the PHI plugin add to a flake8 run? Prints ratios, asserts nothing.

    python benchmarks/bench_flake8.py [PATH] [--repeat N] [--jobs N]

Runs the real flake8 in a subprocess on the same files (default: the standard library without
its test folders, as benchmarks/bench.py), with its usual checks (pycodestyle, pyflakes,
mccabe) and:

- without the plugin: flake8 runs every installed plugin whatever `--select` says (select only
  filters the output), so `--select=E9` would still pay for PHI; the plugin is removed from
  flake8's plugin list instead (a small wrapper around flake8's `find_plugins`);
- with the plugin (plain `python -m flake8`), and
- with the plugin alone (pycodestyle, pyflakes and mccabe removed): flake8's own file reading,
  tokenizing and parsing plus phi-lint.

Times are the CPU seconds of the child process (minimum of N rounds, the variants taken in turn),
`--jobs 1` by default so that the numbers do not depend on the number of cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import children_cpu, collect, load, stdlib_files  # noqa: E402

FLAKE8_WITHOUT = """
import sys
from flake8.plugins import finder
found = finder.find_plugins
drop = set(sys.argv[1].split(","))
finder.find_plugins = lambda *a, **k: [p for p in found(*a, **k) if p.package not in drop]
from flake8.main.cli import main
sys.exit(main(sys.argv[2:]))
"""


def flake8_command(drop: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-c", FLAKE8_WITHOUT, ",".join(drop) or "-"]


def run(command: list[str]) -> tuple[float, float, dict[str, int]]:
    start_cpu, start_wall = children_cpu(), time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    cpu, wall = children_cpu() - start_cpu, time.perf_counter() - start_wall
    if result.returncode not in (0, 1):
        raise SystemExit(f"flake8 failed ({result.returncode}): {result.stderr[-2000:]}")
    counts: dict[str, int] = {}
    for line in result.stdout.splitlines():  # path:row:col: CODE text
        code = line.split(": ", 1)[1].split(" ", 1)[0] if ": " in line else "?"
        family = "PHI" if code.startswith("PHI") else code[:1]
        counts[family] = counts.get(family, 0) + 1
    return cpu, wall, counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--repeat", "-n", type=int, default=3)
    parser.add_argument("--jobs", "-j", type=int, default=1)
    args = parser.parse_args(argv)

    paths = collect(args.path) if args.path else stdlib_files()
    files = [path for path, _ in load(paths)]
    lines = sum(Path(p).read_bytes().count(b"\n") for p in files)
    where = args.path or Path(sysconfig.get_paths()["stdlib"])
    print(f"flake8 benchmark: {len(files)} files, {lines:,} lines from {where}; --jobs {args.jobs}; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")

    common = ["--isolated", f"--jobs={args.jobs}", "--exit-zero", *files]
    variants = {
        "flake8 without PHI": flake8_command(("phi-lint",)) + common,
        "flake8 with PHI": flake8_command(()) + common,
        "flake8 + PHI alone": flake8_command(("pycodestyle", "pyflakes", "mccabe")) + common,
    }
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    counts: dict[str, dict[str, int]] = {}
    for command in variants.values():  # warm-up: disk cache, .pyc files
        run(command)
    for _ in range(args.repeat):
        for name, command in variants.items():
            c, w, counts[name] = run(command)
            cpu[name].append(c)
            wall[name].append(w)

    base = min(cpu["flake8 without PHI"])
    print(f"\n{'variant':<22} {'min CPU s':>9} {'median':>8} {'min wall s':>10} {'vs without':>10}  reported")
    for name in variants:
        low = min(cpu[name])
        reported = ", ".join(f"{k}: {v}" for k, v in sorted(counts[name].items()))
        print(f"{name:<22} {low:9.3f} {statistics.median(cpu[name]):8.3f} {min(wall[name]):10.3f} "
              f"{low / base:9.2f}x  {reported}")
    added = min(cpu["flake8 with PHI"]) - base
    print(f"\nThe plugin adds {added:.2f} CPU s ({added / base:.0%} of a plain flake8 run) on these files.")


if __name__ == "__main__":
    main()
