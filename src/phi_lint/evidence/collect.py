"""One report's evidence: run the check as `phi-lint check` would (same files, configuration,
baseline, against the whole project), read the model calls and routes of every checked file as
the project shows them (clients, endpoints and flows of other modules), ask git who accepted each
risk and what was fixed since a base, and sum it all up by SOC 2 criterion and HIPAA section."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from phi_lint import __version__, runner
from phi_lint.baseline import apply as apply_baseline
from phi_lint.catalog import Catalog, load, load_vendors
from phi_lint.config import Config
from phi_lint.engine import engine_for
from phi_lint.evidence.history import blame_line, export_tree, head_commit, line_of
from phi_lint.evidence.inventory import FileInventory, file_inventory, join, route_records
from phi_lint.evidence.model import (
    AcceptedRisk, ControlRow, Evidence, FindingRecord, ModelCall, RouteRecord, RunInfo, VendorRecord,
)
from phi_lint.gitdiff import repo_path
from phi_lint.model import BaselineEntry, CheckResult, Finding
from phi_lint.workspace import Workspace, check_project, run_settings

# (paths) -> (the configuration of the run, each file's configuration): how the CLI resolves it
Setup = Callable[[list[str]], tuple[Config, Callable[[Path], Config] | None]]

# The keys of the policy a report shows, in the order of the README.
_POLICY_KEYS = (
    "approved-endpoints", "approved-regions", "allowed-prompt-data", "sanitizers", "redactor", "auth-guards",
    "extra-phi-fields", "not-phi-fields", "phi-subjects", "select", "ignore", "extend-select", "per-file-ignores",
)


@dataclass(frozen=True)
class Request:
    """What `phi-lint report` was asked."""

    paths: tuple[str, ...]
    root: Path  # reports are relative to it: the repository's top, else the configuration's folder
    top: Path | None  # the git work tree, when there is one
    baseline_file: str | None = None
    baseline: tuple[BaselineEntry, ...] | None = None
    diff_base: str | None = None
    date: str | None = None  # fixed date; else SOURCE_DATE_EPOCH; else today (UTC)
    commit: str | None = None  # fixed commit; else HEAD
    jobs: int = 1


def collect(request: Request, setup: Setup) -> Evidence:
    config, config_for = setup(list(request.paths))
    result, workspace = _check(list(request.paths), config, config_for, request.jobs)
    if request.baseline is not None:
        result = apply_baseline(result, list(request.baseline), request.root, request.baseline_file, config.is_enabled)
    baselined = list(result.baseline.hidden) if result.baseline is not None else []
    evidence = Evidence(run=_run_info(request, config))
    evidence.errors = list(result.errors)
    evidence.open = [_record(f, request.root) for f in result.findings]
    evidence.accepted = _accepted(result, baselined, request)
    evidence.model_calls, evidence.routes = _inventory(result, workspace, baselined, request.root)
    if request.diff_base is not None:
        evidence.fixed = _fixed_since(request, setup, result, baselined)
    catalog = load()
    evidence.controls = _controls(catalog, config, evidence)
    evidence.vendors = _vendors(evidence.model_calls)
    return evidence


def _check(paths: list[str], config: Config, config_for, jobs: int) -> tuple[CheckResult, Workspace]:
    files = runner.discover(paths, config)
    return check_project(files, run_settings(files, config, config_for), jobs)


# ------------------------------------------------------------------------------ the run
def _run_info(request: Request, config: Config) -> RunInfo:
    source = config.source
    policy_file = repo_path(str(source), request.root) if source is not None else None
    return RunInfo(
        version=__version__,
        commit=request.commit or head_commit(request.top),
        date=request.date or _today(),
        paths=tuple(request.paths),
        policy_file=policy_file,
        policy=_policy(config),
        diff_base=request.diff_base,
        baseline_file=repo_path(request.baseline_file, request.root) if request.baseline_file else None,
    )


def _today() -> str:
    """SOURCE_DATE_EPOCH (reproducible builds) when set, else today, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%d")


def _policy(config: Config) -> tuple[tuple[str, str], ...]:
    """The keys of the policy in force, as `[tool.phi-lint]` spells them, with their values."""
    attributes = {f.name for f in fields(Config)}
    defaults = Config()
    out = []
    for key in _POLICY_KEYS:
        name = key.replace("-", "_")
        value = getattr(config, name, None) if name in attributes else None
        if value in (None, (), "") or value == getattr(defaults, name):
            continue  # phi-lint's default: nothing the organisation wrote
        out.append((key, _shown(value)))
    return tuple(out)


def _shown(value) -> str:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return "; ".join(f"{k} = {_shown(v)}" for k, v in value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# ------------------------------------------------------------------------------ findings
def _record(f: Finding, root: Path) -> FindingRecord:
    return FindingRecord(f.code, f.name, f.severity.value, repo_path(f.path, root), f.line, f.message,
                         f.controls.soc2, f.controls.hipaa, f.fingerprint)


def _accepted(result: CheckResult, baselined: list[Finding], request: Request) -> list[AcceptedRisk]:
    out = []
    for f in result.suppressed:
        path = repo_path(f.path, request.root)
        blame = blame_line(request.top, repo_path(f.path, request.top), f.suppression.line) if request.top else None
        out.append(AcceptedRisk(_record(f, request.root), "suppression", f.suppression.reason, f"{path}:{f.suppression.line}",
                                *(_blame_fields(blame))))
    if baselined:
        file = Path(request.baseline_file) if request.baseline_file else None
        for f in baselined:
            blame = None
            if request.top and file is not None:
                blame = blame_line(request.top, repo_path(str(file), request.top), line_of(file, f.fingerprint))
            where = repo_path(str(file), request.root) if file is not None else "the baseline"
            out.append(AcceptedRisk(_record(f, request.root), "baseline", None, where, *(_blame_fields(blame))))
    return sorted(out, key=lambda a: (a.finding.path, a.finding.line, a.finding.code, a.how))


def _blame_fields(blame) -> tuple[str | None, str | None, str | None]:
    return (blame.author, blame.date, blame.commit) if blame is not None else (None, None, None)


def _fixed_since(request: Request, setup: Setup, now: CheckResult, baselined: list[Finding]) -> list[FindingRecord]:
    """Findings at the base revision that are no longer there: not open, not accepted."""
    if request.top is None:
        return []
    # a finding is the same when its fingerprint is, or its rule, file and message are (a comment
    # added on its line, such as the suppression that accepts it, changes the fingerprint)
    everything = [f for fr in now.files for f in fr.findings] + baselined
    present = {(f.code, f.fingerprint) for f in everything} | {(f.code, repo_path(f.path, request.root), f.message) for f in everything}
    with tempfile.TemporaryDirectory(prefix="phi-lint-base-") as folder:
        base = Path(folder)
        export_tree(request.diff_base, request.top, base)  # GitError: an unknown revision (exit 2)
        paths = [str(base / repo_path(p, request.top)) for p in request.paths]
        paths = [p for p in paths if os.path.exists(p)]
        if not paths:
            return []
        config, config_for = setup(paths)
        then, _ = _check(paths, config, config_for, request.jobs)
        fixed = [f for f in then.findings
                 if (f.code, f.fingerprint) not in present and (f.code, repo_path(f.path, base), f.message) not in present]
        return sorted((_record(f, base) for f in fixed), key=lambda r: (r.path, r.line, r.code))


# ------------------------------------------------------------------------------ inventory
def _inventory(result: CheckResult, workspace: Workspace, baselined: list[Finding], root: Path) -> tuple[list[ModelCall], list[RouteRecord]]:
    """The model calls and routes of every checked file, each file analysed once against the
    project of the check (what it imports from other modules is what the check saw); the data a
    file hands to a wrapper in another one is joined to that wrapper's model call."""
    accepted = {f.fingerprint for f in baselined}
    hidden: dict[str, list[Finding]] = {}
    for f in baselined:
        hidden.setdefault(f.path, []).append(f)
    inventories: dict[str, FileInventory] = {}
    routes: list[RouteRecord] = []
    for fr in result.files:
        if fr.source is None or not fr.path.endswith((".py", ".pyi")):
            continue
        engine = engine_for(workspace.settings.config_for(Path(fr.path)))
        ctx = engine.context_of(fr.source, fr.path, project=workspace.view_of(fr.path))
        path = repo_path(fr.path, root)
        place = workspace.module_of(Path(fr.path)) or path  # how trace steps in other files name it
        inventories[place] = file_inventory(ctx, path, module_name(Path(fr.path)), place)
        routes += route_records(ctx, path, fr.findings + hidden.get(fr.path, []), accepted)
        workspace.index.release_dropped()  # this file's context is read: what its analysis let go of can go
    return sorted(join(inventories), key=lambda c: (c.path, c.line)), sorted(routes, key=lambda r: (r.path, r.line))


def module_name(file: Path) -> str:
    """The dotted name Python imports a file by: its package folders (those with an
    `__init__.py`) and its stem (`clinic_ai/jobs/nightly_index.py` -> clinic_ai.jobs.nightly_index)."""
    parts = [] if file.stem == "__init__" else [file.stem]
    folder = file.resolve().parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) or file.stem


def _vendors(calls: list[ModelCall]) -> list[VendorRecord]:
    out = []
    for vendor in load_vendors():
        mine = [c for c in calls if c.vendor == vendor.id]
        if not mine:
            continue
        endpoints = tuple(sorted({c.destination for c in mine}))
        out.append(VendorRecord(
            vendor.id, vendor.name, vendor.baa, vendor.baa_scope, vendor.trains_by_default, vendor.training, vendor.retention,
            vendor.zero_retention, vendor.residency, vendor.checked, vendor.sources, vendor.self_hosted, len(mine), endpoints,
        ))
    return out


# ------------------------------------------------------------------------------ controls
def _controls(catalog: Catalog, config: Config, evidence: Evidence) -> list[ControlRow]:
    """Every control an enabled rule maps to, with its findings open, accepted and fixed."""
    rows: dict[tuple[str, str], dict] = {}
    for code in sorted(catalog.controls):
        if not config.is_enabled(code):
            continue
        soc2, hipaa = catalog.controls[code]
        for framework, controls in (("SOC 2", soc2), ("HIPAA", hipaa)):
            for control in controls:
                row = rows.setdefault((framework, control), {"open": 0, "accepted": 0, "fixed": 0, "rules": []})
                row["rules"].append(code)
    for bucket, records in (("open", evidence.open), ("accepted", [a.finding for a in evidence.accepted]), ("fixed", evidence.fixed)):
        for record in records:
            for framework, controls in (("SOC 2", record.soc2), ("HIPAA", record.hipaa)):
                for control in controls:
                    row = rows.setdefault((framework, control), {"open": 0, "accepted": 0, "fixed": 0, "rules": [record.code]})
                    row[bucket] += 1
    return [
        ControlRow(framework, control, catalog.control_titles.get((framework, control), ""), row["open"], row["accepted"], row["fixed"], tuple(row["rules"]))
        for (framework, control), row in sorted(rows.items(), key=lambda item: (item[0][0] != "SOC 2", _control_order(item[0][1])))
    ]


def _control_order(control: str) -> tuple:
    """CC6.1 < CC6.3 < CC9.2 < C1.1 < P6.1; §164.308 < §164.312(a)(1) < §164.312(e)(2)(ii)."""
    head = control.lstrip("§").split(".")[0]
    family = {"CC": 0, "C": 1, "P": 2}.get("".join(ch for ch in head if ch.isalpha()), 3)
    numbers = [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in control.lstrip("§").replace("(", ".").replace(")", "").split(".")]
    return (family, numbers, control)
