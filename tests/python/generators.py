"""Seeded generators of random input files, rich in the edge cases the session rules name."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from reference import ChatEvent
from reference_sources import MoocRow

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


# ============================================================================================
# Multi-source inputs (issue 3): segment (JSON array + JSON lines), mooc (Parquet), app (JSON
# lines), chat. Every random walk stays before END - 3 h; the last three hours hold the
# hand-written `as_of` edges, and the single latest event of all sources is at END (the default
# as_of).
# ============================================================================================

SOURCES_START = datetime(2024, 3, 4, 21, 30, 0, tzinfo=UTC)  # random walks cross midnights
END = datetime(2024, 3, 9, 12, 0, 0, tzinfo=UTC)
WALK_LIMIT = END - timedelta(hours=3)
SITE_DOMAINS = ["example.com", "Shop.Example.ORG"]
# Gaps around the 1800 s limit of segment / mooc / app, and equal timestamps.
LONG_GAPS = [0, 0, 1, 2, 30, 60, 300, 900, 1799, 1799.999999, 1800, 1800, 1800.000001, 1801]
LONG_GAPS += [3600, 7200, 90000]
PAGES = ["/home", "/pricing", "/docs", "/checkout", "/settings", "/search", "/blog/post-1"]
REFERRERS = [
    None,
    None,
    None,
    "https://www.example.com/home",
    "https://example.com",
    "http://EXAMPLE.COM:8080/x",
    "example.com/path",
    "www.example.com",
    "https://app.example.com?x=1",
    "https://example.com#top",
    "https://notexample.com/",
    "https://example.com.evil.org/",
    "https://google.com/search?q=sessions",
    "android-app://com.google.android.gm/",
    "https://user@example.com/",
    "https://shop.example.org/cart",
    "https://a.SHOP.example.org",
    "https://example.org/",
    "ftp://files.example.com:21/readme",
]
CAMPAIGNS = [None, None, None, "spring_sale", "newsletter", "retargeting"]


def _maybe(rng: random.Random, probability: float, value: Any) -> Any:
    return value if rng.random() < probability else None


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop None values and empty nested objects (absent fields, not JSON nulls)."""
    result: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            value = _compact(value)
            if not value:
                continue
        if value is not None:
            result[key] = value
    return result


def _random_id(rng: random.Random, prefix: str) -> str:
    # Random hex: the string order of ids differs from the order they were generated in.
    return f"{prefix}{rng.getrandbits(48):012x}"


def _shuffle_into_files(records: list[Any], rng: random.Random, files: int) -> list[list[Any]]:
    shuffled = records[:]
    rng.shuffle(shuffled)
    return [shuffled[index::files] for index in range(files)]


# --- segment ----------------------------------------------------------------------------


@dataclass
class SegmentTimeline:
    """Hands out segment event times so that an event whose id is a content hash (no messageId)
    never shares its instant with another event: the order at equal times is then fully known."""

    hashed: set[datetime] = field(default_factory=set)
    used: set[datetime] = field(default_factory=set)

    def claim(self, moment: datetime, has_message_id: bool) -> datetime:
        taken = self.used if not has_message_id else self.hashed
        while moment in taken:
            moment += timedelta(microseconds=1)
        self.used.add(moment)
        if not has_message_id:
            self.hashed.add(moment)
        return moment


def _segment_context(rng: random.Random) -> dict[str, Any]:
    screen: dict[str, Any] = {}
    if rng.random() < 0.25:
        screen = {"width": rng.choice([1920, 1366, 390]), "height": rng.choice([1080, 768, 844])}
    elif rng.random() < 0.1:
        screen = {"width": 1280}  # no height: no screen_size
    return {
        "page": {
            "path": _maybe(rng, 0.3, rng.choice(PAGES)),
            "referrer": _maybe(rng, 0.3, rng.choice(REFERRERS)),
        },
        "campaign": {"name": _maybe(rng, 0.5, rng.choice(CAMPAIGNS))},
        "device": {"type": _maybe(rng, 0.2, rng.choice(["mobile", "desktop", "tablet"]))},
        "os": {"name": _maybe(rng, 0.2, rng.choice(["iOS", "Android", "macOS", "Windows"]))},
        "browser": {"name": _maybe(rng, 0.2, rng.choice(["Chrome", "Safari", "Firefox"]))},
        "screen": screen,
    }


def segment_record(
    rng: random.Random,
    moment: datetime,
    user_id: str | None,
    anonymous_id: str | None,
    message_id: str | None,
    event_type: str | None = None,
) -> dict[str, Any]:
    """One segment message with random optional fields (absent, never JSON null)."""
    if event_type is None:
        event_type = rng.choices(["track", "page", "screen", "identify"], [55, 25, 8, 12])[0]
    record: dict[str, Any] = {
        "type": event_type,
        "messageId": message_id,
        "userId": user_id,
        "anonymousId": anonymous_id,
        "timestamp": spell_timestamp(moment, rng),
        "context": _segment_context(rng),
        "properties": {},
    }
    if event_type == "track" and rng.random() < 0.95:
        # A track event literally named session_end must not end a segment session.
        record["event"] = rng.choice(
            ["Feature Used", "Button Clicked", "Checkout Started", "session_end", "session_start"]
        )
    if event_type in ("page", "screen") and rng.random() < 0.6:
        record["name"] = rng.choice(["Home", "Dashboard", "Pricing"])
    if event_type in ("page", "track") and rng.random() < 0.4:
        record["properties"]["path"] = rng.choice(PAGES)
    if rng.random() < 0.15:
        record["properties"]["referrer"] = rng.choice(REFERRERS)
    if rng.random() < 0.2:
        record["properties"]["plan"] = rng.choice(["free", "pro"])
    return _compact(record)


@dataclass
class SegmentWriter:
    """Accumulates segment records for one generated data set."""

    rng: random.Random
    timeline: SegmentTimeline = field(default_factory=SegmentTimeline)
    records: list[dict[str, Any]] = field(default_factory=list)

    def emit(
        self,
        moment: datetime,
        user_id: str | None,
        anonymous_id: str | None,
        event_type: str | None = None,
        with_message_id: bool | None = None,
    ) -> datetime:
        rng = self.rng
        if with_message_id is None:
            with_message_id = rng.random() < 0.85
        moment = self.timeline.claim(moment, with_message_id)
        message_id = _random_id(rng, "msg-") if with_message_id else None
        record = segment_record(rng, moment, user_id, anonymous_id, message_id, event_type)
        if rng.random() < 0.3:
            # An absent id and a JSON null mean the same.
            record = {"userId": None, "anonymousId": None, **record}
        self.records.append(record)
        if rng.random() < 0.04:
            if message_id is None or rng.random() < 0.6:
                # Identical copy: one event with a messageId, two events without one.
                self.records.append(dict(record))
            else:
                # A different copy under the same messageId: only the one read first counts.
                shifted = self.timeline.claim(
                    moment + timedelta(seconds=rng.randint(1, 4000)), True
                )
                self.records.append(
                    segment_record(rng, shifted, user_id, anonymous_id, message_id, event_type)
                )
        return moment

    def walk(
        self,
        start: datetime,
        count: int,
        user_id: str | None,
        anonymous_id: str | None,
        event_type: str | None = None,
    ) -> datetime:
        moment = start
        for _ in range(count):
            gap = self.rng.choice(LONG_GAPS)
            if moment + timedelta(seconds=gap) >= WALK_LIMIT:
                break
            moment += timedelta(seconds=gap)
            # An equal timestamp is only ever shared by events with a messageId.
            moment = self.emit(moment, user_id, anonymous_id, event_type, None if gap else True)
        return moment


def _segment_people(writer: SegmentWriter, people: int) -> None:
    rng = writer.rng
    for index in range(people):
        user_id = rng.choice([f"seg_user_{index}", f"SEG_USER_{index}", f"{index:03d}"])
        anonymous_id = f"anon_{index}_{rng.getrandbits(16):04x}"
        start = SOURCES_START + timedelta(seconds=rng.randint(0, 3 * 86400))
        kind = rng.choice(["known", "login", "login", "anon", "relogin", "known_with_anon"])
        if kind == "known":
            writer.walk(start, rng.randint(1, 25), user_id, None)
        elif kind == "known_with_anon":
            writer.walk(start, rng.randint(1, 25), user_id, anonymous_id)
        elif kind == "anon":
            writer.walk(start, rng.randint(1, 15), None, anonymous_id)
        elif kind == "login":
            # Anonymous events, a login carrying both ids, then events of either kind: every
            # anonymous event (before and after the login) moves to the user.
            moment = writer.walk(start, rng.randint(1, 8), None, anonymous_id)
            moment = writer.emit(
                moment + timedelta(seconds=rng.choice([0, 5, 1800, 1801])),
                user_id,
                anonymous_id,
                "identify",
                True,
            )
            moment = writer.walk(moment, rng.randint(0, 10), user_id, anonymous_id)
            moment = writer.walk(moment, rng.randint(0, 6), user_id, None)
            writer.walk(moment, rng.randint(1, 6), None, anonymous_id)
        else:
            # One browser used by two users in turn: the latest login wins for the anonymous
            # events, even those before the first login.
            other = f"seg_other_{index}"
            moment = writer.walk(start, rng.randint(1, 5), None, anonymous_id)
            moment = writer.emit(moment + timedelta(seconds=60), user_id, anonymous_id, "track")
            moment = writer.walk(moment, rng.randint(1, 5), None, anonymous_id)
            moment = writer.emit(moment + timedelta(seconds=60), other, anonymous_id, "identify")
            writer.walk(moment, rng.randint(1, 5), None, anonymous_id)


def segment_people_records(rng: random.Random, people: int) -> list[dict[str, Any]]:
    """Only the random people of generate_segment_records (known users, logins, anonymous
    visitors, re-logins, copies), without the hand-written edges: small data sets."""
    writer = SegmentWriter(rng)
    _segment_people(writer, people)
    return writer.records


def _segment_bounce_edges(writer: SegmentWriter) -> None:
    """Sessions of 29 / 30 / 31 s (and around 30 s) with 0, 1 or 2 actions (track events)."""
    moment = SOURCES_START + timedelta(hours=5)
    for duration in (29, 29.999999, 30, 30.000001, 31):
        for actions in (0, 1, 2):
            user_id = f"seg_bounce_{duration}_{actions}"
            first, last = (["track"] * actions + ["identify"] * (2 - actions))[:2]
            moment += timedelta(hours=1)
            writer.emit(moment, user_id, None, first, True)
            writer.emit(moment + timedelta(seconds=duration), user_id, None, last, True)


def _segment_as_of_edges(writer: SegmentWriter) -> None:
    writer.emit(END - timedelta(seconds=2000), "seg_active_edge", None, "track", True)
    writer.emit(END - timedelta(seconds=1800), "seg_active_edge", None, "track", True)
    writer.emit(END - timedelta(seconds=2000), "seg_inactive_edge", None, "track", True)
    writer.emit(END - timedelta(seconds=1800.000001), "seg_inactive_edge", None, "page", True)
    writer.emit(END - timedelta(seconds=60), None, "anon_active_tail", "page", True)


def _segment_invalid(writer: SegmentWriter, count: int) -> int:
    rng = writer.rng
    for index in range(count):
        moment = SOURCES_START + timedelta(seconds=rng.randint(0, 86400))
        if index % 2:
            record = segment_record(rng, moment, f"seg_user_{index}", None, None, "track")
            record["type"] = rng.choice(["alias", "group", "Track"])
        else:
            record = segment_record(rng, moment, None, None, None, "track")
        writer.records.append(record)
    return count


def generate_segment_records(rng: random.Random, people: int = 220) -> list[dict[str, Any]]:
    writer = SegmentWriter(rng)
    _segment_people(writer, people)
    _segment_bounce_edges(writer)
    _segment_as_of_edges(writer)
    _segment_invalid(writer, 8)
    return writer.records


def write_segment_files(records: list[dict[str, Any]], folder: Path, rng: random.Random) -> None:
    """Shuffled over a JSON array file (indented) and a JSON-lines file."""
    folder.mkdir(parents=True, exist_ok=True)
    array_part, lines_part = _shuffle_into_files(records, rng, 2)
    (folder / "segment_a_array.json").write_text(json.dumps(array_part, indent=2) + "\n")
    lines = "\n".join(json.dumps(record) for record in lines_part) + "\n"
    (folder / "segment_b_lines.jsonl").write_text(lines, encoding="utf-8")


# --- app --------------------------------------------------------------------------------


@dataclass
class AppWriter:
    rng: random.Random
    # session_end reasons: free text in the spec (the exit_reason is whatever the app sent).
    reasons: tuple[str, ...] = ("logout", "navigation")
    records: list[dict[str, Any]] = field(default_factory=list)
    # The client session id (a browser tab's, or the collector's) of the visit being written:
    # every event of it carries the id; None writes events without one.
    client_session_id: str | None = None

    def emit(
        self, user_id: str, event_type: str, moment: datetime, **fields: Any
    ) -> dict[str, Any]:
        rng = self.rng
        record: dict[str, Any] = {
            "event_id": fields.pop("event_id", None) or _random_id(rng, "evt-"),
            "event_type": event_type,
            "timestamp": spell_timestamp(moment, rng),
            "user_id": user_id,
        }
        if event_type in ("page_view", "action") or rng.random() < 0.2:
            record["page"] = _maybe(rng, 0.85, rng.choice(PAGES))
        if rng.random() < 0.25:
            record["referrer"] = rng.choice(REFERRERS)
        if rng.random() < 0.1:
            record["campaign"] = rng.choice(CAMPAIGNS)
        if rng.random() < 0.3:
            record["device"] = {
                "type": _maybe(rng, 0.6, rng.choice(["mobile", "desktop"])),
                "browser": _maybe(rng, 0.6, rng.choice(["Chrome", "Safari"])),
                "os": _maybe(rng, 0.6, rng.choice(["iOS", "Linux"])),
                "screen_size": _maybe(rng, 0.5, rng.choice(["1920x1080", "390x844"])),
            }
        if event_type == "action":
            record["action"] = rng.choice(["click", "submit", "scroll"])
        if rng.random() < 0.2:
            record["details"] = {"k": rng.randint(0, 9), "nested": {"ok": True}}
        if self.client_session_id is not None:
            record["session_id"] = self.client_session_id
        record.update(fields)
        record = _compact(record)
        self.records.append(record)
        if rng.random() < 0.03:
            if rng.random() < 0.6:
                self.records.append(dict(record))
            else:
                # The same event_id with other content: the copy read first counts.
                copy = dict(record)
                shifted = moment + timedelta(seconds=rng.choice([1, 1800, 5000]))
                copy["timestamp"] = spell_timestamp(shifted, rng)
                copy["page"] = rng.choice(PAGES)
                self.records.append(copy)
        return record

    def body(self, user_id: str, moment: datetime, count: int) -> datetime:
        """Random in-session events (gaps mostly below the limit, some at or above it)."""
        rng = self.rng
        for _ in range(count):
            moment += timedelta(seconds=rng.choice([0, 0, 1, 5, 30, 60, 300, 1799, 1800, 1801]))
            event_type = rng.choices(
                [
                    "page_view",
                    "action",
                    "heartbeat",
                    "error",
                    "workflow_started",
                    "workflow_completed",
                ],
                [30, 30, 15, 8, 9, 8],
            )[0]
            fields: dict[str, Any] = {}
            if event_type.startswith("workflow_"):
                fields["workflow_id"] = _maybe(rng, 0.92, f"wf_{rng.randint(1, 4)}")
            self.emit(user_id, event_type, moment, **fields)
        return moment

    def visits(
        self, user_id: str, moment: datetime, count: int, until: datetime | None = None
    ) -> None:
        """`count` visits of a user one after the other (none starting after `until`), half of
        them in a client session of their own (a tab), and some with a second tab open at the
        same time: concurrent client sessions whose events interleave."""
        rng = self.rng
        for _ in range(count):
            if until is not None and moment >= until:
                break
            tab = f"tab-{rng.randrange(10**9)}" if rng.random() < 0.5 else None
            end = self.visit(user_id, moment, tab)
            if rng.random() < 0.25:
                offset = timedelta(seconds=rng.choice([0, 1, 30, 300, 1700]))
                end = max(end, self.visit(user_id, moment + offset, f"tab-{rng.randrange(10**9)}"))
            moment = end + timedelta(
                seconds=rng.choice([0, 0.000001, 1799, 1800, 1801, 7200, 86400])
            )

    def visit(
        self, user_id: str, moment: datetime, client_session_id: str | None = None
    ) -> datetime:
        """One visit: explicit start or not, a body, an ending of some kind; its events carry
        `client_session_id`."""
        outer, self.client_session_id = self.client_session_id, client_session_id
        try:
            return self._visit(user_id, moment)
        finally:
            self.client_session_id = outer

    def _visit(self, user_id: str, moment: datetime) -> datetime:
        rng = self.rng
        if rng.random() < 0.7:
            self.emit(user_id, "session_start", moment)
        moment = self.body(user_id, moment, rng.randint(0, 12))
        ending = rng.choice(
            ["end_reason", "end_plain", "timeout", "error", "error_heartbeat", "end_then_more"]
        )
        if ending in ("error", "error_heartbeat"):
            moment += timedelta(seconds=rng.choice([0, 3]))
            self.emit(user_id, "error", moment)
            if ending == "error_heartbeat":
                for _ in range(rng.randint(1, 3)):
                    moment += timedelta(seconds=rng.choice([0, 30]))
                    self.emit(user_id, "heartbeat", moment)
        elif ending.startswith("end"):
            moment += timedelta(seconds=rng.choice([0, 1, 10]))
            reason = rng.choice(self.reasons) if ending != "end_plain" else None
            self.emit(user_id, "session_end", moment, reason=reason)
            if ending == "end_then_more":
                # More events right after the end (same instant, 1 µs, 1 s): a new session
                # without a session_start, except the same-instant ones, which sort before it.
                for gap in rng.sample([0, 0.000001, 1, 2], k=rng.randint(1, 3)):
                    self.emit(
                        user_id,
                        rng.choice(["page_view", "action", "heartbeat"]),
                        moment + timedelta(seconds=gap),
                    )
                moment += timedelta(seconds=2)
        return moment


def _app_random_users(writer: AppWriter, users: int) -> None:
    rng = writer.rng
    for index in range(users):
        user_id = rng.choice([f"app_user_{index}", f"App_User_{index}", f"{index}"])
        moment = SOURCES_START + timedelta(seconds=rng.randint(0, 3 * 86400))
        writer.visits(user_id, moment, rng.randint(1, 6), until=WALK_LIMIT - timedelta(hours=3))


def app_visit_records(rng: random.Random, users: int, max_visits: int = 3) -> list[dict[str, Any]]:
    """Random visits of a few users (explicit starts and ends, heartbeats, errors, workflows,
    copies of event ids), without the hand-written edges: small data sets."""
    writer = AppWriter(rng)
    for index in range(users):
        user_id = rng.choice([f"app_user_{index}", f"App_User_{index}", f"{index}"])
        moment = SOURCES_START + timedelta(seconds=rng.randint(0, 2 * 86400))
        writer.visits(user_id, moment, rng.randint(1, max_visits))
    return writer.records


def _app_session(
    writer: AppWriter,
    user_id: str,
    start: datetime,
    duration: float,
    actions: int,
    errors: int = 0,
    start_id: str | None = None,
) -> None:
    """An explicit session: session_start, `actions` actions and `errors` errors spread over
    `duration`, a heartbeat at the end (so the last event is no action)."""
    writer.emit(user_id, "session_start", start, event_id=start_id)
    steps = actions + errors + 1
    for step in range(actions + errors):
        moment = start + timedelta(seconds=duration * (step + 1) / (steps + 1))
        writer.emit(user_id, "action" if step < actions else "error", moment, page="/docs")
    writer.emit(user_id, "heartbeat", start + timedelta(seconds=duration))


def _app_pattern_users(writer: AppWriter) -> None:
    """Users whose pattern sits on a boundary of the classification."""
    day = SOURCES_START + timedelta(days=1, hours=3)
    _app_session(writer, "app_power", day, 1801, 51)
    _app_session(writer, "app_power", day + timedelta(hours=2), 1800, 51)  # avg 1800.5
    _app_session(writer, "app_power_50_actions", day, 2000, 50)
    _app_session(writer, "app_power_1800_s", day, 1800, 60)
    _app_session(writer, "app_quick_300", day, 300, 2)
    _app_session(writer, "app_quick_299", day, 299.999999, 2)
    _app_session(writer, "app_struggling", day, 2000, 1, errors=1)
    _app_session(writer, "app_struggling", day + timedelta(hours=3), 400, 1, errors=6)
    _app_session(writer, "app_struggling_5", day, 400, 1, errors=5)
    _app_session(writer, "app_struggled_before", day, 400, 1, errors=9)
    _app_session(writer, "app_struggled_before", day + timedelta(hours=3), 400, 1, errors=0)
    # Two session_starts at one instant: two sessions with equal start_time; the latest session
    # is the one with the higher session_number (its 6 errors make the user struggling).
    _app_session(writer, "app_tied_starts", day, 2000, 3)
    tied = day + timedelta(hours=3)
    writer.emit("app_tied_starts", "session_start", tied, event_id="tie-a")
    _app_session(writer, "app_tied_starts", tied, 1000, 2, errors=6, start_id="tie-b")
    # 21 sessions: the window holds the latest 20; the first two start at the same instant.
    writer.emit("app_many", "session_start", day, event_id="many-a")
    _app_session(writer, "app_many", day, 3000, 3, start_id="many-b")
    for index in range(19):
        _app_session(writer, "app_many", day + timedelta(hours=2 + index), 100, 1)
    # The spec's SessionPattern: a user on whom no indicator fires (1000 s between the task
    # and explorer durations, no page views, no errors, no workflows): task_focused, confidence 0.
    _app_session(writer, "app_no_signal", day, 1000, 2)
    # Every indicator of each type fired (confidence 1): ten long busy sessions; six distinct
    # pages in a long session; errors, a page viewed again and a workflow left unfinished.
    for index in range(10):
        _app_session(writer, "app_power_all", day + timedelta(hours=index), 1900, 51)
    writer.emit("app_explorer", "session_start", day)
    for step, page in enumerate(["/a", "/b", "/c", "/d", "/e", "/f"], start=1):
        writer.emit("app_explorer", "page_view", day + timedelta(seconds=200 * step), page=page)
    writer.emit("app_explorer", "heartbeat", day + timedelta(seconds=1300))
    writer.emit("app_confused", "session_start", day)
    for step, page in enumerate(["/help", "/help", "/settings", "/help", "/help", "/help"], 1):
        writer.emit("app_confused", "page_view", day + timedelta(seconds=10 * step), page=page)
    writer.emit(
        "app_confused", "workflow_started", day + timedelta(seconds=50), workflow_id="wf_lost"
    )
    writer.emit("app_confused", "error", day + timedelta(seconds=60))


def _app_bounce_edges(writer: AppWriter) -> None:
    """Sessions of 29 / 30 / 31 s with 0, 1 or 2 actions (page_view, action or workflow)."""
    moment = SOURCES_START + timedelta(days=2)
    for duration in (29, 29.999999, 30, 30.5, 31):
        for actions in (0, 1, 2):
            user_id = f"app_bounce_{duration}_{actions}"
            writer.emit(user_id, "session_start", moment)
            kinds = ["page_view", "workflow_started", "action"][:actions]
            for step, kind in enumerate(kinds, start=1):
                fields = {"workflow_id": "wf_b"} if kind == "workflow_started" else {}
                writer.emit(user_id, kind, moment + timedelta(seconds=step), **fields)
            writer.emit(user_id, "heartbeat", moment + timedelta(seconds=duration))
            moment += timedelta(hours=1)


def _app_workflow_edges(writer: AppWriter) -> None:
    base = SOURCES_START + timedelta(days=2, hours=20)
    user = "app_workflows"
    writer.emit(user, "session_start", base)
    writer.emit(user, "workflow_completed", base + timedelta(seconds=1), workflow_id="wf_early")
    writer.emit(user, "workflow_started", base + timedelta(seconds=2), workflow_id="wf_early")
    writer.emit(user, "workflow_started", base + timedelta(seconds=3), workflow_id="wf_twice")
    writer.emit(user, "workflow_started", base + timedelta(seconds=4), workflow_id="wf_twice")
    writer.emit(user, "workflow_started", base + timedelta(seconds=5), workflow_id="wf_done")
    writer.emit(user, "workflow_completed", base + timedelta(seconds=6), workflow_id="wf_done")
    writer.emit(user, "workflow_started", base + timedelta(seconds=7))  # no workflow_id
    writer.emit(user, "workflow_started", base + timedelta(seconds=8), workflow_id="wf_next")
    writer.emit(user, "session_end", base + timedelta(seconds=9), reason="logout")
    # Completed in the next session: still abandoned in the first one.
    writer.emit(user, "workflow_completed", base + timedelta(seconds=10), workflow_id="wf_next")
    # session_start and session_end at the instant of other events: start sorts first, end last.
    tie = base + timedelta(hours=1)
    writer.emit(user, "page_view", tie, event_id="0-first-by-id", page="/tie")
    writer.emit(user, "session_start", tie, event_id="z-start")
    writer.emit(
        user, "session_end", tie + timedelta(seconds=5), event_id="0-end", reason=writer.reasons[-1]
    )
    writer.emit(user, "action", tie + timedelta(seconds=5), event_id="z-action", page="/x")
    # An error after a workflow's start fails it; an error before another's start does not.
    failing = base + timedelta(hours=2)
    writer.emit("app_failed", "workflow_started", failing, workflow_id="wf_fails")
    writer.emit("app_failed", "error", failing + timedelta(seconds=1))
    writer.emit(
        "app_failed", "workflow_started", failing + timedelta(seconds=2), workflow_id="wf_quit"
    )


def _app_as_of_edges(writer: AppWriter) -> None:
    writer.emit("app_active_edge", "session_start", END - timedelta(seconds=3000))
    writer.emit("app_active_edge", "action", END - timedelta(seconds=1800))
    writer.emit("app_inactive_edge", "action", END - timedelta(seconds=1800.000001))
    writer.emit("app_ended", "session_start", END - timedelta(seconds=100))
    writer.emit("app_ended", "session_end", END - timedelta(seconds=10), reason="logout")
    writer.emit("app_ended_then_beat", "session_end", END - timedelta(seconds=20))
    writer.emit("app_ended_then_beat", "heartbeat", END - timedelta(seconds=19))
    # Open at as_of: its unfinished workflows are in progress, even after an error.
    writer.emit(
        "app_open_workflow", "workflow_started", END - timedelta(seconds=600), workflow_id="wf_open"
    )
    writer.emit("app_open_workflow", "error", END - timedelta(seconds=500))
    # Within the gap of as_of but followed by a later session (an explicit start): not open.
    writer.emit(
        "app_not_last", "workflow_started", END - timedelta(seconds=900), workflow_id="wf_left"
    )
    writer.emit("app_not_last", "session_start", END - timedelta(seconds=800))
    # The single latest event of all sources: the default as_of.
    writer.emit("app_as_of", "action", END)


def _app_invalid(writer: AppWriter, count: int) -> None:
    """Unknown event types (quarantined), each under an event_id of its own."""
    rng = writer.rng
    for index in range(count):
        moment = SOURCES_START + timedelta(seconds=rng.randint(0, 86400))
        writer.records.append(
            {
                "event_id": _random_id(rng, "bad-"),
                "event_type": rng.choice(["click", "Session_Start", "purchase"]),
                "timestamp": spell_timestamp(moment, rng),
                "user_id": f"app_user_{index}",
            }
        )


def generate_app_records(
    rng: random.Random, users: int = 180, reasons: tuple[str, ...] = ("logout", "navigation")
) -> list[dict[str, Any]]:
    writer = AppWriter(rng, reasons)
    _app_random_users(writer, users)
    _app_pattern_users(writer)
    _app_bounce_edges(writer)
    _app_workflow_edges(writer)
    _app_as_of_edges(writer)
    _app_invalid(writer, 6)
    return writer.records


def write_app_files(
    records: list[dict[str, Any]], folder: Path, rng: random.Random, files: int = 3
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, chunk in enumerate(_shuffle_into_files(records, rng, files)):
        lines = "\n".join(json.dumps(record) for record in chunk) + "\n"
        (folder / f"app_{index:02d}.jsonl").write_text(lines, encoding="utf-8")


# --- mooc -------------------------------------------------------------------------------

MOOC_GAPS = [0, 0, 1, 60, 600, 1799, 1800, 1800, 1801, 3600, 86400]


def generate_mooc_rows(rng: random.Random, users: int = 120) -> list[MoocRow]:
    """Interactions; integer ids in the first half of users (written as Parquet integers)."""
    rows: list[MoocRow] = []
    limit = int(WALK_LIMIT.timestamp())
    for index in range(users):
        user: int | str = index if index % 2 else rng.choice([f"m_{index}", f"{index:03d}"])
        moment = int(SOURCES_START.timestamp()) + rng.randint(0, 3 * 86400)
        # Some long sessions (40 rows: averages whose 3rd decimal is a 5).
        count = 40 if rng.random() < 0.15 else rng.randint(1, 30)
        for _ in range(count):
            gap = rng.choice(MOOC_GAPS) if count != 40 else rng.choice([0, 10, 60])
            if moment + gap >= limit:
                break
            moment += gap
            item: int | str = (
                rng.randint(1, 12) if isinstance(user, int) else f"c{rng.randint(1, 12)}"
            )
            row = MoocRow(
                user_id=user,
                item_id=item,
                ts_epoch=moment,
                # Whole percentages, and values with up to 7 decimals.
                watch_percentage=rng.choice(
                    [float(rng.randint(0, 100)), round(rng.uniform(0, 100), rng.randint(1, 7))]
                ),
                rating=rng.choice([None, None, 1, 2, 3, 4, 5]),
            )
            rows.append(row)
            if rng.random() < 0.03:
                rows.append(row)  # identical rows are two interactions
    # Text "1" and Parquet integer 1 are the same user "1".
    first = next(row for row in rows if row.user_id == 1)
    rows.append(MoocRow("1", "c99", first.ts_epoch + 10, 75.0, 5))
    end = int(END.timestamp())
    rows.append(MoocRow("mooc_active_edge", "c1", end - 1800, 50.0, None))
    rows.append(MoocRow("mooc_inactive_edge", "c1", end - 1801, 50.0, 4))
    # Means that rounding each value first would change: 33.335 is a double just below 33.335
    # (its decimal mean rounds up, to 33.34); 0.0049996 rounded to 6 decimals would be 0.005.
    start = int(SOURCES_START.timestamp()) + 86400
    for offset, watched in enumerate([33.335, 33.335, 0.0049996, 0.0049996]):
        rows.append(MoocRow(f"mooc_decimals_{offset // 2}", "c1", start + 10 * offset, watched, 5))
    return rows


def write_mooc_files(rows: list[MoocRow], folder: Path, rng: random.Random) -> None:
    """Integer ids go to one Parquet file (int64 columns), text ids to another (string)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    for name, id_type in (
        ("mooc_int_ids.parquet", pa.int64()),
        ("mooc_text_ids.parquet", pa.string()),
    ):
        part = [row for row in shuffled if isinstance(row.user_id, int) == (id_type == pa.int64())]
        table = pa.table(
            {
                "user_id": pa.array([row.user_id for row in part], id_type),
                "item_id": pa.array([row.item_id for row in part], id_type),
                "ts_epoch": pa.array([row.ts_epoch for row in part], pa.int64()),
                "watch_percentage": pa.array([row.watch_percentage for row in part], pa.float64()),
                "rating": pa.array([row.rating for row in part], pa.int64()),
            }
        )
        pq.write_table(table, folder / name)


# --- chat -------------------------------------------------------------------------------


def generate_chat_records(rng: random.Random, users: int = 60) -> list[dict[str, Any]]:
    """Chat lines (random walks at the 30 s boundary, plus the as_of edges of the 30 s gap)."""
    events = random_chat_events(rng, users=users, events_per_user=30)
    events += [
        ChatEvent("chat_active_edge", "1", "send_message", END - timedelta(seconds=30)),
        ChatEvent("chat_inactive_edge", "1", "send_message", END - timedelta(seconds=30.000001)),
    ]
    return [
        {
            "event_name": event.event_name,
            "timestamp": spell_timestamp(event.event_time, rng),
            "user_id": event.user_id,
            "channel_id": event.channel_id,
        }
        for event in events
    ]


def write_chat_records(records: list[dict[str, Any]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(json.dumps(record) for record in records) + "\n"
    (folder / "chat_00.jsonl").write_text(lines, encoding="utf-8")
