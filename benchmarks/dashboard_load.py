"""Time the dashboard's data layer on a large export: loading a snapshot and each view's query.

Takes the exports of `make build` (the sample data) and makes user_sessions --sessions rows by
copying its sessions to new ids and days (the other marts as they are), writes them with a
manifest as a build does, then times Snapshot.load (what a page pays once per build) and every
query a page view runs (median of --repeats), and prints the figures (a filter drawn the first
time, and again: a snapshot remembers its query results) and the resident memory.

Usage: .venv/bin/python benchmarks/dashboard_load.py [--sessions 10000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from dashboard.data import MARTS, Filter, Snapshot, export_dir
from sessions_exports import MANIFEST_NAME

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "dashboard_exports"


def make_exports(source: Path, target: Path, sessions: int) -> None:
    """The sample exports with user_sessions grown to `sessions` rows (copies moved by whole
    days and given new session and user ids, so users and days grow with it)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    manifest = json.loads((source / MANIFEST_NAME).read_text())
    for mart in MARTS:
        if mart != "user_sessions":
            shutil.copy(source / f"{mart}.parquet", target)
    with duckdb.connect() as connection:
        path = str(source / "user_sessions.parquet")
        [(sample_rows,)] = connection.execute(
            "select count(*) from read_parquet($p)", {"p": path}
        ).fetchall()
        copies = -(-sessions // sample_rows)
        connection.execute(
            f"""
            copy (
                select * replace (
                    session_id || '-' || copy as session_id,
                    user_id || '-' || (copy % 1000) as user_id,
                    start_time + to_days(cast(copy // 1000 as integer)) as start_time,
                    end_time + to_days(cast(copy // 1000 as integer)) as end_time
                )
                from read_parquet($p), range({copies}) as copies (copy)
                limit {sessions}
            ) to '{target / "user_sessions.parquet"}' (format parquet)
            """,
            {"p": path},
        )
    manifest["files"]["user_sessions.parquet"]["rows"] = sessions
    (target / MANIFEST_NAME).write_text(json.dumps(manifest))


def median_seconds(action: Callable[[], Any], repeats: int, forget: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        forget()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()

    source = export_dir()
    if not (source / MANIFEST_NAME).exists():
        raise SystemExit(f"No exports in {source}: run `make build` first.")
    started = time.perf_counter()
    make_exports(source, WORK_DIR, arguments.sessions)
    size_mb = (WORK_DIR / "user_sessions.parquet").stat().st_size / 1e6
    print(
        f"exports of {arguments.sessions:,} sessions ({size_mb:.0f} MB user_sessions.parquet)"
        f" written in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    snapshot = Snapshot.load(WORK_DIR)
    print(f"Snapshot.load: {time.perf_counter() - started:.2f} s")
    bounds = snapshot.date_bounds()
    assert bounds is not None
    everything = Filter(*bounds, tuple(snapshot.sources()))
    user = snapshot.value("select user_id from user_sessions limit 1")
    views: dict[str, Callable[[], Any]] = {
        "filters (sources, days)": lambda: (snapshot.sources(), snapshot.date_bounds()),
        "kpis": lambda: snapshot.kpis(everything),
        "daily": lambda: snapshot.daily(everything),
        "event count distribution": lambda: snapshot.event_count_distribution(everything),
        "duration distribution": lambda: snapshot.duration_distribution(everything),
        "top entry/exit pages, exit reasons": lambda: [
            snapshot.top_values(everything, column)
            for column in ("entry_page", "exit_page", "exit_reason")
        ],
        "user timeline": lambda: snapshot.user_timeline(user),
    }
    total = 0.0
    print("first drawing of a filter (each query run):")
    for name, action in views.items():
        seconds = median_seconds(action, arguments.repeats, snapshot.remembered.clear)
        total += seconds
        print(f"{name:>36}: {seconds * 1000:8.1f} ms")
    print(f"{'every view':>36}: {total * 1000:8.1f} ms")
    snapshot.remembered.clear()
    every_view = lambda: [action() for action in views.values()]  # noqa: E731
    every_view()
    again = median_seconds(every_view, arguments.repeats, lambda: None)
    print(f"{'every view again (remembered)':>36}: {again * 1000:8.1f} ms")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
