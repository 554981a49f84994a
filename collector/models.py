"""Request bodies of the collector API, and the app-source JSON lines written for them."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

# Limits (the well-known collectors' per-event and per-batch sizes).
MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 100

# The app source's exit reasons a client may send (a session without one ends `timeout` or
# `error` in the marts; a session_end without a reason would be `unspecified`).
EndReason = Literal["logout", "timeout", "error", "navigation"]
# Events a client tracks; session_start / session_end / heartbeat have their own endpoints.
TrackedType = Literal["page_view", "action", "error", "workflow_started", "workflow_completed"]

# What a body's JSON may hold, anywhere in it (`details` included): every value must be one that
# DuckDB's JSON reader and a strict JSON parser both accept, and the line must be UTF-8.
MAX_DEPTH = 32
# Integers DuckDB reads as numbers (BIGINT, UBIGINT); larger ones lose digits in many readers.
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**64 - 1
MAX_DROPPED = 2**31 - 1


def _json_problem(value: Any, depth: int = 0) -> str | None:
    """Why `value` (parsed JSON) cannot be written into a line, or None."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a string holds a lone surrogate (\\ud800 to \\udfff): not UTF-8 text"
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "NaN and Infinity are not JSON numbers"
    if isinstance(value, int):
        if not MIN_INTEGER <= value <= MAX_INTEGER:
            return "an integer beyond 64 bits (-2^63 to 2^64 - 1): send it as a string"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _json_problem(key, depth + 1) or _json_problem(item, depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(value, list):
        for item in value:
            problem = _json_problem(item, depth + 1)
            if problem is not None:
                return problem
        return None
    return None


def _in_utc_range(moment: datetime) -> datetime:
    """A time whose UTC instant is a datetime too (`0001-01-01T00:00:00+01:00` is not)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "the time is out of range once converted to UTC (years 1 to 9999)"
        ) from None


# A time with its zone, in range in UTC.
Timestamp = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]

Text = Annotated[str, Field(min_length=1, max_length=2048)]
ShortText = Annotated[str, Field(min_length=1, max_length=256)]
# A client's event id: unique within its session (a retry sends it again). The line's
# `event_id` is `<session_id>/<client's id>` (see `landed_event_id`), so two sessions that use
# the same id never collide; the client's own id stays in the line as `client_event_id`.
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{8,128}$")]
# A session id a client makes itself (crypto.randomUUID()): the same alphabet.
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{8,128}$"
SessionId = Annotated[str, Field(pattern=SESSION_ID_PATTERN)]


def _either(*names: str) -> Any:
    """A field the client may spell either way (the spec's camelCase or snake_case)."""
    return Field(default=None, validation_alias=AliasChoices(*names))


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _writable_json(cls, data: Any) -> Any:
        problem = _json_problem(data)
        if problem is not None:
            raise ValueError(problem)
        return data


class Sent(Body):
    """What every write may carry: the client's clock when it sent the request (for the
    derived event time, docs/collector.md) and how many events the client had to drop."""

    sent_at: Timestamp | None = _either("sent_at", "sentAt")
    dropped: Annotated[int, Field(ge=0, le=MAX_DROPPED)] | None = None


class Device(Body):
    type: ShortText | None = None
    browser: ShortText | None = None
    os: ShortText | None = None
    screen_size: ShortText | None = _either("screen_size", "screenSize")


class Entry(Body):
    """The spec's EntryPoint (`source` is derived again from the referrer by the marts)."""

    page: Text | None = None
    source: Literal["direct", "internal", "external"] | None = None
    referrer: Text | None = None
    campaign: ShortText | None = None


class StartRequest(Sent):
    user_id: ShortText = Field(validation_alias=AliasChoices("user_id", "userId"))
    device: Device = Field(default_factory=Device)
    # The client's own session id (SessionManager makes one); without it the server makes one.
    id: SessionId | None = _either("id", "session_id")
    entry: Entry | None = None
    page: Text | None = None
    referrer: Text | None = None
    campaign: ShortText | None = None
    timestamp: Timestamp | None = None
    event_id: EventId | None = None


class HeartbeatRequest(Sent):
    timestamp: Timestamp | None = None
    event_id: EventId | None = None
    user_id: ShortText | None = _either("user_id", "userId")


class EndRequest(Sent):
    reason: EndReason
    timestamp: Timestamp | None = None
    event_id: EventId | None = None
    user_id: ShortText | None = _either("user_id", "userId")
    page: Text | None = None
    # Sent as the page unloads (pagehide): written END_GRACE_SECONDS later unless the session
    # goes on (a reload, or the app's next page in the same tab).
    unload: bool = False


class EventIn(Body):
    """Today's event, or the spec's activity `{action, data, timestamp}` (an `action` event with
    `data` as its details)."""

    event_type: TrackedType | None = None
    timestamp: Timestamp | None = None
    page: Text | None = None
    action: ShortText | None = None
    details: dict[str, Any] | None = None
    data: Any = None
    event_id: EventId | None = None
    workflow_id: ShortText | None = None

    @model_validator(mode="after")
    def _spec_activity(self) -> EventIn:
        if self.event_type is None:
            if self.action is None:
                raise ValueError("event_type is required (or an `action`, as the spec sends)")
            self.event_type = "action"
        if self.data is not None:
            if self.details is not None:
                raise ValueError("send `data` or `details`, not both")
            self.details = self.data if isinstance(self.data, dict) else {"value": self.data}
            self.data = None
        return self

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class SingleEventRequest(EventIn, Sent):
    user_id: ShortText | None = _either("user_id", "userId")


class EventsRequest(Sent):
    events: list[EventIn] = Field(min_length=1)
    # The session's user, when this batch opens a session the server has not seen.
    user_id: ShortText | None = _either("user_id", "userId")


def utc_text(moment: datetime) -> str:
    """The one spelling of instants the collector writes and stores (text order = time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    """An id the server makes: random (a UUID), never derived from another id."""
    return str(uuid.uuid4())


def landed_event_id(session_id: str, client_event_id: str | None) -> str:
    """The `event_id` a line is written with: a client's id namespaced by its session
    (`<session_id>/<id>`: `/` is in neither alphabet, so the two parts stay apart), so that
    the app source's deduplication by `event_id` counts a retry once and never drops another
    session's event; without a client id, a new random id."""
    return f"{session_id}/{client_event_id}" if client_event_id else new_id()


def event_line(
    *,
    event_id: str,
    event_type: str,
    timestamp: datetime,
    user_id: str,
    session_id: str,
    **fields: Any,
) -> bytes:
    """One app-source record as a JSON line (without the newline); absent fields left out."""
    record = {
        "event_id": event_id,
        "event_type": event_type,
        "timestamp": utc_text(timestamp),
        "user_id": user_id,
        "session_id": session_id,
    }
    record.update({name: value for name, value in fields.items() if value is not None})
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
