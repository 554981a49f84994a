"""Shared fixtures: run the dbt project on generated inputs in an isolated warehouse."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


@contextmanager
def in_directory(path: Path) -> Iterator[None]:
    """Relative paths (the project's default vars) resolve from the project directory."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """os.environ set to `variables` for the duration (dbt and the profile read it)."""
    before = dict(os.environ)
    os.environ.clear()
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def close_warehouse() -> None:
    """Closes the warehouse dbt-duckdb keeps open in this process after a command (it would
    hold the file's lock, as a finished dbt process does not)."""
    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


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
        """One dbt command, in this process (dbt's own runner: no interpreter start-up, no
        re-import per call), with what it printed as stdout and a return code as the command
        line's (0: success)."""
        arguments = [*args, "--profiles-dir", str(self.profiles_dir)]
        arguments += ["--project-dir", str(self.project_dir)]
        arguments += ["--target-path", str(self.workdir / "target")]
        arguments += ["--log-path", str(self.workdir / "logs")]
        if variables:
            arguments += ["--vars", json.dumps(variables)]
        printed = io.StringIO()
        with in_directory(self.project_dir), environment(self.env()), redirect_stdout(printed):
            try:
                result = dbtRunner().invoke(arguments)
            finally:
                close_warehouse()
        output = printed.getvalue()
        if result.exception is not None:
            output += f"\n{type(result.exception).__name__}: {result.exception}\n"
        return_code = 0 if result.success else 2 if result.exception is not None else 1
        return subprocess.CompletedProcess(["dbt", *arguments], return_code, output, "")

    def dbt_process(
        self, *args: str, variables: dict[str, Any] | None = None, **options: Any
    ) -> subprocess.Popen:
        """One dbt command as its own process (for a test that kills or blocks it)."""
        command = [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--profiles-dir",
            str(self.profiles_dir),
        ]
        if variables:
            command += ["--vars", json.dumps(variables)]
        return subprocess.Popen(command, cwd=self.project_dir, env=self.env(), **options)

    def dbt_ok(
        self, *args: str, variables: dict[str, Any] | None = None
    ) -> subprocess.CompletedProcess:
        """A dbt command that must succeed: the test fails with dbt's output otherwise."""
        result = self.dbt(*args, variables=variables)
        assert result.returncode == 0, dbt_output(result)
        return result

    def build(self, variables: dict[str, Any], *extra: str) -> subprocess.CompletedProcess:
        """`dbt build` without the dbt unit tests: they check the SQL, not the data, and
        `make test`'s own `dbt build` runs them."""
        return self.dbt_ok(
            "build", "--exclude-resource-type", "unit_test", *extra, variables=variables
        )

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            connection.execute("set TimeZone = 'UTC'")
            return connection.execute(sql).fetchall()


def sample_inputs(root: Path) -> dict[str, str]:
    """A copy of the bundled sample inputs in `root / "input"` (one folder per source), and the
    vars that point the project at it, with its exports in `root / "exports"`."""
    shutil.copytree(PROJECT_DIR / "data" / "sample", root / "input")
    return {
        "chat_events_path": str(root / "input" / "chat" / "*.jsonl"),
        "segment_events_path": str(root / "input" / "segment" / "*"),
        "mooc_interactions_path": str(root / "input" / "mooc" / "*.parquet"),
        "app_events_path": str(root / "input" / "app" / "*.jsonl"),
        "export_dir": str(root / "exports"),
    }


# What a copy of the project leaves out: environments, build output and generated data.
NOT_COPIED = (".git", ".venv*", "warehouse", "target", "logs", "exports", "dbt_packages", "*.pyc")


def copy_project(destination: Path) -> Path:
    """A copy of the project (its code, not its environments or build output) to edit."""
    shutil.copytree(PROJECT_DIR, destination, ignore=shutil.ignore_patterns(*NOT_COPIED))
    return destination


def replace_once(path: Path, anchor: str, replacement: str) -> None:
    """Replaces the one occurrence of `anchor` in the file (the test fails if it moved)."""
    text = path.read_text()
    assert text.count(anchor) == 1, f"{path.name}: the anchor {anchor!r} moved"
    path.write_text(text.replace(anchor, replacement))


@pytest.fixture
def dbt_project(tmp_path: Path) -> DbtProject:
    return DbtProject(tmp_path)
