"""Dagster definitions of the sessions project: its dbt models as assets, an hourly schedule of the
incremental build, a sensor that starts a build when new files land, and a retry policy.

The assets come from the project's manifest (`target/manifest.json`, written by `dbt parse`:
`make manifest`); nothing here needs a network. Runs go one at a time (dagster.yaml beside
this file): the DuckDB warehouse has a single writer, and a second `dbt build` would wait for the
first one's lock and then fail.

Environment: SESSIONS_DUCKDB_PATH (the warehouse, as for dbt), SESSIONS_DBT_VARS (JSON vars passed
to every dbt command, e.g. the paths of your files), SESSIONS_DAGSTER_SCHEDULE (cron, default
hourly), SESSIONS_DAGSTER_RETENTION_SCHEDULE (cron of the retention job, default daily at
03:30), SESSIONS_DAGSTER_RETRIES (default 2) and SESSIONS_DAGSTER_RETRY_DELAY_SECONDS (default
60, doubled at each retry).
"""

import glob
import hashlib
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    Backoff,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    OpExecutionContext,
    RetryPolicy,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    job,
    op,
    sensor,
)
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

import sessions_retention
from orchestration import dbt_settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The dbt of this environment (a .venv need not be on PATH), else whichever dbt PATH has.
DBT_EXECUTABLE = (
    str(Path(sys.executable).with_name("dbt"))
    if Path(sys.executable).with_name("dbt").exists()
    else (shutil.which("dbt") or "dbt")
)
MANIFEST = dbt_settings.manifest_path(PROJECT_DIR)
# The named selection of selectors.yml the schedule and the sensor run.
SELECTOR = "incremental_build"
# A failed build is tried again (default twice, a minute and then two apart): a file still
# being copied in, or the warehouse briefly held by a query, passes on a later try; a try that
# stopped part way is completed by the next (incremental runs pick up what an earlier one left).
RETRY_POLICY = RetryPolicy(
    max_retries=int(os.environ.get("SESSIONS_DAGSTER_RETRIES", "2")),
    delay=float(os.environ.get("SESSIONS_DAGSTER_RETRY_DELAY_SECONDS", "60")),
    backoff=Backoff.EXPONENTIAL,
)

# `dagster dev` parses with the vars the runs get: they decide which data tests exist.
project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR / "profiles",
    prepare_project_cli_args=["parse", "--quiet", "--vars", json.dumps(dbt_settings.dbt_vars())],
)
project.prepare_if_dev()
dbt_settings.existing_manifest(PROJECT_DIR)  # a clear error when `make manifest` has not run


def dbt_vars() -> list[str]:
    """`--vars` for every dbt command, from SESSIONS_DBT_VARS (JSON), or nothing."""
    variables = dbt_settings.dbt_vars()
    return ["--vars", json.dumps(variables)] if variables else []


@dbt_assets(manifest=MANIFEST, selector=SELECTOR, project=project, retry_policy=RETRY_POLICY)
def sessions_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the selected models with their tests (every model, on the schedule)."""
    yield from dbt.cli(["build", *dbt_vars()], context=context).stream()


incremental_build_job = define_asset_job(
    "incremental_build",
    selection=AssetSelection.assets(sessions_dbt_assets),
    description="The incremental build of the whole project (selector incremental_build).",
)


@op(retry_policy=RETRY_POLICY)
def apply_retention(context: OpExecutionContext, dbt: DbtCliResource) -> None:
    """`dbt run-operation apply_retention` (the var retention_days, 30 days unless
    SESSIONS_DBT_VARS sets it; null keeps everything), the collector's ended sessions and
    loaded landing files before the same cut (sessions_retention), then the exports of the
    trimmed marts written again."""
    dbt.cli(["run-operation", "apply_retention", *dbt_vars()], manifest=MANIFEST).wait()
    outcome = sessions_retention.apply(
        sessions_retention.Settings.from_environment(project_dir=PROJECT_DIR)
    )
    dbt.cli(["build", "--select", "exported_files", *dbt_vars()], manifest=MANIFEST).wait()
    context.log.info(
        f"Retention applied (cut {outcome.cut}): {outcome.sessions_removed} collector sessions "
        f"and {len(outcome.files_removed)} landing files removed; exports rewritten."
    )


@job(description="Deletes the sessions older than the var retention_days (docs/retention.md).")
def retention() -> None:
    apply_retention()


retention_schedule = ScheduleDefinition(
    name="retention_daily",
    job=retention,
    cron_schedule=os.environ.get("SESSIONS_DAGSTER_RETENTION_SCHEDULE", "30 3 * * *"),
    default_status=DefaultScheduleStatus.RUNNING,
)

hourly_schedule = ScheduleDefinition(
    name="incremental_build_hourly",
    job=incremental_build_job,
    cron_schedule=os.environ.get("SESSIONS_DAGSTER_SCHEDULE", "0 * * * *"),
    default_status=DefaultScheduleStatus.RUNNING,
)


def input_globs(manifest: Mapping[str, Any]) -> list[str]:
    """The path globs of the input sources the manifest builds, absolute."""
    return dbt_settings.input_globs(manifest, PROJECT_DIR)


def landed_files(globs: list[str]) -> Iterator[tuple[str, int, int]]:
    """Every file the globs match: name, size and modification time (nanoseconds)."""
    for pattern in globs:
        for name in glob.glob(pattern, recursive=True):
            try:
                status = os.stat(name)
            except FileNotFoundError:  # removed since it was listed
                continue
            if stat.S_ISREG(status.st_mode):
                yield name, status.st_size, status.st_mtime_ns


def landing_digest(files: Iterator[tuple[str, int, int]]) -> tuple[str, int]:
    """A digest of the landing folders' state (every file's name, size and modification time,
    in name order) and the number of files: any file that lands, grows or changes changes it.
    The sensor's cursor holds only this, so it stays the same size however many files land."""
    digest = hashlib.sha256()
    count = 0
    for name, size, modified_ns in sorted(files):
        digest.update(f"{name}\0{size}\0{modified_ns}\n".encode("utf-8", "surrogateescape"))
        count += 1
    return digest.hexdigest(), count


@sensor(
    job=incremental_build_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts the incremental build when a file lands under an enabled source's path.",
)
def new_files_sensor(context: SensorEvaluationContext) -> Iterator[RunRequest | SkipReason]:
    """A run whenever the landing folders changed since the last run it requested: the cursor is
    a digest of every file's name, size and modification time (landing_digest), a few dozen
    bytes whatever the number of files, so no file is missed and nothing grows."""
    manifest = dbt_settings.read_manifest(PROJECT_DIR)
    globs = input_globs(manifest)
    digest, count = landing_digest(landed_files(globs))
    if count == 0 or context.cursor == digest:
        yield SkipReason(f"No new or changed file under the {len(globs)} source paths.")
        return
    context.update_cursor(digest)
    yield RunRequest(run_key=f"files-{digest[:16]}", tags={"sessions/files": str(count)})


defs = Definitions(
    assets=[sessions_dbt_assets],
    jobs=[incremental_build_job, retention],
    schedules=[hourly_schedule, retention_schedule],
    sensors=[new_files_sensor],
    resources={
        "dbt": DbtCliResource(
            project_dir=project,
            profiles_dir=str(PROJECT_DIR / "profiles"),
            dbt_executable=DBT_EXECUTABLE,
        )
    },
)
