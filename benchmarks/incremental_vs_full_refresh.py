"""Time an incremental run against a full refresh of the same project, in one process run.

Builds a landing folder with a large history of product-tracking (app) and chat events and
loads it with `dbt run --full-refresh`, then adds a batch of 1% more events (recent ones plus
late arrivals that fall inside old sessions) and, --repeats times in turn, times the incremental
`dbt run` (each time from a copy of the warehouse as it was before the batch) and a
`dbt run --full-refresh` over all files (the work the incremental run stands in for). The
figure is the ratio of the two medians; taking the runs in turn means a machine that speeds up
or slows down during the benchmark weighs on both alike. A run with nothing new shows the fixed
cost of any dbt invocation, and the difference the work of the batch itself. With --verify it
checks that every mart of the incremental run equals the full refresh.

Usage: .venv/bin/python benchmarks/incremental_vs_full_refresh.py [--events 10000000] [--verify]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path

import duckdb

# The history, and the one mart comparison shared with the incremental equivalence tests.
from sessions_testkit.history import run_dbt, write_batch, write_history
from sessions_testkit.mart_diff import mart_differences

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data"


def marts_equal(first: Path, second: Path) -> bool:
    """Every mart of the two warehouses equal, row for row (the tests' comparison)."""
    problems = mart_differences(first, second, first_label="the incremental run")
    for problem in problems:
        print(f"  {problem}")
    return not problems


def batch_run_stats(warehouse: Path) -> dict[str, object]:
    """The run_stats row of the latest run: what the batch loaded and which sessions it changed."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute(
            "select * exclude (invocation_id, run_started_at, is_full_refresh) from main.run_stats"
            " order by run_started_at desc limit 1"
        )
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def copy_warehouse(source: Path, target: Path) -> None:
    """A byte copy of a closed warehouse (and its write-ahead log, if any)."""
    for suffix in ("", ".wal"):
        origin = Path(f"{source}{suffix}")
        destination = Path(f"{target}{suffix}")
        destination.unlink(missing_ok=True)
        if origin.exists():
            shutil.copyfile(origin, destination)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the history")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each kind to time")
    parser.add_argument(
        "--verify", action="store_true", help="check the marts against the full refresh"
    )
    args = parser.parse_args()

    shutil.rmtree(WORK_DIR, ignore_errors=True)
    landing = WORK_DIR / "landing"
    warehouse = WORK_DIR / "warehouse.duckdb"
    before_batch = WORK_DIR / "before_batch.duckdb"
    incremental_result = WORK_DIR / "incremental_result.duckdb"
    write_history(landing, args.events)
    run_dbt(warehouse, landing, "seed", work_dir=WORK_DIR)
    run_dbt(warehouse, landing, "run", "--full-refresh", work_dir=WORK_DIR)
    copy_warehouse(warehouse, before_batch)
    batch = write_batch(landing, args.events)

    # One warehouse path throughout: another path would be another profile, and dbt would parse
    # the whole project again instead of reusing its partial parse.
    incremental_runs = []
    full_refresh_runs = []
    for repeat in range(max(1, args.repeats)):
        copy_warehouse(before_batch, warehouse)
        incremental_runs.append(run_dbt(warehouse, landing, "run", work_dir=WORK_DIR))
        if repeat == 0:
            stats = batch_run_stats(warehouse)
            if args.verify:
                copy_warehouse(warehouse, incremental_result)
        full_refresh_runs.append(
            run_dbt(warehouse, landing, "run", "--full-refresh", work_dir=WORK_DIR)
        )
    idle_seconds = run_dbt(warehouse, landing, "run", work_dir=WORK_DIR)
    incremental_seconds = statistics.median(incremental_runs)
    full_seconds = statistics.median(full_refresh_runs)

    print(f"history: {args.events:,} events; new batch: {batch:,} events (10% late)")
    runs = ", ".join(f"{seconds:.1f}" for seconds in full_refresh_runs)
    print(f"full refresh:    {full_seconds:8.1f} s (median of {runs})")
    runs = ", ".join(f"{seconds:.1f}" for seconds in incremental_runs)
    print(f"incremental run: {incremental_seconds:8.1f} s (median of {runs})")
    print(f"run with no new files: {idle_seconds:.1f} s")
    print(f"ratio incremental / full refresh: {incremental_seconds / full_seconds:.1%}")
    # The run with no new files is the fixed cost of any dbt invocation; the rest is the batch.
    batch_seconds = incremental_seconds - idle_seconds
    print(f"batch work (incremental - no new files): {batch_seconds:.1f} s", end=" ")
    print(f"({batch_seconds / full_seconds:.1%} of the full refresh)")
    print(
        "run_stats of the batch:", ", ".join(f"{name} {value:,}" for name, value in stats.items())
    )

    if args.verify:
        equal = marts_equal(incremental_result, warehouse)
        print("marts equal to a full refresh:", "yes" if equal else "NO")


if __name__ == "__main__":
    main()
