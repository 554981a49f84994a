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
import shutil
import sys
import time
from pathlib import Path

from sessions_testkit.history import run_dbt, write_history
from sessions_testkit.spark_support import run_spark_build, spark_mart_differences

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "spark"
# Where `make benchmark` keeps its dbt target, logs and exports (run_dbt's work_dir).
RUN_DIR = PROJECT_DIR / "benchmarks" / "data"


def build_variables(landing: Path) -> dict[str, object]:
    """The vars of `make benchmark`'s builds (run_dbt): app and chat, the others off."""
    return {
        "app_events_path": str(landing / "app" / "*.jsonl"),
        "chat_events_path": str(landing / "chat" / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    arguments = parser.parse_args()
    work = WORK_DIR / f"events_{arguments.events}"
    landing = work / "landing"
    if not landing.exists():
        write_history(landing, arguments.events)
    variables = build_variables(landing)

    warehouse = work / "duckdb" / "warehouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    warehouse.parent.mkdir(parents=True)
    duckdb_seconds = run_dbt(
        warehouse, landing, "build", "--exclude-resource-type", "unit_test", work_dir=RUN_DIR
    )
    print(f"DuckDB: dbt build of {arguments.events:,} events: {duckdb_seconds:.1f} s", flush=True)

    spark_dir = work / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    started = time.perf_counter()
    spark_build_seconds = run_spark_build(spark_dir, variables)
    spark_seconds = time.perf_counter() - started
    print(
        f"Spark (local[2]): dbt build of {arguments.events:,} events: {spark_seconds:.1f} s"
        f" (of which dbt build, JVM start included: {spark_build_seconds:.1f} s; the rest:"
        " process start and the marts written out for the comparison)"
    )
    print(f"Spark / DuckDB: {spark_seconds / duckdb_seconds:.1f}x")
    problems = spark_mart_differences(warehouse, spark_dir / "marts")
    print("marts equal" if not problems else "MARTS DIFFER:\n" + "\n".join(problems))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
