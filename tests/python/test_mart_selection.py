"""Selecting one mart works on a fresh warehouse: `dbt build --select +<mart>` builds the mart
and its parents and runs only the data tests whose every model is selected (the project's
indirect_selection: buildable), so a test that also reads a mart outside the selection waits for
a build that includes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtProject

MARTS = sorted(path.stem for path in (PROJECT_DIR / "models" / "marts").glob("*.sql"))


def test_every_mart_is_listed() -> None:
    assert {"chat_sessions", "user_sessions", "loaded_files", "run_stats"} <= set(MARTS)


@pytest.mark.parametrize("mart", MARTS)
def test_one_mart_builds_on_a_fresh_warehouse(tmp_path: Path, mart: str) -> None:
    project = DbtProject(tmp_path)
    result = project.build({"export_dir": str(tmp_path / "exports")}, "--select", f"+{mart}")
    assert "ERROR=0" in result.stdout
    # retention_runs is written by `dbt run-operation apply_retention` only: a build leaves it
    # empty.
    assert (project.query(f"select count(*) from main.{mart}")[0][0] > 0) == (
        mart != "retention_runs"
    )
