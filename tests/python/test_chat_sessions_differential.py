"""chat_sessions built by dbt equals the plain-Python reference on generated chat events."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DbtProject
from generators import random_chat_events, write_chat_files
from reference import ChatEvent, ChatSession, chat_sessions

# Only the chat source: the bundled samples of the other sources are not part of these tests.
CHAT_ONLY = {"segment_enabled": False, "mooc_enabled": False, "app_enabled": False}

SESSION_COLUMNS = (
    "user_id, session_number, session_start, session_end, total_messages, event_count, "
    "top_channel_id, top_channel_messages"
)


def _as_reference_rows(sessions: list[ChatSession]) -> list[tuple]:
    return [
        (
            s.user_id,
            s.session_number,
            s.session_start,
            s.session_end,
            s.total_messages,
            s.event_count,
            s.top_channel_id,
            s.top_channel_messages,
        )
        for s in sessions
    ]


def test_chat_sessions_match_reference_row_for_row(dbt_project: DbtProject, tmp_path: Path) -> None:
    rng = random.Random(1108)
    events = random_chat_events(rng, users=250, events_per_user=40)
    lines = write_chat_files(events, tmp_path / "chat", rng)
    assert len(lines) > 3000

    dbt_project.build(
        {
            **CHAT_ONLY,
            "chat_events_path": str(tmp_path / "chat" / "*.jsonl"),
            "export_dir": str(tmp_path / "exports"),
        }
    )

    actual = dbt_project.query(
        f"select {SESSION_COLUMNS} from chat_sessions order by user_id, session_number"
    )
    expected = _as_reference_rows(chat_sessions(events, gap_seconds=30))
    assert len(actual) == len(expected)
    for actual_row, expected_row in zip(actual, expected, strict=True):
        assert actual_row == expected_row

    # Every input line became exactly one staged event; none was quarantined.
    assert dbt_project.query("select count(*) from staging.stg_chat__messages") == [(len(lines),)]
    assert dbt_project.query("select count(*) from quarantined_events") == [(0,)]

    # The JSON export holds the same sessions, timestamps as ISO-8601 with offset.
    exported = json.loads((tmp_path / "exports" / "chat_sessions.json").read_text())
    assert len(exported) == len(expected)
    first_by_key = {(row["user_id"], row["session_number"]): row for row in exported}
    for session in chat_sessions(events, gap_seconds=30):
        row = first_by_key[(session.user_id, session.session_number)]
        assert datetime.fromisoformat(row["session_start"]) == session.session_start
        assert datetime.fromisoformat(row["session_end"]) == session.session_end
        assert row["total_messages"] == session.total_messages
        assert row["top_channel_id"] == session.top_channel_id
    assert (tmp_path / "exports" / "chat_sessions.parquet").stat().st_size > 0


def test_session_ids_are_stable_when_unrelated_data_is_added(
    dbt_project: DbtProject, tmp_path: Path
) -> None:
    rng = random.Random(42)
    events = random_chat_events(rng, users=30, events_per_user=15)
    write_chat_files(events, tmp_path / "chat", rng, files=1)
    variables = {
        **CHAT_ONLY,
        "chat_events_path": str(tmp_path / "chat" / "*.jsonl"),
        "export_dir": str(tmp_path / "exports"),
    }
    dbt_project.build(variables)
    before = dict(dbt_project.query("select session_id, user_id from chat_sessions"))

    # Another user's events, in a new file: no existing session may change its id.
    newcomer = random_chat_events(random.Random(7), users=1, events_per_user=10)
    newcomer = [e.__class__("newcomer", e.channel_id, e.event_name, e.event_time) for e in newcomer]
    write_chat_files(newcomer, tmp_path / "chat_extra", rng, files=1)
    (tmp_path / "chat_extra" / "chat_00.jsonl").rename(tmp_path / "chat" / "chat_zz.jsonl")
    dbt_project.build(variables)
    after = dict(dbt_project.query("select session_id, user_id from chat_sessions"))

    assert set(before) <= set(after)
    assert {user for session, user in after.items() if session not in before} == {"newcomer"}


def test_gap_var_changes_the_sessions(dbt_project: DbtProject, tmp_path: Path) -> None:
    rng = random.Random(3)
    events = random_chat_events(rng, users=40, events_per_user=20)
    write_chat_files(events, tmp_path / "chat", rng)
    dbt_project.build(
        {
            **CHAT_ONLY,
            "chat_events_path": str(tmp_path / "chat" / "*.jsonl"),
            "export_dir": str(tmp_path / "exports"),
            "chat_inactivity_seconds": 120,
        },
    )
    actual = dbt_project.query(
        f"select {SESSION_COLUMNS} from chat_sessions order by user_id, session_number"
    )
    assert actual == _as_reference_rows(chat_sessions(events, gap_seconds=120))


@pytest.mark.parametrize("gap", [0.4, 30.5])
def test_fractional_gaps_apply_exactly(dbt_project: DbtProject, tmp_path: Path, gap: float) -> None:
    """A gap of 0.4 or 30.5 s is that gap, to the microsecond: neither 0 and 31 nor rounded."""
    rng = random.Random(int(gap * 10))
    start = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    steps = [gap, gap + 0.000001, gap - 0.000001, round(gap + 0.5), 0.0, gap / 2, gap]
    events = []
    for user in range(6):
        moment = start
        for step in rng.sample(steps, len(steps)):
            moment += timedelta(seconds=step)
            events.append(ChatEvent(f"u{user}", "1", "send_message", moment))
    write_chat_files(events, tmp_path / "chat", rng)
    dbt_project.build(
        {
            **CHAT_ONLY,
            "chat_events_path": str(tmp_path / "chat" / "*.jsonl"),
            "export_dir": str(tmp_path / "exports"),
            "chat_inactivity_seconds": gap,
        },
    )
    actual = dbt_project.query(
        f"select {SESSION_COLUMNS} from chat_sessions order by user_id, session_number"
    )
    expected = chat_sessions(events, gap_seconds=gap)
    assert actual == _as_reference_rows(expected)
    assert len(expected) > 6  # some steps split, some do not
