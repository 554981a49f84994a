"""One comparison of two warehouses' marts, row for row: the incremental equivalence, backfill
and scheduler tests and `make benchmark` (benchmarks/incremental_vs_full_refresh.py) use it."""

from __future__ import annotations

from pathlib import Path

import duckdb

MARTS = (
    "user_sessions",
    "session_events",
    "daily_session_stats",
    "session_size_stats",
    "user_session_patterns",
    "abandoned_workflows",
    "active_sessions",
    "chat_sessions",
    "mooc_interaction_sessions",
    "mooc_session_stats",
    "quarantined_events",
    "hourly_activity",
    "feature_pairs",
)
# Every other table of the public schema is compared too (loaded_files, any mart added later);
# run_stats logs the runs themselves and is checked on its own.
RUN_LOG_TABLES = frozenset({"run_stats"})
# The moment a row was loaded differs between an incremental run and a full refresh by
# construction; every other column must be equal.
LOAD_TIME_COLUMNS = frozenset({"_loaded_at"})
# loaded_files has a row per load: a JSON-lines file that grew between runs was loaded in parts
# by incremental runs and whole by a full refresh, so it is compared per file, its loads summed.
PER_FILE_SUMMARIES = {
    "loaded_files": (
        "select source, file_name, min(first_line_number), max(last_line_number),"
        " sum(records_read), sum(blank_records), sum(records_quarantined),"
        " max_by(file_size, _loaded_at), max_by(file_modified_at, _loaded_at),"
        " max(bytes_loaded), max_by(bytes_waiting, _loaded_at)"
        " from {table} group by source, file_name"
    ),
}


def mart_differences(
    first: Path,
    second: Path,
    limit: int = 20,
    first_label: str = "incremental",
    second_label: str = "full refresh",
) -> list[str]:
    """Rows in one warehouse's mart and not (as many times) in the other's, for every table of
    the public schema but the run log (every mart of MARTS must be in `second`), the load times
    left out; empty when they are equal."""
    problems: list[str] = []
    with duckdb.connect() as db:
        db.execute("set TimeZone = 'UTC'")
        db.execute(f"attach '{first}' as first_wh (read_only)")
        db.execute(f"attach '{second}' as second_wh (read_only)")
        tables = [
            {
                name
                for (name,) in db.execute(
                    "select table_name from information_schema.tables"
                    " where table_catalog = ? and table_schema = 'main'",
                    [catalog],
                ).fetchall()
            }
            - RUN_LOG_TABLES
            for catalog in ("first_wh", "second_wh")
        ]
        if tables[0] != tables[1]:
            problems.append(f"public tables differ: {sorted(tables[0] ^ tables[1])}")
        missing = set(MARTS) - tables[1]
        if missing:
            problems.append(f"marts missing from {second_label}: {sorted(missing)}")
        for mart in sorted(tables[0] & tables[1]):
            schemas = [
                db.execute(f"describe {catalog}.main.{mart}").fetchall()
                for catalog in ("first_wh", "second_wh")
            ]
            columns = [(row[0], row[1]) for row in schemas[1]]
            if [(row[0], row[1]) for row in schemas[0]] != columns:
                problems.append(f"{mart}: columns differ: {schemas[0]} vs {schemas[1]}")
                continue
            selected = ", ".join(
                f'"{name}"' for name, _ in columns if name not in LOAD_TIME_COLUMNS
            )
            summary = PER_FILE_SUMMARIES.get(mart, "select " + selected + " from {table}")
            for only_in, other in (
                ("first_wh", "second_wh"),
                ("second_wh", "first_wh"),
            ):
                rows = db.execute(
                    summary.format(table=f"{only_in}.main.{mart}")
                    + " except all "
                    + summary.format(table=f"{other}.main.{mart}")
                    + " order by all"
                ).fetchall()
                label = first_label if only_in == "first_wh" else second_label
                problems += [f"{mart}: only in {label}: {row}" for row in rows[:limit]]
                if len(rows) > limit:
                    problems.append(f"{mart}: ... {len(rows) - limit} more only in {label}")
    return problems
