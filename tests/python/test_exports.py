"""The exports (models/exports/exported_files.py): every exported file holds exactly its mart's
rows, the manifest lists each file with its row count, and an incremental run rewrites only the
exports whose marts may have changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import PROJECT_DIR, DbtProject

SAMPLE = PROJECT_DIR / "data" / "sample"
# file name -> mart, as the project exports them
PARQUET_EXPORTS = {
    "user_sessions.parquet": "user_sessions",
    "daily_session_stats.parquet": "daily_session_stats",
    "session_size_stats.parquet": "session_size_stats",
    "user_session_patterns.parquet": "user_session_patterns",
    "active_sessions.parquet": "active_sessions",
    "abandoned_workflows.parquet": "abandoned_workflows",
    "quarantined_events.parquet": "quarantined_events",
    "loaded_files.parquet": "loaded_files",
    "run_stats.parquet": "run_stats",
    "chat_sessions.parquet": "chat_sessions",
    "hourly_activity.parquet": "hourly_activity",
    "feature_pairs.parquet": "feature_pairs",
}


def _differences(project: DbtProject, parquet: Path, mart: str) -> list[tuple]:
    """Rows in one and not the other (as multisets), both ways; empty when they are equal."""
    return project.query(
        f"""
        (select * from read_parquet('{parquet}') except all select * from {mart})
        union all
        (select * from {mart} except all select * from read_parquet('{parquet}'))
        """
    )


def test_exports_equal_the_marts_and_only_stale_ones_are_rewritten(
    dbt_project: DbtProject, tmp_path: Path
) -> None:
    chat = tmp_path / "chat"
    chat.mkdir()
    shutil.copy(SAMPLE / "chat" / "messages_part1.jsonl", chat)
    exports = tmp_path / "exports"
    variables = {"chat_events_path": str(chat / "*.jsonl"), "export_dir": str(exports)}
    dbt_project.build(variables)

    manifest = json.loads((exports / "manifest.json").read_text())
    for name, mart in PARQUET_EXPORTS.items():
        assert _differences(dbt_project, exports / name, mart) == [], name
        assert manifest["files"][name]["mart"] == mart
        [(count,)] = dbt_project.query(f"select count(*) from {mart}")
        assert manifest["files"][name]["rows"] == count, name
    assert set(manifest["files"]) == {p.name for p in exports.iterdir()} - {"manifest.json"}
    [(latest_end,)] = dbt_project.query("select max(end_time) from user_sessions")
    assert manifest["data_through"] == latest_end.isoformat().replace("+00:00", "Z")
    first = {p.name: p.stat().st_mtime_ns for p in exports.iterdir()}

    # A new chat file: chat's and every all-source mart's exports are rewritten, MOOC's are not.
    shutil.copy(SAMPLE / "chat" / "messages_part2.jsonl", chat)
    dbt_project.build(variables)
    second = {p.name: p.stat().st_mtime_ns for p in exports.iterdir()}
    rewritten = {name for name in first if second[name] != first[name]}
    assert "mooc_sessions.parquet" not in rewritten
    assert {"chat_sessions.json", "user_sessions.parquet", "run_stats.parquet"} <= rewritten
    assert "manifest.json" in rewritten
    later = json.loads((exports / "manifest.json").read_text())
    assert later["exported_at"] > manifest["exported_at"]
    for name, mart in PARQUET_EXPORTS.items():
        assert _differences(dbt_project, exports / name, mart) == [], name
    assert not [p for p in exports.iterdir() if p.name.endswith(".tmp")]
