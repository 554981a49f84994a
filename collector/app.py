"""The collector API: the tracking spec's session endpoints (FastAPI).

Writes go to the spool (acknowledged once on disk); live reads (active, current) come from the
session store; history and patterns from the last build's exports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from collector.config import Settings
from collector.exports import ExportReader, unavailable
from collector.gate import API_PREFIX, Gate
from collector.models import (
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    EndRequest,
    EventIn,
    EventsRequest,
    HeartbeatRequest,
    StartRequest,
    event_line,
    new_id,
    utc_text,
)
from collector.spool import Spool, SpoolError
from collector.store import Session, SessionStore
from sessions_exports import ExportError, NoBuildYet

FLUSH_SECONDS = 1.0


class Collector:
    """What the endpoints share: settings, spool, store, export reader."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.spool = Spool(settings.landing_dir, settings.rotate_bytes, settings.rotate_seconds)
        self.store: SessionStore | None = None
        self.exports = ExportReader(settings.export_dir)
        self._last_stamp = datetime.min.replace(tzinfo=UTC)

    def stamp(self) -> datetime:
        """The time of an event the client sent without one: now, and always later than the
        previous stamp (by a microsecond at least), so events stamped in the order they arrive,
        a batch's included, keep that order in the sessions (equal times would be ordered by
        event id)."""
        self._last_stamp = max(_now(), self._last_stamp + timedelta(microseconds=1))
        return self._last_stamp

    @property
    def sessions(self) -> SessionStore:
        assert self.store is not None, "the collector is not started"
        return self.store

    def open_session(self, session_id: str) -> Session:
        found = self.sessions.get(session_id)
        if found is None:
            raise HTTPException(404, f"unknown session {session_id!r}: start one with POST /start")
        if found.ended_at is not None:
            raise HTTPException(409, f"session {session_id!r} has ended ({found.end_reason})")
        return found

    def event_time(self, given: datetime | None, now: datetime, where: tuple[Any, ...]) -> datetime:
        if given is None:
            return self.stamp()
        tolerance = self.settings.future_tolerance_seconds
        if given > now + timedelta(seconds=tolerance):
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", *where, "timestamp"),
                        "msg": f"timestamp is more than {tolerance:g} s in the future",
                        "type": "timestamp_in_future",
                    }
                ]
            )
        return given

    async def write(self, lines: list[bytes], session_id: str | None, now: datetime) -> None:
        try:
            await self.spool.append(lines)
        except SpoolError as error:
            raise HTTPException(503, f"events not stored, retry: {error}") from None
        if session_id is not None:
            self.sessions.touch(session_id, utc_text(now))


def _validation_response(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return JSONResponse({"detail": "malformed JSON body"}, status_code=400)
    detail = [
        {"loc": list(p.get("loc", ())), "msg": p.get("msg"), "type": p.get("type")}
        for p in problems
    ]
    fields = "; ".join(
        ".".join(str(part) for part in p["loc"][1:]) + f": {p['msg']}" for p in detail
    )
    return JSONResponse({"detail": detail, "message": fields}, status_code=422)


def _now() -> datetime:
    return datetime.now(UTC)


def _event_bytes(event: EventIn) -> int:
    return len(json.dumps(event.model_dump(mode="json", exclude_none=True)).encode())


def create_app(settings: Settings) -> Gate:
    """The ASGI application: the API behind its key and size gate (`.app` is the FastAPI app)."""
    collector = Collector(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        collector.spool.start()
        collector.store = SessionStore(settings.state_dir / "sessions.sqlite3")

        async def flush_periodically() -> None:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                collector.sessions.flush()

        flusher = asyncio.create_task(flush_periodically())
        try:
            yield
        finally:
            flusher.cancel()
            collector.spool.stop()
            collector.sessions.close()

    api = FastAPI(
        title="sessions collector",
        summary="Session tracking: events written durably into the app source's landing folder",
        lifespan=lifespan,
    )
    api.state.collector = collector
    api.add_exception_handler(RequestValidationError, _validation_response)

    def track(
        session: Session, event: EventIn, now: datetime, where: tuple[Any, ...]
    ) -> tuple[str, bytes]:
        event_id = event.event_id or new_id()
        return event_id, event_line(
            event_id=event_id,
            event_type=event.event_type,
            timestamp=collector.event_time(event.timestamp, now, where),
            user_id=session.user_id,
            session_id=session.session_id,
            page=event.page,
            action=event.action,
            workflow_id=event.workflow_id,
            details=event.details,
        )

    @api.get("/health", tags=["operations"])
    @api.get(f"{API_PREFIX}/health", tags=["operations"])
    async def health() -> dict[str, Any]:
        """Liveness for orchestration and load balancers (no key needed)."""
        try:
            collector.exports.manifest()
            has_exports = True
        except (NoBuildYet, ExportError):
            has_exports = False
        return {"status": "ok", "time": utc_text(_now()), "exports": has_exports}

    @api.post(f"{API_PREFIX}/start", status_code=201, tags=["write"])
    async def start(body: StartRequest) -> dict[str, Any]:
        """Starts a session; its id is `client_session_id` in user_sessions after a build. A
        retried start with the same `event_id` gets the same session back."""
        if body.event_id is not None:
            started = collector.sessions.started_by(body.event_id)
            if started is not None:
                return {"session_id": started.session_id, "event_id": body.event_id}
        now = _now()
        session_id = new_id()
        event_id = body.event_id or new_id()
        device = body.device.model_dump(exclude_none=True)
        line = event_line(
            event_id=event_id,
            event_type="session_start",
            timestamp=collector.event_time(body.timestamp, now, ()),
            user_id=body.user_id,
            session_id=session_id,
            page=body.page,
            referrer=body.referrer,
            campaign=body.campaign,
            device=device,
        )
        # On disk first: a session the store knows always has its session_start written.
        await collector.write([line], None, now)
        stored = Session(
            session_id=session_id,
            user_id=body.user_id,
            device=device,
            page=body.page,
            referrer=body.referrer,
            campaign=body.campaign,
            started_at=utc_text(now),
            last_seen_at=utc_text(now),
            ended_at=None,
            end_reason=None,
        )
        try:
            collector.sessions.create(stored, start_event_id=event_id)
        except sqlite3.IntegrityError:
            # The same start sent twice at once: the first stored is the session.
            started = collector.sessions.started_by(event_id)
            assert started is not None
            return {"session_id": started.session_id, "event_id": event_id}
        return {"session_id": session_id, "event_id": event_id}

    @api.post(f"{API_PREFIX}/{{session_id}}/heartbeat", tags=["write"])
    async def heartbeat(session_id: str, body: HeartbeatRequest | None = None) -> dict[str, Any]:
        """Keeps the session alive (the spec's client sends one every 5 minutes)."""
        body = body or HeartbeatRequest()
        now = _now()
        session = collector.open_session(session_id)
        event_id = body.event_id or new_id()
        line = event_line(
            event_id=event_id,
            event_type="heartbeat",
            timestamp=collector.event_time(body.timestamp, now, ()),
            user_id=session.user_id,
            session_id=session_id,
        )
        await collector.write([line], session_id, now)
        return {"session_id": session_id, "event_id": event_id}

    @api.post(f"{API_PREFIX}/{{session_id}}/event", tags=["write"])
    async def event(session_id: str, body: EventIn) -> dict[str, Any]:
        """Tracks one event."""
        now = _now()
        session = collector.open_session(session_id)
        event_id, line = track(session, body, now, ())
        await collector.write([line], session_id, now)
        return {"session_id": session_id, "accepted": 1, "event_ids": [event_id]}

    @api.post(f"{API_PREFIX}/{{session_id}}/events", tags=["write"])
    async def events(session_id: str, body: EventsRequest) -> dict[str, Any]:
        """Tracks a batch (at most 100 events, 500 KB, 32 KB each): all or none is written."""
        if len(body.events) > MAX_BATCH_EVENTS:
            raise HTTPException(413, f"{len(body.events)} events: at most {MAX_BATCH_EVENTS}")
        for index, item in enumerate(body.events):
            if _event_bytes(item) > MAX_EVENT_BYTES:
                raise HTTPException(413, f"events[{index}] is over {MAX_EVENT_BYTES} bytes")
        now = _now()
        session = collector.open_session(session_id)
        tracked = [
            track(session, item, now, ("events", index)) for index, item in enumerate(body.events)
        ]
        await collector.write([line for _, line in tracked], session_id, now)
        return {
            "session_id": session_id,
            "accepted": len(tracked),
            "event_ids": [event_id for event_id, _ in tracked],
        }

    @api.post(f"{API_PREFIX}/{{session_id}}/end", tags=["write"])
    async def end(session_id: str, body: EndRequest) -> dict[str, Any]:
        """Ends the session with a reason; a retried end of an ended session is answered again."""
        now = _now()
        session = collector.sessions.get(session_id)
        if session is None:
            raise HTTPException(404, f"unknown session {session_id!r}: start one with POST /start")
        if session.ended_at is not None:
            if session.end_reason != body.reason:
                raise HTTPException(409, f"session {session_id!r} ended ({session.end_reason})")
            return {"session_id": session_id, "ended_at": session.ended_at, "repeated": True}
        line = event_line(
            event_id=body.event_id or f"{session_id}:end",
            event_type="session_end",
            timestamp=collector.event_time(body.timestamp, now, ()),
            user_id=session.user_id,
            session_id=session_id,
            reason=body.reason,
        )
        await collector.write([line], session_id, now)
        collector.sessions.end(session_id, body.reason, utc_text(now))
        return {"session_id": session_id, "ended_at": utc_text(now), "repeated": False}

    def live(sessions: list[Session]) -> list[dict[str, Any]]:
        return [session.as_json() for session in sessions]

    def since(now: datetime) -> datetime:
        return now - timedelta(seconds=settings.inactivity_seconds)

    @api.get(f"{API_PREFIX}/active", tags=["read"])
    async def active(limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> dict[str, Any]:
        """Sessions started and not ended, seen within the inactivity gap (live)."""
        now = _now()
        sessions = collector.sessions.active(since(now), limit=limit)
        return {
            "as_of": {"live": utc_text(now)},
            "count": len(sessions),
            "sessions": live(sessions),
        }

    @api.get(f"{API_PREFIX}/user/{{user_id}}/current", tags=["read"])
    async def current(user_id: str) -> dict[str, Any]:
        """The user's latest active session, or null (live)."""
        now = _now()
        sessions = collector.sessions.active(since(now), user_id=user_id, limit=1)
        return {
            "as_of": {"live": utc_text(now)},
            "session": live(sessions)[0] if sessions else None,
        }

    def from_exports(read: Any, *arguments: Any) -> tuple[dict[str, Any], Any]:
        try:
            return read(*arguments)
        except NoBuildYet as missing:
            raise HTTPException(503, unavailable(missing)) from None
        except ExportError as error:
            raise HTTPException(503, str(error)) from None

    @api.get(f"{API_PREFIX}/user/{{user_id}}/history", tags=["read"])
    async def history(
        user_id: str, limit: Annotated[int, Query(ge=1, le=1000)] = 10
    ) -> dict[str, Any]:
        """The user's latest sessions in user_sessions, newest first (as of the last build)."""
        as_of, rows = from_exports(collector.exports.history, user_id, limit)
        return {"as_of": as_of, "user_id": user_id, "sessions": rows}

    @api.get(f"{API_PREFIX}/patterns/{{user_id}}", tags=["read"])
    async def patterns(user_id: str) -> dict[str, Any]:
        """The user's row of user_session_patterns (as of the last build)."""
        as_of, row = from_exports(collector.exports.patterns, user_id)
        if row is None:
            raise HTTPException(404, f"user {user_id!r} has no app sessions in the last build")
        return {"as_of": as_of, **row}

    return Gate(api, settings.keys, settings.authenticated)
