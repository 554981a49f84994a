"""Write the public marts to files under the var `export_dir`, atomically, with a manifest.

Each file is written to a temporary name in the same directory, fsynced and renamed into place
(then the folder fsynced), so a failed run never leaves a truncated export behind. Each Parquet
file carries this build's id in its key-value metadata (the run's number in the run sequence and
its dbt invocation id). A file is rewritten only when what it holds may have changed since it
was written: a mart of one source when that source had sessions recomputed by a later run, a
mart of every source when any had, a mart of the runs themselves at every run; so an
incremental run that touches one source does not rewrite the others' exports. "Later" is by the
run sequence (the stamps of sessions_state.run_sequence, which only grow), never by the wall
clock: a clock set back cannot leave an export stale. `manifest.json` is written last (also
atomically): the build id, when the export was made, the latest event time in the marts, and
every file with its row count and the id of the build that wrote it. Readers that must not open
the warehouse (the collector, the dashboard) read the manifest, then the files it names, and
check the files' build ids: the contract, the list of exports and the manifest's form, is the
package sessions_exports, which they share. The table lists every export
file and when it was last written (one row per file).
"""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sessions_exports import (
    ANY_SOURCE,
    BUILD_ID_KEY,
    EVERY_RUN,
    EXPORTS,
    ExportedFile,
    Manifest,
    replace_atomically,
)

WRITTEN_SCHEMA = pa.schema(
    [
        ("mart", pa.string()),
        ("file_format", pa.string()),
        ("file_path", pa.string()),
        ("row_count", pa.int64()),
        ("written_at", pa.timestamp("us", tz="UTC")),
        # The build that wrote the file, and its run's stamp in the run sequence.
        ("build_id", pa.string()),
        ("run_stamp", pa.timestamp("us", tz="UTC")),
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
    replace_atomically(
        target,
        lambda temporary: session.execute(f"copy ({select_sql}) to '{temporary}' ({copy_options})"),
    )


def _previous_exports(session, this):
    """(file_path -> row) of the files listed by this table before the run; empty at first. A
    table of an older version lacks columns (its rows have no run_stamp: they are stale)."""
    try:
        result = session.execute(f"select * from {this}")
    except duckdb.CatalogException:
        return {}
    names = [column[0] for column in result.description]
    rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    return {row["file_path"]: row for row in rows}


def _this_run(session, run_sequence):
    """(build id, run number, run stamp) of this run: the latest row of the run sequence (the
    on-run-start hook appended it; one writer at a time)."""
    run_number, invocation_id, stamp = session.execute(
        f"select run_number, invocation_id, stamp from ({run_sequence.sql_query()}) as runs"
        " order by run_number desc limit 1"
    ).fetchall()[0]
    return f"{run_number}-{invocation_id}", run_number, stamp


def _is_stale(session, ranges, staleness, run_stamp):
    """Whether what an export holds may have changed after the run that wrote it (its stamp in
    the run sequence): sessions of its source (any source for ANY_SOURCE) were recomputed by a
    later run, or it is rewritten at every run. A file of an older version (no stamp) is."""
    if staleness is EVERY_RUN or run_stamp is None:
        return True
    query = (
        f"select count(*) from ({ranges.sql_query()}) as ranges"
        " where ranges._computed_at > $run_stamp"
        + ("" if staleness == ANY_SOURCE else " and ranges.source = $source")
    )
    params = {"run_stamp": run_stamp}
    if staleness != ANY_SOURCE:
        params["source"] = staleness
    return session.execute(query, params).fetchall()[0][0] > 0


def _write_manifest(export_dir, written, data_through, build_id, run_number):
    """manifest.json: this build, when the export was made, the latest event time, each file's
    row count and build."""
    Manifest(
        exported_at=datetime.now(UTC),
        data_through=data_through,
        files={
            Path(row["file_path"]).name: ExportedFile(
                mart=row["mart"],
                file_format=row["file_format"],
                rows=row["row_count"],
                written_at=row["written_at"],
                build_id=row["build_id"],
            )
            for row in written
        },
        build_id=build_id,
        run_number=run_number,
    ).write(export_dir)


def model(dbt, session):
    dbt.config(materialized="table")
    export_dir = Path(dbt.config.get("export_dir"))
    export_dir.mkdir(parents=True, exist_ok=True)
    relations = {
        "chat_sessions": dbt.ref("chat_sessions"),
        "mooc_interaction_sessions": dbt.ref("mooc_interaction_sessions"),
        "user_sessions": dbt.ref("user_sessions"),
        "daily_session_stats": dbt.ref("daily_session_stats"),
        "session_size_stats": dbt.ref("session_size_stats"),
        "user_session_patterns": dbt.ref("user_session_patterns"),
        "active_sessions": dbt.ref("active_sessions"),
        "abandoned_workflows": dbt.ref("abandoned_workflows"),
        "quarantined_events": dbt.ref("quarantined_events"),
        "loaded_files": dbt.ref("loaded_files"),
        "run_stats": dbt.ref("run_stats"),
        "hourly_activity": dbt.ref("hourly_activity"),
        "feature_pairs": dbt.ref("feature_pairs"),
    }
    ranges = dbt.ref("int_session_recompute_ranges")
    build_id, run_number, run_stamp = _this_run(
        session, dbt.source("sessions_state", "run_sequence")
    )
    previous = _previous_exports(session, dbt.this)

    written = []
    for mart, export in EXPORTS.items():
        targets = [export_dir / export.file_name(file_format) for file_format in export.formats]
        kept = [previous.get(str(target)) for target in targets]
        if all(row and Path(row["file_path"]).exists() for row in kept) and not any(
            _is_stale(session, ranges, export.staleness, row.get("run_stamp")) for row in kept
        ):
            written.extend(kept)
            continue
        relation = relations[mart].select(export.columns).order(export.order_by)
        view_name = f"export_{mart}_{uuid.uuid4().hex}"
        relation.create_view(view_name)
        try:
            row_count = session.execute(f"select count(*) from {view_name}").fetchall()[0][0]
            for file_format in export.formats:
                target = export_dir / export.file_name(file_format)
                if file_format == "json":
                    select_sql = _json_select(relation, view_name)
                    copy_options = "format json, array true"
                else:
                    select_sql = f"select * from {view_name}"
                    # (No double braces: dbt renders this file with Jinja.)
                    build_metadata = f"{BUILD_ID_KEY}: '{build_id}'"
                    copy_options = "format parquet, kv_metadata {" + build_metadata + "}"
                _write_atomically(session, select_sql, target, copy_options)
                written.append(
                    {
                        "mart": mart,
                        "file_format": file_format,
                        "file_path": str(target),
                        "row_count": row_count,
                        "written_at": datetime.now(UTC),
                        "build_id": build_id,
                        "run_stamp": run_stamp,
                    }
                )
        finally:
            session.execute(f"drop view if exists {view_name}")
    data_through = relations["user_sessions"].aggregate("max(end_time)").fetchall()[0][0]
    _write_manifest(export_dir, written, data_through, build_id, run_number)
    return pa.Table.from_pylist(written, schema=WRITTEN_SCHEMA)
