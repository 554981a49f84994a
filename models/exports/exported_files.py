"""Write the public marts to files under the var `export_dir`, atomically.

Each file is written to a temporary name in the same directory and renamed into place, so a
failed run never leaves a truncated export behind. A file is rewritten only when its mart's
source had sessions recomputed since the file was written (or the file is missing), so an
incremental run that touches one source does not rewrite the others' exports. The table lists
every export file and when it was last written (one row per file).
"""

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

# mart -> (source, file name without extension, formats, columns, order of rows)
EXPORTS = {
    "chat_sessions": (
        "chat",
        "chat_sessions",
        ("json", "parquet"),
        "*",
        "session_start, user_id, session_id",
    ),
    "mooc_interaction_sessions": (
        "mooc",
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


def _previous_exports(session, this):
    """(file_path -> row) of the files listed by this table before the run; empty at first."""
    try:
        rows = session.execute(f"select * from {this}").fetchall()
    except duckdb.CatalogException:
        return {}
    names = [field.name for field in WRITTEN_SCHEMA]
    return {row[names.index("file_path")]: dict(zip(names, row, strict=True)) for row in rows}


def _changed_since(session, ranges, source, written_at):
    """Whether sessions of `source` were recomputed after `written_at`."""
    query = (
        f"select count(*) from ({ranges.sql_query()}) as ranges"
        " where ranges.source = $source and ranges._computed_at > $written_at"
    )
    params = {"source": source, "written_at": written_at}
    return session.execute(query, params).fetchall()[0][0] > 0


def model(dbt, session):
    dbt.config(materialized="table")
    export_dir = Path(dbt.config.get("export_dir"))
    export_dir.mkdir(parents=True, exist_ok=True)
    relations = {
        "chat_sessions": dbt.ref("chat_sessions"),
        "mooc_interaction_sessions": dbt.ref("mooc_interaction_sessions"),
    }
    ranges = dbt.ref("int_session_recompute_ranges")
    previous = _previous_exports(session, dbt.this)

    written = []
    for mart, (source, file_stem, formats, columns, order_by) in EXPORTS.items():
        targets = [export_dir / f"{file_stem}.{file_format}" for file_format in formats]
        kept = [previous.get(str(target)) for target in targets]
        if all(row and Path(row["file_path"]).exists() for row in kept) and not any(
            _changed_since(session, ranges, source, row["written_at"]) for row in kept
        ):
            written.extend(kept)
            continue
        relation = relations[mart].select(columns).order(order_by)
        view_name = f"export_{mart}_{uuid.uuid4().hex}"
        relation.create_view(view_name)
        try:
            row_count = session.execute(f"select count(*) from {view_name}").fetchall()[0][0]
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
