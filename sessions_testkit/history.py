"""The benchmarks' large synthetic history (`make benchmark`, `make benchmark-spark`): app and
chat events written by DuckDB straight to JSON-lines files, a batch of new and late events, and
the timed dbt command on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from sessions_testkit import PROJECT_DIR

USERS = 100_000
SLICE_SECONDS = 1200  # each user gets one event per slice, at a random moment within it
EVENTS_PER_FILE = USERS
FEATURES = 40  # app action names with feature_names


def app_events_sql(
    first: int, last: int, prefix: str, late: bool, feature_names: bool = False
) -> str:
    """Events first..last-1: event i belongs to user i % USERS and time slice i // USERS. With
    `feature_names`, each action names one of FEATURES features (feature_0 the most used)."""
    slice_expression = f"(hash(i * 31) % ({first} // {USERS}))" if late else f"(i // {USERS})"
    # DuckDB resolves `event_type` to the alias above it in the same select list.
    action = (
        f""",
            case when event_type = 'action' then 'feature_'
                || cast(floor({FEATURES} * pow((hash(i * 11) % 1000) / 1000.0, 3)) as integer)
            end as action"""
        if feature_names
        else ""
    )
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
            '/page/' || (hash(i * 13) % 40) as page{action}
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


def write_history(landing: Path, events: int, feature_names: bool = False) -> None:
    """90% app events in files of one time slice each, 10% chat events in ten files (app
    actions name features with `feature_names`)."""
    app_events = events * 9 // 10
    chat_events = events - app_events
    (landing / "app").mkdir(parents=True)
    (landing / "chat").mkdir(parents=True)
    with duckdb.connect() as connection:
        for number, first in enumerate(range(0, app_events, EVENTS_PER_FILE)):
            last = min(first + EVENTS_PER_FILE, app_events)
            target = landing / "app" / f"events_{number:05d}.jsonl"
            events_sql = app_events_sql(first, last, "e", False, feature_names)
            connection.execute(f"copy ({events_sql}) to '{target}'")
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


def run_dbt(
    warehouse: Path,
    landing: Path,
    *args: str,
    work_dir: Path,
    extra_vars: dict[str, object] | None = None,
) -> float:
    """`dbt <args>` on the history in `landing` (app and chat; the other sources off), its
    warehouse `warehouse`, exports, target and logs under `work_dir`, with `extra_vars`;
    returns its seconds."""
    variables = {
        "app_events_path": str(landing / "app" / "*.jsonl"),
        "chat_events_path": str(landing / "chat" / "*.jsonl"),
        "segment_enabled": False,
        "mooc_enabled": False,
        "export_dir": str(work_dir / "exports"),
        **(extra_vars or {}),
    }
    env = dict(
        os.environ,
        SESSIONS_DUCKDB_PATH=str(warehouse),
        DBT_TARGET_PATH=str(work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
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
