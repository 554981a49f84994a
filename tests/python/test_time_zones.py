"""Times and days are UTC whatever the connection's TimeZone: a user's own profile may set another.

The project's profile sets TimeZone to UTC; here a copy of it sets a zone far from UTC, and the
chat sessions (timestamps with and without an offset, around midnight UTC) must start at the
same instants and count on the same UTC days as the plain-Python reading of the same text.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, DbtProject
from reference_sources import parse_timestamp

# (user, timestamp text): offset-less text is UTC; sessions around midnight UTC.
MESSAGES = [
    ("late", "2024-03-04T23:59:50"),
    ("late", "2024-03-05T00:00:10"),  # 20 s later: the same session, started on the 4th
    ("tokyo", "2024-03-05T08:30:00+09:00"),  # 23:30 UTC on the 4th
    ("east", "2024-03-04T20:00:00-05:00"),  # 01:00 UTC on the 5th
    ("plain", "2024-03-05 00:00:00"),
    ("zulu", "2024-03-04T23:59:59.5Z"),
    ("day_only", "2024-03-05"),
]


def zoned_profiles(destination: Path, zone: str) -> Path:
    """A copy of the project's profiles whose connections use `zone`."""
    text = (PROJECT_DIR / "profiles" / "profiles.yml").read_text()
    assert text.count("TimeZone: UTC") == 2, "profiles.yml changed: update this test"
    destination.mkdir()
    (destination / "profiles.yml").write_text(text.replace("TimeZone: UTC", f"TimeZone: '{zone}'"))
    return destination


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_sessions_and_days_are_utc_in_any_connection_zone(tmp_path: Path, zone: str) -> None:
    chat = tmp_path / "chat" / "messages.jsonl"
    chat.parent.mkdir()
    chat.write_text(
        "".join(
            json.dumps(
                {"event_name": "send_message", "timestamp": text, "user_id": user, "channel_id": 1}
            )
            + "\n"
            for user, text in MESSAGES
        )
    )
    project = DbtProject(tmp_path / "run", profiles_dir=zoned_profiles(tmp_path / "profiles", zone))
    project.build(
        {
            "chat_events_path": str(chat),
            "segment_enabled": False,
            "mooc_enabled": False,
            "app_enabled": False,
            "export_dir": str(tmp_path / "exports"),
        }
    )

    starts: dict[str, datetime] = {}
    for user, text in MESSAGES:
        starts.setdefault(user, parse_timestamp(text))
    # The warehouse is read in UTC (DbtProject.query): the instants must be the text's.
    actual = dict(project.query("select user_id, start_time from main.user_sessions"))
    assert {user: moment.astimezone(UTC) for user, moment in actual.items()} == starts

    days = Counter(moment.date() for moment in starts.values())
    assert dict(project.query("select date, total_sessions from main.daily_session_stats")) == dict(
        days
    )
    assert set(days) == {date(2024, 3, 4), date(2024, 3, 5)}

    # hourly_activity: every message in its UTC weekday (ISO) and hour.
    hours = Counter(
        (moment.isoweekday(), moment.hour)
        for moment in (parse_timestamp(text) for _, text in MESSAGES)
    )
    activity = project.query("select utc_weekday, utc_hour, events from main.hourly_activity")
    assert {(weekday, hour): events for weekday, hour, events in activity} == dict(hours)
    assert len(hours) > 2
