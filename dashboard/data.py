"""The dashboard's data layer: the exports of `dbt build` (manifest.json and one Parquet file
per mart, by the export contract of sessions_exports), read into an in-memory DuckDB. It never
opens the warehouse (DuckDB has one writer: a reader holding it would block the next build) and
imports no Streamlit, so it is unit-testable.

A build writes each file under a temporary name and renames it, then the manifest last. A
snapshot is taken by reading the manifest, loading the files it names, checking that each file
loaded carries the build id the manifest gives it, and reading the manifest again: when a build
replaced a file or the manifest in between, the files may mix two builds, so it loads again, and
says so when they keep changing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from sessions_exports import (
    BUILD_HINT,
    MANIFEST_NAME,
    ExportError,
    Manifest,
    MixedBuilds,
    mart_file,
)
from sessions_exports import NoBuildYet as NoBuildYet  # what Snapshot.load raises before a build

PROJECT_DIR = Path(__file__).resolve().parents[1]
# The marts the dashboard reads, each exported as <mart>.parquet.
MARTS = (
    "user_sessions",
    "daily_session_stats",
    "session_size_stats",
    "user_session_patterns",
    "active_sessions",
    "quarantined_events",
    "loaded_files",
    "run_stats",
    "hourly_activity",
    "feature_pairs",
    "abandoned_workflows",
)
LOAD_ATTEMPTS = 5
REMEMBERED_QUERIES = 512
# Session duration buckets of the distribution chart: (label, lower bound in seconds).
DURATION_BUCKETS = (
    ("under 10 s", 0),
    ("10-30 s", 10),
    ("30 s-1 min", 30),
    ("1-5 min", 60),
    ("5-15 min", 300),
    ("15-30 min", 900),
    ("30-60 min", 1800),
    ("1-2 h", 3600),
    ("2 h and more", 7200),
)


def export_dir() -> Path:
    """SESSIONS_EXPORT_DIR, else the dbt var's default `exports` of the project directory."""
    configured = Path(os.environ.get("SESSIONS_EXPORT_DIR", "exports"))
    return configured if configured.is_absolute() else PROJECT_DIR / configured


@dataclass(frozen=True)
class Filter:
    """What the page shows: the UTC days of session start, both ends included, and sources."""

    start: date
    end: date
    sources: tuple[str, ...]

    def params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "sources": list(self.sources)}


# The daily_session_stats rows a filter selects.
FILTERED_DAYS = "date between $start and $end and list_contains($sources, source)"
# The sessions a filter selects (user_sessions, by UTC day of start).
FILTERED_SESSIONS = """
    select * from user_sessions
    where session_day between $start and $end
        and list_contains($sources, source)
"""


@dataclass(frozen=True)
class Kpis:
    sessions: int
    unique_users: int
    avg_duration_seconds: float | None
    bounce_rate: float | None  # percent of sessions
    error_rate: float | None  # percent of the sessions of sources that record errors (app)


@dataclass(frozen=True)
class Snapshot:
    """One build's exports, loaded into an in-memory DuckDB (timestamps in UTC)."""

    manifest: Manifest
    connection: duckdb.DuckDBPyConnection
    remembered: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, directory: Path) -> Snapshot:
        mixed: MixedBuilds | None = None
        for _attempt in range(LOAD_ATTEMPTS):
            manifest = Manifest.read(directory)
            try:
                connection = _load_tables(directory, manifest)
            except MixedBuilds as error:
                mixed = error
                continue
            if Manifest.read(directory) == manifest and _rows_match(connection, manifest):
                return cls(manifest, connection)
            connection.close()
        raise ExportError(
            f"The exports in {directory} kept changing while being read ({LOAD_ATTEMPTS} tries): "
            "reload the page when the build has finished."
            + (f" Last seen: {mixed}" if mixed is not None else "")
        )

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a query, as dicts; remembered (a snapshot never changes), so a page
        drawn again for the same filter does not query again."""
        params = params or {}
        key = (sql, tuple((name, _hashable(value)) for name, value in sorted(params.items())))
        if key not in self.remembered:
            if len(self.remembered) >= REMEMBERED_QUERIES:
                self.remembered.clear()
            result = self.connection.cursor().execute(sql, params)
            names = [column[0] for column in result.description]
            self.remembered[key] = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        return self.remembered[key]

    def value(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        (row,) = self.rows(sql, params)
        return next(iter(row.values()))

    # --- what the filters offer ---------------------------------------------------------------
    def sources(self) -> list[str]:
        """The sources with sessions (in user_sessions, or only in daily_session_stats)."""
        rows = self.rows(
            "select source from user_sessions union select source from daily_session_stats"
            " order by source"
        )
        return [row["source"] for row in rows]

    def date_bounds(self) -> tuple[date, date] | None:
        """The first and last UTC day with sessions, in user_sessions or (days whose session
        detail retention removed) in daily_session_stats; None without any."""
        row = self.rows(
            "select min(day) as first_day, max(day) as last_day from ("
            " select session_day as day from user_sessions"
            " union all select date as day from daily_session_stats)"
        )[0]
        return None if row["first_day"] is None else (row["first_day"], row["last_day"])

    def daily_total(self, selection: Filter) -> int:
        """Sessions of the filter counted by daily_session_stats: more than user_sessions holds
        when retention removed the detail of older sessions (the days stay)."""
        return self.value(
            "select coalesce(sum(total_sessions), 0) from daily_session_stats"
            f" where {FILTERED_DAYS}",
            selection.params(),
        )

    # --- views --------------------------------------------------------------------------------
    def kpis(self, selection: Filter) -> Kpis:
        row = self.rows(
            f"""
            select
                count(*) as sessions,
                count(distinct user_id) as unique_users,
                avg(duration_seconds) as avg_duration_seconds,
                100.0 * avg(case when is_bounce then 1 else 0 end) as bounce_rate,
                100.0 * avg(case when error_count > 0 then 1 else 0 end)
                    filter (where error_count is not null) as error_rate
            from ({FILTERED_SESSIONS})
            """,
            selection.params(),
        )[0]
        return Kpis(**row)

    def daily(self, selection: Filter) -> list[dict[str, Any]]:
        """daily_session_stats rows of the filter, as they are in the mart."""
        return self.rows(
            f"""
            select date, source, total_sessions, unique_users,
                cast(avg_duration_seconds as double) as avg_duration_seconds,
                cast(bounce_rate as double) as bounce_rate,
                cast(error_rate as double) as error_rate,
                most_common_entry, most_common_exit
            from daily_session_stats
            where {FILTERED_DAYS}
            order by date, source
            """,
            selection.params(),
        )

    def event_count_distribution(self, selection: Filter) -> list[dict[str, Any]]:
        return self.rows(
            f"""
            select source, event_count, count(*) as sessions
            from ({FILTERED_SESSIONS})
            group by source, event_count order by source, event_count
            """,
            selection.params(),
        )

    def duration_distribution(self, selection: Filter) -> list[dict[str, Any]]:
        """Sessions per duration bucket (DURATION_BUCKETS) and source; empty buckets left out."""
        bucket = "case " + " ".join(
            f"when duration_seconds >= {lower} then {index}"
            for index, (_, lower) in reversed(list(enumerate(DURATION_BUCKETS)))
        )
        rows = self.rows(
            f"""
            select source, {bucket} end as bucket, count(*) as sessions
            from ({FILTERED_SESSIONS})
            group by all order by bucket, source
            """,
            selection.params(),
        )
        return [
            {"source": row["source"], "duration": DURATION_BUCKETS[row["bucket"]][0], **row}
            for row in rows
        ]

    def size_stats(self, sources: Sequence[str]) -> list[dict[str, Any]]:
        """session_size_stats (the whole history) of the sources."""
        return self.rows(
            "select source, sessions, min_events, max_events,"
            " cast(mean_events as double) as mean_events,"
            " cast(median_events as double) as median_events"
            " from session_size_stats where list_contains($sources, source) order by source",
            {"sources": list(sources)},
        )

    def top_values(self, selection: Filter, column: str, limit: int = 10) -> list[dict[str, Any]]:
        """The most frequent entry_page, exit_page or exit_reason (nulls left out)."""
        if column not in ("entry_page", "exit_page", "exit_reason"):
            raise ValueError(f"not a column of the top lists: {column}")
        return self.rows(
            f"""
            select {column} as value, count(*) as sessions
            from ({FILTERED_SESSIONS})
            where {column} is not null
            group by {column} order by sessions desc, value limit {int(limit)}
            """,
            selection.params(),
        )

    def patterns(self, sources: Sequence[str]) -> list[dict[str, Any]]:
        """Users per pattern and source (user_session_patterns: each user's latest sessions)."""
        return self.rows(
            "select source, pattern, count(*) as users from user_session_patterns"
            " where list_contains($sources, source) group by all order by source, pattern",
            {"sources": list(sources)},
        )

    def user_timeline(self, user_id: str) -> list[dict[str, Any]]:
        """Every session of a user, of every source, in time order."""
        return self.rows(
            """
            select source, session_number, session_id, start_time, end_time, duration_seconds,
                event_count, action_count, error_count, entry_page, exit_page, exit_reason,
                is_bounce
            from user_sessions where user_id = $user_id order by start_time, source
            """,
            {"user_id": user_id},
        )

    def active_by_source(self) -> tuple[dict[str, int], datetime | None]:
        """Open sessions per source in the active_sessions export, and the moment of as_of."""
        rows = self.rows(
            "select source, count(*) as sessions, max(as_of) as as_of from active_sessions"
            " group by source order by source"
        )
        as_of = max((row["as_of"] for row in rows), default=None)
        return {row["source"]: row["sessions"] for row in rows}, as_of

    def quarantine_by_reason(self) -> list[dict[str, Any]]:
        return self.rows(
            "select source, rejection_reason, count(*) as records from quarantined_events"
            " group by all order by records desc, source, rejection_reason"
        )

    def recent_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        return self.rows(
            "select * exclude (invocation_id), invocation_id from run_stats"
            f" order by run_started_at desc limit {int(limit)}"
        )

    # --- when and what together (whole history) ----------------------------------------------
    def hourly_sources(self, sources: Sequence[str]) -> list[str]:
        """The sources of the selection with rows in hourly_activity."""
        rows = self.rows(
            "select distinct source from hourly_activity where list_contains($sources, source)"
            " order by source",
            {"sources": list(sources)},
        )
        return [row["source"] for row in rows]

    def hourly(self, source: str) -> list[dict[str, Any]]:
        """hourly_activity of one source: a row per UTC weekday and hour with events."""
        return self.rows(
            "select utc_weekday, utc_hour, sessions_started, active_users, events"
            " from hourly_activity where source = $source order by utc_weekday, utc_hour",
            {"source": source},
        )

    def feature_pairs(self, sources: Sequence[str]) -> list[dict[str, Any]]:
        """feature_pairs of the sources, the most supported first."""
        return self.rows(
            """
            select source, action_a, action_b, sessions_with_both,
                cast(support as double) as support,
                cast(confidence_a_to_b as double) as confidence_a_to_b,
                cast(confidence_b_to_a as double) as confidence_b_to_a,
                cast(lift as double) as lift
            from feature_pairs where list_contains($sources, source)
            order by support desc, source, action_a, action_b
            """,
            {"sources": list(sources)},
        )

    # --- unfinished workflows (abandoned_workflows) ----------------------------------------
    # A workflow counts on the UTC day it started, for the days and sources of the filter.
    UNFINISHED_WHERE = (
        " where list_contains($sources, source)"
        " and cast(started_at at time zone 'UTC' as date) between $start and $end"
    )

    def unfinished_by_status(self, selection: Filter) -> dict[str, int]:
        """Unfinished workflows of the selection per status (abandoned, failed, in_progress)."""
        rows = self.rows(
            "select status, count(*) as workflows from abandoned_workflows"
            + self.UNFINISHED_WHERE
            + " group by status order by status",
            selection.params(),
        )
        return {row["status"]: row["workflows"] for row in rows}

    def unfinished_by_workflow(self, selection: Filter) -> list[dict[str, Any]]:
        """Per workflow id and status: unfinished workflows of the selection, most first."""
        return self.rows(
            "select workflow_id, status, count(*) as workflows from abandoned_workflows"
            + self.UNFINISHED_WHERE
            + " group by workflow_id, status order by workflows desc, workflow_id, status",
            selection.params(),
        )

    def unfinished_by_day(self, selection: Filter) -> list[dict[str, Any]]:
        """Per UTC day the workflows started and status: unfinished workflows of the selection."""
        return self.rows(
            "select cast(started_at at time zone 'UTC' as date) as date, status,"
            " count(*) as workflows from abandoned_workflows"
            + self.UNFINISHED_WHERE
            + " group by all order by date, status",
            selection.params(),
        )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


LOAD_ANY = "select * from read_parquet($path)"
# user_sessions with the UTC day each session started (what the filters select on).
LOAD_SQL = {
    "user_sessions": "select *, cast(start_time at time zone 'UTC' as date) as session_day"
    " from read_parquet($path)",
}


def _rows_match(connection: duckdb.DuckDBPyConnection, manifest: Manifest) -> bool:
    """Whether every table holds the rows the manifest gives its file (else a build replaced
    the file after the manifest was read)."""
    return all(
        connection.execute(f"select count(*) from {mart}").fetchall()[0][0] == manifest.rows(mart)
        for mart in MARTS
    )


def _load_tables(directory: Path, manifest: Manifest) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    connection.execute("set TimeZone = 'UTC'")
    try:
        for mart in MARTS:
            path = mart_file(directory, mart)
            if manifest.rows(mart) is None:
                listed = directory / MANIFEST_NAME
                raise ExportError(f"{listed} lists no {path.name}. {BUILD_HINT}")
            connection.execute(
                f"create table {mart} as {LOAD_SQL.get(mart, LOAD_ANY)}", {"path": str(path)}
            )
            manifest.check_build_id(directory, path.name)
    except duckdb.Error as error:
        connection.close()
        raise ExportError(f"Cannot read the exports in {directory}: {error}") from error
    except ExportError:  # MixedBuilds too
        connection.close()
        raise
    return connection
