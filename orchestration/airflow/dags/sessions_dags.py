"""Airflow 3 DAGs of the sessions dbt project, run by astronomer-cosmos' dbt operators.

- `sessions_incremental_build` (hourly): `dbt build --selector incremental_build`, one task.
- `sessions_retention` (daily): `dbt run-operation apply_retention` (retention_days 30 unless
  SESSIONS_DBT_VARS sets it), `python -m sessions_retention` (the collector's ended sessions and
  loaded landing files before the same cut, in the project's environment), then the exports.
- `sessions_backfill` (triggered by hand, param `source`): `dbt build --selector <source>_source
  --full-refresh`, after the source's fixed files were put back in place.

Rendering: one task per named selection (selectors.yml), not cosmos' default task per model.
The project's incremental runs are one unit: a run numbers itself once, records its files,
recompute ranges and run_stats row once, and its data tests reconcile what the whole run wrote
(e.g. every_input_record_is_accounted_for reads staging and loaded_files). Per-model tasks start a
dbt process per model (minutes instead of seconds on this project) and split one run into
dozens. Every task takes the pool `sessions_duckdb_writer` (one slot, created by
`make airflow-init`): DuckDB has a single writer, so no two of these DAGs ever write at once.

dbt runs from the project's own environment (`.venv/bin/dbt`, SESSIONS_DBT_EXECUTABLE to
change): Airflow lives in `.venv-airflow`, whose pins conflict with the project's (it holds the
project's packages without their dependencies, for orchestration.dbt_settings, which reads
SESSIONS_DBT_VARS and the sources of the project's manifest as Dagster does: `make manifest`,
run by `make airflow-init`, writes it). Environment:
SESSIONS_DUCKDB_PATH, SESSIONS_DBT_VARS (JSON vars for every dbt command),
SESSIONS_AIRFLOW_SCHEDULE (cron of the build, default hourly), SESSIONS_AIRFLOW_RETRIES
(default 2) and SESSIONS_AIRFLOW_RETRY_DELAY_SECONDS (default 60, doubled at each retry).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Param
from cosmos.config import ProfileConfig
from cosmos.constants import InvocationMode
from cosmos.operators.local import DbtBuildLocalOperator, DbtRunOperationLocalOperator

from orchestration import dbt_settings

PROJECT_DIR = Path(__file__).resolve().parents[3]
POOL = "sessions_duckdb_writer"
# The input sources the project builds (each has a `<source>_source` selection to backfill).
SOURCES = list(dbt_settings.input_sources(dbt_settings.read_manifest(PROJECT_DIR), PROJECT_DIR))


def dbt_vars() -> dict[str, Any]:
    """SESSIONS_DBT_VARS (JSON), with the export folder made absolute: cosmos runs dbt in a
    temporary copy of the project (links to its files), where a relative folder that does not
    exist yet would be created and lost."""
    variables = dbt_settings.dbt_vars()
    export_dir = Path(variables.get("export_dir", "exports"))
    variables["export_dir"] = str(
        export_dir if export_dir.is_absolute() else PROJECT_DIR / export_dir
    )
    return variables


def dbt_env() -> dict[str, str]:
    """The warehouse path made absolute for the same reason; dbt's telemetry off."""
    warehouse = Path(os.environ.get("SESSIONS_DUCKDB_PATH", "warehouse/sessions.duckdb"))
    return {
        "SESSIONS_DUCKDB_PATH": str(
            warehouse if warehouse.is_absolute() else PROJECT_DIR / warehouse
        ),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_task_arguments() -> dict[str, Any]:
    """What every dbt task shares: the project, its profile, the project's dbt, the pool and
    the retry policy."""
    return {
        "project_dir": str(PROJECT_DIR),
        "profile_config": ProfileConfig(
            profile_name="sessions",
            target_name=os.environ.get("SESSIONS_DBT_TARGET", "duckdb"),
            profiles_yml_filepath=PROJECT_DIR / "profiles" / "profiles.yml",
        ),
        "dbt_executable_path": os.environ.get(
            "SESSIONS_DBT_EXECUTABLE", str(PROJECT_DIR / ".venv" / "bin" / "dbt")
        ),
        "invocation_mode": InvocationMode.SUBPROCESS,
        "install_deps": False,
        "vars": dbt_vars(),
        "env": dbt_env(),
        "append_env": True,
        "emit_datasets": False,
        "pool": POOL,
        "retries": int(os.environ.get("SESSIONS_AIRFLOW_RETRIES", "2")),
        "retry_delay": timedelta(
            seconds=float(os.environ.get("SESSIONS_AIRFLOW_RETRY_DELAY_SECONDS", "60"))
        ),
        "retry_exponential_backoff": True,
    }


DAG_DEFAULTS: dict[str, Any] = {
    "start_date": datetime(2026, 1, 1),
    "catchup": False,
    "max_active_runs": 1,
    "tags": ["sessions", "dbt"],
}

with DAG(
    dag_id="sessions_incremental_build",
    schedule=os.environ.get("SESSIONS_AIRFLOW_SCHEDULE", "0 * * * *"),
    description="The incremental build of the whole project (selector incremental_build).",
    **DAG_DEFAULTS,
):
    DbtBuildLocalOperator(task_id="dbt_build", selector="incremental_build", **dbt_task_arguments())

with DAG(
    dag_id="sessions_retention",
    schedule="30 3 * * *",
    description="Deletes the sessions older than retention_days, then rewrites the exports.",
    **DAG_DEFAULTS,
):
    apply_retention = DbtRunOperationLocalOperator(
        task_id="apply_retention", macro_name="apply_retention", **dbt_task_arguments()
    )
    arguments = dbt_task_arguments()
    collector_cleanup = BashOperator(
        task_id="collector_cleanup",
        # The Python beside the project's dbt (sessions_retention needs its duckdb).
        bash_command=(
            f"'{Path(arguments['dbt_executable_path']).with_name('python')}' -m sessions_retention"
        ),
        cwd=str(PROJECT_DIR),
        env=arguments["env"],
        append_env=True,
        pool=POOL,
        retries=arguments["retries"],
        retry_delay=arguments["retry_delay"],
        retry_exponential_backoff=True,
    )
    exports = DbtBuildLocalOperator(
        task_id="rewrite_exports", select="exported_files", **dbt_task_arguments()
    )
    apply_retention >> collector_cleanup >> exports

with DAG(
    dag_id="sessions_backfill",
    schedule=None,
    description="Reprocesses one source's files (put the fixed files back first): a full "
    "refresh of the source and everything built from it.",
    params={"source": Param(SOURCES[0], type="string", enum=SOURCES)},
    **DAG_DEFAULTS,
):
    DbtBuildLocalOperator(
        task_id="dbt_build_full_refresh",
        selector="{{ params.source }}_source",
        full_refresh=True,
        **dbt_task_arguments(),
    )
