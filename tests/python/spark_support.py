"""Build the project on the `spark` target in a process of its own and write every table and
view of the public schema to Parquet (one folder per mart), for the differential tests of
test_spark.py and benchmarks/spark_vs_duckdb.py.

    python tests/python/spark_support.py WORKDIR '{"chat_events_path": ...}'

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

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCHEMA = "main"


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
        [sys.executable, __file__, str(workdir), json.dumps(variables)],
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
            "Spark build failed:\n" + "\n".join(errors[-40:]) + completed.stdout[-2000:]
            + completed.stderr[-3000:]
        )
    return float(completed.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    print(build_and_export(Path(sys.argv[1]), json.loads(sys.argv[2])))
