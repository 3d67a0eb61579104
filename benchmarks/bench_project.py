"""What a whole-project check costs, cold and warm, against `ast.parse` of the same files. Prints
ratios, asserts nothing.

    python benchmarks/bench_project.py [PATH] [--repeat N] [--tree-files 600] [--tiny]

PATH (default: the running interpreter's standard library) is copied, its `.py` files only and
without test folders, into a temporary project (so that a file can be edited); PATH may be a
site-packages folder (`pip install openai anthropic langchain-core llama-index-core litellm
boto3` into a scratch virtual environment first). Then, in this one process and on the files
`phi-lint check` finds in that project:

- `ast.parse` of every file (the floor; timed before phi-lint is loaded, as in bench.py),
- the per-file check of every file (`Engine.check_source`, no project: what bench.py measures),
- the cold project check, one job: `check_project` with an empty cache folder (cross-module
  summaries, findings, fixes, and the cache written), and the same without a cache,
- the warm project check with nothing changed (every result read from the cache),
- the cold project check with the default job count (the CPUs), against one job (wall clock:
  the point of workers; the CPU time of all processes is printed beside it).

Then on a tree of `--tree-files` files (the first whole top-level packages and modules of the
project, in name order, cut at that count) with its cache warm: one file edited (a function
appended, a different one each run) and the whole tree checked again, for a leaf-ish module
(the median-sized module with the fewest modules depending on it, directly or not) and for the
most imported one; the number of modules that depend on each is printed (their cache keys
change with it, so they are checked again). `--leaf`/`--hub` name other modules.

Times are CPU seconds (this process and its waited-for children), the minimum of N runs; the wall
clock is printed for the parallel run. Peak memory: tracemalloc over one single-process cold check,
and the maximum resident size of `phi-lint check --no-cache -j1` run as a child process.
`--tiny` runs a few files once, so that a test keeps the script from rotting.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import collect, peak  # noqa: E402  (the same files and memory pass as the per-file benchmark)

GOALS = {"cold": 3.0, "warm": 0.1, "edit": 0.1, "memory MB": 400}
EDIT = "\n\ndef _phi_lint_benchmark_edit_{n}(value):\n    return value + {n}\n"


# ---------------------------------------------------------------------- timing
def cpu_now() -> float:
    """CPU seconds of this process and of the children it has waited for (the workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(run: Callable[[], object], repeat: int, before: Callable[[], object] | None = None) -> tuple[float, float, float]:
    """(min CPU s, median CPU s, min wall s) of `repeat` runs; `before` prepares each run, untimed."""
    cpu, wall = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        gc.collect()
        start_cpu, start_wall = cpu_now(), time.perf_counter()
        run()
        cpu.append(cpu_now() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return min(cpu), statistics.median(cpu), min(wall)


# Runs the command given after it and prints its maximum resident size (KB) and CPU seconds. Linux
# keeps the larger of a process's high-water mark before and after exec, so a child forked
# straight from this (large) process would report this process's size; a small intermediate
# interpreter forks the command instead.
_RUSAGE_OF = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


def cli_peak(root: Path) -> tuple[int, float]:
    """(max resident bytes, CPU s) of `phi-lint check --no-cache -j1` of the project, in a child."""
    command = [sys.executable, "-m", "phi_lint", "check", "--no-cache", "-j1", "--exit-zero", "--quiet", str(root)]
    out = subprocess.run([sys.executable, "-c", _RUSAGE_OF, *command], capture_output=True, text=True, cwd=root, check=True)
    maxrss, cpu = out.stdout.split()
    return int(maxrss) * 1024, float(cpu)


# ---------------------------------------------------------------------- the project
def copy_tree(source: Path, target: Path) -> list[str]:
    """Copy the `.py` files of `source` (test folders left out) under `target`; their relative paths."""
    copied = []
    for path in collect(source):
        rel = path.relative_to(source) if source.is_dir() else Path(path.name)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        copied.append(rel.as_posix())
    return copied


def first_files(modules: list[str], count: int) -> list[str]:
    """The first `count` modules, whole top-level packages and modules first, in name order."""
    by_top: dict[str, list[str]] = defaultdict(list)
    for module in sorted(modules):
        by_top[module.split("/", 1)[0]].append(module)
    chosen: list[str] = []
    for top in sorted(by_top):
        if len(chosen) >= count:
            break
        chosen += by_top[top]
    return chosen[:count]


def make_tree(root: Path, tree: Path, modules: list[str]) -> None:
    for module in modules:
        (tree / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / module, tree / module)


def dependents(workspace, modules: list[str]) -> dict[str, int]:
    """How many modules depend on each module, directly or not (as the cache keys see imports)."""
    importers: dict[str, set[str]] = defaultdict(set)
    for module in modules:
        for imported in workspace.imports_of(module):
            importers[imported].add(module)
    out = {}
    for module in modules:
        seen, todo = set(), [module]
        while todo:
            for importer in importers[todo.pop()]:
                if importer not in seen and importer != module:
                    seen.add(importer)
                    todo.append(importer)
        out[module] = len(seen)
    return out


def pick_leaf_and_hub(counts: dict[str, int], sizes: dict[str, int]) -> tuple[str, str]:
    """A leaf-ish module (the fewest dependents, then the median size among those, `__init__`
    files aside) and the most imported module (the most dependents, then the largest)."""
    plain = [m for m in counts if not m.endswith("__init__.py")] or list(counts)
    fewest = min(counts[m] for m in plain)
    leaves = sorted((m for m in plain if counts[m] == fewest), key=lambda m: (sizes[m], m))
    hub = max(counts, key=lambda m: (counts[m], sizes[m], m))
    return leaves[len(leaves) // 2], hub


class Project:
    """check_project over one folder: settings, a fresh or kept cache folder, and the run."""

    def __init__(self, root: Path, scratch: Path) -> None:
        from phi_lint.config import Config
        from phi_lint.runner import discover
        from phi_lint.workspace import run_settings

        self.root = root
        self.scratch = scratch
        self.files = discover([str(root)], Config())
        self.base = run_settings(self.files, Config(), root=str(root))
        self.cache = scratch / "cache"

    def check(self, jobs: int = 1, cache: Path | None = None) -> int:
        from dataclasses import replace

        from phi_lint.workspace import check_project

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result, _ = check_project(self.files, replace(self.base, cache_folder=cache), jobs)
        return len(result.findings)

    def warm_up(self) -> None:
        """Load the engine, catalogue and rules (once per process) by checking one file."""
        from phi_lint.workspace import check_project

        check_project(self.files[:1], self.base, 1)

    def empty_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)

    def cold(self, jobs: int = 1) -> int:
        return self.check(jobs, self.cache)

    def warm(self) -> int:
        return self.check(1, self.cache)

    def workspace(self):
        from phi_lint.workspace import Workspace

        return Workspace(self.base)


# ---------------------------------------------------------------------- the report
def row(name: str, times: tuple[float, float, float], floor: float, note: str = "") -> None:
    low, mid, wall = times
    print(f"{name:<34} {low:9.3f} {mid:8.3f} {wall:9.3f} {low / floor:9.2f}x  {note}")


def header() -> None:
    print(f"\n{'step':<34} {'min CPU s':>9} {'median':>8} {'min wall':>9} {'vs parse':>10}  note")


def against(value: float, goal: float, unit: str) -> str:
    """`2.41x parse (goal <= 3x): met`"""
    number = unit.split()[0]
    return f"{value:.3g}{unit} (goal <= {goal:g}{number}): {'met' if value <= goal else 'MISSED'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="a folder (default: the stdlib without tests)")
    parser.add_argument("--repeat", "-n", type=int, default=3)
    parser.add_argument("--tree-files", type=int, default=600, help="size of the tree edited one file at a time")
    parser.add_argument("--leaf", help="the leaf-ish module to edit (project-relative path)")
    parser.add_argument("--hub", help="the heavily imported module to edit (project-relative path)")
    parser.add_argument("--jobs", type=int, help="the parallel job count (default: the CPUs)")
    parser.add_argument("--no-engine", action="store_true", help="skip the per-file Engine check")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass and the CLI run")
    parser.add_argument("--no-uncached", action="store_true", help="skip the cold check without a cache")
    parser.add_argument("--tiny", action="store_true", help="a few files of the stdlib's json package, one run")
    args = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    source = args.path or (stdlib / "json" if args.tiny else stdlib)
    repeat = 1 if args.tiny else args.repeat
    tree_files = min(args.tree_files, 4) if args.tiny else args.tree_files

    with tempfile.TemporaryDirectory(prefix="phi-lint-bench-") as tmp:
        root = Path(tmp) / "project"
        copied = copy_tree(source.resolve(), root)
        # `phi-lint check` of the copy finds these; ast.parse gets the same files
        from phi_lint.runner import discover  # only the file walk: the engine is not loaded yet
        from phi_lint.config import Config

        files = discover([str(root)], Config())
        texts = [(str(f), f.read_bytes()) for f in files]
        lines = sum(data.count(b"\n") for _, data in texts)

        modules = [f.relative_to(root).as_posix() for f in files]
        in_tree = set(first_files(modules, tree_files))
        tree_texts = [(path, data) for (path, data), module in zip(texts, modules) if module in in_tree]
        # ast.parse first, before the engine exists in this process (as bench.py does)
        parse = measure(lambda: parse_all(texts), repeat)
        tree_parse = measure(lambda: parse_all(tree_texts), repeat)
        parsed = parse_all(texts)
        jobs = args.jobs or _default_jobs()
        print(f"phi-lint project benchmark: {len(files)} files ({parsed} parse), {lines:,} lines, copied from {source} "
              f"({len(copied) - len(files)} of {len(copied)} left out by phi-lint's excludes); Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, {jobs} jobs by default, load {os.getloadavg()[0]:.2f}")

        project = Project(root, Path(tmp))
        project.warm_up()
        floor = parse[0]
        header()
        row("ast.parse", parse, floor)
        if not args.no_engine:
            from phi_lint.engine import engine_for

            engine = engine_for(Config())

            def per_file() -> int:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return sum(len(engine.check_source(data, path)) for path, data in texts)

            row("per-file check (Engine, no project)", measure(per_file, repeat), floor, f"{per_file()} findings")
        if not args.no_uncached:
            no_cache = measure(lambda: project.check(1, None), repeat)
            row("project check, cold, -j1, no cache", no_cache, floor, f"{project.check(1, None)} findings")
        cold = measure(project.cold, repeat, before=project.empty_cache)
        size = sum(f.stat().st_size for f in project.cache.rglob("*") if f.is_file())
        row("project check, cold, -j1", cold, floor,
            f"{against(cold[0] / floor, GOALS['cold'], 'x parse')}; cache written {size / 1e6:.1f} MB")
        warm = measure(project.warm, repeat)
        row("project check, warm, unchanged", warm, floor, against(warm[0] / cold[0], GOALS['warm'], "x cold"))
        from phi_lint.workspace import PARALLEL_FROM

        parallel = measure(lambda: project.cold(jobs), repeat, before=project.empty_cache)
        alone = f"; under {PARALLEL_FROM} files: one process" if len(files) < PARALLEL_FROM else ""
        row(f"project check, cold, -j{jobs}", parallel, floor,
            f"wall speed-up over -j1: {cold[2] / parallel[2]:.2f}x (CPU of all processes {parallel[0] / cold[0]:.2f}x -j1's{alone})")

        if not args.no_memory:
            project.empty_cache()
            traced = peak(project.cold)
            maxrss, cli_cpu = cli_peak(root)
            print(f"\npeak memory: tracemalloc of one cold -j1 check {against(traced / 1e6, GOALS['memory MB'], ' MB')}; "
                  f"`phi-lint check --no-cache -j1` max resident {maxrss / 1e6:.0f} MB, {cli_cpu:.2f} CPU s")

        edit_tree(project, Path(tmp), sorted(in_tree), tree_parse, repeat, args.leaf, args.hub)


def parse_all(texts: list[tuple[str, bytes]]) -> int:
    """How many of the files parse (the trees are dropped at once, as a linter's would be)."""
    parsed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, data in texts:
            try:
                ast.parse(data, path)
                parsed += 1
            except (SyntaxError, ValueError):
                pass
    return parsed


def edit_tree(whole: Project, scratch: Path, modules: list[str], parse: tuple[float, float, float], repeat: int,
              leaf: str | None, hub: str | None) -> None:
    """One file edited in a tree of these modules, with the cache warm, against the cold check."""
    tree_root = scratch / "tree"
    make_tree(whole.root, tree_root, modules)
    tree = Project(tree_root, scratch / "tree-scratch")
    tree.scratch.mkdir(exist_ok=True)
    names = [f.relative_to(tree_root).as_posix() for f in tree.files]
    counts = dependents(tree.workspace(), names)
    sizes = {m: (tree_root / m).stat().st_size for m in names}
    auto_leaf, auto_hub = pick_leaf_and_hub(counts, sizes)
    leaf, hub = leaf or auto_leaf, hub or auto_hub
    tops = sorted({m.split("/", 1)[0].removesuffix(".py") for m in names})
    print(f"\ntree of {len(names)} files (the first {len(tops)} top-level modules and packages of the project): "
          f"{', '.join(tops[:6])}{', ...' if len(tops) > 6 else ''}")
    cold = measure(tree.cold, repeat, before=tree.empty_cache)
    floor = parse[0]
    header()
    row("tree: ast.parse", parse, floor)
    row("tree: cold, -j1", cold, floor)
    row("tree: warm, unchanged", measure(tree.warm, repeat), floor)
    for what, module in (("leaf-ish", leaf), ("most imported", hub)):
        path = tree_root / module
        original = path.read_text(encoding="utf-8")
        edits = iter(range(1, 1 << 30))

        def edit() -> None:
            path.write_text(original + EDIT.format(n=next(edits)), encoding="utf-8")

        tree.warm()  # the cache holds the tree as it is
        times = measure(tree.warm, repeat, before=edit)
        row(f"tree: one {what} file edited", times, floor,
            f"{against(times[0] / cold[0], GOALS['edit'], 'x cold')}; "
            f"{module} ({original.count(chr(10))} lines), {counts[module]} modules depend on it")
        path.write_text(original, encoding="utf-8")


def _default_jobs() -> int:
    from phi_lint.workspace import default_jobs

    return default_jobs()


if __name__ == "__main__":
    main()
