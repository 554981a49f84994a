"""The export contract of `dbt build`: what models/exports/exported_files.py writes under the var
`export_dir` and what the readers that must not open the warehouse (the collector, the
dashboard) read from it.

- One file per export of `EXPORTS` and format: `<file_stem>.parquet` (and `.json` where listed),
  each written under a temporary name, fsynced, renamed into place, and the folder fsynced.
  Each Parquet file carries, in its key-value metadata (`BUILD_ID_KEY`), the id of the build
  that wrote it; JSON cannot carry one: the manifest gives it.
- `manifest.json`, written last (also atomically): `build_id` and `run_number` (this build: the
  run sequence's number and the dbt invocation), `exported_at` (when the export was made, by
  the wall clock: for people), `data_through` (the latest session end in the marts; null
  without sessions) and `files`, by file name: the mart, the format, its rows, when it was
  written and the `build_id` of the build that wrote it (an export unchanged since an earlier
  build keeps that build's id). Instants are ISO-8601 text in UTC (`2024-03-04T10:00:00Z`).

Its presence says a build has exported; without it a reader raises `NoBuildYet`, and a manifest
it cannot read is an `ExportError`. A reader checks that each Parquet file it read carries the
build id the manifest gives it (`check_build_id`): a file replaced by a later build after the
manifest was read is a `MixedBuilds` (read the manifest and the files again).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
# The key of the Parquet key-value metadata that holds the id of the build that wrote the file.
BUILD_ID_KEY = "sessions_build_id"
BUILD_HINT = (
    "Run `make build` (or `dbt build --profiles-dir profiles`) in the project directory: "
    "every successful build writes the exports."
)

# Whose recomputed sessions make an export stale: one source's, any source's, or every run.
ANY_SOURCE = "*"
EVERY_RUN = None


@dataclass(frozen=True)
class Export:
    """One mart's export: its file(s), what they hold and when they are written again."""

    mart: str
    file_stem: str  # the file name without extension
    staleness: str | None  # a source name, ANY_SOURCE or EVERY_RUN
    columns: str = "*"
    order_by: str = ""
    formats: tuple[str, ...] = ("parquet",)

    def file_name(self, file_format: str = "parquet") -> str:
        return f"{self.file_stem}.{file_format}"


EXPORTS: Mapping[str, Export] = {
    export.mart: export
    for export in (
        Export(
            "chat_sessions",
            "chat_sessions",
            "chat",
            order_by="session_start, user_id, session_id",
            formats=("json", "parquet"),
        ),
        Export(
            "mooc_interaction_sessions",
            "mooc_sessions",
            "mooc",
            columns="user_id, item_id, ts_epoch, session_id, watch_percentage, rating",
            order_by="user_id, ts_epoch, item_id, session_id",
        ),
        Export(
            "user_sessions", "user_sessions", ANY_SOURCE, order_by="source, user_id, start_time"
        ),
        Export("daily_session_stats", "daily_session_stats", ANY_SOURCE, order_by="date, source"),
        Export("session_size_stats", "session_size_stats", ANY_SOURCE, order_by="source"),
        Export(
            "user_session_patterns", "user_session_patterns", ANY_SOURCE, order_by="source, user_id"
        ),
        Export("active_sessions", "active_sessions", ANY_SOURCE, order_by="source, start_time"),
        Export(
            "abandoned_workflows",
            "abandoned_workflows",
            ANY_SOURCE,
            order_by="source, user_id, started_at, workflow_id",
        ),
        Export(
            "quarantined_events",
            "quarantined_events",
            EVERY_RUN,
            order_by="source, file_name, line_number",
        ),
        Export("loaded_files", "loaded_files", EVERY_RUN, order_by="source, file_name"),
        Export("run_stats", "run_stats", EVERY_RUN, order_by="run_started_at"),
        Export(
            "hourly_activity",
            "hourly_activity",
            ANY_SOURCE,
            order_by="source, utc_weekday, utc_hour",
        ),
        Export("feature_pairs", "feature_pairs", ANY_SOURCE, order_by="source, action_a, action_b"),
    )
}


class NoBuildYet(LookupError):
    """No export to read yet: `path` (the manifest, or a file of a mart) does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"No build yet: {path} does not exist. {BUILD_HINT}")
        self.path = path


class ExportError(Exception):
    """The exports cannot be read: a broken manifest, a file it names is missing or unreadable."""


class MixedBuilds(ExportError):
    """A file read carries another build's id than the manifest read gives it: a build replaced
    it in between. Reading the manifest and the files again gives one build."""


def iso(moment: datetime | None) -> str | None:
    """An instant as the manifest spells it: ISO-8601 in UTC with `Z`."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def mart_file(directory: Path, mart: str, file_format: str = "parquet") -> Path:
    """Where a mart's export is (a mart not in EXPORTS: `<mart>.<format>`)."""
    export = EXPORTS.get(mart)
    return directory / (export.file_name(file_format) if export else f"{mart}.{file_format}")


def fsync_path(path: Path, directory: bool = False) -> None:
    """fsync of a file's (or a folder's) data; an OSError when the storage fails."""
    descriptor = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary)` to a temporary name beside `target`, fsynced, then renamed into place,
    and the folder fsynced: a reader sees the old file or the new one, never a part of it, and
    after a crash the new name holds the whole new file. A failed write or fsync leaves the
    old file in place (and raises)."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(temporary)
        fsync_path(temporary)
        os.replace(temporary, target)
        fsync_path(target.parent, directory=True)
    finally:
        temporary.unlink(missing_ok=True)


def parquet_build_id(path: Path) -> str | None:
    """The build id in a Parquet file's key-value metadata (None: it has none)."""
    import duckdb  # the readers have it; the export contract itself needs no database

    with duckdb.connect() as connection:
        rows = connection.execute(
            "select value from parquet_kv_metadata(?) where decode(key) = ?",
            [str(path), BUILD_ID_KEY],
        ).fetchall()
    return rows[0][0].decode() if rows else None


@dataclass(frozen=True)
class ExportedFile:
    mart: str
    file_format: str
    rows: int
    written_at: datetime | None
    build_id: str | None = None  # the build that wrote it (None: a manifest of an older version)


@dataclass(frozen=True)
class Manifest:
    exported_at: datetime
    data_through: datetime | None
    files: dict[str, ExportedFile]  # by file name
    # exported_at and data_through as the manifest spells them (what the collector answers).
    as_of: dict[str, str | None] = field(default_factory=dict, compare=False)
    # This build: its id and its number in the run sequence (None: an older version's manifest).
    build_id: str | None = None
    run_number: int | None = None

    @property
    def version(self) -> str:
        """What tells two builds apart (a reader's cache key): the build id, else exported_at."""
        return self.build_id or iso(self.exported_at) or ""

    def check_build_id(self, directory: Path, file_name: str) -> None:
        """MixedBuilds unless the Parquet file carries the build id this manifest gives it
        (nothing to check for a manifest without build ids). Called after reading the file:
        a build only ever replaces a file by a later build's, so a file that still carries the
        id is the one that was read."""
        entry = self.files.get(file_name)
        if entry is None or entry.build_id is None:
            return
        try:
            found = parquet_build_id(directory / file_name)
        except Exception as error:  # duckdb.Error: the file vanished or is not Parquet
            raise MixedBuilds(
                f"{directory / file_name} changed while being read: {error}"
            ) from error
        if found != entry.build_id:
            raise MixedBuilds(
                f"{directory / file_name} is of build {found}, the manifest read gives build "
                f"{entry.build_id}: a build replaced it while it was read; read again."
            )

    def rows(self, mart: str, file_format: str = "parquet") -> int | None:
        """The rows of a mart's file of `file_format`; None when the manifest lists none."""
        for entry in self.files.values():
            if entry.mart == mart and entry.file_format == file_format:
                return entry.rows
        return None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Manifest:
        """A manifest from its JSON document; KeyError, TypeError or ValueError when it is not
        one."""
        files = {
            str(name): ExportedFile(
                mart=str(entry["mart"]),
                file_format=str(entry["file_format"]),
                rows=int(entry["rows"]),
                written_at=instant(entry.get("written_at")),
                build_id=None if entry.get("build_id") is None else str(entry["build_id"]),
            )
            for name, entry in document["files"].items()
        }
        exported_at = instant(document["exported_at"])
        if exported_at is None:
            raise ValueError("exported_at is null")
        return cls(
            exported_at=exported_at,
            data_through=instant(document.get("data_through")),
            files=files,
            as_of={
                "exported_at": document["exported_at"],
                "data_through": document.get("data_through"),
            },
            build_id=None if document.get("build_id") is None else str(document["build_id"]),
            run_number=None if document.get("run_number") is None else int(document["run_number"]),
        )

    def document(self) -> dict[str, Any]:
        return {
            "build_id": self.build_id,
            "run_number": self.run_number,
            "exported_at": iso(self.exported_at),
            "data_through": iso(self.data_through),
            "files": {
                name: {
                    "mart": entry.mart,
                    "file_format": entry.file_format,
                    "rows": entry.rows,
                    "written_at": iso(entry.written_at),
                    "build_id": entry.build_id,
                }
                for name, entry in self.files.items()
            },
        }

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST_NAME
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise NoBuildYet(path) from None
        try:
            return cls.from_document(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ExportError(f"{path} is not a valid export manifest: {error!r}") from error

    def write(self, directory: Path) -> None:
        """manifest.json in `directory`, atomically (after the files it lists)."""
        text = json.dumps(self.document(), indent=2, sort_keys=True) + "\n"
        replace_atomically(directory / MANIFEST_NAME, lambda path: path.write_text(text))
