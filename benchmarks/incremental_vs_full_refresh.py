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
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data"
# The one mart comparison, shared with the incremental equivalence tests.
sys.path.insert(0, str(PROJECT_DIR / "tests" / "python"))
from mart_diff import mart_differences  # noqa: E402

USERS = 100_000
SLICE_SECONDS = 1200  # each user gets one event per slice, at a random moment within it
EVENTS_PER_FILE = USERS


def app_events_sql(first: int, last: int, prefix: str, late: bool) -> str:
    """Events first..last-1: event i belongs to user i % USERS and time slice i // USERS."""
    slice_expression = f"(hash(i * 31) % ({first} // {USERS}))" if late else f"(i // {USERS})"
    return f"""
        select
            '{prefix}' || i as event_id,
            case
                when hash(i) % 23 = 0 then 'session_start'
                when hash(i) % 29 = 0 then 'session_end'
                when hash(i) % 17 = 0 then 'heartbeat'
                when hash(i) % 31 = 0 then 'error'
                when hash(i) % 5 = 0 then 'action'
                else 'page_view'
            end as event_type,
            strftime(
                timestamp '2024-01-01' + to_seconds(
                    {slice_expression} * {SLICE_SECONDS} + hash(i * 7) % {SLICE_SECONDS}
                ),
                '%Y-%m-%dT%H:%M:%SZ'
            ) as timestamp,
            'u' || (i % {USERS}) as user_id,
            '/page/' || (hash(i * 13) % 40) as page
        from range({first}, {last}) as t(i)
    """


def chat_events_sql(first: int, last: int) -> str:
    return f"""
        select
            'send_message' as event_name,
            strftime(
                timestamp '2024-01-01' + to_seconds((i // 10000) * 45 + hash(i) % 40),
                '%Y-%m-%dT%H:%M:%SZ'
            ) as timestamp,
            cast(i % 10000 as varchar) as user_id,
            cast(hash(i * 3) % 12 as varchar) as channel_id
        from range({first}, {last}) as t(i)
    """


def write_history(landing: Path, events: int) -> None:
    """90% app events in files of one time slice each, 10% chat events in ten files."""
    app_events = events * 9 // 10
    chat_events = events - app_events
    (landing / "app").mkdir(parents=True)
    (landing / "chat").mkdir(parents=True)
    with duckdb.connect() as connection:
        for number, first in enumerate(range(0, app_events, EVENTS_PER_FILE)):
            last = min(first + EVENTS_PER_FILE, app_events)
            target = landing / "app" / f"events_{number:05d}.jsonl"
            connection.execute(f"copy ({app_events_sql(first, last, 'e', False)}) to '{target}'")
        step = max(1, chat_events // 10)
        for number, first in enumerate(range(0, chat_events, step)):
            target = landing / "chat" / f"messages_{number:05d}.jsonl"
            last = min(first + step, chat_events)
            connection.execute(f"copy ({chat_events_sql(first, last)}) to '{target}'")


def write_batch(landing: Path, history_events: int) -> int:
    """1% more app events: 90% in the next time slice, 10% late (inside old sessions)."""
    app_history = history_events * 9 // 10
    batch = max(1, history_events // 100)
    recent = batch * 9 // 10
    with duckdb.connect() as connection:
        first = (app_history // USERS + 1) * USERS
        target = landing / "app" / "events_99998_recent.jsonl"
        recent_sql = app_events_sql(first, first + recent, "n", False)
        connection.execute(f"copy ({recent_sql}) to '{target}'")
        target = landing / "app" / "events_99999_late.jsonl"
        late_sql = app_events_sql(first, first + batch - recent, "l", True)
        connection.execute(f"copy ({late_sql}) to '{target}'")
    return batch


def run_dbt(warehouse: Path, landing: Path, *args: str) -> float:
    variables = {
        "app_events_path": str(landing / "app" / "*.jsonl"),
        "chat_events_path": str(landing / "chat" / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
        "export_dir": str(WORK_DIR / "exports"),
    }
    env = dict(
        os.environ,
        SESSIONS_DUCKDB_PATH=str(warehouse),
        DBT_TARGET_PATH=str(WORK_DIR / "target"),
        DBT_LOG_PATH=str(WORK_DIR / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "profiles"]
    command += ["--vars", json.dumps(variables)]
    # Flush the copies and checkpoints of earlier runs to disk first: the run timed should not
    # pay for writing them back (os.sync exists on Unix only).
    if hasattr(os, "sync"):
        os.sync()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return elapsed


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
    run_dbt(warehouse, landing, "seed")
    run_dbt(warehouse, landing, "run", "--full-refresh")
    copy_warehouse(warehouse, before_batch)
    batch = write_batch(landing, args.events)

    # One warehouse path throughout: another path would be another profile, and dbt would parse
    # the whole project again instead of reusing its partial parse.
    incremental_runs = []
    full_refresh_runs = []
    for repeat in range(max(1, args.repeats)):
        copy_warehouse(before_batch, warehouse)
        incremental_runs.append(run_dbt(warehouse, landing, "run"))
        if repeat == 0:
            stats = batch_run_stats(warehouse)
            if args.verify:
                copy_warehouse(warehouse, incremental_result)
        full_refresh_runs.append(run_dbt(warehouse, landing, "run", "--full-refresh"))
    idle_seconds = run_dbt(warehouse, landing, "run")
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
