"""The chat pipeline against the pipelines a user would write instead, in one process run.

Generates chat events in the chat source's format (one JSON-lines file, and the same events as
a landing folder of 10 files), then, --repeats times in turn, runs every pipeline as its own
process and times it as a whole (start-up included):

- dbt run: the project's full refresh of the chat pipeline (`dbt run --select +chat_sessions`,
  models only; the fresh warehouse gets its seed first, untimed), on the file and on the folder;
- dbt build: the same selection with seeds and data tests, on a fresh warehouse;
- polars: a lazy pipeline (parse, sort, LAG-style diff, cumulative sum, per-session aggregate
  with the top channel, Parquet out);
- pandas: groupby / shift / cumsum over the parsed file;
- duckdb: one hand-written query over read_json (the engine's floor: parse, sort, windows);
- python: a line-by-line loop (only up to 1M events);
- polars (same work), duckdb (same work): the same pipelines writing what the project's build
  writes too, every event with its session (a per-event Parquet file) beside the sessions: the
  ratios of the issue's targets are against these.

For the dbt runs it also samples, every 0.2 s, the disk the warehouse takes (the file, its
write-ahead log and DuckDB's temp directory of spilled data) and prints the peak and the final
size; for the others, the size of what they wrote.

Every pipeline writes its sessions to Parquet, and the benchmark checks (in DuckDB: a multiset
difference, both ways) that they all found the same sessions (user, start, end, messages, top
channel and its messages; the top channel is the one with the most messages, ties to the
earliest first message, then the lowest id as text). It prints the median wall time, events per
second, peak resident memory and disk of each, and each time as a ratio to polars (same work).
The inputs live under benchmarks/data/peers (git-ignored).

It also prints each model's time in the last `dbt run` (from dbt's run_results.json).

Usage: .venv/bin/python benchmarks/peers.py [--events 10000000] [--repeats 3] [--only a,b]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = PROJECT_DIR / "benchmarks" / "data" / "peers"
GAP_SECONDS = 30
FOLDER_FILES = 10
PYTHON_LOOP_MAX_EVENTS = 1_000_000
SESSION_COLUMNS = (
    "user_id, session_start, session_end, total_messages, top_channel_id, top_channel_messages"
)


def generate(events: int, work: Path, with_folder: bool = True) -> tuple[Path, Path]:
    """`events` chat events of events/100 users, out of time order, as one file and (with
    `with_folder`) as a folder of FOLDER_FILES files holding the same events."""
    single = work / f"chat_{events}.jsonl"
    folder = work / f"chat_{events}_folder"
    if single.exists() and (folder.exists() or not with_folder):
        return single, folder
    users = max(1, events // 100)
    events_sql = f"""
        select
            i,
            'send_message' as event_name,
            strftime(
                timestamp '2024-01-01' + to_seconds((i // {users}) * 20 + hash(i) % 25),
                '%Y-%m-%dT%H:%M:%SZ'
            ) as timestamp,
            cast(i % {users} as varchar) as user_id,
            cast(hash(i * 3) % 12 as varchar) as channel_id
        from range({events}) as t(i)
    """
    columns = "event_name, timestamp, user_id, channel_id"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select {columns} from ({events_sql}) order by hash(i * 7) % 1000, i)"
            f" to '{single}' (format json)"
        )
        if with_folder:
            folder.mkdir(parents=True, exist_ok=True)
        for number in range(FOLDER_FILES if with_folder else 0):
            connection.execute(
                f"copy (select {columns} from ({events_sql}) where i % {FOLDER_FILES} = {number}"
                f" order by hash(i * 7) % 1000, i) to '{folder / f'part_{number:02d}.jsonl'}'"
                " (format json)"
            )
    return single, folder


# --- the pipelines (each runs in its own process: see run_one) ---


def run_polars(source: Path, out: Path, same_work: bool = False) -> None:
    """A lazy polars pipeline; with `same_work`, every event with its session is written too
    (a per-event Parquet file), and the sessions are computed from those rows."""
    import polars as pl

    schema = {name: pl.String for name in ("event_name", "timestamp", "user_id", "channel_id")}
    events = (
        pl.scan_ndjson(source, schema=schema)
        .with_columns(pl.col("timestamp").str.to_datetime(time_zone="UTC"))
        .sort(["user_id", "timestamp"])
        .with_columns(
            (
                (pl.col("timestamp").diff().over("user_id").dt.total_seconds() > GAP_SECONDS)
                .fill_null(True)
                .cum_sum()
                .over("user_id")
            ).alias("session_number")
        )
    )
    if same_work:
        collected = events.collect()
        collected.write_parquet(per_event_path(out))
        events = collected.lazy()
    keys = ["user_id", "session_number"]
    sessions = events.group_by(keys).agg(
        pl.col("timestamp").min().alias("session_start"),
        pl.col("timestamp").max().alias("session_end"),
        (pl.col("event_name") == "send_message").sum().alias("total_messages"),
    )
    top = (
        events.filter(pl.col("event_name") == "send_message")
        .group_by([*keys, "channel_id"])
        .agg(pl.len().alias("top_channel_messages"), pl.col("timestamp").min().alias("first"))
        .sort(["top_channel_messages", "first", "channel_id"], descending=[True, False, False])
        .group_by(keys, maintain_order=True)
        .first()
        .rename({"channel_id": "top_channel_id"})
    )
    sessions.join(top, on=keys, how="left").select(
        SESSION_COLUMNS.split(", ")
    ).collect().write_parquet(out)


def run_polars_same_work(source: Path, out: Path) -> None:
    run_polars(source, out, same_work=True)


def per_event_path(out: Path) -> Path:
    """Where a same-work pipeline writes its per-event table, beside its sessions."""
    return out.with_name(out.stem + "_events.parquet")


def run_pandas(source: Path, out: Path) -> None:
    import pandas as pd

    events = pd.read_json(source, lines=True, engine="pyarrow")
    events["timestamp"] = pd.to_datetime(events["timestamp"], utc=True)
    events = events.sort_values(["user_id", "timestamp"], kind="stable")
    gaps = events.groupby("user_id")["timestamp"].diff().dt.total_seconds()
    events["session_number"] = (
        (gaps.isna() | (gaps > GAP_SECONDS)).groupby(events["user_id"]).cumsum()
    )
    keys = ["user_id", "session_number"]
    events["is_message"] = events["event_name"] == "send_message"
    sessions = events.groupby(keys, as_index=False).agg(
        session_start=("timestamp", "min"),
        session_end=("timestamp", "max"),
        total_messages=("is_message", "sum"),
    )
    channels = (
        events[events["is_message"]]
        .groupby([*keys, "channel_id"], as_index=False)
        .agg(top_channel_messages=("timestamp", "size"), first=("timestamp", "min"))
        .sort_values(["top_channel_messages", "first", "channel_id"], ascending=[False, True, True])
        .drop_duplicates(keys)
        .rename(columns={"channel_id": "top_channel_id"})
    )
    result = sessions.merge(channels, on=keys, how="left")
    result[SESSION_COLUMNS.split(", ")].to_parquet(out, index=False)


def run_duckdb(source: Path, out: Path, same_work: bool = False) -> None:
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        ctes = f"""
                with events as (
                    select
                        user_id,
                        channel_id,
                        event_name = 'send_message' as is_message,
                        cast("timestamp" as timestamptz) as event_time
                    from read_json('{source}', columns = {{
                        event_name: 'varchar', timestamp: 'varchar', user_id: 'varchar',
                        channel_id: 'varchar'
                    }})
                ),
                flagged as (
                    select
                        *,
                        coalesce(
                            event_time - lag(event_time) over by_user
                            > interval {GAP_SECONDS} second,
                            true
                        ) as is_new_session
                    from events
                    window by_user as (partition by user_id order by event_time)
                ),
                numbered as (
                    select
                        *,
                        -- Events at the same time: the one that opens a session first.
                        sum(is_new_session::int) over (
                            partition by user_id order by event_time, is_new_session desc
                            rows unbounded preceding
                        ) as session_number
                    from flagged
                )
        """
        if same_work:  # every event with its session, then the sessions from those rows
            connection.execute(
                f"create temp table numbered_events as {ctes} select * from numbered"
            )
            connection.execute(f"copy numbered_events to '{per_event_path(out)}'")
            ctes = "with numbered as (select * from numbered_events)"
        connection.execute(f"""
            copy (
                {ctes},
                sessions as (
                    select
                        user_id,
                        session_number,
                        min(event_time) as session_start,
                        max(event_time) as session_end,
                        count(*) filter (where is_message) as total_messages
                    from numbered
                    group by all
                ),
                channel_counts as (
                    select
                        user_id,
                        session_number,
                        channel_id,
                        count(*) as messages,
                        min(event_time) as first_message_time
                    from numbered
                    where is_message
                    group by user_id, session_number, channel_id
                ),
                channels as (
                    select
                        user_id,
                        session_number,
                        channel_id as top_channel_id,
                        messages as top_channel_messages
                    from channel_counts
                    qualify row_number() over (
                        partition by user_id, session_number
                        order by messages desc, first_message_time, channel_id
                    ) = 1
                )
                select {SESSION_COLUMNS}
                from sessions
                left join channels using (user_id, session_number)
            ) to '{out}'
        """)


def run_python(source: Path, out: Path) -> None:
    """Line by line: parse every event, order each user's events by time, then one pass that
    closes a session at a gap above GAP_SECONDS and counts its messages per channel."""
    per_user: dict[str, list[tuple[datetime, str, bool]]] = {}
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            moment = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            per_user.setdefault(event["user_id"], []).append(
                (moment, event["channel_id"], event["event_name"] == "send_message")
            )
    rows: list[dict[str, object]] = []
    for user_id, events in per_user.items():
        events.sort(key=lambda event: event[0])
        session: list[tuple[datetime, str, bool]] = []
        for event in [*events, None]:
            if session and (event is None or (event[0] - session[-1][0]).total_seconds() > 30):
                rows.append(_python_session(user_id, session))
                session = []
            if event is not None:
                session.append(event)
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), out)


def _python_session(user_id: str, events: list[tuple[datetime, str, bool]]) -> dict[str, object]:
    counts = Counter(channel for _, channel, is_message in events if is_message)
    first: dict[str, datetime] = {}
    for moment, channel, is_message in events:
        if is_message:
            first.setdefault(channel, moment)
    top = min(counts, key=lambda channel: (-counts[channel], first[channel], channel), default=None)
    return {
        "user_id": user_id,
        "session_start": events[0][0],
        "session_end": events[-1][0],
        "total_messages": sum(counts.values()),
        "top_channel_id": top,
        "top_channel_messages": counts[top] if top is not None else None,
    }


def dbt_environment(work: Path, warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SESSIONS_DUCKDB_PATH=str(warehouse),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def dbt_command(command: str, source: Path, work: Path) -> list[str]:
    path = f"{source}/*.jsonl" if source.is_dir() else str(source)
    variables = {
        "chat_events_path": path,
        "segment_enabled": False,
        "mooc_enabled": False,
        "app_enabled": False,
        "export_dir": str(work / "exports"),
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    selection = ["--select", "+chat_sessions"] if command != "seed" else []
    return [dbt, command, *selection, "--profiles-dir", "profiles", "--vars", json.dumps(variables)]


def timed_run(command: list[str], **options: Any) -> tuple[float, subprocess.CompletedProcess]:
    """Runs `command`, failing with its output when it fails; returns its wall time too."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{command[1:3]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return seconds, result


def run_dbt(command: str, source: Path, out: Path, work: Path) -> None:
    warehouse = work / "warehouse.duckdb"
    for stale in work.glob("warehouse.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    env = dbt_environment(work, warehouse)
    if command == "run":  # a fresh warehouse needs the seed, which dbt run skips (untimed)
        subprocess.run(
            dbt_command("seed", source, work),
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
    with DiskSampler(warehouse) as disk:
        seconds, _ = timed_run(dbt_command(command, source, work), cwd=PROJECT_DIR, env=env)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"copy (select {SESSION_COLUMNS} from main.chat_sessions) to '{out}'")
    print(
        json.dumps(
            {
                "timed_seconds": seconds,
                "peak_disk_bytes": disk.peak,
                "final_disk_bytes": disk.size(),
            }
        )
    )


class DiskSampler:
    """Samples, every 0.2 s while in use, the bytes the warehouse takes on disk: its file, its
    write-ahead log and its temp directory (DuckDB's spilled data); keeps the peak."""

    def __init__(self, warehouse: Path) -> None:
        self.paths = [
            warehouse,
            Path(f"{warehouse}.wal"),
            Path(os.environ.get("SESSIONS_DUCKDB_TEMP_DIR", f"{warehouse}.tmp")),
        ]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def size(self) -> int:
        total = 0
        for path in self.paths:
            try:
                if path.is_dir():
                    total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                elif path.exists():
                    total += path.stat().st_size
            except FileNotFoundError:  # a spill file removed while counting
                continue
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.size())

    def __enter__(self) -> DiskSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.size())


def written_bytes(out: Path) -> int:
    """What a pipeline other than dbt wrote: its sessions and, for the same-work ones, its
    per-event table."""
    return sum(path.stat().st_size for path in (out, per_event_path(out)) if path.exists())


def run_duckdb_same_work(source: Path, out: Path) -> None:
    run_duckdb(source, out, same_work=True)


PIPELINES = {
    "polars": run_polars,
    "pandas": run_pandas,
    "duckdb": run_duckdb,
    "python": run_python,
    "polars (same work)": run_polars_same_work,
    "duckdb (same work)": run_duckdb_same_work,
}


def run_one(name: str, source: Path, out: Path, work: Path) -> None:
    """Runs one pipeline in this process (dbt: as a child), then prints its peak memory."""
    if name.startswith("dbt "):
        run_dbt(name.split()[1], source, out, work)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    else:
        per_event_path(out).unlink(missing_ok=True)
        PIPELINES[name](source, out)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        written = written_bytes(out)
        print(json.dumps({"peak_disk_bytes": written, "final_disk_bytes": written}))
    print(json.dumps({"peak_rss_bytes": peak * 1024}))


def measure(name: str, source: Path, out: Path, work: Path) -> dict[str, float]:
    """Wall time (the dbt command alone for dbt), peak resident memory and disk of one run."""
    if hasattr(os, "sync"):
        os.sync()
    seconds, result = timed_run(
        [
            sys.executable,
            __file__,
            "--one",
            name,
            "--source",
            str(source),
            "--out",
            str(out),
            "--work",
            str(work),
        ],
    )
    facts: dict[str, float] = {"timed_seconds": seconds}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            facts.update(json.loads(line))
    return facts


def sessions_query(path: Path) -> str:
    return f"""
        select
            user_id,
            epoch_us(cast(session_start as timestamptz)),
            epoch_us(cast(session_end as timestamptz)),
            cast(total_messages as bigint),
            top_channel_id,
            cast(top_channel_messages as bigint)
        from read_parquet('{path}')
    """


def session_count(path: Path) -> int:
    with duckdb.connect() as connection:
        return connection.execute(f"select count(*) from ({sessions_query(path)})").fetchall()[0][0]


def same_sessions(path: Path, reference: Path) -> bool:
    """Whether two outputs hold the same sessions, as multisets (in DuckDB: it scales to the
    17M sessions of 100M events)."""
    with duckdb.connect() as connection:
        differences = connection.execute(f"""
            select count(*) from (
                ({sessions_query(path)} except all {sessions_query(reference)})
                union all
                ({sessions_query(reference)} except all {sessions_query(path)})
            )
        """).fetchall()[0][0]
    return differences == 0


def model_timings(work: Path) -> list[tuple[str, float]]:
    """Each model's time in the last dbt run made in `work` (dbt's run_results.json)."""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return sorted(
        ((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results),
        key=lambda item: -item[1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", help="comma-separated pipeline names (default: all)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.source, args.out, args.work)
        return

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Generating {args.events:,} chat events ...", flush=True)
    with_folder = not args.only or f"dbt run ({FOLDER_FILES} files)" in args.only
    single, folder = generate(args.events, WORK_DIR, with_folder)
    # (name, pipeline, input)
    runs = [
        ("dbt run", "dbt run", single),
        (f"dbt run ({FOLDER_FILES} files)", "dbt run", folder),
        ("dbt build", "dbt build", single),
        ("polars", "polars", single),
        ("pandas", "pandas", single),
        ("duckdb", "duckdb", single),
        ("polars (same work)", "polars (same work)", single),
        ("duckdb (same work)", "duckdb (same work)", single),
    ]
    if args.events <= PYTHON_LOOP_MAX_EVENTS:
        runs.append(("python", "python", single))
    if args.only:
        wanted = [name.strip() for name in args.only.split(",")]
        unknown = set(wanted) - {name for name, _, _ in runs}
        if unknown:
            raise SystemExit(f"--only: no such pipeline: {sorted(unknown)}")
        runs = [run for run in runs if run[0] in wanted]
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    peaks: dict[str, float] = dict.fromkeys(times, 0)
    disks: dict[str, float] = dict.fromkeys(times, 0)
    finals: dict[str, float] = dict.fromkeys(times, 0)
    outputs: dict[str, Path] = {}
    for repeat in range(1, args.repeats + 1):
        for name, pipeline, source in runs:
            key = name.replace(" ", "_").replace("(", "").replace(")", "")
            work = WORK_DIR / key
            work.mkdir(exist_ok=True)
            out = WORK_DIR / f"{key}.parquet"
            facts = measure(pipeline, source, out, work)
            times[name].append(facts["timed_seconds"])
            peaks[name] = max(peaks[name], facts["peak_rss_bytes"])
            disks[name] = max(disks[name], facts["peak_disk_bytes"])
            finals[name] = facts["final_disk_bytes"]
            outputs[name] = out
            print(
                f"  run {repeat}: {name:<20} {facts['timed_seconds']:7.2f} s"
                f" {facts['peak_rss_bytes'] / 1e9:5.2f} GB memory"
                f" {facts['peak_disk_bytes'] / 1e9:6.2f} GB disk at peak",
                flush=True,
            )

    baseline = next(name for name in ("polars (same work)", "polars", *times) if name in times)
    reference = outputs[baseline]
    different = [name for name, out in outputs.items() if not same_sessions(out, reference)]
    if different:
        raise SystemExit(f"These pipelines found other sessions than {baseline}: {different}")

    base_time = statistics.median(times[baseline])
    input_bytes = single.stat().st_size
    print(
        f"\n{args.events:,} chat events ({input_bytes / 1e9:.2f} GB), "
        f"{session_count(reference):,} sessions, {os.cpu_count()} cores, median of "
        f"{args.repeats} runs; every pipeline found the same sessions.\n"
    )
    print(
        f"| pipeline | wall (s) | events/s | peak RSS (GB) | peak disk (GB) | disk after (GB) "
        f"| vs {baseline} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in times:
        median = statistics.median(times[name])
        print(
            f"| {name} | {median:.2f} | {args.events / median:,.0f} | {peaks[name] / 1e9:.2f} | "
            f"{disks[name] / 1e9:.2f} | {finals[name] / 1e9:.2f} | {median / base_time:.2f}x |"
        )
    if "dbt run" not in times:
        return
    print("\nThe models of the last `dbt run` (run_results.json), slowest first:\n")
    print("| model | s |")
    print("|---|---:|")
    for model, seconds in model_timings(WORK_DIR / "dbt_run"):
        print(f"| {model} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
