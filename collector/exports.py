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
        self, mart: str | tuple[str, ...], sql: str, parameters: list[Any]
    ) -> tuple[Manifest, list[dict[str, Any]]]:
        """The manifest and the rows of a query on the marts' files (their paths the first
        parameters, in order), of one build: read again when a build replaced a file in
        between."""
        marts = (mart,) if isinstance(mart, str) else mart
        for attempt in range(READ_ATTEMPTS):
            manifest = self.manifest()
            paths = [self._mart(name) for name in marts]
            rows = self._rows(sql, [*map(str, paths), *parameters])
            try:
                for path in paths:
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

    def workflows(
        self, session_id: str
    ) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
        """The session's row of user_sessions (None: not in the export) and its unfinished
        workflows (abandoned_workflows, by start), both of one build."""
        manifest, rows = self._read(
            ("user_sessions", "abandoned_workflows"),
            "select sessions.session_id, sessions.source, sessions.user_id,"
            " sessions.session_number, sessions.is_open, workflows.workflow_id,"
            " workflows.started_at, workflows.status"
            " from read_parquet(?) as sessions"
            " left join (select * from read_parquet(?) where session_id = ?) as workflows"
            " on workflows.session_id = sessions.session_id"
            " where sessions.session_id = ?"
            " order by workflows.started_at, workflows.workflow_id",
            [session_id, session_id],
        )
        if not rows:
            return self.as_of(manifest), None, []
        session_columns = ("session_id", "source", "user_id", "session_number", "is_open")
        session = {name: rows[0][name] for name in session_columns}
        workflows = [
            {name: row[name] for name in ("workflow_id", "started_at", "status")}
            for row in rows
            if row["workflow_id"] is not None
        ]
        return self.as_of(manifest), session, workflows


def _json_value(value: Any) -> Any:
    """Instants as ISO-8601 text, decimals as JSON numbers."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
