"""One full build of the same project on DuckDB and on a local Apache Spark, in one process run.

Generates a landing folder of `--events` events (90% product-tracking events in files of
100,000, 10% chat messages in ten files: the history of `make benchmark`), then builds it with
`dbt build` (models and data tests, no unit tests) on DuckDB (a fresh warehouse) and on
`--target spark` (session mode, the profile's local[2] master; a fresh Spark warehouse), each
in a process of its own, and checks that every mart of the two builds is equal, row for row
(test_spark's comparison). Prints both wall times (process start to end: Spark's includes its
JVM start) and Spark's dbt build time alone. Spark builds are full rebuilds (docs/scale-out.md),
so a full DuckDB build is the like-for-like figure.

Usage: .venv/bin/python benchmarks/spark_vs_duckdb.py [--events 1000000]  (make benchmark-spark)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "spark"
sys.path.insert(0, str(PROJECT_DIR / "tests" / "python"))
sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
from incremental_vs_full_refresh import write_history  # noqa: E402
from spark_support import run_spark_build, spark_mart_differences  # noqa: E402


def build_variables(landing: Path) -> dict[str, object]:
    return {
        "app_events_path": str(landing / "app" / "*.jsonl"),
        "chat_events_path": str(landing / "chat" / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
    }


def duckdb_build(work: Path, variables: dict[str, object]) -> float:
    """`dbt build` on a fresh DuckDB warehouse, as a process; its wall seconds."""
    warehouse = work / "duckdb" / "warehouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    warehouse.parent.mkdir(parents=True)
    env = dict(
        os.environ,
        SESSIONS_DUCKDB_PATH=str(warehouse),
        DBT_TARGET_PATH=str(work / "duckdb" / "target"),
        DBT_LOG_PATH=str(work / "duckdb" / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    command = [str(Path(sys.executable).parent / "dbt"), "build", "--profiles-dir", "profiles"]
    command += ["--exclude-resource-type", "unit_test"]
    command += ["--vars", json.dumps({**variables, "export_dir": str(work / "exports")})]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"dbt build on DuckDB failed:\n{result.stdout[-4000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    arguments = parser.parse_args()
    work = WORK_DIR / f"events_{arguments.events}"
    landing = work / "landing"
    if not landing.exists():
        write_history(landing, arguments.events)
    variables = build_variables(landing)

    duckdb_seconds = duckdb_build(work, variables)
    print(f"DuckDB: dbt build of {arguments.events:,} events: {duckdb_seconds:.1f} s", flush=True)

    spark_dir = work / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    started = time.perf_counter()
    spark_build_seconds = run_spark_build(spark_dir, variables)
    spark_seconds = time.perf_counter() - started
    print(
        f"Spark (local[2]): dbt build of {arguments.events:,} events: {spark_seconds:.1f} s"
        f" (of which dbt build, JVM start included: {spark_build_seconds:.1f} s; the rest:"
        " for the comparison)"
    )
    print(f"Spark / DuckDB: {spark_seconds / duckdb_seconds:.1f}x")
    problems = spark_mart_differences(work / "duckdb" / "warehouse.duckdb", spark_dir / "marts")
    print("marts equal" if not problems else "MARTS DIFFER:\n" + "\n".join(problems))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
