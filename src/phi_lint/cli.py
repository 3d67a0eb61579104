"""The command line: parses options, calls the engine, picks a reporter. Nothing else."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import click

from phi_lint import __version__
from phi_lint.config import Config, ConfigError, FileConfigs, apply_overrides, config_for_path, load_config
from phi_lint.paths import absolute, printable
from phi_lint.report import FORMATS, mask, renderer

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str | None, option: str = "--select") -> tuple[str, ...] | None:
    """A comma-separated list of rule codes or prefixes; one that names no rule is a usage error."""
    from phi_lint.checks.base import is_rule_selector

    if value is None:
        return None
    codes = tuple("PHI" if c == "ALL" else c for c in (c.strip().upper() for c in value.split(",")) if c)
    for code in codes:
        if not is_rule_selector(code):
            raise click.BadParameter(f"{code!r} is not a rule code or prefix of phi-lint (PHI101, PHI1, PHI; see `phi-lint rules`)",
                                     param_hint=option)
    return codes


def _globs(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(g.strip() for g in value.split(",") if g.strip())


def resolve_config(config_path: str | None, paths: list[str], stdin_filename: str | None = None, **overrides) -> Config:
    """The config file given, else the nearest above the first path, with CLI overrides."""
    if config_path:
        config = load_config(Path(config_path))
    else:
        start = Path(stdin_filename or (paths[0] if paths and paths[0] != "-" else "."))
        config = config_for_path(start if start.exists() else (start.parent if start.parent.exists() else Path.cwd()))
    return _known_codes(apply_overrides(config, **overrides))


def _known_codes(config: Config) -> Config:
    from phi_lint.checks.base import validate_codes

    return validate_codes(config)


def config_for_files(config_path: str | None, overrides: dict) -> FileConfigs | None:
    """Each file's configuration: the nearest pyproject.toml with [tool.phi-lint] above it
    (like ruff), with the command-line overrides; `--config` applies to every file (None)."""
    if config_path:
        return None
    return FileConfigs(overrides=tuple(sorted((k, v) for k, v in overrides.items() if v is not None)), validate=_known_codes)


_FILES_AND_RULES = (
    click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Path to a pyproject.toml (or phi-lint.toml)."),
    click.option("--select", help="Comma-separated rule codes or prefixes to enable (replaces the configured list)."),
    click.option("--ignore", help="Comma-separated rule codes or prefixes to disable."),
    click.option("--extend-select", help="Rule codes or prefixes to enable in addition."),
    click.option("--exclude", help="Comma-separated globs to exclude (replaces the configured list; defaults stay)."),
    click.option("--extend-exclude", help="Comma-separated globs to exclude in addition."),
)


def _files_and_rules(command):
    """The options by which `check`, `baseline` and `report` choose their configuration, rules and files."""
    for option in reversed(_FILES_AND_RULES):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="phi-lint")
def main() -> None:
    """phi-lint: find PHI/PII leaking into LLM prompts, embeddings, logs and unapproved model
    endpoints, with the SOC 2 and HIPAA controls each finding touches."""


def run() -> None:
    """The `phi-lint` command (and `python -m phi_lint`). What a run built is garbage held in
    cycles once it ends (analyses, syntax trees): it is frozen out of the collection the
    interpreter makes as it exits, which walked all of it for nothing (0.5 s of a stdlib
    check's 4.6 s); the process's end frees it."""
    try:
        main()
    finally:
        gc.freeze()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "--output-format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format (--output-format is ruff's name for it).")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to a file.")
@_files_and_rules
@click.option("--force-exclude", is_flag=True, help="Apply excludes to files named explicitly (pre-commit passes files).")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Skip files .gitignore ignores (default: on).")
@click.option("--stdin-filename", help="The path to report for source read from stdin ('-').")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary line.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes to check files with (default: the CPUs available).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of the project index.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives (default: `cache-dir` in [tool.phi-lint], else .phi-lint-cache at the project root).")
@click.option("--project-root", type=click.Path(file_okay=False, exists=True),
              help="The folder whose Python files make up the project (default: the folder of the configuring pyproject.toml, else the repository top).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Hide the findings this baseline accepts (write one with `phi-lint baseline`; default: `baseline` in [tool.phi-lint]).")
@click.option("--diff-base", metavar="REV", help="Report only findings on lines added or changed since REV (git; for pull requests).")
@click.option("--show-suppressed", is_flag=True, help="List every suppressed finding with its reason.")
@click.option("--statistics", is_flag=True, help="Print the number of findings of each rule instead of the findings.")
@click.option("--show-settings", is_flag=True, help="Print the settings of the first path and the file they come from, then exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked, then exit.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes (files are rewritten).")
@click.option("--unsafe-fixes", is_flag=True, help="Apply unsafe fixes too with --fix or --diff; without them, show them as available.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff and write nothing; exit 1 when there would be changes.")
@click.option("--show-fixes", is_flag=True, help="List every fix applied (with --fix) or that would be (with --diff).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix, exit 1 when a fix was applied, even if no finding remains.")
@click.option("--add-noqa", is_flag=True, help="Write a `# phi-lint: ignore[...]` comment with --reason for every finding (adopting on a legacy codebase).")
@click.option("--reason", help="The reason --add-noqa writes into each comment (required with it: suppressions are audit evidence).")
def check(paths, **options) -> None:
    """Check PATHS (files or folders; default: the current folder; '-' reads stdin)."""
    from phi_lint import runner
    from phi_lint.semgrep.run import check_script_stdin, is_script

    o = SimpleNamespace(**options)
    paths = list(paths) or ["."]
    _usage_or_exit(o, paths)
    overrides = dict(
        select=_codes(o.select), ignore=_codes(o.ignore, "--ignore"), extend_select=_codes(o.extend_select, "--extend-select"),
        exclude=_globs(o.exclude), extend_exclude=_globs(o.extend_exclude), respect_gitignore=o.respect_gitignore,
    )
    try:
        config = resolve_config(o.config_path, paths, o.stdin_filename, **overrides)
    except ConfigError as exc:
        _say(f"phi-lint: config error: {exc}")
        sys.exit(EXIT_ERROR)
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        _say(f"phi-lint: no such file or folder: {missing[0]}")
        sys.exit(EXIT_ERROR)
    if o.output_file:
        _writable_or_exit(o.output_file, "--output-file")
    if o.show_settings:
        _emit(_settings_report(config, Path(o.stdin_filename or paths[0]), o.output_format), o.output_file)
        sys.exit(EXIT_CLEAN)
    root = report_root(paths, config, o.stdin_filename)
    if o.baseline_file is None and config.baseline_path is not None:
        o.baseline_file = _relative(config.baseline_path)  # `baseline = "..."` in [tool.phi-lint]
    accepted, changes = _ci_inputs(o.baseline_file, o.diff_base, Path(o.stdin_filename or paths[0]))
    data = sys.stdin.buffer.read() if "-" in paths else None
    workspace = None
    if data is not None:
        if o.force_exclude and o.stdin_filename and runner.excluded(config)(Path(o.stdin_filename), False):
            result = runner.CheckResult([])  # as ruff does for editors: an excluded file has nothing to say
        elif o.stdin_filename and is_script(o.stdin_filename):
            result = check_script_stdin(data, o.stdin_filename, config)
        else:
            result = runner.check_stdin(data, o.stdin_filename or "-", config)
    else:
        notes: list[str] = []
        files = runner.discover(paths, config, force_exclude=o.force_exclude, notes=notes)
        for note in notes:
            _say(f"phi-lint: warning: {note}")
        if o.show_files:
            _emit("".join(printable(runner.display_path(f)) + "\n" for f in sorted(files)), o.output_file)
            sys.exit(EXIT_CLEAN)
        if not files and not notes:
            _say("phi-lint: warning: no Python, JavaScript or TypeScript files found under the given paths (all excluded?)")
        try:
            result, workspace = _check_project(files, config, o, overrides)
        except ConfigError as exc:  # a nested project's pyproject.toml
            _say(f"phi-lint: config error: {exc}")
            sys.exit(EXIT_ERROR)
    if accepted is not None:
        from phi_lint import baseline

        result = baseline.apply(result, accepted, root, o.baseline_file, config.is_enabled)
    if changes is not None:
        from phi_lint.gitdiff import only_changed

        result = only_changed(result, changes)
    if o.add_noqa:
        _add_noqa(result, o.reason)
    fixed = 0
    report_to_stderr = False
    if o.apply_fixes or o.show_diff:
        result, fixed = _run_fixes(result, config, o.unsafe_fixes, o.show_diff, o.show_fixes, data,
                                   to_stderr=bool(o.output_file) or o.output_format not in ("text", "concise") or data is not None,
                                   quiet=o.quiet, config_for=config_for_files(o.config_path, overrides),
                                   project_for=workspace.view_of if workspace is not None else None)
        report_to_stderr = data is not None  # stdout carries the fixed source, as with ruff
    if any(f.fix is not None for f in result.findings):
        from phi_lint.fix.apply import keep_appliable_fixes

        result = keep_appliable_fixes(result)
    from phi_lint.report.text import default_color

    color = o.output_file is None and o.output_format in ("text", "concise") and default_color()
    if o.statistics:
        from phi_lint.report.statistics import render_statistics

        text = render_statistics(result, as_json=o.output_format == "json", unsafe_fixes=o.unsafe_fixes)
    else:
        text = renderer(o.output_format)(result, color=color, show_suppressed=o.show_suppressed, root=root, quiet=o.quiet,
                                         unsafe_fixes=o.unsafe_fixes)
    _emit(text, o.output_file, err=report_to_stderr, color=color)
    if result.errors:
        sys.exit(EXIT_ERROR)
    failed = result.findings or (o.exit_non_zero_on_fix and fixed)
    sys.exit(EXIT_FINDINGS if failed and not o.exit_zero else EXIT_CLEAN)


def _usage_or_exit(o: SimpleNamespace, paths: list[str]) -> None:
    """Options that cannot go together stop the run before any work (exit 2), as click does."""
    problem = None
    if o.add_noqa and not (o.reason or "").strip():
        problem = "--add-noqa needs --reason \"...\": a suppression is audit evidence of an accepted risk"
    elif o.reason is not None and not o.add_noqa:
        problem = "--reason goes with --add-noqa"
    elif o.add_noqa and (o.apply_fixes or o.show_diff):
        problem = "--add-noqa cannot be combined with --fix or --diff"
    elif o.add_noqa and "-" in paths:
        problem = "--add-noqa writes files: it cannot work on stdin"
    if problem:
        _say(f"phi-lint: {problem}")
        sys.exit(EXIT_ERROR)


def _emit(text: str, output_file: str | None, err: bool = False, color: bool = False) -> None:
    """A report to --output-file or the terminal; keys are masked by the reporters already."""
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            _say(f"phi-lint: cannot write {output_file}: {exc.strerror or exc}")
            sys.exit(EXIT_ERROR)
    elif text:
        click.echo(text, nl=False, err=err, color=color or None)  # FORCE_COLOR: click would strip colours off a pipe


def _settings_report(config: Config, path: Path, output_format: str) -> str:
    """--show-settings: the settings that apply to `path` and where they come from, as TOML that
    could be pasted into a pyproject.toml (or JSON with --format json)."""
    from phi_lint.config import settings

    values = settings(config)
    source = str(config.source) if config.source else None
    if output_format == "json":
        import json

        return json.dumps({"path": path.as_posix(), "source": source, "settings": values}, indent=2, ensure_ascii=False) + "\n"
    origin = f"{source} [tool.phi-lint]" if source else f"the defaults (no pyproject.toml with [tool.phi-lint] above {path.as_posix()})"
    lines = [f"# settings for {printable(path.as_posix())}", f"# from {printable(origin)}, with the command-line options applied", "[tool.phi-lint]"]
    lines += [f"{key} = {_toml_value(value)}" if value is not None else f"# {key} is not set" for key, value in values.items()]
    return mask("\n".join(lines) + "\n")


def _toml_value(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _add_noqa(result, reason: str) -> None:
    """--add-noqa --reason: write the comments, say how many, exit 0 (as ruff does)."""
    from phi_lint.fix.suppressions import add_suppressions

    comments, files, messages = add_suppressions(result, reason.strip())
    for message in messages:
        _say(f"phi-lint: {message}")
    _say(f"Added {comments} suppression{'s' if comments != 1 else ''} to {files} file{'s' if files != 1 else ''}.")
    sys.exit(EXIT_ERROR if messages or result.errors else EXIT_CLEAN)


def _check_project(files: list[Path], config: Config, o: SimpleNamespace, overrides: dict):
    """Check the files against their project (the index cached on disk), in parallel; the
    JavaScript/TypeScript ones through semgrep (one run) at the same time."""
    from phi_lint.semgrep.run import split_scripts, start
    from phi_lint.workspace import cache_folder, check_project, default_jobs, run_settings

    python, scripts = split_scripts(files)
    config_for = config_for_files(o.config_path, overrides)
    pending = start(scripts, config, config_for, o.jobs or 1)
    settings = run_settings(python, config, config_for, o.project_root)
    settings = dataclasses.replace(settings, cache_folder=cache_folder(settings.root, config, o.cache_dir, o.no_cache))
    result, workspace = check_project(python, settings, o.jobs or default_jobs())
    return _with_scripts(pending, result), workspace


def check_files(files: list[Path], config: Config):
    """`runner.check_paths`, with the JavaScript/TypeScript files through semgrep."""
    from phi_lint import runner
    from phi_lint.semgrep.run import split_scripts, start

    python, scripts = split_scripts(files)
    pending = start(scripts, config)
    return _with_scripts(pending, runner.check_paths(python, config))


def _with_scripts(pending, result):
    """The result with semgrep's; its notes (semgrep missing, a file it gave up on) to stderr."""
    result = pending.merge(result)
    for note in pending.notes:
        _say(f"phi-lint: note: {note}")
    return result


def _run_fixes(result, config: Config, unsafe: bool, diff: bool, show_fixes: bool, stdin: bytes | None,
               to_stderr: bool, quiet: bool, config_for=None, project_for=None):
    """--fix / --diff: apply (or diff) the fixes; returns what remains to report and how many
    fixes were applied. --diff prints the diff and exits here (1: there are changes)."""
    from phi_lint.fix.apply import fix_result

    run = fix_result(result, config, unsafe=unsafe, write=not diff, stdin=stdin, config_for=config_for, project_for=project_for)
    for message in run.messages:
        _say(f"phi-lint: {message}")
    applied = run.applied
    n, files = len(applied), len(run.files)
    head = f"{'Would fix' if diff else 'Fixed'} {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    summary = [head + (":" if show_fixes and applied else ".")]
    if show_fixes:
        summary += [f"  {printable(a.where)}: {a.code} {a.title}" + (" (unsafe)" if a.applicability.value == "unsafe" else "")
                    for a in applied]
    if diff:
        click.echo(mask(run.diff()), nl=False)
        if show_fixes:
            click.echo(mask("\n".join(summary)), err=True)
        sys.exit(EXIT_ERROR if result.errors else EXIT_FINDINGS if run.files else EXIT_CLEAN)
    if stdin is not None:
        out = run.files[0] if run.files else None
        sys.stdout.buffer.write(out.output if out else stdin)
        sys.stdout.buffer.flush()
    if applied and (show_fixes or not quiet):
        click.echo(mask("\n".join(summary)), err=to_stderr)
    return run.result, n


def _say(message: str) -> None:
    """A message on stderr, one line, keys masked: file names and texts from files go into it."""
    click.echo(mask(printable(message)), err=True)


def _relative(path: Path) -> str:
    """A path as a person in the current folder would type it (`../ci/baseline.json`)."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive
        return str(path)


def _writable_or_exit(output_file: str, option: str) -> None:
    """Stop before any work when a report could not be written where it is asked for."""
    folder = Path(output_file).parent
    if not folder.is_dir():
        _say(f"phi-lint: {option} {output_file}: the folder {folder} does not exist")
        sys.exit(EXIT_ERROR)
    if Path(output_file).is_dir():
        _say(f"phi-lint: {option} {output_file}: is a folder")
        sys.exit(EXIT_ERROR)


def report_root(paths: list[str], config: Config, stdin_filename: str | None = None) -> Path:
    """What CI reports and baselines are relative to: the git work tree's top, else the config's folder."""
    from phi_lint.gitdiff import repo_root

    start = Path(stdin_filename or (paths[0] if paths and paths[0] != "-" else "."))
    return repo_root(start) or absolute(config.root)


def _ci_inputs(baseline_file: str | None, diff_base: str | None, start: Path):
    """The baseline's entries and the lines changed since --diff-base, read before any file is
    checked so that a bad file name or revision stops the run at once (exit 2)."""
    from phi_lint.baseline import BaselineError, load
    from phi_lint.gitdiff import GitError, changed_lines

    try:
        accepted = load(Path(baseline_file)) if baseline_file else None
        changes = changed_lines(diff_base, start if start.exists() else Path.cwd()) if diff_base is not None else None
    except BaselineError as exc:
        _say(f"phi-lint: {exc}")
        sys.exit(EXIT_ERROR)
    except GitError as exc:
        _say(f"phi-lint: --diff-base: {exc}")
        sys.exit(EXIT_ERROR)
    return accepted, changes


@main.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the baseline [default: `baseline` in [tool.phi-lint], else .phi-lint-baseline.json].")
@_files_and_rules
def write_baseline(paths, output_file, config_path, select, ignore, extend_select, exclude, extend_exclude) -> None:
    """Record today's findings in PATHS as accepted: `check --baseline FILE` then reports only new ones."""
    from phi_lint import baseline, runner

    paths = list(paths) or ["."]
    try:
        config = resolve_config(
            config_path, paths, select=_codes(select), ignore=_codes(ignore, "--ignore"), extend_select=_codes(extend_select, "--extend-select"),
            exclude=_globs(exclude), extend_exclude=_globs(extend_exclude),
        )
    except ConfigError as exc:
        _say(f"phi-lint: config error: {exc}")
        sys.exit(EXIT_ERROR)
    if output_file is None:
        output_file = _relative(config.baseline_path) if config.baseline_path else baseline.DEFAULT_FILE
    _writable_or_exit(output_file, "--output-file")
    result = check_files(runner.discover(paths, config), config)
    for error in result.errors:
        _say(f"phi-lint: {error}")
    try:
        entries = baseline.write(Path(output_file), result, report_root(paths, config))
    except OSError as exc:
        _say(f"phi-lint: cannot write {output_file}: {exc.strerror or exc}")
        sys.exit(EXIT_ERROR)
    n = len(entries)
    click.echo(f"Wrote {n} entr{'ies' if n != 1 else 'y'} to {output_file}.", err=True)
    sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)


@main.command("report")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(("html", "markdown", "json")), default="html", show_default=True,
              help="html: one self-contained page; markdown: GitHub-flavoured (a job summary); json: the same data for other tools.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to a file (default: standard output).")
@_files_and_rules
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Count the findings this baseline accepts as accepted risks.")
@click.option("--diff-base", metavar="REV", help="Also list the findings fixed since REV (its merge base with HEAD).")
@click.option("--date", "report_date", metavar="YYYY-MM-DD", help="The date the report states (default: SOURCE_DATE_EPOCH, else today).")
@click.option("--commit", "report_commit", metavar="TEXT", help="The commit the report states (default: HEAD).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Processes to check files with.")
def report(paths, output_format, output_file, config_path, select, ignore, extend_select, exclude, extend_exclude,
           baseline_file, diff_base, report_date, report_commit, jobs) -> None:
    """Write the compliance evidence of PATHS: findings by SOC 2 criterion and HIPAA section,
    accepted risks and who accepted them, the model calls and their vendors, the routes that
    reach models. Exit 0 once written (it is evidence, not a gate), 2 on errors."""
    from datetime import date as _date

    from phi_lint.evidence.collect import Request, collect
    from phi_lint.gitdiff import GitError, repo_root
    from phi_lint.report.evidence import report_renderer

    paths = list(paths) or ["."]
    overrides = dict(
        select=_codes(select), ignore=_codes(ignore, "--ignore"), extend_select=_codes(extend_select, "--extend-select"),
        exclude=_globs(exclude), extend_exclude=_globs(extend_exclude),
    )
    if report_date is not None:
        try:
            _date.fromisoformat(report_date)
        except ValueError:
            raise click.BadParameter(f"{report_date!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        _say(f"phi-lint: no such file or folder: {missing[0]}")
        sys.exit(EXIT_ERROR)
    if output_file:
        _writable_or_exit(output_file, "--output-file")

    def setup(these: list[str]):
        return resolve_config(config_path, these, **overrides), config_for_files(config_path, overrides)

    try:
        config = resolve_config(config_path, paths, **overrides)
    except ConfigError as exc:
        _say(f"phi-lint: config error: {exc}")
        sys.exit(EXIT_ERROR)
    if baseline_file is None and config.baseline_path is not None:
        baseline_file = _relative(config.baseline_path)
    accepted, _ = _ci_inputs(baseline_file, None, Path(paths[0]))
    request = Request(
        paths=tuple(paths), root=report_root(paths, config), top=repo_root(Path(paths[0])), baseline_file=baseline_file,
        baseline=tuple(accepted) if accepted is not None else None, diff_base=diff_base, date=report_date,
        commit=report_commit, jobs=jobs,
    )
    if diff_base is not None and request.top is None:
        _say(f"phi-lint: --diff-base: {paths[0]} is not inside a git repository")
        sys.exit(EXIT_ERROR)
    try:
        evidence = collect(request, setup)
    except ConfigError as exc:
        _say(f"phi-lint: config error: {exc}")
        sys.exit(EXIT_ERROR)
    except GitError as exc:
        _say(f"phi-lint: --diff-base: {exc}")
        sys.exit(EXIT_ERROR)
    _emit(report_renderer(output_format)(evidence), output_file)
    for error in evidence.errors:
        _say(f"phi-lint: {error}")
    sys.exit(EXIT_ERROR if evidence.errors else EXIT_CLEAN)


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Show a rule's page: what it does, why, example, fix, controls."""
    from phi_lint.checks.base import rule_by_code
    from phi_lint.docs import rule_page

    cls = rule_by_code(code)
    if cls is None:
        _say(f"phi-lint: unknown rule {code!r} (see `phi-lint rules`)")
        sys.exit(EXIT_ERROR)
    click.echo(rule_page(cls))


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule, one line each."""
    import json

    from phi_lint.checks.base import all_rules
    from phi_lint.docs import rule_record

    records = [rule_record(cls) for cls in all_rules()]
    if output_format == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    for r in records:
        fix = "fix" if r["fix"] else "   "
        click.echo(f"{r['code']}  {r['name']:<28} {r['severity']:<8} {fix}  {r['summary']}")


@main.command("semgrep-rules")
@click.option("--output", "-o", "output", type=click.Path(file_okay=False), required=True, help="The folder to write the pack to (rules/semgrep in this repository).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Bake the policy of this pyproject.toml into the rules (approved endpoints and regions, sanitizers, vocabulary settings).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the folder differs from what the catalogue generates.")
def semgrep_rules(output, config_path, check) -> None:
    """Write phi-lint's rules as a semgrep pack (Python, JavaScript, TypeScript), generated from
    the catalogue. Test files in the folder are kept; rule files no longer generated are removed."""
    from phi_lint.semgrep import pack

    try:
        config = load_config(Path(config_path)) if config_path else Config()
    except ConfigError as exc:
        click.echo(f"phi-lint: config error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    folder = Path(output)
    if check:
        differences = pack.differences(folder, config)
        for line in differences:
            click.echo(line)
        sys.exit(EXIT_FINDINGS if differences else EXIT_CLEAN)
    written = pack.write(folder, config)
    click.echo(f"Wrote {len(written)} rule files to {folder}.", err=True)


@main.command()
def version() -> None:
    """Print phi-lint's version."""
    click.echo(f"phi-lint {__version__}")


if __name__ == "__main__":  # pragma: no cover
    main()
