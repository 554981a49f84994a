"""Retention (`retention_days`, `dbt run-operation apply_retention`): exactly the sessions that
ended more than retention_days before the clock (the var as_of) leave the session-level marts
and the sessionized events, the daily aggregates stay, the data tests still pass, and a later
incremental run neither recounts a day before the cut nor differs from a full refresh on the
days after it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import DbtProject, sample_inputs

# The sample's app history ends 2024-03-06 22:29: a clock of 2024-03-06 12:00 keeps its last
# day and a half of sessions and cuts the rest (and every other source's) at 2024-03-05 12:00.
AS_OF = datetime(2024, 3, 6, 12, tzinfo=UTC)
RETENTION = {"retention_days": 1, "as_of": AS_OF.isoformat()}
SESSION_MARTS = ("abandoned_workflows", "chat_sessions", "mooc_interaction_sessions")


def rows(project: DbtProject, sql: str) -> set[tuple]:
    return set(project.query(sql))


def late_and_new_app_events(path: Path) -> None:
    """A late event on the first sample day (before the cut) and a session after the newest."""
    events = [
        ("late_1", "page_view", "2024-03-04T09:00:00Z", "usr_late"),
        ("new_1", "session_start", "2024-03-07T08:00:00Z", "usr_new"),
        ("new_2", "action", "2024-03-07T08:05:00Z", "usr_new"),
    ]
    path.write_text(
        "".join(
            json.dumps(
                {"event_id": i, "event_type": t, "timestamp": ts, "user_id": u, "page": "/x"}
            )
            + "\n"
            for i, t, ts, u in events
        )
    )


def test_retention_trims_sessions_and_keeps_daily_aggregates(tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "wh")
    variables = {**sample_inputs(tmp_path), **RETENTION}
    project.build(variables)

    sessions = project.query("select session_id, source, end_time from user_sessions")
    kept = {sid for sid, _, end in sessions if end >= AS_OF - timedelta(days=1)}
    assert 0 < len(kept) < len(sessions), "the sample must have sessions on both sides"
    # seconds_since_previous_session is compared apart: on a stream's oldest kept session it
    # becomes null, the session before it being deleted (docs/retention.md).
    event_columns = "* exclude (seconds_since_previous_session)"
    events_before = rows(project, f"select {event_columns} from session_events")
    gaps_before = {
        (source, event_id): gap
        for source, event_id, gap in project.query(
            "select source, event_id, seconds_since_previous_session from session_events"
        )
    }
    marts_before = {mart: rows(project, f"select * from {mart}") for mart in SESSION_MARTS}
    daily_before = rows(project, "select * from daily_session_stats")

    project.dbt_ok("run-operation", "apply_retention", variables=variables)

    assert {sid for (sid,) in project.query("select session_id from user_sessions")} == kept
    assert rows(project, f"select {event_columns} from session_events") == {
        row for row in events_before if row[2] in kept
    }
    for source, event_id, gap in project.query(
        "select source, event_id, seconds_since_previous_session from session_events"
    ):
        assert gap in (gaps_before[(source, event_id)], None), event_id
    for mart, before in marts_before.items():
        [id_index] = [
            i
            for i, (name,) in enumerate(
                project.query(
                    "select column_name from information_schema.columns"
                    f" where table_name = '{mart}' order by ordinal_position"
                )
            )
            if name == "session_id"
        ]
        assert rows(project, f"select * from {mart}") == {
            row for row in before if row[id_index] in kept
        }, mart
    assert rows(project, "select * from daily_session_stats") == daily_before
    # Nothing more is expired the second time, and the data tests hold on what is left.
    result = project.dbt_ok("run-operation", "apply_retention", variables=variables)
    assert "deleted 0 sessions" in result.stdout
    project.dbt_ok("test", "--exclude-resource-type", "unit_test", variables=variables)

    # A later run: the late event's day (before the cut) keeps its counts; every later day
    # equals a full refresh of the same files, and the exports follow the trimmed marts.
    late_and_new_app_events(tmp_path / "input" / "app" / "late.jsonl")
    project.build(variables)
    full = DbtProject(tmp_path / "full")
    full.build({**variables, "export_dir": str(tmp_path / "full_exports")})
    cut = "date '2024-03-05'"  # as_of minus a day
    app_days = "select * from daily_session_stats where source = 'app' and date"
    assert rows(project, f"{app_days} < {cut}") == {
        row for row in daily_before if row[1] == "app" and str(row[0]) < "2024-03-05"
    }
    assert rows(project, f"{app_days} >= {cut}") == rows(full, f"{app_days} >= {cut}")
    assert rows(project, "select * from user_sessions where session_id like '%'") == rows(
        project,
        f"select * from read_parquet('{tmp_path / 'exports' / 'user_sessions.parquet'}')",
    )
    assert project.query("select count(*) from user_sessions where user_id = 'usr_new'") == [(1,)]


def test_retention_days_must_be_a_whole_number_of_days(tmp_path: Path) -> None:
    project = DbtProject(tmp_path)
    for bad in (0, 1.5, "30"):
        result = project.dbt("run-operation", "apply_retention", variables={"retention_days": bad})
        assert result.returncode != 0
        assert "retention_days must be a whole number of days of at least 1" in result.stdout
