"""Reprocessing a source after fixing its files (docs/scheduling.md, `make backfill SOURCE=...`):
the fixed file put back under its own name, then `dbt build --selector <source>_source
--full-refresh`, ends equal, mart for mart, to a fresh build of the fixed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import PROJECT_DIR, DbtProject
from mart_diff import mart_differences

GOOD_LINE = {
    "event_name": "message_sent",
    "timestamp": "2016-11-08T17:30:00Z",
    "user_id": "fixed-user",
    "channel_id": "C1",
}


def sample_copy(root: Path) -> dict[str, str]:
    shutil.copytree(PROJECT_DIR / "data" / "sample", root)
    return {
        "chat_events_path": str(root / "chat" / "*.jsonl"),
        "segment_events_path": str(root / "segment" / "*"),
        "mooc_interactions_path": str(root / "mooc" / "*.parquet"),
        "app_events_path": str(root / "app" / "*.jsonl"),
    }


def test_backfill_of_a_fixed_file_equals_a_fresh_build(tmp_path: Path) -> None:
    variables = sample_copy(tmp_path / "data")
    damaged = tmp_path / "data" / "chat" / "messages_part2.jsonl"
    original = damaged.read_text()
    damaged.write_text(original + json.dumps(GOOD_LINE)[:-12] + "\n")  # a truncated record

    project = DbtProject(tmp_path / "wh")
    project.build({**variables, "export_dir": str(tmp_path / "exports")})
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
        variables={**variables, "export_dir": str(tmp_path / "exports")},
    )
    fresh = DbtProject(tmp_path / "fresh")
    fresh.build({**variables, "export_dir": str(tmp_path / "fresh_exports")})
    assert mart_differences(project.warehouse, fresh.warehouse) == []
    assert project.query("select count(*) from user_sessions where user_id = 'fixed-user'") == [
        (1,)
    ]
    assert project.query(fixed_user_rejected) == []
