"""Retention outside the warehouse, after `dbt run-operation apply_retention` (which deletes the
expired sessions from the marts and logs its cut in `retention_runs`): with the same cut,

- the collector's ended sessions that ended before it leave its session store (SQLite, under
  SESSIONS_COLLECTOR_STATE_DIR; open sessions stay, whatever their age);
- the landing files of the collector (SESSIONS_COLLECTOR_LANDING_DIR) that the warehouse has
  loaded whole (`loaded_files`: same size and modification time as when loaded) and whose every
  line has an event time before the cut are deleted. A file not loaded yet, changed since, with
  an event at or after the cut, or with a line whose time is unknown stays.

`python -m sessions_retention` (run by `make retention` and the scheduled retention jobs).
Without a logged cut (retention_days not set, or no session built yet) it removes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

# Where dbt writes the marts (the profile's schema) and the staged lines of the app source.
MARTS_SCHEMA = "main"
APP_LINES = "staging.base_app__event_lines"
APP_SOURCE = "app"
COLLECTOR_PREFIX = "SESSIONS_COLLECTOR_"
STORE_NAME = "sessions.sqlite3"
PUBLISHED_GLOB = "*.jsonl"  # the collector's closed files (open ones end in .jsonl.part)


class RetentionError(RuntimeError):
    """Retention cannot clean up (the message says why)."""


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    landing_dir: Path
    state_dir: Path
    project_dir: Path

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, project_dir: Path | None = None
    ) -> Settings:
        """The warehouse (SESSIONS_DUCKDB_PATH) and the collector's folders, with the collector's
        own defaults (landing/app, and .collector beside it); relative paths from the project
        directory (dbt's, where relative file names of loaded_files start)."""
        env = os.environ if environ is None else environ
        base = Path.cwd() if project_dir is None else project_dir
        landing = Path(env.get(COLLECTOR_PREFIX + "LANDING_DIR") or "landing/app")
        state = Path(env.get(COLLECTOR_PREFIX + "STATE_DIR") or landing.parent / ".collector")
        warehouse = Path(env.get("SESSIONS_DUCKDB_PATH") or "warehouse/sessions.duckdb")
        return cls(
            warehouse=base / warehouse,
            landing_dir=base / landing,
            state_dir=base / state,
            project_dir=base,
        )


@dataclass(frozen=True)
class LoadedFile:
    """What the warehouse knows of one loaded file of the app source."""

    path: Path  # resolved
    size: int | None
    modified_epoch: int | None  # seconds, as the file listing recorded it
    newest_event: datetime | None
    unknown_times: int  # non-blank lines without an event time
    bytes_waiting: int = 0  # a last line without its newline, not loaded yet


@dataclass(frozen=True)
class Outcome:
    cut: datetime | None
    sessions_removed: int
    files_removed: tuple[Path, ...]
    files_kept: int


def latest_cut(connection: duckdb.DuckDBPyConnection) -> datetime | None:
    """The cut of the latest retention run (retention_runs), None without one."""
    try:
        rows = connection.execute(
            f"select expires_before from {MARTS_SCHEMA}.retention_runs"
            " where expires_before is not null order by applied_at desc limit 1"
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0].astimezone(UTC) if rows else None


def loaded_app_files(connection: duckdb.DuckDBPyConnection, project_dir: Path) -> list[LoadedFile]:
    """Every file of the app source in loaded_files, as last loaded, with the newest event time
    of its lines and how many of its lines have none."""
    rows = connection.execute(
        f"""
        with latest as (
            select file_name, arg_max(file_size, _loaded_at) as file_size,
                arg_max(epoch(file_modified_at), _loaded_at) as modified_epoch,
                arg_max(coalesce(bytes_waiting, 0), _loaded_at) as bytes_waiting
            from {MARTS_SCHEMA}.loaded_files where source = ? group by file_name
        ),
        lines as (
            select file_name, max(event_time) as newest_event,
                count(*) filter (where not is_blank and event_time is null) as unknown_times
            from {APP_LINES} group by file_name
        )
        select latest.file_name, latest.file_size, latest.modified_epoch,
            lines.newest_event, coalesce(lines.unknown_times, 0), latest.bytes_waiting
        from latest left join lines on latest.file_name = lines.file_name
        """,
        [APP_SOURCE],
    ).fetchall()
    return [
        LoadedFile(
            path=(project_dir / name).resolve(),
            size=size,
            modified_epoch=None if modified is None else int(modified),
            newest_event=None if newest is None else newest.astimezone(UTC),
            unknown_times=unknown,
            bytes_waiting=waiting,
        )
        for name, size, modified, newest, unknown, waiting in rows
    ]


def is_expired(loaded: LoadedFile, size: int, modified_epoch: int, cut: datetime) -> bool:
    """Whether a landing file may go: loaded whole as it is now (no last line waiting for its
    newline), and every event before the cut."""
    unchanged = loaded.size == size and loaded.modified_epoch in (None, modified_epoch)
    return (
        unchanged
        and loaded.bytes_waiting == 0
        and loaded.unknown_times == 0
        and (loaded.newest_event is None or loaded.newest_event < cut)
    )


def expired_landing_files(
    landing_dir: Path, loaded: Iterable[LoadedFile], cut: datetime
) -> tuple[list[Path], int]:
    """The published files of `landing_dir` that may be deleted, and how many stay."""
    known = {file.path: file for file in loaded}
    expired: list[Path] = []
    kept = 0
    for path in sorted(landing_dir.glob(PUBLISHED_GLOB)) if landing_dir.is_dir() else []:
        if not path.is_file():
            continue
        status = path.stat()
        found = known.get(path.resolve())
        if found is not None and is_expired(found, status.st_size, int(status.st_mtime), cut):
            expired.append(path)
        else:
            kept += 1
    return expired, kept


def remove_files(paths: Iterable[Path]) -> tuple[Path, ...]:
    """Deletes the files, then fsyncs their folders (the deletions survive a crash)."""
    removed = []
    for path in paths:
        path.unlink(missing_ok=True)
        removed.append(path)
    for folder in {path.parent for path in removed}:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return tuple(removed)


def utc_text(moment: datetime) -> str:
    """An instant as the collector's store spells it (text order = time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def remove_ended_sessions(store: Path, cut: datetime) -> int:
    """Deletes the sessions of the collector's store that ended before the cut (committed with
    a full fsync; a running collector's writes wait up to 30 s for it). A missing store: 0."""
    if not store.exists():
        return 0
    connection = sqlite3.connect(store, isolation_level=None, timeout=30.0)
    try:
        connection.execute("pragma synchronous = full")
        cursor = connection.execute(
            "delete from sessions where ended_at is not null and ended_at < ?", (utc_text(cut),)
        )
        return cursor.rowcount
    finally:
        connection.close()


def apply(settings: Settings) -> Outcome:
    """Cleans the collector's store and landing folder with the latest logged cut."""
    if not settings.warehouse.exists():
        raise RetentionError(
            f"{settings.warehouse} does not exist: run `make build` (dbt build) first"
        )
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        cut = latest_cut(connection)
        if cut is None:
            return Outcome(None, 0, (), 0)
        try:
            loaded = loaded_app_files(connection, settings.project_dir)
        except duckdb.CatalogException:  # the app source is disabled: no file of it is known
            loaded = []
    expired, kept = expired_landing_files(settings.landing_dir, loaded, cut)
    sessions = remove_ended_sessions(settings.state_dir / STORE_NAME, cut)
    return Outcome(cut, sessions, remove_files(expired), kept)


def main() -> int:
    try:
        outcome = apply(Settings.from_environment())
    except (RetentionError, duckdb.Error, sqlite3.Error, OSError) as error:
        print(f"sessions_retention: {error}")
        return 1
    if outcome.cut is None:
        print("sessions_retention: no retention cut logged (retention_days not set): kept all.")
        return 0
    print(
        f"sessions_retention: cut {utc_text(outcome.cut)}: removed {outcome.sessions_removed} "
        f"ended sessions from the collector's store and {len(outcome.files_removed)} landing "
        f"files ({outcome.files_kept} kept)."
    )
    return 0
