"""Input files that change after they were loaded (docs/incremental.md, "Files that change").

A JSON-lines file that grows by whole lines has its new lines loaded by the next incremental
run, once each, with their file and line numbers; a last line without its newline waits. The
result equals a full refresh over the final files, mart for mart. Any other change of a loaded
file stops the build with an error naming the file, what changed and `make backfill`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
from conftest import DbtProject, dbt_output, sample_inputs

from sessions_testkit.mart_diff import mart_differences

CHAT_LINE = {
    "event_name": "message_sent",
    "timestamp": "2016-11-08T17:{minute:02d}:00Z",
    "user_id": "grown-{user}",
    "channel_id": "C1",
}


def chat_lines(users: range, minute: int) -> bytes:
    lines = [
        json.dumps(
            {
                **CHAT_LINE,
                "timestamp": CHAT_LINE["timestamp"].format(minute=minute),
                "user_id": f"grown-{user}",
            }
        )
        for user in users
    ]
    return "".join(line + "\n" for line in lines).encode()


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def lines_in(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def test_a_grown_file_loads_its_new_lines_once_and_equals_a_full_refresh(tmp_path: Path) -> None:
    variables = sample_inputs(tmp_path)
    chat = tmp_path / "input" / "chat" / "messages_part1.jsonl"
    app = tmp_path / "input" / "app" / "events.jsonl"
    project = DbtProject(tmp_path / "incremental")
    project.build(variables)

    # Run 2: 50 new lines (one of them not JSON), and a last line still being written.
    append(chat, chat_lines(range(49), 40) + b'{"event_name": "broken\n')
    partial = json.dumps({**CHAT_LINE, "timestamp": "2016-11-08T18:00:00Z", "user_id": "late"})
    append(chat, partial[:25].encode())
    app_lines = app.read_bytes().splitlines(keepends=True)[:5]
    append(app, b"".join(app_lines))
    project.build(variables)

    complete = lines_in(chat)
    loaded = project.query(
        "select count(*), count(distinct line_number), max(line_number)"
        f" from staging.base_chat__message_lines where file_name = '{chat}'"
    )
    assert loaded == [(complete, complete, complete)]
    assert project.query(
        f"select line_number, rejection_reason from quarantined_events where file_name = '{chat}'"
    ) == [(complete, "invalid_json")]
    assert project.query(
        "select first_line_number, last_line_number, records_read, bytes_waiting"
        f" from loaded_files where file_name = '{chat}' order by _loaded_at desc limit 1"
    ) == [(complete - 49, complete, 50, 25)]
    assert project.query("select count(*) from user_sessions where user_id = 'late'") == [(0,)]

    # Run 3: the waiting line completed, and more lines after it.
    append(chat, partial[25:].encode() + b"\n" + chat_lines(range(49, 60), 50))
    project.build(variables)
    assert project.query("select count(*) from user_sessions where user_id = 'late'") == [(1,)]
    rows = project.query(
        "select count(*), count(distinct line_number) from staging.base_chat__message_lines"
        f" where file_name = '{chat}'"
    )
    assert rows == [(lines_in(chat), lines_in(chat))]

    fresh = DbtProject(tmp_path / "fresh")
    fresh.build({**variables, "export_dir": str(tmp_path / "fresh_exports")})
    assert mart_differences(project.warehouse, fresh.warehouse) == []


def test_a_file_changed_otherwise_stops_the_build_naming_it(tmp_path: Path) -> None:
    variables = sample_inputs(tmp_path)
    inputs = tmp_path / "input"
    project = DbtProject(tmp_path / "wh")
    project.build(variables)

    # Shrunk; rewritten at the same size (a later modification time); a Parquet file
    # rewritten; a JSON-lines file grown after its loaded lines were rewritten.
    shrunk = inputs / "chat" / "messages_part2.jsonl"
    shrunk.write_bytes(shrunk.read_bytes()[:-100])
    same_size = inputs / "app" / "events.jsonl"
    data = same_size.read_bytes()
    same_size.write_bytes(data.replace(b'"', b"'", 1))
    later = same_size.stat().st_mtime + 10
    os.utime(same_size, (later, later))
    parquet = inputs / "mooc" / "interactions.parquet"
    pq.write_table(pq.read_table(parquet), parquet)
    os.utime(parquet, (later, later))
    rewritten = inputs / "segment" / "events_stream.jsonl"
    rewritten.write_bytes(rewritten.read_bytes().rstrip(b"\n") + b"  \n" * 3)

    result = project.dbt("build", "--exclude-resource-type", "unit_test", variables=variables)
    output = dbt_output(result) + result.stdout
    assert result.returncode != 0
    assert f"{shrunk}: shrank from" in output, output
    assert f"{same_size}: was modified at the same size" in output, output
    assert f"{parquet}:" in output, output
    assert f"The input file {rewritten} changed after it was loaded" in output, output
    for source in ("chat", "app", "mooc", "segment"):
        assert f"make backfill SOURCE={source}" in output, output

    # The documented way out: the sources reloaded from the files as they are now.
    for source in ("chat", "app", "mooc", "segment"):
        project.dbt_ok(
            "build",
            "--selector",
            f"{source}_source",
            "--full-refresh",
            "--exclude-resource-type",
            "unit_test",
            variables=variables,
        )
    project.build(variables)
