"""Independent plain-Python reference implementations of the project's session rules.

Nothing here is shared with the dbt models: the rules are written again from the README so that a
differential test compares two implementations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChatEvent:
    user_id: str
    channel_id: str
    event_name: str
    event_time: datetime


@dataclass(frozen=True)
class ChatSession:
    user_id: str
    session_number: int
    session_start: datetime
    session_end: datetime
    total_messages: int
    event_count: int
    top_channel_id: str | None
    top_channel_messages: int | None


def split_sessions(times: list[datetime], gap_seconds: float) -> list[list[int]]:
    """Indexes of `times` (already sorted) grouped into sessions: a gap above the limit splits."""
    sessions: list[list[int]] = []
    for index, moment in enumerate(times):
        if not sessions or (moment - times[index - 1]).total_seconds() > gap_seconds:
            sessions.append([])
        sessions[-1].append(index)
    return sessions


def top_channel(events: list[ChatEvent]) -> tuple[str | None, int | None]:
    """Most messages; then the channel messaged first; then the lowest channel id as text."""
    counts: dict[str, int] = defaultdict(int)
    first_seen: dict[str, datetime] = {}
    for event in events:
        if event.event_name != "send_message":
            continue
        counts[event.channel_id] += 1
        if event.channel_id not in first_seen or event.event_time < first_seen[event.channel_id]:
            first_seen[event.channel_id] = event.event_time
    if not counts:
        return None, None
    best = min(counts, key=lambda channel: (-counts[channel], first_seen[channel], channel))
    return best, counts[best]


def chat_sessions(events: list[ChatEvent], gap_seconds: float = 30) -> list[ChatSession]:
    by_user: dict[str, list[ChatEvent]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    result: list[ChatSession] = []
    for user_id, user_events in by_user.items():
        user_events.sort(key=lambda event: event.event_time)
        times = [event.event_time for event in user_events]
        for number, indexes in enumerate(split_sessions(times, gap_seconds), start=1):
            members = [user_events[index] for index in indexes]
            channel, channel_messages = top_channel(members)
            result.append(
                ChatSession(
                    user_id=user_id,
                    session_number=number,
                    session_start=members[0].event_time,
                    session_end=members[-1].event_time,
                    total_messages=sum(1 for e in members if e.event_name == "send_message"),
                    event_count=len(members),
                    top_channel_id=channel,
                    top_channel_messages=channel_messages,
                )
            )
    return sorted(result, key=lambda session: (session.user_id, session.session_number))
