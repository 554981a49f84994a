"""Reads of the files the last `dbt build` exported (never the DuckDB warehouse: it has one
writer, and a reader would block the build), by the export contract of sessions_exports.
`<export_dir>/manifest.json` is written last, so its presence says a build has exported; its
`exported_at` and `data_through`, as it spells them, are the `as_of` of every answer read from
the exports. A file read must carry the build id the manifest gives it: when a build replaced it
in between, the manifest and the file are read again (ExportError after READ_ATTEMPTS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from sessions_exports import ExportError, Manifest, MixedBuilds, NoBuildYet, mart_file

READ_ATTEMPTS = 3


def unavailable(missing: NoBuildYet) -> str:
    """What the API answers while there is no export to read."""
    return (
        f"no build yet: {missing.path} is missing; run `make build` (dbt build) with "
        "app_events_path pointing at the collector's landing folder"
    )


@dataclass(frozen=True)
class ExportReader:
    export_dir: Path

    def manifest(self) -> Manifest:
        return Manifest.read(self.export_dir)

    def _mart(self, mart: str) -> Path:
        path = mart_file(self.export_dir, mart)
        if not path.exists():
            raise NoBuildYet(path)
        return path

    def as_of(self, manifest: Manifest) -> dict[str, Any]:
        return dict(manifest.as_of)

    def _rows(self, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
        with duckdb.connect() as connection:
            connection.execute("set TimeZone = 'UTC'")
            relation = connection.execute(sql, parameters)
            names = [column[0] for column in relation.description]
            return [
                {name: _json_value(value) for name, value in zip(names, row, strict=True)}
                for row in relation.fetchall()
            ]

    def _read(
        self, mart: str, sql: str, parameters: list[Any]
    ) -> tuple[Manifest, list[dict[str, Any]]]:
        """The manifest and the rows of a query on the mart's file (its path the first
        parameter), of one build: read again when a build replaced the file in between."""
        for attempt in range(READ_ATTEMPTS):
            manifest = self.manifest()
            path = self._mart(mart)
            rows = self._rows(sql, [str(path), *parameters])
            try:
                manifest.check_build_id(self.export_dir, path.name)
            except MixedBuilds as error:
                if attempt == READ_ATTEMPTS - 1:
                    raise ExportError(
                        f"the exports kept changing while being read ({READ_ATTEMPTS} tries): "
                        f"{error}; try again when the build has finished"
                    ) from error
                continue
            return manifest, rows
        raise AssertionError("unreachable")

    def history(self, user_id: str, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The user's latest app sessions, newest first, and the manifest's as_of."""
        manifest, rows = self._read(
            "user_sessions",
            "select * from read_parquet(?) where source = 'app' and user_id = ? "
            "order by start_time desc, session_id limit ?",
            [user_id, limit],
        )
        return self.as_of(manifest), rows

    def patterns(self, user_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The user's app row of user_session_patterns (None: not in the export)."""
        manifest, rows = self._read(
            "user_session_patterns",
            "select * from read_parquet(?) where source = 'app' and user_id = ?",
            [user_id],
        )
        return self.as_of(manifest), rows[0] if rows else None


def _json_value(value: Any) -> Any:
    """Instants as ISO-8601 text, decimals as JSON numbers."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
