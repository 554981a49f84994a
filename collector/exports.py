"""Reads of the files the last `dbt build` exported (never the DuckDB warehouse: it has one
writer, and a reader would block the build). `<export_dir>/manifest.json` is written last, so
its presence says a build has exported; its `exported_at` and `data_through` are the `as_of`
of every answer read from the exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb


class NoBuildYet(LookupError):
    """No export to read: says which file is missing and what to run."""


@dataclass(frozen=True)
class ExportReader:
    export_dir: Path

    def manifest(self) -> dict[str, Any]:
        path = self.export_dir / "manifest.json"
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise NoBuildYet(
                f"no build yet: {path} is missing; run `make build` (dbt build) with "
                "app_events_path pointing at the collector's landing folder"
            ) from None

    def _mart(self, mart: str) -> Path:
        path = self.export_dir / f"{mart}.parquet"
        if not path.exists():
            raise NoBuildYet(f"no export of {mart} yet: {path} is missing; run `make build`")
        return path

    def as_of(self, manifest: dict[str, Any]) -> dict[str, Any]:
        return {
            "exported_at": manifest.get("exported_at"),
            "data_through": manifest.get("data_through"),
        }

    def _rows(self, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
        with duckdb.connect() as connection:
            connection.execute("set TimeZone = 'UTC'")
            relation = connection.execute(sql, parameters)
            names = [column[0] for column in relation.description]
            return [
                {name: _json_value(value) for name, value in zip(names, row, strict=True)}
                for row in relation.fetchall()
            ]

    def history(self, user_id: str, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The user's latest app sessions, newest first, and the manifest's as_of."""
        manifest = self.manifest()
        rows = self._rows(
            "select * from read_parquet(?) where source = 'app' and user_id = ? "
            "order by start_time desc, session_id limit ?",
            [str(self._mart("user_sessions")), user_id, limit],
        )
        return self.as_of(manifest), rows

    def patterns(self, user_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The user's app row of user_session_patterns (None: not in the export)."""
        manifest = self.manifest()
        rows = self._rows(
            "select * from read_parquet(?) where source = 'app' and user_id = ?",
            [str(self._mart("user_session_patterns")), user_id],
        )
        return self.as_of(manifest), rows[0] if rows else None


def _json_value(value: Any) -> Any:
    """Instants as ISO-8601 text, decimals as JSON numbers."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
