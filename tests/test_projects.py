"""Multi-module projects (fixtures/projects/NAME/): flows that cross modules give exactly the
findings their annotations expect, whether the project is checked as a whole or one file at a
time (as pre-commit and flake8 check it), with any number of jobs, cold or from the cache.

Each project has its own pyproject.toml (its policy and its root); `# ruleid:` / `# ok:` mark the
cases in every file, as in the rule fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phi_lint.config import load_config
from phi_lint.runner import check_paths, discover

from conftest import FIXTURES, annotations

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if (p / "pyproject.toml").is_file())


def files_of(project: Path) -> list[Path]:
    return [p for p in discover([str(project)], load_config(project / "pyproject.toml")) if p.suffix == ".py"]


def found(result, file: Path) -> set[tuple[int, str]]:
    shown = {fr.path: fr for fr in result.files}
    fr = next((fr for path, fr in shown.items() if Path(path).resolve() == file.resolve()), None)
    assert fr is not None and fr.error is None, f"{file} was not checked: {fr and fr.error}"
    return {(f.line, f.code) for f in fr.findings if f.suppression is None}


def expect(file: Path, got: set[tuple[int, str]]) -> None:
    expected, absent = annotations(file)
    missing, extra = sorted(expected - got), sorted(got - expected)
    assert not missing and not extra, f"{file.relative_to(FIXTURES)}: missing {missing}, extra {extra}"
    assert not (got & absent)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_the_whole_project_gives_exactly_its_findings(project: Path) -> None:
    config = load_config(project / "pyproject.toml")
    files = files_of(project)
    assert 4 <= len(files) <= 12, f"{project.name}: {len(files)} modules"
    result = check_paths(files, config)
    for file in files:
        expect(file, found(result, file))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_each_file_alone_gives_its_findings_against_the_rest_of_the_project(project: Path) -> None:
    config = load_config(project / "pyproject.toml")
    for file in files_of(project):
        expect(file, found(check_paths([file], config), file))


def test_there_are_enough_projects_each_with_positives_and_negatives() -> None:
    """Issue 8: at least 8 projects, each with at least 3 expected findings and 3 negative twins."""
    assert len(PROJECTS) >= 8, [p.name for p in PROJECTS]
    for project in PROJECTS:
        marked = [annotations(file) for file in files_of(project)]
        positives = sum(len(expected) for expected, _ in marked)
        negatives = sum(len(absent) for _, absent in marked)
        assert positives >= 3 and negatives >= 3, f"{project.name}: {positives} positives, {negatives} negatives"
