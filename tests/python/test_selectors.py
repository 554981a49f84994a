"""The named selections of selectors.yml select what they say (dbt ls: no warehouse)."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_DIR, DbtProject, dbt_output

REGISTRY = PROJECT_DIR / "macros" / "sources" / "source_registry.sql"
SOURCES = re.findall(r"registry\.update\(\{'(\w+)'", REGISTRY.read_text())


def models(project: DbtProject, *selection: str) -> set[str]:
    """The names of the models `dbt ls` selects."""
    result = project.dbt(
        "ls", *selection, "--resource-type", "model", "--output", "name", "--quiet"
    )
    assert result.returncode == 0, dbt_output(result)
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    return DbtProject(tmp_path_factory.mktemp("selectors"))


def model_names(folder: str) -> set[str]:
    return {
        path.stem
        for path in (PROJECT_DIR / "models" / folder).rglob("*.*")
        if path.suffix in (".sql", ".py")
    }


def test_the_incremental_build_is_every_model(project: DbtProject) -> None:
    assert models(project, "--selector", "incremental_build") == models(project)


def test_marts_only_is_the_marts_and_exports(project: DbtProject) -> None:
    assert models(project, "--selector", "marts_only") == model_names("marts") | model_names(
        "exports"
    )


@pytest.mark.parametrize("source", SOURCES)
def test_one_source_is_its_models_and_what_is_built_from_them(
    project: DbtProject, source: str
) -> None:
    selected = models(project, "--selector", f"{source}_source")
    own = model_names(f"staging/{source}")
    assert own and own <= selected
    others = set().union(*(model_names(f"staging/{other}") for other in SOURCES if other != source))
    assert not selected & others
    assert {"int_events_sessionized", "user_sessions", "exported_files"} <= selected


def test_every_registered_source_has_a_selector() -> None:
    names = re.findall(r"(?m)^  - name: (\w+)", (PROJECT_DIR / "selectors.yml").read_text())
    assert {f"{source}_source" for source in SOURCES} <= set(names)
    assert set(SOURCES) == {"chat", "segment", "mooc", "app"}
