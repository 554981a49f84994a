"""Shared fixtures: run the dbt project on generated inputs in an isolated warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def dbt_output(result: subprocess.CompletedProcess) -> str:
    """The end of a dbt command's output, for the message of a failed assertion."""
    return result.stdout[-6000:] + result.stderr[-2000:]


@dataclass
class DbtProject:
    """The project pointed at a private warehouse, target and log folder under `workdir`."""

    workdir: Path
    project_dir: Path = PROJECT_DIR
    profiles_dir: Path = PROJECT_DIR / "profiles"

    @property
    def warehouse(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SESSIONS_DUCKDB_PATH=str(self.warehouse),
            DBT_TARGET_PATH=str(self.workdir / "target"),
            DBT_LOG_PATH=str(self.workdir / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        return env

    def dbt(
        self, *args: str, variables: dict[str, Any] | None = None
    ) -> subprocess.CompletedProcess:
        command = [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--profiles-dir",
            str(self.profiles_dir),
        ]
        if variables:
            command += ["--vars", json.dumps(variables)]
        return subprocess.run(
            command,
            cwd=self.project_dir,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )

    def dbt_ok(
        self, *args: str, variables: dict[str, Any] | None = None
    ) -> subprocess.CompletedProcess:
        """A dbt command that must succeed: the test fails with dbt's output otherwise."""
        result = self.dbt(*args, variables=variables)
        assert result.returncode == 0, dbt_output(result)
        return result

    def build(self, variables: dict[str, Any], *extra: str) -> subprocess.CompletedProcess:
        return self.dbt_ok("build", *extra, variables=variables)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            connection.execute("set TimeZone = 'UTC'")
            return connection.execute(sql).fetchall()


@pytest.fixture
def dbt_project(tmp_path: Path) -> DbtProject:
    return DbtProject(tmp_path)
