"""Build the project on the `spark` target in a process of its own and write every table and
view of the public schema to Parquet (one folder per mart), for the differential tests of
test_spark.py and benchmarks/spark_vs_duckdb.py.

    python -m sessions_testkit.spark_support WORKDIR '{"chat_events_path": ...}'

Everything Spark writes (its warehouse, the Derby metastore, dbt's target and logs) stays under
WORKDIR; the marts are written to WORKDIR/marts/<name>/. Prints the build's wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from sessions_testkit import PROJECT_DIR

SCHEMA = "main"
# Stamped with the time of the run that wrote them: different in any two builds.
RUN_TIME_COLUMNS = frozenset({"_loaded_at", "invocation_id", "run_started_at"})


def spark_mart_differences(duckdb_warehouse: Path, spark_marts: Path, limit: int = 10) -> list[str]:
    """Every public table of the DuckDB build against the Spark build's export of it: the same
    tables, the same column names, and the same rows (as many times), values compared as text
    (timestamps in UTC) with the run-time columns left out."""
    problems: list[str] = []
    with duckdb.connect() as db:
        db.execute("set TimeZone = 'UTC'")
        db.execute(f"attach '{duckdb_warehouse}' as duck (read_only)")
        duck_tables = {
            name
            for (name,) in db.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'duck' and table_schema = 'main'"
            ).fetchall()
        }
        spark_tables = {path.name for path in spark_marts.iterdir()}
        if duck_tables != spark_tables:
            problems.append(f"tables differ: {sorted(duck_tables ^ spark_tables)}")
        for mart in sorted(duck_tables & spark_tables):
            spark_relation = f"read_parquet('{spark_marts / mart}/*.parquet')"
            columns = [
                [row[0] for row in db.execute(f"describe select * from {relation}").fetchall()]
                for relation in (f"duck.main.{mart}", spark_relation)
            ]
            if columns[0] != columns[1]:
                problems.append(f"{mart}: columns differ: {columns[0]} vs {columns[1]}")
                continue
            selected = ", ".join(
                f'cast("{name}" as varchar) as "{name}"'
                for name in columns[0]
                if name not in RUN_TIME_COLUMNS
            )
            for only_in, first, second in (
                ("duckdb", f"duck.main.{mart}", spark_relation),
                ("spark", spark_relation, f"duck.main.{mart}"),
            ):
                rows = db.execute(
                    f"select {selected} from {first} except all select {selected} from {second}"
                    " order by all"
                ).fetchall()
                problems += [f"{mart}: only in {only_in}: {row}" for row in rows[:limit]]
                if len(rows) > limit:
                    problems.append(f"{mart}: ... {len(rows) - limit} more only in {only_in}")
    return problems


def spark_environment(workdir: Path) -> dict[str, str]:
    """The profile's Spark locations under `workdir` (see profiles/profiles.yml)."""
    env = dict(os.environ)
    env.update(
        SESSIONS_SPARK_WAREHOUSE_DIR=str(workdir / "spark-warehouse"),
        SESSIONS_SPARK_METASTORE_DIR=str(workdir / "metastore_db"),
        SESSIONS_SPARK_SCHEMA=SCHEMA,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
    )
    return env


def build_and_export(workdir: Path, variables: dict[str, Any]) -> float:
    """`dbt build --target spark` (no unit tests) in this process, then every mart of the
    public schema written to workdir/marts/<name>; returns the build's seconds."""
    from dbt.cli.main import dbtRunner
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    result = dbtRunner().invoke(
        [
            "build",
            "--target",
            "spark",
            "--exclude-resource-type",
            "unit_test",
            "--profiles-dir",
            str(PROJECT_DIR / "profiles"),
            "--project-dir",
            str(PROJECT_DIR),
            "--vars",
            json.dumps(variables),
        ]
    )
    seconds = time.perf_counter() - started
    if not result.success:
        raise SystemExit(f"dbt build --target spark failed: {result.exception or ''}")
    spark = SparkSession.builder.getOrCreate()
    for row in spark.sql(f"show tables in {SCHEMA}").collect():
        if row["isTemporary"]:  # the file readers' views of the build
            continue
        name = row["tableName"]
        spark.table(f"{SCHEMA}.{name}").write.mode("overwrite").parquet(
            str(workdir / "marts" / name)
        )
    return seconds


def run_spark_build(workdir: Path, variables: dict[str, Any]) -> float:
    """build_and_export in a child process (a JVM and a Derby metastore of its own, both gone
    when it ends); returns the dbt build's seconds. Fails with the end of its output."""
    workdir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sessions_testkit.spark_support",
            str(workdir),
            json.dumps(variables),
        ],
        cwd=PROJECT_DIR,
        env=spark_environment(workdir),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        log = workdir / "logs" / "dbt.log"
        errors = [
            line
            for line in (log.read_text().splitlines() if log.exists() else [])
            if "[error]" in line or "Error" in line
        ]
        raise AssertionError(
            "Spark build failed:\n"
            + "\n".join(errors[-40:])
            + completed.stdout[-2000:]
            + completed.stderr[-3000:]
        )
    return float(completed.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    print(build_and_export(Path(sys.argv[1]), json.loads(sys.argv[2])))
