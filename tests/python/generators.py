"""Seeded generators of random input files, rich in the edge cases the session rules name."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from reference import ChatEvent

START = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
# Gaps around every boundary: equal to the 30 s limit, just above and below it, and long pauses.
GAPS = [0, 0, 1, 5, 29, 29.999999, 30, 30, 30.000001, 30.5, 31, 31, 120, 3600, 86400]
# User ids that differ only as text, and channels whose text order differs from number order.
USERS = ["007", "7", "07", "1", "10", "alice", "Bob", "bob"]
CHANNELS = ["1", "2", "9", "10", "11", "general"]
OFFSETS = [timedelta(0), timedelta(hours=2), timedelta(hours=-5, minutes=-30), timedelta(hours=9)]


def spell_timestamp(moment: datetime, rng: random.Random) -> str:
    """An ISO-8601 spelling of `moment`: Z or a numeric offset, with or without fractions."""
    local = moment.astimezone(timezone(rng.choice(OFFSETS)))
    text = local.isoformat(timespec="microseconds" if local.microsecond else "seconds")
    return text.replace("+00:00", "Z") if rng.random() < 0.5 else text


def random_chat_events(rng: random.Random, users: int, events_per_user: int) -> list[ChatEvent]:
    events: list[ChatEvent] = []
    user_ids = USERS + [f"user_{index}" for index in range(max(0, users - len(USERS)))]
    for user_id in user_ids[:users]:
        moment = START + timedelta(seconds=rng.randint(0, 7200))
        for _ in range(rng.randint(1, events_per_user)):
            moment += timedelta(seconds=rng.choice(GAPS))
            name = "send_message" if rng.random() < 0.9 else "join_channel"
            event = ChatEvent(user_id, rng.choice(CHANNELS), name, moment)
            events.append(event)
            if rng.random() < 0.03:  # an identical line sent twice is two messages
                events.append(event)
    return events


def write_chat_files(
    events: list[ChatEvent], folder: Path, rng: random.Random, files: int = 3
) -> list[str]:
    """Write the events shuffled over several JSON-lines files; return the lines written."""
    folder.mkdir(parents=True, exist_ok=True)
    shuffled = events[:]
    rng.shuffle(shuffled)
    lines = [
        json.dumps(
            {
                "event_name": event.event_name,
                "timestamp": spell_timestamp(event.event_time, rng),
                "user_id": event.user_id,
                "channel_id": event.channel_id,
            }
        )
        for event in shuffled
    ]
    for index in range(files):
        chunk = lines[index::files]
        (folder / f"chat_{index:02d}.jsonl").write_text("\n".join(chunk) + "\n", encoding="utf-8")
    return lines
