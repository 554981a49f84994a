"""Exports of one build at a time: every Parquet export carries the id of the build that wrote it
(as the manifest says), so a reader that got a file of a later build than its manifest says so
and reads again instead of mixing two builds; an export is rewritten when a later run (by the
run sequence, not the wall clock) recomputed its sessions, also after the clock was set back;
and a failing fsync fails the export and leaves the previous one in place (marked `faults`:
`make test-faults` compiles the LD_PRELOAD shim)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtProject, dbt_output, sample_inputs
from fault_shim import build_shim

from collector.exports import ExportReader
from dashboard.data import Snapshot
from sessions_exports import ExportError, Manifest


def app_event(event_id: str, moment: str, user_id: str) -> str:
    return (
        json.dumps(
            {
                "event_id": event_id,
                "event_type": "page_view",
                "timestamp": moment,
                "user_id": user_id,
                "page": "/late",
            }
        )
        + "\n"
    )


def last_app_session(project: DbtProject) -> tuple[str, str]:
    """The user and end of the sample's last app session (a later event within the gap joins
    it: the sessions change, their number does not)."""
    [(user_id, end)] = project.query(
        "select user_id, end_time from user_sessions where source = 'app'"
        " order by end_time desc limit 1"
    )
    return user_id, (end + timedelta(minutes=1)).isoformat()


def parquet_build_id(path: Path) -> str | None:
    """The build id in the file's key-value metadata, read by DuckDB."""
    import duckdb

    with duckdb.connect() as connection:
        rows = connection.execute(
            "select decode(value) from parquet_kv_metadata(?)"
            " where decode(key) = 'sessions_build_id'",
            [str(path)],
        ).fetchall()
    return rows[0][0] if rows else None


def file_contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_a_reader_never_mixes_two_builds(tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "wh")
    variables = sample_inputs(tmp_path)
    exports = tmp_path / "exports"
    project.build(variables)
    first = Manifest.read(exports)
    before = tmp_path / "first_build"
    shutil.copytree(exports, before)
    user_id, moment = last_app_session(project)
    (tmp_path / "input" / "app" / "late.jsonl").write_text(app_event("late-1", moment, user_id))
    project.build(variables)
    second = Manifest.read(exports)
    assert first.rows("user_sessions") == second.rows("user_sessions")

    # A reader that read the first build's manifest, then the second build's user_sessions
    # (same row count, other sessions): it reads again and says the exports keep changing.
    mixed = tmp_path / "mixed"
    shutil.copytree(before, mixed)
    shutil.copy(exports / "user_sessions.parquet", mixed / "user_sessions.parquet")
    with pytest.raises(ExportError, match="kept changing"):
        Snapshot.load(mixed)
    with pytest.raises(ExportError, match="kept changing"):
        ExportReader(mixed).history(user_id, 10)
    assert ExportReader(exports).history(user_id, 10)[1]
    assert Snapshot.load(exports).manifest == second

    # One build id per build; a file a build did not rewrite keeps the id of the build that did.
    first_document, second_document = (
        json.loads((d / "manifest.json").read_text()) for d in (before, exports)
    )
    first_id, second_id = first_document["build_id"], second_document["build_id"]
    assert first_id and second_id and first_id != second_id
    files = second_document["files"]
    assert files["user_sessions.parquet"]["build_id"] == second_id
    assert files["mooc_sessions.parquet"]["build_id"] == first_id
    for name, entry in files.items():
        if name.endswith(".parquet"):
            assert parquet_build_id(exports / name) == entry["build_id"], name


def test_an_export_follows_the_run_sequence_after_the_clock_is_set_back(tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "wh")
    variables = sample_inputs(tmp_path)
    exports = tmp_path / "exports"
    project.build(variables)
    # The first run's clock was a day ahead (its stamp and its exports' times are in the future
    # of the clock now): the clock has been set back since.
    shifted = ["written_at"] + [
        name
        for (name,) in project.query(
            "select column_name from information_schema.columns"
            " where table_name = 'exported_files' and column_name = 'run_stamp'"
        )
    ]
    with_connection(
        project,
        "update intermediate.run_sequence set stamp = stamp + interval 1 day;"
        + "".join(
            f"update exports.exported_files set {name} = {name} + interval 1 day;"
            for name in shifted
        ),
    )
    user_id, moment = last_app_session(project)
    (tmp_path / "input" / "app" / "late.jsonl").write_text(app_event("late-1", moment, user_id))
    project.build(variables)

    exported = project.query(
        f"select * from read_parquet('{exports / 'user_sessions.parquet'}') order by session_id"
    )
    assert exported == project.query("select * from user_sessions order by session_id")
    manifest = json.loads((exports / "manifest.json").read_text())
    assert manifest["files"]["user_sessions.parquet"]["build_id"] == manifest["build_id"]


def with_connection(project: DbtProject, sql: str) -> None:
    import duckdb

    with duckdb.connect(str(project.warehouse)) as connection:
        connection.execute(sql)


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shim(tmp_path_factory.mktemp("shim"))


@pytest.mark.faults
def test_a_failing_fsync_fails_the_export_and_keeps_the_previous_one(
    tmp_path: Path, shim: Path
) -> None:
    project = DbtProject(tmp_path / "wh")
    # The app source only: a short build (make test-faults).
    off = {"chat_enabled": False, "segment_enabled": False, "mooc_enabled": False}
    variables = {**sample_inputs(tmp_path), **off}
    exports = tmp_path / "exports"
    project.build(variables)
    previous = file_contents(exports)
    user_id, moment = last_app_session(project)
    (tmp_path / "input" / "app" / "late.jsonl").write_text(app_event("late-1", moment, user_id))

    flag = tmp_path / "armed"
    flag.touch()
    faulted = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *("build", "--profiles-dir", "profiles", "--exclude-resource-type", "unit_test"),
            *("--vars", json.dumps(variables)),
        ],
        cwd=PROJECT_DIR,
        env={
            **project.env(),
            "LD_PRELOAD": str(shim),
            "STORAGE_FAULT_CALL": "export",
            "STORAGE_FAULT_ARMED": str(flag),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert faulted.returncode != 0, dbt_output(faulted)
    assert "Input/output error" in faulted.stdout, dbt_output(faulted)
    # No export replaced, no temporary file left.
    after = file_contents(exports)
    assert after == previous, [name for name in after if after[name] != previous.get(name)]

    flag.unlink()  # the storage works again: the next export catches up
    project.build(variables, "--select", "exported_files")
    assert file_contents(exports)["user_sessions.parquet"] != previous["user_sessions.parquet"]
    assert Snapshot.load(exports).manifest == Manifest.read(exports)
