"""How much slower than `ast.parse` is a full phi-lint check? Prints ratios, asserts nothing.

    python benchmarks/bench.py [PATH] [--repeat N] [--no-bandit] [--no-semgrep]

PATH defaults to the running interpreter's standard library without its test folders. Every
file is read into memory once; then, in this one process and on the same bytes:

- `ast.parse` alone (the floor: any Python linter parses),
- a full single-process phi-lint check (`Engine.check_source` on the bytes: decode, parse,
  analysis, every rule, suppressions, fingerprints),
- bandit's in-process manager on the same bytes, when bandit is installed,
- semgrep with the project's pack (rules/semgrep; one comparable inline taint rule while the pack
  is missing) on the same files, when semgrep is installed; it runs as separate processes (its
  start-up, rule compilation and file reading are included; noted as such).

Times are CPU seconds of this process (`time.process_time`; for semgrep, the CPU time of the
child processes), so other load on the machine disturbs them less than wall-clock time would;
the wall-clock minimum is printed too. Each step gets one warm-up pass, then N passes, reported
as minimum and median. The garbage collector stays on, as in a real run (the engine raises its
first threshold while it checks a file, and only then), and every live object makes it slower:
so `ast.parse` is timed before phi-lint is loaded (a bare parser's cost), and bandit, which
keeps ~100k objects alive, last. Peak memory is measured by tracemalloc in a separate, untimed
pass (tracemalloc slows allocation down).
"""

from __future__ import annotations

import argparse
import ast
import gc
import io
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
TEST_FOLDERS = {"test", "tests", "idle_test", "site-packages", "__pycache__"}


def stdlib_files() -> list[Path]:
    base = Path(sysconfig.get_paths()["stdlib"])
    return collect(base)


def collect(base: Path) -> list[Path]:
    if base.is_file():
        return [base]
    out = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in TEST_FOLDERS)
        out += [Path(folder) / f for f in sorted(files) if f.endswith(".py")]
    return out


def load(paths: list[Path]) -> list[tuple[str, bytes]]:
    """The files `ast.parse` accepts (others would only measure error paths), as bytes."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences in old stdlib files
        for path in paths:
            data = path.read_bytes()
            try:
                ast.parse(data, str(path))
            except (SyntaxError, ValueError):
                continue
            out.append((str(path), data))
    return out


def timed(steps: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float, float]]:
    """{step: (min CPU s, median CPU s, min wall s)}: a warm-up pass of each step, then `repeat`
    rounds in which every step runs once."""
    for run in steps.values():
        run()
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    wall: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, run in steps.items():
            gc.collect()
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            run()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
    return {name: (min(cpu[name]), statistics.median(cpu[name]), min(wall[name])) for name in steps}


def peak(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def parse_all(files: list[tuple[str, bytes]]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(len(ast.parse(data, path).body) for path, data in files)


def make_check(files: list[tuple[str, bytes]], config_start: Path | None):
    from phi_lint.engine import Engine
    from phi_lint.config import Config, load_config

    engine = Engine(load_config(start=config_start) if config_start else Config())

    def check_all() -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sum(len(engine.check_source(data, path)) for path, data in files)

    return check_all


def make_bandit(files: list[tuple[str, bytes]]):
    try:
        from bandit.core import config as b_config
        from bandit.core import manager as b_manager
    except ImportError:
        return None
    import logging

    logging.getLogger("bandit").setLevel(logging.ERROR)
    conf = b_config.BanditConfig()

    def bandit_all() -> int:
        mgr = b_manager.BanditManager(conf, "file", quiet=True)
        names = [path for path, _ in files]
        mgr.files_list = list(names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for path, data in files:
                mgr._parse_file(path, io.BytesIO(data), names)  # the per-file body of run_tests, minus disk reads
        return len(mgr.get_issue_list())

    return bandit_all


def children_cpu() -> float:
    """CPU seconds of the waited-for child processes (wall-clock time where that is unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Used when the project's pack (rules/semgrep) is not there: one taint rule of the same kind as
# PHI101/PHI201 (a PHI attribute reaching a log call or a model request), so that semgrep does
# comparable work.
FALLBACK_RULE = """\
rules:
  - id: bench-phi-to-log-or-prompt
    mode: taint
    languages: [python]
    severity: ERROR
    message: PHI reaches a log call or a model request
    pattern-sources:
      - patterns:
          - pattern: $X.$F
          - metavariable-regex:
              metavariable: $F
              regex: (?i)^(ssn|dob|date_of_birth|mrn|diagnosis|first_name|last_name|patient_name)$
    pattern-sinks:
      - pattern-either:
          - pattern: logging.$LEVEL(...)
          - pattern: $LOGGER.$LEVEL(...)
          - pattern: print(...)
          - pattern: $CLIENT.chat.completions.create(..., messages=$M, ...)
"""


def run_semgrep(paths: list[str]) -> tuple[float, float, str] | None:
    """(CPU s of semgrep's processes, wall s, note) for one run."""
    import tempfile

    semgrep = shutil.which("semgrep")
    if semgrep is None:
        return None
    pack = ROOT / "rules" / "semgrep"
    with tempfile.TemporaryDirectory() as tmp:
        if any(pack.rglob("*.yaml")):
            config, what = str(pack), "rules/semgrep"
        else:
            config, what = str(Path(tmp) / "rule.yaml"), "one inline taint rule (no rules/semgrep yet)"
            Path(config).write_text(FALLBACK_RULE)
        command = [semgrep, "scan", "--config", config, "--metrics=off", "--disable-version-check", "--quiet",
                   "--json", "--jobs", "1", "--timeout", "0", "--max-target-bytes", "0", *paths]
        env = dict(os.environ, SEMGREP_SEND_METRICS="off")
        # one run, no warm-up: it takes minutes on the stdlib, and the files are in the disk cache already
        start_cpu, start_wall = children_cpu(), time.perf_counter()
        result = subprocess.run(command, capture_output=True, env=env)
    return children_cpu() - start_cpu, time.perf_counter() - start_wall, f"{what}, exit {result.returncode}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="file or folder (default: the stdlib without tests)")
    parser.add_argument("--repeat", "-n", type=int, default=5)
    parser.add_argument("--no-bandit", action="store_true")
    parser.add_argument("--no-semgrep", action="store_true")
    args = parser.parse_args(argv)

    paths = collect(args.path) if args.path else stdlib_files()
    files = load(paths)
    lines = sum(data.count(b"\n") for _, data in files)
    size = sum(len(data) for _, data in files)
    where = args.path or Path(sysconfig.get_paths()["stdlib"])
    print(f"phi-lint benchmark: {len(files)} files, {lines:,} lines, {size / 1e6:.1f} MB from {where}"
          f" ({len(paths) - len(files)} unparsable skipped); Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")

    # ast.parse first, before phi-lint exists in the process: what a bare parser pays. The check
    # then pays for everything it keeps alive too (caches make each garbage collection longer).
    times = timed({"ast.parse": lambda: parse_all(files)}, args.repeat)
    parse_peak = peak(lambda: parse_all(files))
    start = time.perf_counter()
    check_all = make_check(files, args.path)
    setup = time.perf_counter() - start
    times.update(timed({"phi-lint check": check_all}, args.repeat))
    notes = {"phi-lint check": f"{check_all()} findings"}
    check_peak = peak(check_all)
    # bandit last: it leaves ~100k objects alive (its caches), which slows every later step
    bandit_all = None if args.no_bandit else make_bandit(files)
    if bandit_all is not None:
        times.update(timed({"bandit (in-process)": bandit_all}, max(1, args.repeat // 2)))
        notes["bandit (in-process)"] = f"{bandit_all()} issues"

    parse_min, parse_med, _ = times["ast.parse"]
    print(f"\n{'step':<22} {'min CPU s':>9} {'median':>8} {'min wall s':>10} {'vs parse':>9}  note")
    for name, (low, mid, wall) in times.items():
        print(f"{name:<22} {low:9.3f} {mid:8.3f} {wall:10.3f} {low / parse_min:8.2f}x  {notes.get(name, '')}")
    if not args.no_semgrep:
        semgrep = run_semgrep([path for path, _ in files])
        if semgrep is None:
            print(f"{'semgrep':<22} {'-':>9} {'-':>8} {'-':>10} {'-':>9}  not installed")
        else:
            cpu, wall, note = semgrep
            print(f"{'semgrep (subprocess)':<22} {cpu:9.3f} {'':>8} {wall:10.3f} {cpu / parse_min:8.2f}x  "
                  f"one run, --jobs 1, --timeout 0; separate processes, start-up and file reads included ({note})")
    check_min, check_med, _ = times["phi-lint check"]
    print(f"\nEngine set-up (catalogue, classifier, rules), once per process: {setup:.3f} s")
    print(f"check / ast.parse: {check_min / parse_min:.2f}x (min), {check_med / parse_med:.2f}x (median); target <= 4x")

    print(f"peak traced memory over the whole pass: ast.parse {parse_peak / 1e6:.1f} MB, "
          f"phi-lint check {check_peak / 1e6:.1f} MB ({check_peak / max(parse_peak, 1):.2f}x)")


if __name__ == "__main__":
    main()
