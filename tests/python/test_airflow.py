"""The Airflow DAGs (orchestration/airflow/dags) as Airflow runs them, from their own environment
(`make airflow-venv`; skipped when it is missing, always run by .ci/run): they import through a
DagBag without errors, every dbt task takes the one-slot writer pool, and `airflow dags test`
of the build, the backfill and the retention DAGs on the sample data ends equal to plain dbt."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtProject, sample_inputs

from sessions_testkit.mart_diff import mart_differences

AIRFLOW_PYTHON = PROJECT_DIR / ".venv-airflow" / "bin" / "python"
DAGS = PROJECT_DIR / "orchestration" / "airflow" / "dags"

pytestmark = pytest.mark.skipif(
    not AIRFLOW_PYTHON.exists(), reason="the Airflow environment is missing: make airflow-venv"
)

DAGBAG_CHECK = """
import json, sys
from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({
    "errors": {path: str(error) for path, error in bag.import_errors.items()},
    "dags": {
        dag_id: {
            task.task_id: {
                "pool": task.pool,
                "selector": getattr(task, "selector", None),
                "command": getattr(task, "base_cmd", None),
            }
            for task in dag.tasks
        }
        for dag_id, dag in bag.dags.items()
    },
}))
"""


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An Airflow home of its own (metadata database migrated, the writer pool created), and the
    manifest the DAGs read the sources from (`make manifest`) when there is none."""
    if not (PROJECT_DIR / "target" / "manifest.json").exists():
        DbtProject(PROJECT_DIR).dbt_ok("parse")
    home = tmp_path_factory.mktemp("airflow_home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
        "SCARF_ANALYTICS": "false",
        "DO_NOT_TRACK": "1",
        "SESSIONS_AIRFLOW_RETRIES": "0",
    }
    airflow = str(AIRFLOW_PYTHON.with_name("airflow"))
    for command in (
        [airflow, "db", "migrate"],
        [airflow, "pools", "set", "sessions_duckdb_writer", "1", "DuckDB writer"],
    ):
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    return env


def dags_test(env: dict[str, str], dag_id: str, *extra: str, **variables: object) -> str:
    """`airflow dags test DAG_ID`, its output; the test fails with it unless the run succeeded."""
    run_env = {**env, "SESSIONS_DBT_VARS": json.dumps(variables)}
    result = subprocess.run(
        [str(AIRFLOW_PYTHON.with_name("airflow")), "dags", "test", *extra, dag_id],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "state=success" in output, output[-6000:]
    return output


def test_dags_import_without_errors_and_share_the_writer_pool(airflow_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", DAGBAG_CHECK, str(DAGS)],
        env=airflow_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    bag = json.loads(result.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {}
    assert set(bag["dags"]) == {
        "sessions_incremental_build",
        "sessions_retention",
        "sessions_backfill",
    }
    tasks = [task for dag in bag["dags"].values() for task in dag.values()]
    assert {task["pool"] for task in tasks} == {"sessions_duckdb_writer"}
    assert bag["dags"]["sessions_incremental_build"]["dbt_build"]["selector"] == (
        "incremental_build"
    )


def test_build_backfill_and_retention_dags_equal_plain_dbt(
    airflow_env: dict[str, str], tmp_path: Path
) -> None:
    variables = sample_inputs(tmp_path)
    env = {
        **airflow_env,
        "SESSIONS_DUCKDB_PATH": str(tmp_path / "airflow.duckdb"),
        # The retention DAG cleans the collector's folders: the test's own, not the project's.
        "SESSIONS_COLLECTOR_LANDING_DIR": str(tmp_path / "landing" / "app"),
    }
    damaged = tmp_path / "input" / "chat" / "messages_part2.jsonl"
    original = damaged.read_text()
    damaged.write_text(original + '{"event_name": "message_sent", "user_id": "late-fix\n')

    dags_test(env, "sessions_incremental_build", **variables)
    damaged.write_text(
        original
        + json.dumps(
            {
                "event_name": "message_sent",
                "timestamp": "2016-11-08T18:00:00Z",
                "user_id": "late-fix",
                "channel_id": "C1",
            }
        )
        + "\n"
    )
    dags_test(env, "sessions_backfill", "--conf", json.dumps({"source": "chat"}), **variables)

    plain = DbtProject(tmp_path / "plain")
    plain.build({**variables, "export_dir": str(tmp_path / "plain_exports")})
    assert mart_differences(tmp_path / "airflow.duckdb", plain.warehouse) == []

    # A clock on the sample's last app day (retention counts from as_of, else now).
    dags_test(
        env, "sessions_retention", **variables, retention_days=1, as_of="2024-03-06T12:00:00Z"
    )
    sessions = query(tmp_path / "airflow.duckdb", "select * from user_sessions")
    assert 0 < len(sessions) < len(query(plain.warehouse, "select * from user_sessions"))
    exported = query(
        tmp_path / "airflow.duckdb",
        f"select * from read_parquet('{tmp_path / 'exports' / 'user_sessions.parquet'}')",
    )
    assert sorted(map(repr, exported)) == sorted(map(repr, sessions))


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        return connection.execute(sql).fetchall()
