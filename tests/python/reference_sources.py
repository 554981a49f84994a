"""Independent plain-Python reference of the multi-source session rules (issue 3 spec).

Written from the semantics spec, not from the SQL: raw segment / mooc / app / chat records become
canonical events (segment identity stitching, messageId / event_id dedupe), the events are
sessionized per (source, user_id, client session id) with each source's gap and the app's explicit
start / end rules,
and the marts user_sessions, session_events, daily_session_stats, session_size_stats,
user_session_patterns, abandoned_workflows, active_sessions and mooc_session_stats are computed.

Event ids that the spec defines as a content hash (segment events without messageId, mooc rows,
chat lines) are unknown here: such events carry `event_id=None` and are ordered after known ids
at equal (event_time, rank). The generators never rely on that order (no ties that matter).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any

SOURCES = ("chat", "segment", "mooc", "app")
DEFAULT_GAPS: dict[str, float] = {"chat": 30, "segment": 1800, "mooc": 1800, "app": 1800}
SEGMENT_CATEGORIES = {
    "identify": "identify",
    "track": "action",
    "page": "page_view",
    "screen": "page_view",
}
APP_EVENT_TYPES = (
    "session_start",
    "page_view",
    "action",
    "error",
    "heartbeat",
    "session_end",
    "workflow_started",
    "workflow_completed",
)
ACTION_CATEGORIES = frozenset({"action", "page_view", "workflow"})
PATTERN_WINDOW = 20


# --------------------------------------------------------------------------------------------
# Canonical events
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One canonical event. `event_id` is None when the spec makes it a content hash."""

    source: str
    event_id: str | None
    user_id: str
    event_time: datetime
    event_name: str
    event_category: str
    anonymous_id: str | None = None
    page: str | None = None
    referrer: str | None = None
    campaign: str | None = None
    channel_id: str | None = None
    item_id: str | None = None
    device_type: str | None = None
    browser: str | None = None
    os: str | None = None
    screen_size: str | None = None
    workflow_id: str | None = None
    exit_reason_hint: str | None = None
    client_session_id: str | None = None
    # Source fields without a canonical column, as session_events.properties holds them (JSON).
    properties: Any = field(default=None, hash=False, compare=False)
    read_order: int = 0  # tie-breaker among unknown ids only (files by name, then position)

    @property
    def sort_rank(self) -> int:
        if self.source == "app" and self.event_name == "session_start":
            return 0
        if self.source == "app" and self.event_name == "session_end":
            return 2
        return 1

    @property
    def sort_key(self) -> tuple[datetime, int, int, str, int]:
        known = 0 if self.event_id is not None else 1
        return (self.event_time, self.sort_rank, known, self.event_id or "", self.read_order)

    @property
    def has_device(self) -> bool:
        return any(
            v is not None for v in (self.device_type, self.browser, self.os, self.screen_size)
        )


@dataclass(frozen=True)
class Rejection:
    source: str
    file_name: str
    position: int
    reason: str


@dataclass(frozen=True)
class MoocRow:
    """One row of a MOOC Parquet file (ids already as they were written: int or str)."""

    user_id: int | str
    item_id: int | str
    ts_epoch: int
    watch_percentage: float
    rating: int | None


def parse_timestamp(text: str) -> datetime:
    """ISO-8601 text with Z, an offset or none (read as UTC) -> aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def read_json_records(path: Path) -> list[Any]:
    """A file holding one JSON array of records, or JSON lines (blank lines skipped)."""
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _dig(record: Mapping[str, Any], *path: str) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _first_present(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


# --- chat ---------------------------------------------------------------------------------


def chat_canonical_events(records: Iterable[Mapping[str, Any]]) -> list[Event]:
    return [
        Event(
            source="chat",
            event_id=None,
            user_id=str(record["user_id"]),
            event_time=parse_timestamp(record["timestamp"]),
            event_name=record["event_name"],
            event_category="action" if record["event_name"] == "send_message" else "other",
            channel_id=_text(record["channel_id"]),
            read_order=order,
        )
        for order, record in enumerate(records)
    ]


# --- segment ------------------------------------------------------------------------------


def segment_problem(record: Any) -> str | None:
    """The rejection reason of one segment record, or None when it is a valid event."""
    if not isinstance(record, Mapping):
        return "not_a_json_object"
    if record.get("type") not in SEGMENT_CATEGORIES:
        return "unknown_event_type"
    if record.get("timestamp") is None:
        return "missing_timestamp"
    if record.get("userId") is None and record.get("anonymousId") is None:
        return "missing_user_id"
    return None


def _segment_screen_size(record: Mapping[str, Any]) -> str | None:
    width = _dig(record, "context", "screen", "width")
    height = _dig(record, "context", "screen", "height")
    if width is None or height is None:
        return None
    return f"{width}x{height}"


def _segment_event(record: Mapping[str, Any], user_id: str, read_order: int) -> Event:
    return Event(
        source="segment",
        event_id=_text(record.get("messageId")),
        user_id=user_id,
        anonymous_id=_text(record.get("anonymousId")),
        event_time=parse_timestamp(record["timestamp"]),
        event_name=_first_present(record.get("event"), record.get("name"), record["type"]),
        event_category=SEGMENT_CATEGORIES[record["type"]],
        page=_first_present(
            _dig(record, "properties", "path"), _dig(record, "context", "page", "path")
        ),
        referrer=_first_present(
            _dig(record, "properties", "referrer"), _dig(record, "context", "page", "referrer")
        ),
        campaign=_dig(record, "context", "campaign", "name"),
        device_type=_dig(record, "context", "device", "type"),
        os=_dig(record, "context", "os", "name"),
        browser=_dig(record, "context", "browser", "name"),
        screen_size=_segment_screen_size(record),
        properties=record.get("properties"),
        read_order=read_order,
    )


def segment_unique_records(
    files: Sequence[tuple[str, Sequence[Any]]],
) -> tuple[list[Mapping[str, Any]], list[Rejection]]:
    """Valid records, deduplicated on messageId (first copy by file name, then position)."""
    seen: set[str] = set()
    kept: list[Mapping[str, Any]] = []
    rejected: list[Rejection] = []
    for file_name, records in sorted(files, key=lambda item: item[0]):
        for position, record in enumerate(records):
            reason = segment_problem(record)
            if reason is not None:
                rejected.append(Rejection("segment", file_name, position, reason))
                continue
            message_id = record.get("messageId")
            if message_id is not None:
                if str(message_id) in seen:
                    continue
                seen.add(str(message_id))
            kept.append(record)
    return kept, rejected


def segment_canonical_events(
    files: Sequence[tuple[str, Sequence[Any]]],
) -> tuple[list[Event], list[Rejection]]:
    """Segment records -> canonical events with identity stitching."""
    records, rejected = segment_unique_records(files)
    # First pass with the raw identity, only to order events for the stitching lookup.
    provisional = [
        (_segment_event(record, str(record.get("userId") or ""), order), record)
        for order, record in enumerate(records)
    ]
    latest_login: dict[str, tuple[tuple[datetime, int, int, str, int], str]] = {}
    for event, record in provisional:
        anonymous_id, user_id = record.get("anonymousId"), record.get("userId")
        if anonymous_id is None or user_id is None:
            continue
        current = latest_login.get(str(anonymous_id))
        if current is None or event.sort_key > current[0]:
            latest_login[str(anonymous_id)] = (event.sort_key, str(user_id))
    events = []
    for order, record in enumerate(records):
        if record.get("userId") is not None:
            user_id = str(record["userId"])
        elif str(record["anonymousId"]) in latest_login:
            user_id = latest_login[str(record["anonymousId"])][1]
        else:
            user_id = str(record["anonymousId"])
        events.append(_segment_event(record, user_id, order))
    return events, rejected


# --- mooc ---------------------------------------------------------------------------------


def mooc_canonical_events(rows: Sequence[MoocRow]) -> list[Event]:
    return [
        Event(
            source="mooc",
            event_id=None,
            user_id=str(row.user_id),
            event_time=datetime.fromtimestamp(row.ts_epoch, tz=UTC),
            event_name="interaction",
            event_category="action",
            item_id=str(row.item_id),
            properties={"watch_percentage": row.watch_percentage, "rating": row.rating},
            read_order=order,
        )
        for order, row in enumerate(rows)
    ]


# --- app ----------------------------------------------------------------------------------


def app_problem(record: Any) -> str | None:
    if not isinstance(record, Mapping):
        return "not_a_json_object"
    for required in ("event_id", "timestamp", "user_id"):
        if record.get(required) is None:
            return f"missing_{required}"
    if record.get("event_type") not in APP_EVENT_TYPES:
        return "unknown_event_type"
    return None


def app_canonical_events(
    files: Sequence[tuple[str, Sequence[Any]]],
) -> tuple[list[Event], list[Rejection]]:
    seen: set[str] = set()
    events: list[Event] = []
    rejected: list[Rejection] = []
    for file_name, records in sorted(files, key=lambda item: item[0]):
        for position, record in enumerate(records):
            reason = app_problem(record)
            if reason is not None:
                rejected.append(Rejection("app", file_name, position, reason))
                continue
            event_id = str(record["event_id"])
            if event_id in seen:
                continue
            seen.add(event_id)
            events.append(_app_event(record, len(events)))
    return events, rejected


def _app_event(record: Mapping[str, Any], read_order: int) -> Event:
    event_type = record["event_type"]
    device = record.get("device") if isinstance(record.get("device"), Mapping) else {}
    return Event(
        source="app",
        event_id=str(record["event_id"]),
        user_id=str(record["user_id"]),
        event_time=parse_timestamp(record["timestamp"]),
        event_name=event_type,
        event_category="workflow" if event_type.startswith("workflow_") else event_type,
        page=record.get("page"),
        referrer=record.get("referrer"),
        campaign=record.get("campaign"),
        device_type=device.get("type"),
        browser=device.get("browser"),
        os=device.get("os"),
        screen_size=device.get("screen_size"),
        workflow_id=_text(record.get("workflow_id")),
        exit_reason_hint=record.get("reason") if event_type == "session_end" else None,
        client_session_id=_text(record.get("session_id")),
        properties={"action": _text(record.get("action")), "details": record.get("details")},
        read_order=read_order,
    )


# --------------------------------------------------------------------------------------------
# Sessionization
# --------------------------------------------------------------------------------------------


@dataclass
class Session:
    source: str
    user_id: str
    client_session_id: str | None
    session_number: int
    events: list[Event] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str | None, int]:
        return (self.source, self.user_id, self.client_session_id, self.session_number)


def starts_new_session(previous: Event | None, event: Event, gap_seconds: float) -> bool:
    if previous is None:
        return True
    if (event.event_time - previous.event_time).total_seconds() > gap_seconds:
        return True
    if event.source == "app" and event.event_name == "session_start":
        return True
    return previous.source == "app" and previous.event_name == "session_end"


def sessionize(events: Iterable[Event], gaps: Mapping[str, float]) -> list[Session]:
    """Sessions of every (source, user_id, client session id), in that order, each with its
    events in order: a user's events with different client session ids (concurrent browser tabs)
    never share a session, and the events without one are the user's own stream."""
    streams: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
    for event in events:
        streams[(event.source, event.user_id, event.client_session_id or "")].append(event)
    sessions: list[Session] = []
    for (source, user_id, client_session_id), stream in sorted(streams.items()):
        stream.sort(key=lambda event: event.sort_key)
        previous: Event | None = None
        for event in stream:
            if starts_new_session(previous, event, gaps[source]):
                number = 1 if previous is None else sessions[-1].session_number + 1
                sessions.append(Session(source, user_id, client_session_id or None, number))
            sessions[-1].events.append(event)
            previous = event
    return sessions


# --------------------------------------------------------------------------------------------
# Marts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSession:
    source: str
    user_id: str
    session_number: int
    start_time: datetime
    end_time: datetime
    duration_seconds: int
    event_count: int
    action_count: int
    error_count: int | None
    workflow_count: int | None
    device_type: str | None
    browser: str | None
    os: str | None
    screen_size: str | None
    entry_page: str | None
    exit_page: str | None
    referrer: str | None
    campaign: str | None
    entry_source: str | None
    exit_reason: str | None
    client_session_id: str | None
    is_bounce: bool
    is_closed_by_session_end: bool
    completed_workflow_count: int | None
    distinct_page_count: int
    repeated_page_view_count: int
    exit_last_action: str | None
    is_open: bool = False

    @property
    def key(self) -> tuple[str, str, str | None, int]:
        return (self.source, self.user_id, self.client_session_id, self.session_number)


USER_SESSION_COLUMNS = tuple(UserSession.__dataclass_fields__)


def referrer_host(referrer: str) -> str:
    """Text after '://' (or from the start) up to the first '/', ':', '?' or '#'."""
    rest = referrer.split("://", 1)[1] if "://" in referrer else referrer
    for index, character in enumerate(rest):
        if character in "/:?#":
            return rest[:index]
    return rest


def entry_source(referrer: str | None, site_domains: Sequence[str]) -> str:
    if referrer is None:
        return "direct"
    host = referrer_host(referrer).lower()
    for domain in site_domains:
        domain = domain.lower()
        if host == domain or host.endswith("." + domain):
            return "internal"
    return "external"


def is_closed_by_session_end(events: Sequence[Event]) -> bool:
    return events[-1].source == "app" and events[-1].event_name == "session_end"


def exit_reason(events: Sequence[Event], still_open: bool = False) -> str | None:
    """The closing session_end's reason (`unspecified` without one); else None while the session
    is still open; else error; else timeout."""
    if is_closed_by_session_end(events):
        hint = events[-1].exit_reason_hint
        return "unspecified" if hint is None else hint
    if still_open:
        return None
    not_heartbeats = [event for event in events if event.event_name != "heartbeat"]
    if not_heartbeats and not_heartbeats[-1].event_category == "error":
        return "error"
    return "timeout"


def duration_seconds(start: datetime, end: datetime) -> int:
    """Whole seconds, rounded down (a timedelta keeps its microseconds non-negative)."""
    delta = end - start
    return delta.days * 86400 + delta.seconds


def _first(values: Iterable[str | None]) -> str | None:
    return next((value for value in values if value is not None), None)


def completed_workflows(events: Sequence[Event]) -> int:
    """Workflow ids with both a start and a completion among the events."""
    started = {e.workflow_id for e in events if e.event_name == "workflow_started"}
    completed = {e.workflow_id for e in events if e.event_name == "workflow_completed"}
    return len((started & completed) - {None})


def page_visits(events: Sequence[Event]) -> tuple[int, int]:
    """(distinct pages viewed, views of a page already viewed earlier) over the page views."""
    seen: set[str] = set()
    repeats = 0
    for event in events:
        if event.event_category != "page_view" or event.page is None:
            continue
        if event.page in seen:
            repeats += 1
        seen.add(event.page)
    return len(seen), repeats


def last_action_name(events: Sequence[Event]) -> str | None:
    """The `action` of the last app `action` event that names one."""
    for event in reversed(events):
        if event.source == "app" and event.event_name == "action":
            name = (event.properties or {}).get("action")
            if name is not None:
                return name
    return None


def open_sessions(
    sessions: Sequence[Session], as_of: datetime, gaps: Mapping[str, float]
) -> set[tuple[str, str, str | None, int]]:
    """Keys of the sessions still open at `as_of`: per stream only its latest session can be,
    when nothing has ended it (no closing session_end), and its last event is not after
    `as_of` and not more than the source's gap before it (a gap equal to the limit is open)."""
    latest: dict[tuple[str, str, str | None], Session] = {}
    for session in sessions:
        stream = (session.source, session.user_id, session.client_session_id)
        if stream not in latest or session.session_number > latest[stream].session_number:
            latest[stream] = session
    result = set()
    for session in latest.values():
        last_time = session.events[-1].event_time
        if is_closed_by_session_end(session.events) or last_time > as_of:
            continue
        if as_of - last_time <= timedelta(seconds=gaps[session.source]):
            result.add(session.key)
    return result


def user_session(
    session: Session,
    site_domains: Sequence[str],
    open_keys: frozenset[tuple[str, str, str | None, int]] | set[Any] = frozenset(),
) -> UserSession:
    events = session.events
    still_open = session.key in open_keys
    is_app = session.source == "app"
    device_event = next((event for event in events if event.has_device), None)
    duration = duration_seconds(events[0].event_time, events[-1].event_time)
    actions = sum(1 for event in events if event.event_category in ACTION_CATEGORIES)
    referrer = _first(event.referrer for event in events)
    workflows = {
        event.workflow_id
        for event in events
        if event.event_name == "workflow_started" and event.workflow_id is not None
    }
    return UserSession(
        source=session.source,
        user_id=session.user_id,
        session_number=session.session_number,
        start_time=events[0].event_time,
        end_time=events[-1].event_time,
        duration_seconds=duration,
        event_count=len(events),
        action_count=actions,
        error_count=sum(1 for e in events if e.event_category == "error") if is_app else None,
        workflow_count=len(workflows) if is_app else None,
        device_type=device_event.device_type if device_event else None,
        browser=device_event.browser if device_event else None,
        os=device_event.os if device_event else None,
        screen_size=device_event.screen_size if device_event else None,
        entry_page=_first(event.page for event in events),
        exit_page=_first(event.page for event in reversed(events)),
        referrer=referrer,
        campaign=_first(event.campaign for event in events),
        entry_source=(
            entry_source(referrer, site_domains) if session.source in ("app", "segment") else None
        ),
        exit_reason=exit_reason(events, still_open) if is_app else None,
        client_session_id=session.client_session_id,
        is_bounce=duration < 30 and actions <= 1,
        is_closed_by_session_end=is_closed_by_session_end(events),
        completed_workflow_count=completed_workflows(events) if is_app else None,
        distinct_page_count=page_visits(events)[0],
        repeated_page_view_count=page_visits(events)[1],
        exit_last_action=last_action_name(events),
        is_open=still_open,
    )


def user_sessions(
    sessions: Sequence[Session],
    site_domains: Sequence[str],
    open_keys: frozenset[tuple[str, str, str | None, int]] | set[Any] = frozenset(),
) -> list[UserSession]:
    return [user_session(session, site_domains, open_keys) for session in sessions]


@dataclass(frozen=True)
class SessionEvent:
    source: str
    user_id: str
    client_session_id: str | None
    session_number: int
    event_id: str | None
    anonymous_id: str | None
    event_time: datetime
    event_name: str
    event_category: str
    page: str | None
    event_number_in_session: int
    seconds_since_previous_event: float | None
    properties: Any
    seconds_since_previous_session: float | None


def session_events(sessions: Sequence[Session]) -> list[SessionEvent]:
    rows: list[SessionEvent] = []
    # The last event of each stream so far (sessions come stream by stream, in order).
    stream_last: dict[tuple[str, str, str | None], Event] = {}
    for session in sessions:
        stream = (session.source, session.user_id, session.client_session_id)
        before = stream_last.get(stream)
        previous: Event | None = None
        for number, event in enumerate(session.events, start=1):
            since = (
                None if previous is None else seconds_between(previous.event_time, event.event_time)
            )
            gap = (
                seconds_between(before.event_time, event.event_time)
                if number == 1 and before is not None
                else None
            )
            rows.append(
                SessionEvent(
                    session.source,
                    session.user_id,
                    session.client_session_id,
                    session.session_number,
                    event.event_id,
                    event.anonymous_id,
                    event.event_time,
                    event.event_name,
                    event.event_category,
                    event.page,
                    number,
                    since,
                    event.properties,
                    gap,
                )
            )
            previous = event
        stream_last[stream] = session.events[-1]
    return rows


def seconds_between(earlier: datetime, later: datetime) -> float:
    delta = later - earlier
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros / 1_000_000


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """`value` rounded half away from zero on its exact value, as a Decimal with `places`."""
    scaled = abs(value) * 10**places
    whole = floor(scaled + Fraction(1, 2))
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def mean(values: Sequence[int | float]) -> Fraction:
    """The exact mean of the values as decimals (a float as the shortest text that reads back)."""
    exact = (
        Fraction(repr(value)) if isinstance(value, float) else Fraction(value) for value in values
    )
    return sum(exact, Fraction(0)) / len(values)


def most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(value for value in values if value is not None)
    if not counts:
        return None
    return min(counts, key=lambda value: (-counts[value], value))


@dataclass(frozen=True)
class DailySessionStats:
    date: date
    source: str
    total_sessions: int
    unique_users: int
    avg_duration_seconds: Decimal
    bounce_rate: Decimal
    error_rate: Decimal | None
    most_common_entry: str | None
    most_common_exit: str | None


def daily_session_stats(rows: Sequence[UserSession]) -> list[DailySessionStats]:
    groups: dict[tuple[date, str], list[UserSession]] = defaultdict(list)
    for row in rows:
        groups[(row.start_time.astimezone(UTC).date(), row.source)].append(row)
    result = []
    for (day, source), members in sorted(groups.items()):
        total = len(members)
        bounces = sum(1 for row in members if row.is_bounce)
        with_errors = sum(1 for row in members if (row.error_count or 0) > 0)
        result.append(
            DailySessionStats(
                date=day,
                source=source,
                total_sessions=total,
                unique_users=len({row.user_id for row in members}),
                avg_duration_seconds=round_half_up(mean([row.duration_seconds for row in members])),
                bounce_rate=round_half_up(Fraction(100 * bounces, total)),
                error_rate=(
                    round_half_up(Fraction(100 * with_errors, total)) if source == "app" else None
                ),
                most_common_entry=most_common(row.entry_page for row in members),
                most_common_exit=most_common(row.exit_page for row in members),
            )
        )
    return result


@dataclass(frozen=True)
class SessionSizeStats:
    source: str
    sessions: int
    min_events: int
    max_events: int
    mean_events: Decimal
    median_events: Decimal


def median(values: Sequence[int]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def session_size_stats(rows: Sequence[UserSession]) -> list[SessionSizeStats]:
    groups: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        groups[row.source].append(row.event_count)
    return [
        SessionSizeStats(
            source=source,
            sessions=len(counts),
            min_events=min(counts),
            max_events=max(counts),
            mean_events=round_half_up(mean(counts)),
            median_events=round_half_up(median(counts)),
        )
        for source, counts in sorted(groups.items())
    ]


@dataclass(frozen=True)
class UserSessionPattern:
    source: str
    user_id: str
    sessions_considered: int
    avg_duration_seconds: Decimal
    avg_action_count: Decimal
    latest_session_error_count: int
    pattern: str
    session_pattern: str
    pattern_indicators: list[str]
    pattern_confidence: Decimal


# The spec's SessionPattern: the default thresholds of the vars session_pattern_*, as written in
# dbt_project.yml (shown in the indicators as written).
SESSION_PATTERN_THRESHOLDS = {
    "power_min_avg_actions": "50",
    "power_min_avg_duration_seconds": "1800",
    "power_min_sessions": "10",
    "explorer_min_avg_distinct_pages": "5",
    "explorer_max_repeat_share": "0.2",
    "explorer_min_avg_duration_seconds": "1200",
    "task_min_completion_share": "0.8",
    "task_max_avg_distinct_pages": "3",
    "task_max_avg_duration_seconds": "900",
    "confused_min_avg_errors": "1",
    "confused_min_repeat_share": "0.3",
    "confused_max_completion_share": "0.5",
}
# Ties between types go to the first of this order.
SESSION_PATTERN_ORDER = ("confused", "power_user", "explorer", "task_focused")


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def session_pattern(
    window: Sequence[UserSession],
) -> tuple[str, list[str], Decimal]:
    """(type, the type's indicators that fired as text, share of its indicators fired)."""
    t = {name: Fraction(text) for name, text in SESSION_PATTERN_THRESHOLDS.items()}
    shown = SESSION_PATTERN_THRESHOLDS
    n = len(window)
    actions = mean([row.action_count for row in window])
    duration = mean([row.duration_seconds for row in window])
    pages = mean([row.distinct_page_count for row in window])
    views = sum(row.distinct_page_count + row.repeated_page_view_count for row in window)
    repeats = _ratio(sum(row.repeated_page_view_count for row in window), views)
    app = all(row.error_count is not None for row in window)
    errors = mean([row.error_count or 0 for row in window]) if app else None
    started = sum(row.workflow_count or 0 for row in window) if app else 0
    completion = _ratio(sum(row.completed_workflow_count or 0 for row in window), started)

    def text(value: Fraction) -> str:
        return str(round_half_up(value))

    candidates: dict[str, list[tuple[bool, str]]] = {
        "power_user": [
            (
                actions > t["power_min_avg_actions"],
                f"avg {text(actions)} actions/session > {shown['power_min_avg_actions']}",
            ),
            (
                duration > t["power_min_avg_duration_seconds"],
                f"avg {text(duration)} s/session > {shown['power_min_avg_duration_seconds']}",
            ),
            (n >= t["power_min_sessions"], f"{n} sessions >= {shown['power_min_sessions']}"),
        ],
        "explorer": [
            (
                pages >= t["explorer_min_avg_distinct_pages"],
                f"avg {text(pages)} distinct pages/session"
                f" >= {shown['explorer_min_avg_distinct_pages']}",
            ),
            (
                repeats is not None and repeats <= t["explorer_max_repeat_share"],
                f"{text(repeats or Fraction(0))} of page views repeat a page"
                f" <= {shown['explorer_max_repeat_share']}",
            ),
            (
                duration >= t["explorer_min_avg_duration_seconds"],
                f"avg {text(duration)} s/session >= {shown['explorer_min_avg_duration_seconds']}",
            ),
        ],
        "task_focused": [
            (
                completion is not None and completion >= t["task_min_completion_share"],
                f"{text(completion or Fraction(0))} of started workflows completed"
                f" >= {shown['task_min_completion_share']}",
            ),
            (
                views > 0 and pages <= t["task_max_avg_distinct_pages"],
                f"avg {text(pages)} distinct pages/session"
                f" <= {shown['task_max_avg_distinct_pages']}",
            ),
            (
                duration <= t["task_max_avg_duration_seconds"],
                f"avg {text(duration)} s/session <= {shown['task_max_avg_duration_seconds']}",
            ),
        ],
        "confused": [
            (
                errors is not None and errors >= t["confused_min_avg_errors"],
                f"avg {text(errors or Fraction(0))} errors/session"
                f" >= {shown['confused_min_avg_errors']}",
            ),
            (
                repeats is not None and repeats >= t["confused_min_repeat_share"],
                f"{text(repeats or Fraction(0))} of page views repeat a page"
                f" >= {shown['confused_min_repeat_share']}",
            ),
            (
                completion is not None and completion < t["confused_max_completion_share"],
                f"{text(completion or Fraction(0))} of started workflows completed"
                f" < {shown['confused_max_completion_share']}",
            ),
        ],
    }
    fired = {name: [label for ok, label in signals if ok] for name, signals in candidates.items()}
    best = max(len(labels) for labels in fired.values())
    chosen = (
        next(name for name in SESSION_PATTERN_ORDER if len(fired[name]) == best)
        if best
        else "task_focused"
    )
    confidence = round_half_up(Fraction(len(fired[chosen]), len(candidates[chosen])))
    return chosen, fired[chosen], confidence


def classify_pattern(avg_duration: Fraction, avg_actions: Fraction, latest_errors: int) -> str:
    if avg_duration > 1800 and avg_actions > 50:
        return "power_user"
    if avg_duration < 300:
        return "quick_checker"
    if latest_errors > 5:
        return "struggling_user"
    return "regular_user"


def user_session_patterns(rows: Sequence[UserSession]) -> list[UserSessionPattern]:
    groups: dict[tuple[str, str], list[UserSession]] = defaultdict(list)
    for row in rows:
        groups[(row.source, row.user_id)].append(row)
    result = []
    for (source, user_id), members in sorted(groups.items()):
        latest = sorted(
            members,
            key=lambda r: (r.start_time, r.client_session_id or "", r.session_number),
            reverse=True,
        )
        window = latest[:PATTERN_WINDOW]
        avg_duration = mean([row.duration_seconds for row in window])
        avg_actions = mean([row.action_count for row in window])
        latest_errors = window[0].error_count or 0
        kind, indicators, confidence = session_pattern(window)
        result.append(
            UserSessionPattern(
                source=source,
                user_id=user_id,
                sessions_considered=len(window),
                avg_duration_seconds=round_half_up(avg_duration),
                avg_action_count=round_half_up(avg_actions),
                latest_session_error_count=latest_errors,
                pattern=classify_pattern(avg_duration, avg_actions, latest_errors),
                session_pattern=kind,
                pattern_indicators=indicators,
                pattern_confidence=confidence,
            )
        )
    return result


@dataclass(frozen=True)
class AbandonedWorkflow:
    source: str
    user_id: str
    client_session_id: str | None
    session_number: int
    workflow_id: str
    started_at: datetime
    status: str


def abandoned_workflows(
    sessions: Sequence[Session],
    open_keys: frozenset[tuple[str, str, str | None, int]] | set[Any] = frozenset(),
) -> list[AbandonedWorkflow]:
    """Started (non-null id) and never completed with the same id in the same session. Status:
    in_progress in a session still open; failed when an error event comes later in the session
    than the workflow's first start; else abandoned."""
    result = []
    for session in sessions:
        completed = {e.workflow_id for e in session.events if e.event_name == "workflow_completed"}
        first_start: dict[str, int] = {}  # workflow id -> position of its first start
        for position, event in enumerate(session.events):
            if event.event_name == "workflow_started" and event.workflow_id is not None:
                first_start.setdefault(event.workflow_id, position)
        error_positions = [
            position
            for position, event in enumerate(session.events)
            if event.event_category == "error"
        ]
        for workflow_id, position in sorted(first_start.items()):
            if workflow_id in completed:
                continue
            if session.key in open_keys:
                status = "in_progress"
            elif any(error > position for error in error_positions):
                status = "failed"
            else:
                status = "abandoned"
            result.append(
                AbandonedWorkflow(
                    session.source,
                    session.user_id,
                    session.client_session_id,
                    session.session_number,
                    workflow_id,
                    session.events[position].event_time,
                    status,
                )
            )
    return result


@dataclass(frozen=True)
class ActiveSession:
    source: str
    user_id: str
    client_session_id: str | None
    session_number: int
    start_time: datetime
    end_time: datetime
    event_count: int
    as_of: datetime
    seconds_since_last_event: float


def default_as_of(events: Iterable[Event]) -> datetime:
    return max(event.event_time for event in events)


def active_sessions(
    sessions: Sequence[Session], as_of: datetime, gaps: Mapping[str, float]
) -> list[ActiveSession]:
    open_keys = open_sessions(sessions, as_of, gaps)
    result = []
    for session in sessions:
        if session.key not in open_keys:
            continue
        last = session.events[-1]
        result.append(
            ActiveSession(
                session.source,
                session.user_id,
                session.client_session_id,
                session.session_number,
                session.events[0].event_time,
                last.event_time,
                len(session.events),
                as_of,
                seconds_between(last.event_time, as_of),
            )
        )
    return result


@dataclass(frozen=True)
class MoocSessionStats:
    user_id: str
    session_number: int
    interaction_count: int
    distinct_items: int
    avg_watch_percentage: Decimal
    rated_interactions: int
    avg_rating: Decimal | None


def mooc_session_stats(
    sessions: Sequence[Session], rows_by_event: Mapping[int, MoocRow]
) -> list[MoocSessionStats]:
    """`rows_by_event` maps id() of each mooc Event to its Parquet row."""
    result = []
    for session in sessions:
        if session.source != "mooc":
            continue
        rows = [rows_by_event[id(event)] for event in session.events]
        ratings = [row.rating for row in rows if row.rating is not None]
        result.append(
            MoocSessionStats(
                user_id=session.user_id,
                session_number=session.session_number,
                interaction_count=len(rows),
                distinct_items=len({str(row.item_id) for row in rows}),
                avg_watch_percentage=round_half_up(mean([row.watch_percentage for row in rows])),
                rated_interactions=len(ratings),
                avg_rating=round_half_up(mean(ratings)) if ratings else None,
            )
        )
    return result


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------


@dataclass
class Reference:
    events: list[Event]
    rejections: list[Rejection]
    sessions: list[Session]
    user_sessions: list[UserSession]
    session_events: list[SessionEvent]
    daily_session_stats: list[DailySessionStats]
    session_size_stats: list[SessionSizeStats]
    user_session_patterns: list[UserSessionPattern]
    abandoned_workflows: list[AbandonedWorkflow]
    active_sessions: list[ActiveSession]
    mooc_session_stats: list[MoocSessionStats]
    as_of: datetime
    mooc_rows_by_event: dict[int, MoocRow]


@dataclass
class SourceInputs:
    """Raw inputs per source; a source set to None is disabled."""

    chat: list[Mapping[str, Any]] | None = None
    segment: list[tuple[str, list[Any]]] | None = None
    mooc: list[MoocRow] | None = None
    app: list[tuple[str, list[Any]]] | None = None


def build_reference(
    inputs: SourceInputs,
    site_domains: Sequence[str] = ("example.com",),
    gaps: Mapping[str, float] | None = None,
    as_of: datetime | None = None,
) -> Reference:
    gaps = {**DEFAULT_GAPS, **(gaps or {})}
    events: list[Event] = []
    rejections: list[Rejection] = []
    mooc_rows_by_event: dict[int, MoocRow] = {}
    if inputs.chat is not None:
        events += chat_canonical_events(inputs.chat)
    if inputs.segment is not None:
        segment, rejected = segment_canonical_events(inputs.segment)
        events += segment
        rejections += rejected
    if inputs.mooc is not None:
        mooc = mooc_canonical_events(inputs.mooc)
        mooc_rows_by_event = {id(event): row for event, row in zip(mooc, inputs.mooc, strict=True)}
        events += mooc
    if inputs.app is not None:
        app, rejected = app_canonical_events(inputs.app)
        events += app
        rejections += rejected
    sessions = sessionize(events, gaps)
    moment = as_of if as_of is not None else default_as_of(events)
    open_keys = open_sessions(sessions, moment, gaps)
    rows = user_sessions(sessions, site_domains, open_keys)
    return Reference(
        events=events,
        rejections=rejections,
        sessions=sessions,
        user_sessions=rows,
        session_events=session_events(sessions),
        daily_session_stats=daily_session_stats(rows),
        session_size_stats=session_size_stats(rows),
        user_session_patterns=user_session_patterns(rows),
        abandoned_workflows=abandoned_workflows(sessions, open_keys),
        active_sessions=active_sessions(sessions, moment, gaps),
        mooc_session_stats=mooc_session_stats(sessions, mooc_rows_by_event),
        as_of=moment,
        mooc_rows_by_event=mooc_rows_by_event,
    )


# --------------------------------------------------------------------------------------------
# When and what together (hourly_activity, feature_pairs)
# --------------------------------------------------------------------------------------------

FEATURE_PAIRS_MIN_SUPPORT = "0.01"


@dataclass(frozen=True)
class HourlyActivity:
    source: str
    utc_weekday: int
    utc_hour: int
    sessions_started: int
    active_users: int
    events: int


def hourly_activity(sessions: Sequence[Session]) -> list[HourlyActivity]:
    """Per source and UTC (ISO weekday, hour): sessions whose first event falls there, distinct
    users with an event there (every week together) and events there."""

    def slot(moment: datetime) -> tuple[int, int]:
        utc = moment.astimezone(UTC)
        return utc.isoweekday(), utc.hour

    started: Counter[tuple[str, int, int]] = Counter()
    events: Counter[tuple[str, int, int]] = Counter()
    users: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for session in sessions:
        started[(session.source, *slot(session.events[0].event_time))] += 1
        for event in session.events:
            key = (session.source, *slot(event.event_time))
            events[key] += 1
            users[key].add(session.user_id)
    return [
        HourlyActivity(*key, started[key], len(users[key]), events[key]) for key in sorted(events)
    ]


def event_action(event: Event) -> str | None:
    """The feature an event uses: an app action's `action` (blank is none), a Segment track
    event's name; other events none."""
    if event.source == "app" and event.event_name == "action":
        action = (event.properties or {}).get("action")
        return action or None
    if event.source == "segment" and event.event_category == "action":
        return event.event_name
    return None


@dataclass(frozen=True)
class FeaturePair:
    source: str
    action_a: str
    action_b: str
    sessions_with_a: int
    sessions_with_b: int
    sessions_with_both: int
    sessions_with_actions: int
    support: Decimal
    confidence_a_to_b: Decimal
    confidence_b_to_a: Decimal
    lift: Decimal


def feature_pair_counts(
    sessions: Sequence[Session],
) -> dict[str, tuple[int, Counter[str], Counter[tuple[str, str]]]]:
    """Per source: sessions with an action, sessions per action, sessions per pair (a < b)."""
    action_sets: dict[str, list[set[str]]] = defaultdict(list)
    for session in sessions:
        actions = {event_action(event) for event in session.events} - {None}
        if actions:
            action_sets[session.source].append(actions)  # type: ignore[arg-type]
    result = {}
    for source, sets in action_sets.items():
        singles: Counter[str] = Counter(action for actions in sets for action in actions)
        pairs: Counter[tuple[str, str]] = Counter(
            pair for actions in sets for pair in itertools.combinations(sorted(actions), 2)
        )
        result[source] = (len(sets), singles, pairs)
    return result


def feature_pairs(
    sessions: Sequence[Session], min_support: str = FEATURE_PAIRS_MIN_SUPPORT
) -> list[FeaturePair]:
    """Every pair of actions whose exact support (sessions with both / sessions with an action
    of the source) is at least `min_support`; ratios rounded half up."""
    threshold = Fraction(min_support)
    rows = []
    for source, (total, singles, pairs) in sorted(feature_pair_counts(sessions).items()):
        for (first, second), both in sorted(pairs.items()):
            if Fraction(both, total) < threshold:
                continue
            rows.append(
                FeaturePair(
                    source=source,
                    action_a=first,
                    action_b=second,
                    sessions_with_a=singles[first],
                    sessions_with_b=singles[second],
                    sessions_with_both=both,
                    sessions_with_actions=total,
                    support=round_half_up(Fraction(both, total), 4),
                    confidence_a_to_b=round_half_up(Fraction(both, singles[first]), 4),
                    confidence_b_to_a=round_half_up(Fraction(both, singles[second]), 4),
                    lift=round_half_up(Fraction(both * total, singles[first] * singles[second])),
                )
            )
    return rows
