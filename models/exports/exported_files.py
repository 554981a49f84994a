"""Write the public marts to files under the var `export_dir`, atomically.

Each file is written to a temporary name in the same directory and renamed into place, so a
failed run never leaves a truncated export behind. The table lists the files written by the last
run (one row per file).
"""

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

# mart -> (file name without extension, formats, columns, order of rows)
EXPORTS = {
    "chat_sessions": (
        "chat_sessions",
        ("json", "parquet"),
        "*",
        "session_start, user_id, session_id",
    ),
    "mooc_interaction_sessions": (
        "mooc_sessions",
        ("parquet",),
        "user_id, item_id, ts_epoch, session_id, watch_percentage, rating",
        "user_id, ts_epoch, item_id, session_id",
    ),
}

WRITTEN_SCHEMA = pa.schema(
    [
        ("mart", pa.string()),
        ("file_format", pa.string()),
        ("file_path", pa.string()),
        ("row_count", pa.int64()),
        ("written_at", pa.timestamp("us", tz="UTC")),
    ]
)

ISO_FORMAT = (
    "case when epoch_us({col}) % 1000000 = 0"
    " then strftime({col} at time zone 'UTC', '%Y-%m-%dT%H:%M:%S+00:00')"
    " else strftime({col} at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%f+00:00') end as {col}"
)


def _json_select(relation, view_name):
    """Timestamps as ISO-8601 text with offset (the form a JSON consumer expects)."""
    columns = []
    for name, dtype in zip(relation.columns, relation.dtypes, strict=True):
        quoted = f'"{name}"'
        if str(dtype).upper().startswith("TIMESTAMP"):
            columns.append(ISO_FORMAT.format(col=quoted))
        else:
            columns.append(quoted)
    return f"select {', '.join(columns)} from {view_name}"


def _write_atomically(session, select_sql, target, copy_options):
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        session.execute(f"copy ({select_sql}) to '{temporary}' ({copy_options})")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def model(dbt, session):
    dbt.config(materialized="table")
    export_dir = Path(dbt.config.get("export_dir"))
    export_dir.mkdir(parents=True, exist_ok=True)
    relations = {
        "chat_sessions": dbt.ref("chat_sessions"),
        "mooc_interaction_sessions": dbt.ref("mooc_interaction_sessions"),
    }

    written = []
    for mart, (file_stem, formats, columns, order_by) in EXPORTS.items():
        relation = relations[mart].select(columns).order(order_by)
        view_name = f"export_{mart}_{uuid.uuid4().hex}"
        relation.create_view(view_name)
        try:
            row_count = session.execute(f"select count(*) from {view_name}").fetchone()[0]
            for file_format in formats:
                target = export_dir / f"{file_stem}.{file_format}"
                if file_format == "json":
                    select_sql = _json_select(relation, view_name)
                    copy_options = "format json, array true"
                else:
                    select_sql = f"select * from {view_name}"
                    copy_options = "format parquet"
                _write_atomically(session, select_sql, target, copy_options)
                written.append(
                    {
                        "mart": mart,
                        "file_format": file_format,
                        "file_path": str(target),
                        "row_count": row_count,
                        "written_at": datetime.now(UTC),
                    }
                )
        finally:
            session.execute(f"drop view if exists {view_name}")
    return pa.Table.from_pylist(written, schema=WRITTEN_SCHEMA)
