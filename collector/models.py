"""Request bodies of the collector API, and the app-source JSON lines written for them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# Limits (the well-known collectors' per-event and per-batch sizes).
MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 100

# The app source's exit reasons a client may send (a session without one ends `timeout` or
# `error` in the marts; a session_end without a reason would be `unspecified`).
EndReason = Literal["logout", "timeout", "error", "navigation"]
# Events a client tracks; session_start / session_end / heartbeat have their own endpoints.
TrackedType = Literal["page_view", "action", "error", "workflow_started", "workflow_completed"]

Text = Annotated[str, Field(min_length=1, max_length=2048)]
ShortText = Annotated[str, Field(min_length=1, max_length=256)]
# A client's event id: counted once across all users and sessions, so it must be unique
# (a UUID, say); the app source keeps the first copy of an id.
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{8,128}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Device(Body):
    type: ShortText | None = None
    browser: ShortText | None = None
    os: ShortText | None = None
    screen_size: ShortText | None = None


class StartRequest(Body):
    user_id: ShortText
    device: Device
    page: Text | None = None
    referrer: Text | None = None
    campaign: ShortText | None = None
    timestamp: AwareDatetime | None = None
    event_id: EventId | None = None


class HeartbeatRequest(Body):
    timestamp: AwareDatetime | None = None
    event_id: EventId | None = None


class EndRequest(Body):
    reason: EndReason
    timestamp: AwareDatetime | None = None
    event_id: EventId | None = None


class EventIn(Body):
    event_type: TrackedType
    timestamp: AwareDatetime | None = None
    page: Text | None = None
    action: ShortText | None = None
    details: dict[str, Any] | None = None
    event_id: EventId | None = None
    workflow_id: ShortText | None = None


class EventsRequest(Body):
    events: list[EventIn] = Field(min_length=1)


def utc_text(moment: datetime) -> str:
    """The one spelling of instants the collector writes and stores (text order = time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    return str(uuid.uuid4())


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
