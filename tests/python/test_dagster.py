"""The Dagster definitions (orchestration/dagster) load, validate, and build the project as a
scheduler would: every asset materialized in process on the sample data equals a plain dbt
build, and a run that fails part way (a corrupt input file) ends, once the file is fixed and the
run retried, equal to a full refresh."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtProject, sample_inputs

dagster = pytest.importorskip("dagster", reason="the orchestration extra is not installed")
from sessions_testkit.mart_diff import mart_differences  # noqa: E402

# The definitions are imported as the module `dagster definitions validate -m` names.
sys.path.insert(0, str(PROJECT_DIR))
DAGSTER_DIR = PROJECT_DIR / "orchestration" / "dagster"
# Read when the definitions are imported: a failed build is retried once, a second later.
os.environ["SESSIONS_DAGSTER_RETRIES"] = "1"
os.environ["SESSIONS_DAGSTER_RETRY_DELAY_SECONDS"] = "1"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="module", autouse=True)
def manifest() -> None:
    """The manifest the definitions are read from (`make dagster-manifest`), parsed anew: one
    left by an earlier version of the project would name tests that no longer exist. With the
    schedules' vars, as `make manifest` parses it (retention_days enables tests)."""
    from orchestration import dbt_settings

    # Writes target/manifest.json.
    DbtProject(PROJECT_DIR).dbt_ok("parse", variables=dbt_settings.dbt_vars({}))


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DAGSTER_DIR / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def materialize_all(variables: dict[str, str]) -> bool:
    """Every asset of the definitions, materialized in process (the dbt commands they run use
    the warehouse of SESSIONS_DUCKDB_PATH and `variables`); whether the run succeeded."""
    from dagster import DagsterInstance, materialize

    from orchestration.dagster import definitions

    os.environ["SESSIONS_DBT_VARS"] = json.dumps(variables)
    result = materialize(
        [definitions.sessions_dbt_assets],
        resources=definitions.defs.resources,
        instance=DagsterInstance.get(),
        raise_on_error=False,
    )
    return result.success


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    warehouse = tmp_path / "dagster_run" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    monkeypatch.setenv("SESSIONS_DUCKDB_PATH", str(warehouse))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dagster_run" / "logs"))
    monkeypatch.setenv("SESSIONS_DBT_VARS", "{}")
    # The retention job cleans the collector's folders: the test's own, not the project's.
    monkeypatch.setenv("SESSIONS_COLLECTOR_LANDING_DIR", str(tmp_path / "landing" / "app"))
    return warehouse


def test_definitions_validate(dagster_home: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-m",
            "orchestration.dagster.definitions",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_definitions_schedule_sense_and_retry(dagster_home: Path) -> None:
    from orchestration.dagster import definitions

    defs = definitions.defs
    assert defs.get_schedule_def("incremental_build_hourly").cron_schedule == "0 * * * *"
    assert defs.get_schedule_def("retention_daily").job.name == "retention"
    assert defs.get_sensor_def("new_files_sensor") is not None
    assert definitions.RETRY_POLICY.max_retries == 1
    manifest = json.loads(MANIFEST.read_text())
    globs = definitions.input_globs(manifest)
    assert any(pattern.endswith("data/sample/chat/*.jsonl") for pattern in globs), globs
    assert len(globs) == 4


def test_the_sensor_requests_a_run_for_new_files_only(
    dagster_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import RunRequest, SkipReason, build_sensor_context

    from orchestration.dagster import definitions

    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setattr(definitions, "input_globs", lambda manifest: [str(landing / "*.jsonl")])
    first = build_sensor_context(cursor=None)
    assert isinstance(next(iter(definitions.new_files_sensor(first))), SkipReason)
    (landing / "a.jsonl").write_text("{}\n")
    requests = list(definitions.new_files_sensor(first))
    assert isinstance(requests[0], RunRequest)
    again = build_sensor_context(cursor=first.cursor)
    assert isinstance(next(iter(definitions.new_files_sensor(again))), SkipReason)


def test_materialized_assets_equal_a_dbt_build(
    dagster_home: Path, warehouse_env: Path, tmp_path: Path
) -> None:
    variables = sample_inputs(tmp_path)
    assert materialize_all(variables)
    with duckdb.connect(str(warehouse_env), read_only=True) as connection:
        sessions = connection.execute("select count(*) from main.user_sessions").fetchone()[0]
    assert sessions > 0
    reference = DbtProject(tmp_path / "reference")
    reference.build({**variables, "export_dir": str(tmp_path / "reference_exports")})
    assert not mart_differences(warehouse_env, reference.warehouse, first_label="dagster")

    # The daily retention job: sessions trimmed, the user_sessions export following the mart.
    from dagster import DagsterInstance

    from orchestration.dagster import definitions

    # A clock on the sample's last app day (retention counts from as_of, else now).
    os.environ["SESSIONS_DBT_VARS"] = json.dumps(
        {**variables, "retention_days": 1, "as_of": "2024-03-06T12:00:00Z"}
    )
    result = definitions.defs.get_job_def("retention").execute_in_process(
        instance=DagsterInstance.get()
    )
    assert result.success
    with duckdb.connect(str(warehouse_env), read_only=True) as connection:
        kept = connection.execute("select count(*) from main.user_sessions").fetchone()[0]
        exported = connection.execute(
            f"select count(*) from '{tmp_path / 'exports' / 'user_sessions.parquet'}'"
        ).fetchone()[0]
    assert 0 < kept < sessions
    assert exported == kept


def test_a_failed_run_is_retried_after_the_file_is_fixed(
    dagster_home: Path, warehouse_env: Path, tmp_path: Path
) -> None:
    variables = sample_inputs(tmp_path)
    mooc = tmp_path / "input" / "mooc"
    good = (mooc / "interactions.parquet").read_bytes()
    late = mooc / "interactions_late.parquet"
    late.write_bytes(b"not a parquet file, copied in half")
    assert not materialize_all(variables)
    late.write_bytes(good)  # landed again, whole: the sample's rows a second time
    assert materialize_all(variables)
    full_refresh = DbtProject(tmp_path / "full_refresh")
    full_refresh.build(
        {**variables, "export_dir": str(tmp_path / "full_refresh_exports")}, "--full-refresh"
    )
    assert not mart_differences(warehouse_env, full_refresh.warehouse, first_label="dagster")


def test_the_sensor_cursor_stays_bounded_and_misses_no_file(
    dagster_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cursor is the same size for 1 file as for 3,000; a file that lands with an old
    modification time (a copy keeping its time, a rename), a file that grows and one rewritten
    at the same size each request a run; nothing new requests none."""
    from dagster import RunRequest, SkipReason, build_sensor_context

    from orchestration.dagster import definitions

    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setattr(definitions, "input_globs", lambda manifest: [str(landing / "*.jsonl")])

    def evaluate(cursor: str | None) -> tuple[object, str | None]:
        context = build_sensor_context(cursor=cursor)
        return next(iter(definitions.new_files_sensor(context))), context.cursor

    (landing / "a.jsonl").write_text("{}\n")
    request, one_file_cursor = evaluate(None)
    assert isinstance(request, RunRequest)
    for number in range(3000):
        (landing / f"f{number:05d}.jsonl").write_text("{}\n")
    request, cursor = evaluate(one_file_cursor)
    assert isinstance(request, RunRequest)
    assert cursor is not None and one_file_cursor is not None
    assert len(cursor) == len(one_file_cursor) <= 128

    old = landing / "old.jsonl"
    old.write_text("{}\n")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    request, cursor = evaluate(cursor)
    assert isinstance(request, RunRequest), "a file with an old modification time"
    with (landing / "f00001.jsonl").open("a") as handle:
        handle.write("{}\n")
    request, cursor = evaluate(cursor)
    assert isinstance(request, RunRequest), "a grown file"
    same_size = landing / "f00002.jsonl"
    same_size.write_text("[]\n")
    os.utime(same_size, ns=(same_size.stat().st_mtime_ns + 1, same_size.stat().st_mtime_ns + 1))
    request, cursor = evaluate(cursor)
    assert isinstance(request, RunRequest), "a file rewritten at the same size"
    request, _ = evaluate(cursor)
    assert isinstance(request, SkipReason)
