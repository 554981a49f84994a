"""Time the insight marts (hourly_activity, feature_pairs) on a large history.

Writes the benchmarks' synthetic history (sessions_testkit.history: 90% app events, 10% chat)
with app actions naming one of 40 features (skewed: feature_0 is the most used), builds it with
`dbt run --full-refresh`, then, --repeats times in turn, rebuilds each mart alone
(`dbt run --select <mart>`). It prints the wall time of each command (dbt's start-up
included) and the model's own execution time from dbt's run_results.json, with the medians.

Usage: .venv/bin/python benchmarks/insights.py [--events 10000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
from pathlib import Path

import duckdb

from sessions_testkit.history import run_dbt, write_history

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "insights"
MARTS = ("hourly_activity", "feature_pairs")


def model_seconds(work_dir: Path, mart: str) -> float:
    """The model's execution time in the latest run_results.json."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    (result,) = [row for row in results if row["unique_id"] == f"model.sessions.{mart}"]
    return float(result["execution_time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the history")
    parser.add_argument("--repeats", type=int, default=3, help="rebuilds of each mart to time")
    args = parser.parse_args()

    shutil.rmtree(WORK_DIR, ignore_errors=True)
    landing = WORK_DIR / "landing"
    warehouse = WORK_DIR / "warehouse.duckdb"
    write_history(landing, args.events, feature_names=True)
    run_dbt(warehouse, landing, "seed", work_dir=WORK_DIR)
    full = run_dbt(warehouse, landing, "run", "--full-refresh", work_dir=WORK_DIR)
    print(f"{args.events:,} events: dbt run --full-refresh {full:.1f} s")

    timings: dict[str, list[tuple[float, float]]] = {mart: [] for mart in MARTS}
    for _ in range(args.repeats):
        for mart in MARTS:
            wall = run_dbt(warehouse, landing, "run", "--select", mart, work_dir=WORK_DIR)
            timings[mart].append((wall, model_seconds(WORK_DIR, mart)))

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(sessions, with_actions)] = connection.execute(
            "select count(*), count(*) filter (where session_id in (select session_id"
            " from main.session_events where event_category = 'action' and source = 'app'))"
            " from main.user_sessions"
        ).fetchall()
        rows = {
            mart: connection.execute(f"select count(*) from main.{mart}").fetchall()[0][0]
            for mart in MARTS
        }
    print(f"{sessions:,} sessions, {with_actions:,} app sessions with an action")
    for mart in MARTS:
        walls = [wall for wall, _ in timings[mart]]
        models = [model for _, model in timings[mart]]
        print(
            f"{mart}: {rows[mart]:,} rows; dbt run --select {mart}: median wall"
            f" {statistics.median(walls):.1f} s, model {statistics.median(models):.1f} s"
            f" (walls {', '.join(f'{wall:.1f}' for wall in walls)};"
            f" models {', '.join(f'{model:.1f}' for model in models)})"
        )


if __name__ == "__main__":
    main()
