"""JavaScript and TypeScript in `phi-lint check`: one semgrep run over all the files with the
pack built for the policy, its results mapped to Findings.

Semgrep runs offline (`--metrics=off`, the pack from a temporary folder, no registry), once per
policy (files under a `pyproject.toml` of their own get the rules of its policy; usually there
is one), never once per file, and at the same time as the Python files are checked. Its
`nosemgrep` handling is off: phi-lint reads suppression comments itself, because a suppression
needs a reason. subprocess, shutil and tempfile are imported only when there are scripts: a check
of Python files alone (every commit, every keystroke) does not load them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from phi_lint.config import Config
from phi_lint.model import CheckResult, FileResult

if TYPE_CHECKING:
    import subprocess
    import tempfile

INSTALL_HINT = "pip install 'phi-lint[semgrep]'"
# How long a run may take before it is stopped: semgrep's own per-file timeout does not cover a
# run that hangs (seen on a package's minified Next.js bundles: semgrep waited for ever).
_WAIT_SECONDS, _WAIT_PER_FILE = 300, 5
# Command lines are kept under this many characters; more files make more runs.
_ARGUMENT_BUDGET = 100_000


def is_script(path: Path | str) -> bool:
    from phi_lint.runner import SCRIPT_SUFFIXES

    return str(path).endswith(SCRIPT_SUFFIXES)


def semgrep_command() -> list[str] | None:
    """semgrep installed next to this Python (a venv's bin/), else on the PATH."""
    import shutil

    here = Path(sys.executable).parent
    for candidate in (here / "semgrep", here / "semgrep.exe"):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which("semgrep")
    return [found] if found else None


@dataclass
class ScriptRun:
    """A semgrep run under way (or none to make); `results()` waits for it."""

    files: list[Path]
    notes: list[str] = field(default_factory=list)
    _jobs: list[tuple[subprocess.Popen, Config, list[Path], tempfile.TemporaryDirectory]] = field(default_factory=list)

    def merge(self, result: CheckResult) -> CheckResult:
        """`result` (the Python files') with semgrep's results and errors."""
        mapped, errors = self.results()
        files = sorted(result.files + mapped, key=lambda r: r.path)
        return dataclasses.replace(result, files=files, errors=result.errors + errors)

    def results(self) -> tuple[list[FileResult], list[str]]:
        """(results by file, errors). Notes for the user are in `notes`."""
        out: list[FileResult] = []
        errors: list[str] = []
        if not self._jobs:  # no scripts: a check of Python files alone loads no subprocess
            return out, errors
        import subprocess

        for process, config, files, folder in self._jobs:
            wait = _WAIT_SECONDS + _WAIT_PER_FILE * len(files)
            try:
                stdout, stderr = process.communicate(timeout=wait)
            except subprocess.TimeoutExpired:
                _stop(process)
                errors.append(f"semgrep did not finish within {wait} s: {len(files)} JavaScript/TypeScript file(s) not checked")
                continue
            finally:
                folder.cleanup()
            try:
                report = json.loads(stdout or b"{}")
            except ValueError:
                report = {}
            if "results" not in report:
                message = (stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
                errors.append(f"semgrep failed on {len(files)} JavaScript/TypeScript file(s) (exit {process.returncode}): {message[0]}")
                continue
            mapped, notes = map_report(report, files, config)
            out += mapped
            self.notes += notes
        return out, errors


def _stop(process: subprocess.Popen) -> None:
    """Kill a semgrep run and what it started (semgrep-core holds the pipes open too)."""
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)  # its own process group: start_new_session
        else:
            process.kill()
    except OSError:
        pass
    process.communicate()


def start(files: list[Path], config: Config, config_for: Callable[[Path], Config] | None = None, jobs: int = 1) -> ScriptRun:
    """Start semgrep on the JavaScript/TypeScript files (one run per policy) and return at once."""
    run = ScriptRun(list(files))
    if not files:
        return run
    command = semgrep_command()
    if command is None:
        n = len(files)
        run.notes.append(f"{n} JavaScript/TypeScript file{'s' if n != 1 else ''} not checked: semgrep is not installed ({INSTALL_HINT})")
        return run
    import subprocess
    import tempfile

    groups: dict[Config, list[Path]] = {}
    for file in files:
        groups.setdefault(config_for(file) if config_for else config, []).append(file)
    for policy, group in groups.items():
        for chunk in _chunks(group):
            folder = tempfile.TemporaryDirectory(prefix="phi-lint-semgrep-")
            rules = Path(folder.name) / "phi-lint.yaml"
            rules.write_text(pack_text(policy), encoding="utf-8")
            args = [*command, "scan", "--config", str(rules), "--json", "--metrics=off", "--disable-version-check",
                    "--disable-nosem", "--quiet", "--no-git-ignore", "--timeout", "30", "--jobs", str(max(jobs, 1)),
                    "--", *(str(f) for f in chunk)]
            env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                                       start_new_session=True)
            run._jobs.append((process, policy, chunk, folder))
    return run


def _chunks(files: list[Path]) -> list[list[Path]]:
    out: list[list[Path]] = [[]]
    size = 0
    for file in files:
        if out[-1] and size + len(str(file)) + 1 > _ARGUMENT_BUDGET:
            out.append([])
            size = 0
        out[-1].append(file)
        size += len(str(file)) + 1
    return out


def pack_text(config: Config) -> str:
    """The JavaScript/TypeScript rules for a policy, in one YAML file."""
    from phi_lint.semgrep.pack import dump, rules_for

    return dump({"rules": rules_for(config, "javascript")})


def split_scripts(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """(the others, the JavaScript/TypeScript files)."""
    return [f for f in files if not is_script(f)], [f for f in files if is_script(f)]


def check_with_scripts(files: list[Path], check_python: Callable[[list[Path]], CheckResult], config: Config,
                       config_for: Callable[[Path], Config] | None = None, jobs: int = 1) -> tuple[CheckResult, list[str]]:
    """Check Python files with `check_python` while semgrep checks the JavaScript/TypeScript
    ones; one result, and notes for the user (semgrep missing, files it gave up on)."""
    python, scripts = split_scripts(files)
    run = start(scripts, config, config_for, jobs)
    result = run.merge(check_python(python))
    return result, run.notes


# ---------------------------------------------------------------- semgrep's report -> Findings

def map_report(report: dict, files: list[Path], config: Config) -> tuple[list[FileResult], list[str]]:
    """FileResults for `files` from a semgrep JSON report (every file gets one, findings or
    not), and notes."""
    from phi_lint.runner import display_path

    by_path: dict[str, Path] = {}
    for file in files:
        by_path[os.path.normpath(str(file))] = file
    hits: dict[Path, list[dict]] = {f: [] for f in files}
    for result in report.get("results", ()):
        file = by_path.get(os.path.normpath(result.get("path", "")))
        if file is not None:
            hits[file].append(result)
    broken: dict[Path, tuple[int, str]] = {}
    notes: list[str] = []
    for error in report.get("errors", ()):
        file = by_path.get(os.path.normpath(error.get("path", "") or ""))
        kind = error.get("type", "")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        if file is not None and re.search(r"Syntax|Lexical|Pars", str(kind)):
            # semgrep checked what it could parse (PartialParsing): the rest went unchecked
            spans = error.get("spans") or [{}]
            line = spans[0].get("start", {}).get("line", 1)
            message = " ".join(error.get("message", "").split()) or str(kind)
            broken[file] = (line, re.sub(r"^Syntax error at line [^:]*:\d+:\s*", "syntax error: ", message))
        elif file is not None and "Timeout" in str(kind):
            notes.append(f"{display_path(file)}: semgrep gave up on rule {str(error.get('rule_id', '')).rsplit('.', 1)[-1]} (timeout): not fully checked")
    out = []
    for file in files:
        out.append(file_result(file, display_path(file), hits[file], broken.get(file), config))
    return out, notes


def file_result(file: Path, shown: str, results: list[dict], parse_error: tuple[int, str] | None, config: Config) -> FileResult:
    from phi_lint.semgrep.findings import findings_for

    try:
        data = file.read_bytes()
    except OSError as exc:
        return FileResult(shown, [], None, error=f"{shown}: cannot read: {exc.strerror or exc}")
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    return FileResult(shown, findings_for(shown, text, data, results, parse_error, config), text)


def check_script_stdin(data: bytes, filename: str, config: Config) -> CheckResult:
    """A JavaScript/TypeScript file read from stdin (an editor's buffer): semgrep reads a copy in
    a temporary folder; the findings name `filename`."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="phi-lint-stdin-") as folder:
        copy = Path(folder) / Path(filename).name
        copy.write_bytes(data)
        run = start([copy], config)
        results, errors = run.results()
        for note in run.notes:
            print(f"phi-lint: note: {note}", file=sys.stderr)
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        findings = [dataclasses.replace(f, path=filename, trace=tuple(dataclasses.replace(t, path=filename) for t in f.trace))
                    for r in results for f in r.findings]
    return CheckResult([FileResult(filename, findings, text)], errors)
