"""Time the insight marts (hourly_activity, feature_pairs) on a large history.

Writes the benchmarks' synthetic history (sessions_testkit.history: 90% app events, 10% chat)
with app actions naming one of 40 features (skewed: feature_0 is the most used), builds it with
`dbt run --full-refresh`, then, --repeats times in turn, rebuilds each mart alone
(`dbt run --select <mart>`), and feature_pairs once more with feature_pairs_min_support 0
(every pair kept: no action is pruned before the self-join). It prints the wall time of each
command (dbt's start-up included) and the model's own execution time from dbt's
run_results.json, with the medians. --reuse times the marts on the warehouse a previous run
left (same --events), without writing and building the history again.

Usage: .venv/bin/python benchmarks/insights.py [--events 10000000] [--repeats 3] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

import duckdb

from sessions_testkit.history import run_dbt, write_history

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "insights"
# What is timed: (label, mart, extra vars).
RUNS = (
    ("hourly_activity", "hourly_activity", {}),
    ("feature_pairs", "feature_pairs", {}),
    ("feature_pairs, min support 0", "feature_pairs", {"feature_pairs_min_support": 0}),
)


def model_seconds(work_dir: Path, mart: str) -> float:
    """The model's execution time in the latest run_results.json."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    (result,) = [row for row in results if row["unique_id"] == f"model.sessions.{mart}"]
    return float(result["execution_time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the history")
    parser.add_argument("--repeats", type=int, default=3, help="rebuilds of each mart to time")
    parser.add_argument("--reuse", action="store_true", help="time on the previous warehouse")
    args = parser.parse_args()

    landing = WORK_DIR / "landing"
    warehouse = WORK_DIR / "warehouse.duckdb"
    if not (args.reuse and warehouse.exists()):
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        write_history(landing, args.events, feature_names=True)
        run_dbt(warehouse, landing, "seed", work_dir=WORK_DIR)
        full = run_dbt(warehouse, landing, "run", "--full-refresh", work_dir=WORK_DIR)
        print(f"{args.events:,} events: dbt run --full-refresh {full:.1f} s")

    # Per run: dbt's wall time, the model's time, and the time to read the mart whole (for
    # hourly_activity, a view, the read is where its aggregation runs).
    timings: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _, _ in RUNS}
    rows: dict[str, int] = {}
    for _ in range(args.repeats):
        for label, mart, extra_vars in RUNS:
            wall = run_dbt(
                warehouse,
                landing,
                "run",
                "--select",
                mart,
                work_dir=WORK_DIR,
                extra_vars=extra_vars,
            )
            with duckdb.connect(str(warehouse), read_only=True) as connection:
                started = time.perf_counter()
                rows[label] = len(connection.execute(f"select * from main.{mart}").fetchall())
                read = time.perf_counter() - started
            timings[label].append((wall, model_seconds(WORK_DIR, mart), read))

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(sessions, with_actions)] = connection.execute(
            "select count(*), count(*) filter (where session_id in (select session_id"
            " from main.session_events where event_category = 'action' and source = 'app'))"
            " from main.user_sessions"
        ).fetchall()
        [(mean_actions,)] = connection.execute(
            "select avg(actions) from (select session_id,"
            " count(distinct json_extract_string(properties, '$.action')) as actions"
            " from main.session_events where source = 'app' and event_category = 'action'"
            " group by session_id)"
        ).fetchall()
    print(
        f"{sessions:,} sessions, {with_actions:,} app sessions with an action"
        f" ({mean_actions:.2f} distinct actions each on average)"
    )
    for label, mart, _ in RUNS:
        walls = [wall for wall, _, _ in timings[label]]
        models = [model for _, model, _ in timings[label]]
        reads = [read for _, _, read in timings[label]]
        print(
            f"{label}: {rows[label]:,} rows; dbt run --select {mart}: median wall"
            f" {statistics.median(walls):.1f} s, model {statistics.median(models):.1f} s,"
            f" read whole {statistics.median(reads):.2f} s"
            f" (walls {', '.join(f'{wall:.1f}' for wall in walls)};"
            f" models {', '.join(f'{model:.1f}' for model in models)};"
            f" reads {', '.join(f'{read:.2f}' for read in reads)})"
        )


if __name__ == "__main__":
    main()
