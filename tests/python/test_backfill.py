"""Reprocessing a source after fixing its files (docs/scheduling.md, `make backfill SOURCE=...`):
the fixed file put back under its own name, then `dbt build --selector <source>_source
--full-refresh`, ends equal, mart for mart, to a fresh build of the fixed files."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DbtProject, sample_inputs

from sessions_testkit.mart_diff import mart_differences

GOOD_LINE = {
    "event_name": "message_sent",
    "timestamp": "2016-11-08T17:30:00Z",
    "user_id": "fixed-user",
    "channel_id": "C1",
}


def test_backfill_of_a_fixed_file_equals_a_fresh_build(tmp_path: Path) -> None:
    variables = sample_inputs(tmp_path)
    damaged = tmp_path / "input" / "chat" / "messages_part2.jsonl"
    original = damaged.read_text()
    damaged.write_text(original + json.dumps(GOOD_LINE)[:-12] + "\n")  # a truncated record

    project = DbtProject(tmp_path / "wh")
    project.build(variables)
    fixed_user_rejected = (
        "select rejection_reason from quarantined_events where raw_line like '%fixed-user%'"
    )
    assert project.query(fixed_user_rejected) == [("invalid_json",)]
    assert project.query("select count(*) from user_sessions where user_id = 'fixed-user'") == [
        (0,)
    ]

    damaged.write_text(original + json.dumps(GOOD_LINE) + "\n")
    project.dbt_ok(
        "build",
        "--selector",
        "chat_source",
        "--full-refresh",
        "--exclude-resource-type",
        "unit_test",
        variables=variables,
    )
    fresh = DbtProject(tmp_path / "fresh")
    fresh.build({**variables, "export_dir": str(tmp_path / "fresh_exports")})
    assert mart_differences(project.warehouse, fresh.warehouse) == []
    assert project.query("select count(*) from user_sessions where user_id = 'fixed-user'") == [
        (1,)
    ]
    assert project.query(fixed_user_rejected) == []
