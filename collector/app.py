"""The collector API: the tracking spec's session endpoints (FastAPI).

Writes go to the spool (acknowledged once on disk); live reads (active, current) come from the
session store; history and patterns from the last build's exports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from collector.config import Settings
from collector.exports import ExportReader, unavailable
from collector.gate import API_PREFIX, Gate
from collector.models import (
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    SESSION_ID_PATTERN,
    EndRequest,
    Entry,
    EventIn,
    EventsRequest,
    HeartbeatRequest,
    Sent,
    SingleEventRequest,
    StartRequest,
    event_line,
    landed_event_id,
    new_id,
    utc_text,
)
from collector.spool import Spool, SpoolError
from collector.store import PendingEnd, Session, SessionStore
from sessions_exports import ExportError, NoBuildYet

FLUSH_SECONDS = 1.0
# After a storage error stopped the spool: how long the server goes on answering 503 (to the
# requests in flight and the next ones) before it shuts down, to exit with FAILED_EXIT_CODE.
FAILED_SHUTDOWN_SECONDS = 0.5
FAILED_EXIT_CODE = 74  # EX_IOERR
# The user of a session its events opened without naming one.
ANONYMOUS_PREFIX = "anonymous:"


@dataclass(frozen=True)
class Received:
    """One request as the server got it: when, and the client's send time (if sent)."""

    at: datetime
    sent_at: datetime | None = None
    dropped: int | None = None


class Collector:
    """What the endpoints share: settings, spool, store, export reader."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.spool = Spool(settings.landing_dir, settings.rotate_bytes, settings.rotate_seconds)
        self.store: SessionStore | None = None
        self.exports = ExportReader(settings.export_dir)
        self._last_stamp = datetime.min.replace(tzinfo=UTC)
        # Stops the server (set by `python -m collector`); without it a SIGTERM to itself.
        self.shutdown: Callable[[], None] | None = None

    def stamp(self, received: datetime) -> datetime:
        """The time of an event the client sent without one: when its request was received, and
        always later than the previous stamp (by a microsecond at least), so events stamped in
        the order they arrive, a batch's included, keep that order in the sessions (equal times
        would be ordered by event id)."""
        self._last_stamp = max(received, self._last_stamp + timedelta(microseconds=1))
        return self._last_stamp

    @property
    def sessions(self) -> SessionStore:
        assert self.store is not None, "the collector is not started"
        return self.store

    def writable_session(
        self,
        session_id: str,
        user_id: str | None,
        first_time: datetime,
        client_time: datetime | None = None,
    ) -> tuple[Session, bool]:
        """The open session a write goes to, and whether this write opened it: a session id the
        server has not seen is opened (started at its first event), for `user_id` or, without
        one, for an anonymous user of its own. A write of a later moment than a pending end
        (on the client's clock: the page came back, after a reload or on the app's next page)
        cancels it; events the page sent before it went (beacons come in any order) do not."""
        found = self.sessions.get(session_id)
        if found is None:
            if re.fullmatch(SESSION_ID_PATTERN, session_id) is None:
                raise HTTPException(
                    404,
                    f"unknown session {session_id!r}: start one with POST /start (a client's own "
                    "session id is 8 to 128 of A-Za-z0-9_.:-)",
                )
            opened = Session(
                session_id=session_id,
                user_id=user_id or ANONYMOUS_PREFIX + session_id,
                device=None,
                page=None,
                referrer=None,
                campaign=None,
                started_at=utc_text(first_time),
                last_seen_at=utc_text(first_time),
                ended_at=None,
                end_reason=None,
                has_start=False,
            )
            self.sessions.create(opened, start_event_id=new_id())
            return opened, True
        if found.ended_at is not None:
            raise HTTPException(409, f"session {session_id!r} has ended ({found.end_reason})")
        if user_id is not None and user_id != found.user_id:
            raise HTTPException(409, f"session {session_id!r} is another user's")
        pending = found.pending_end
        if pending is not None and (
            client_time is None
            or pending.client_at is None
            or client_time > datetime.fromisoformat(pending.client_at)
        ):
            self.sessions.set_pending_end(session_id, None)
            found = replace(found, pending_end=None)
        return found, False

    def event_time(
        self, given: datetime | None, received: Received, where: tuple[Any, ...]
    ) -> tuple[datetime, dict[str, str]]:
        """An event's one time, and the raw client times the line keeps.

        With the client's event time and send time: received - (sent - event time), the
        client's delay measured on its own clock and applied to the server's (Snowplow's derived
        timestamp), so a client clock that is off moves nothing. With the event time only: that
        time. With neither: the time the server received it."""
        raw: dict[str, str] = {}
        if received.sent_at is not None:
            raw["client_sent_at"] = utc_text(received.sent_at)
        if given is None:
            return self.stamp(received.at), raw
        if received.sent_at is None:
            moment = given
        else:
            try:
                moment = received.at - (received.sent_at - given)
            except OverflowError:
                raise RequestValidationError(
                    [
                        {
                            "loc": ("body", *where, "timestamp"),
                            "msg": "timestamp and sent_at are too far apart (out of range)",
                            "type": "timestamp_out_of_range",
                        }
                    ]
                ) from None
            raw["client_timestamp"] = utc_text(given)
        tolerance = self.settings.future_tolerance_seconds
        max_age = self.settings.max_age_seconds
        problem = None
        if moment > received.at + timedelta(seconds=tolerance):
            problem = (
                f"timestamp is more than {tolerance:g} s in the future"
                + (" of sent_at" if received.sent_at is not None else ""),
                "timestamp_in_future",
            )
        elif moment < received.at - timedelta(seconds=max_age):
            problem = (
                f"timestamp is more than {max_age:g} s ({max_age / 86400:g} days) in the past: "
                "older events are refused (SESSIONS_COLLECTOR_MAX_AGE_SECONDS)",
                "timestamp_too_old",
            )
        if problem is not None:
            raise RequestValidationError(
                [{"loc": ("body", *where, "timestamp"), "msg": problem[0], "type": problem[1]}]
            )
        return moment, raw

    @staticmethod
    def in_order(
        session: Session, moment: datetime, received: Received, end: bool = False
    ) -> datetime:
        """A derived time kept in the client's order of its session: an event not before the
        session's start, an end not before its last event. Two requests' delays differ by the
        network's jitter, so an event and the end the client stamped at the same instant could
        otherwise swap (and the marts would cut the session there). Times a client gives
        without `sent_at` are kept as given."""
        if received.sent_at is None:
            return moment
        bound = session.last_seen_at if end else session.started_at
        return max(moment, datetime.fromisoformat(bound))

    async def write(self, lines: list[bytes]) -> None:
        try:
            await self.spool.append(lines)
        except SpoolError as error:
            raise HTTPException(503, f"events not stored, retry: {error}") from None

    async def write_due_ends(self) -> None:
        """Writes the pending ends whose grace is over (a page that did not come back)."""
        for session in self.sessions.due_ends(utc_text(_now())):
            pending = session.pending_end
            assert pending is not None
            # Not before the events the page sent as it went (they may arrive after the end).
            at = max(pending.at, session.last_seen_at)
            # Ended first: a write arriving during the spool's fsync finds it ended.
            self.sessions.end(session.session_id, pending.reason, at, pending.page)
            line = event_line(
                event_id=pending.event_id,
                event_type="session_end",
                timestamp=datetime.fromisoformat(at),
                user_id=session.user_id,
                session_id=session.session_id,
                reason=pending.reason,
                page=pending.page,
                **pending.raw,
            )
            try:
                await self.spool.append([line])
            except SpoolError:
                self.sessions.reopen(session.session_id, pending)
                return


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


def _store_error(_request: Request, error: Exception) -> JSONResponse:
    """A session store error (disk full, I/O): nothing was written; the client retries."""
    return JSONResponse(
        {"detail": f"session store error, nothing written, retry: {error}"}, status_code=503
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _event_bytes(event: EventIn) -> int:
    return len(json.dumps(event.payload()).encode())


def _seconds_between(start: str, end: str) -> int:
    return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


def user_session(session: Session) -> dict[str, Any]:
    """A live session as the spec's UserSession (`id`, `userId`, `startTime`, `endTime`,
    `duration`, `device`, `entry`, `exit`, `actions`, `errors`), next to the fields today's
    clients read (`session_id`, `user_id`, `started_at`, `last_seen_at`, ...). `duration` runs
    to the end, or to the last event of an open session."""
    device = session.device or {}
    ended = session.ended_at is not None
    return {
        "id": session.session_id,
        "userId": session.user_id,
        "startTime": session.started_at,
        "endTime": session.ended_at,
        "duration": _seconds_between(session.started_at, session.ended_at or session.last_seen_at),
        "device": {
            "type": device.get("type"),
            "browser": device.get("browser"),
            "os": device.get("os"),
            "screenSize": device.get("screen_size"),
        },
        "entry": {"page": session.page, "referrer": session.referrer, "campaign": session.campaign},
        "exit": {
            "page": session.exit_page,
            "reason": session.end_reason,
            "lastAction": session.last_action,
        }
        if ended
        else None,
        "actions": session.actions,
        "errors": session.errors,
        "dropped": session.dropped,
        "session_id": session.session_id,
        "user_id": session.user_id,
        "page": session.page,
        "referrer": session.referrer,
        "campaign": session.campaign,
        "started_at": session.started_at,
        "last_seen_at": session.last_seen_at,
        "ended_at": session.ended_at,
        "end_reason": session.end_reason,
    }


def mart_user_session(row: dict[str, Any]) -> dict[str, Any]:
    """A user_sessions row with the spec's UserSession fields added (`id` is the client's
    session id when the session has one)."""
    return {
        **row,
        "id": row.get("client_session_id") or row.get("session_id"),
        "userId": row.get("user_id"),
        "startTime": row.get("start_time"),
        "endTime": row.get("end_time"),
        "duration": row.get("duration_seconds"),
        "device": {
            "type": row.get("device_type"),
            "browser": row.get("browser"),
            "os": row.get("os"),
            "screenSize": row.get("screen_size"),
        },
        "entry": {
            "page": row.get("entry_page"),
            "source": row.get("entry_source"),
            "referrer": row.get("referrer"),
            "campaign": row.get("campaign"),
        },
        "exit": {
            "page": row.get("exit_page"),
            "reason": row.get("exit_reason"),
            "lastAction": row.get("exit_last_action"),
        },
        # Still open at the build's as_of: no exit reason yet, the end so far.
        "isOpen": row.get("is_open"),
        "actions": row.get("action_count"),
        "errors": row.get("error_count"),
    }


def session_pattern(row: dict[str, Any]) -> dict[str, Any] | None:
    """A user_session_patterns row's spec SessionPattern (`type`, `indicators`,
    `confidence`); None for an export written before the mart had it."""
    if row.get("session_pattern") is None:
        return None
    return {
        "type": row["session_pattern"],
        "indicators": list(row.get("pattern_indicators") or []),
        "confidence": row.get("pattern_confidence"),
    }


def create_app(settings: Settings) -> Gate:
    """The ASGI application: the API behind its key, origin and size gate (`.app` is the
    FastAPI app)."""
    collector = Collector(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        failed = asyncio.Event()
        collector.spool.on_failure = lambda _error: loop.call_soon_threadsafe(failed.set)
        collector.spool.start()
        collector.store = SessionStore(settings.state_dir / "sessions.sqlite3")

        async def stop_when_failed() -> None:
            """A storage error stopped the spool: the server shuts down (as on SIGTERM), and
            `python -m collector` exits non-zero."""
            await failed.wait()
            await asyncio.sleep(FAILED_SHUTDOWN_SECONDS)
            if collector.shutdown is not None:
                collector.shutdown()
            else:
                os.kill(os.getpid(), signal.SIGTERM)

        async def flush_periodically() -> None:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                collector.sessions.flush()
                await collector.write_due_ends()

        flusher = asyncio.create_task(flush_periodically())
        watcher = asyncio.create_task(stop_when_failed())
        try:
            yield
        finally:
            flusher.cancel()
            watcher.cancel()
            collector.spool.stop()
            collector.sessions.close()

    api = FastAPI(
        title="sessions collector",
        summary="Session tracking: events written durably into the app source's landing folder",
        lifespan=lifespan,
    )
    api.state.collector = collector
    api.add_exception_handler(RequestValidationError, _validation_response)
    api.add_exception_handler(sqlite3.Error, _store_error)

    def received(body: Sent | None) -> Received:
        return Received(
            at=_now(),
            sent_at=body.sent_at if body is not None else None,
            dropped=body.dropped if body is not None else None,
        )

    def raw_fields(request: Received, raw: dict[str, str], first: bool) -> dict[str, Any]:
        """The fields every line of a request keeps: when the server received it, the client's
        own times, and (on its first line) how many events the client reported dropped."""
        fields: dict[str, Any] = {"received_at": utc_text(request.at), **raw}
        if first and request.dropped:
            fields["client_dropped"] = request.dropped
        return fields

    def tracked_lines(
        session: Session,
        events: list[tuple[EventIn, datetime, dict[str, str]]],
        request: Received,
    ) -> tuple[list[str], list[bytes]]:
        event_ids, lines = [], []
        for index, (event, moment, raw) in enumerate(events):
            event_id = landed_event_id(session.session_id, event.event_id)
            event_ids.append(event_id)
            lines.append(
                event_line(
                    event_id=event_id,
                    client_event_id=event.event_id,
                    event_type=event.event_type or "action",
                    timestamp=moment,
                    user_id=session.user_id,
                    session_id=session.session_id,
                    page=event.page,
                    action=event.action,
                    workflow_id=event.workflow_id,
                    details=event.details,
                    **raw_fields(request, raw, index == 0),
                )
            )
        return event_ids, lines

    async def track(
        session_id: str,
        user_id: str | None,
        events: list[EventIn],
        request: Received,
        batch: bool = False,
    ) -> dict[str, Any]:
        """Writes `events` into the session (opening it when unseen); all or none."""
        timed = []
        for index, item in enumerate(events):
            where = ("events", index) if batch else ()
            moment, raw = collector.event_time(item.timestamp, request, where)
            timed.append((item, moment, raw))
        first = min(moment for _, moment, _ in timed)
        given = [item.timestamp for item in events if item.timestamp is not None]
        session, opened = collector.writable_session(
            session_id, user_id, first, max(given) if len(given) == len(events) else None
        )
        timed = [
            (item, collector.in_order(session, moment, request), raw) for item, moment, raw in timed
        ]
        event_ids, lines = tracked_lines(session, timed, request)
        # Seen before the write: a request of the session handled during the write (an end)
        # finds these events' times.
        collector.sessions.record(
            session_id,
            utc_text(max(moment for _, moment, _ in timed)),
            [
                (event_id, item.event_type or "action", item.action, item.page)
                for event_id, (item, _, _) in zip(event_ids, timed, strict=True)
            ],
            dropped=request.dropped or 0,
            first_seen_at=utc_text(first),
        )
        await collector.write(lines)
        answer: dict[str, Any] = {
            "session_id": session_id,
            "accepted": len(lines),
            "event_ids": event_ids,
        }
        if opened:
            answer["opened"] = True
        return answer

    @api.get("/health", tags=["operations"])
    @api.get(f"{API_PREFIX}/health", tags=["operations"])
    async def health() -> Any:
        """Liveness for orchestration and load balancers (no key needed): 503 once a storage
        error stopped the spool."""
        if collector.spool.failed is not None:
            return JSONResponse(
                {
                    "status": "failed",
                    "time": utc_text(_now()),
                    "detail": str(collector.spool.failed),
                },
                status_code=503,
            )
        try:
            collector.exports.manifest()
            has_exports = True
        except (NoBuildYet, ExportError):
            has_exports = False
        return {"status": "ok", "time": utc_text(_now()), "exports": has_exports}

    def started(session: Session, event_id: str) -> dict[str, Any]:
        return {**user_session(session), "event_id": event_id}

    @api.post(f"{API_PREFIX}/start", status_code=201, tags=["write"])
    async def start(body: StartRequest) -> dict[str, Any]:
        """Starts a session and answers it as a UserSession (`id`; `session_id` too). Its id is
        the client's (`id`, as SessionManager makes it) or a new one; it is
        `client_session_id` in user_sessions after a build. A retried start (the same `id`, or
        the same `event_id`) gets the same session back and writes nothing."""
        request = received(body)
        found = None
        if body.event_id is not None:
            found = collector.sessions.started_by(body.event_id, body.user_id)
        if found is None and body.id is not None:
            found = collector.sessions.get(body.id)
        if found is not None:
            if found.user_id != body.user_id:
                raise HTTPException(409, f"session {found.session_id!r} is another user's")
            if found.has_start:
                return started(found, collector.sessions.start_event_id(found.session_id))
        entry = body.entry or Entry()
        page = body.page if body.page is not None else entry.page
        referrer = body.referrer if body.referrer is not None else entry.referrer
        campaign = body.campaign if body.campaign is not None else entry.campaign
        moment, raw = collector.event_time(body.timestamp, request, ())
        session_id = found.session_id if found else body.id or new_id()
        event_id = (
            landed_event_id(session_id, body.event_id)
            if body.event_id is not None or found is None
            # A session its events opened, or whose start was not written: the id it holds.
            else collector.sessions.start_event_id(session_id)
        )
        if found is not None:
            # Its events arrived first (and opened it): the start is written at its first
            # event's time at the latest, so the session begins with it.
            moment = min(moment, datetime.fromisoformat(found.started_at))
        device = body.device.model_dump(exclude_none=True)
        line = event_line(
            event_id=event_id,
            client_event_id=body.event_id,
            event_type="session_start",
            timestamp=moment,
            user_id=body.user_id,
            session_id=session_id,
            page=page,
            referrer=referrer,
            campaign=campaign,
            device=device,
            **raw_fields(request, raw, True),
        )
        stored = Session(
            session_id=session_id,
            user_id=body.user_id,
            device=device,
            page=page,
            referrer=referrer,
            campaign=campaign,
            started_at=utc_text(moment),
            last_seen_at=utc_text(moment),
            ended_at=None,
            end_reason=None,
            has_start=True,
        )
        # Every store write comes before the line, none after it: a store error answers 503
        # with nothing written (no start line of a session the client never learned), and a
        # retry of a start whose line was written finds its session.
        if found is None:
            # Known before its line is written: a request of the session that arrives during
            # the write (a beacon sent as the page closes) finds it, and finds its user.
            try:
                collector.sessions.create(stored, start_event_id=event_id)
            except sqlite3.IntegrityError:
                # The same start sent twice at once: the first stored is the session.
                first = collector.sessions.started_by(
                    body.event_id or "", body.user_id
                ) or collector.sessions.get(session_id)
                assert first is not None
                return started(first, collector.sessions.start_event_id(first.session_id))
        else:
            collector.sessions.add_start(stored, utc_text(moment), start_event_id=event_id)
        if request.dropped:
            collector.sessions.record(session_id, utc_text(moment), dropped=request.dropped)
        try:
            await collector.write([line])
        except HTTPException:
            # Not written: a retried start writes it.
            unnamed = body.id is None and body.event_id is None
            collector.sessions.unstart(session_id, remove=found is None and unnamed)
            raise
        now_stored = collector.sessions.get(session_id)
        assert now_stored is not None
        return started(now_stored, event_id)

    @api.post(f"{API_PREFIX}/{{session_id}}/heartbeat", tags=["write"])
    async def heartbeat(session_id: str, body: HeartbeatRequest | None = None) -> dict[str, Any]:
        """Keeps the session alive (the spec's client sends one every 5 minutes)."""
        body = body or HeartbeatRequest()
        request = received(body)
        moment, raw = collector.event_time(body.timestamp, request, ())
        session, opened = collector.writable_session(
            session_id, body.user_id, moment, body.timestamp
        )
        moment = collector.in_order(session, moment, request)
        event_id = landed_event_id(session_id, body.event_id)
        line = event_line(
            event_id=event_id,
            client_event_id=body.event_id,
            event_type="heartbeat",
            timestamp=moment,
            user_id=session.user_id,
            session_id=session_id,
            **raw_fields(request, raw, True),
        )
        collector.sessions.record(
            session_id,
            utc_text(moment),
            [(event_id, "heartbeat", None, None)],
            dropped=request.dropped or 0,
        )
        await collector.write([line])
        answer = {"session_id": session_id, "event_id": event_id}
        return {**answer, "opened": True} if opened else answer

    @api.post(f"{API_PREFIX}/{{session_id}}/event", tags=["write"])
    async def event(session_id: str, body: SingleEventRequest) -> dict[str, Any]:
        """Tracks one event (today's shape, or the spec's `{action, data, timestamp}`)."""
        item = EventIn.model_validate(
            body.model_dump(exclude={"user_id", "sent_at", "dropped"}, exclude_none=True)
        )
        return await track(session_id, body.user_id, [item], received(body))

    @api.post(f"{API_PREFIX}/{{session_id}}/events", tags=["write"])
    async def events(session_id: str, body: EventsRequest) -> dict[str, Any]:
        """Tracks a batch (at most 100 events, 500 KB, 32 KB each): all or none is written. A
        session id the server has not seen is opened by its first events (`user_id` names its
        user)."""
        if len(body.events) > MAX_BATCH_EVENTS:
            raise HTTPException(413, f"{len(body.events)} events: at most {MAX_BATCH_EVENTS}")
        for index, item in enumerate(body.events):
            if _event_bytes(item) > MAX_EVENT_BYTES:
                raise HTTPException(413, f"events[{index}] is over {MAX_EVENT_BYTES} bytes")
        return await track(session_id, body.user_id, body.events, received(body), batch=True)

    @api.post(f"{API_PREFIX}/{{session_id}}/end", tags=["write"])
    async def end(session_id: str, body: EndRequest, response: Response) -> dict[str, Any]:
        """Ends the session with a reason; a retried end of an ended session is answered again.
        An end sent as a page unloads (`unload: true`) is written END_GRACE_SECONDS later
        (202), unless a write to the session comes first (the page came back)."""
        request = received(body)
        moment, raw = collector.event_time(body.timestamp, request, ())
        session = collector.sessions.get(session_id)
        if session is not None and session.ended_at is not None:
            if session.end_reason != body.reason:
                raise HTTPException(409, f"session {session_id!r} ended ({session.end_reason})")
            return {"session_id": session_id, "ended_at": session.ended_at, "repeated": True}
        session, opened = collector.writable_session(
            session_id, body.user_id, moment, body.timestamp
        )
        moment = collector.in_order(session, moment, request, end=True)
        event_id = landed_event_id(session_id, body.event_id)
        fields = raw_fields(request, raw, True)
        if request.dropped:
            collector.sessions.record(session_id, utc_text(moment), dropped=request.dropped)
        if body.unload and settings.end_grace_seconds > 0:
            due = request.at + timedelta(seconds=settings.end_grace_seconds)
            pending = PendingEnd(
                reason=body.reason,
                at=utc_text(moment),
                due=utc_text(due),
                event_id=event_id,
                page=body.page,
                raw={
                    **{key: value for key, value in fields.items() if isinstance(value, str)},
                    **({"client_event_id": body.event_id} if body.event_id else {}),
                },
                client_at=utc_text(body.timestamp) if body.timestamp is not None else None,
            )
            collector.sessions.set_pending_end(session_id, pending)
            response.status_code = 202
            return {
                "session_id": session_id,
                "pending": True,
                "due_at": utc_text(due),
                "event_id": event_id,
            }
        line = event_line(
            event_id=event_id,
            client_event_id=body.event_id,
            event_type="session_end",
            timestamp=moment,
            user_id=session.user_id,
            session_id=session_id,
            reason=body.reason,
            page=body.page,
            **fields,
        )
        # Ended before the write: a request of the session handled during it finds it ended.
        collector.sessions.end(session_id, body.reason, utc_text(moment), body.page)
        try:
            await collector.write([line])
        except HTTPException:
            collector.sessions.reopen(session_id, None)
            raise
        answer = {
            "session_id": session_id,
            "ended_at": utc_text(moment),
            "repeated": False,
            "event_id": event_id,
        }
        return {**answer, "opened": True} if opened else answer

    def since(now: datetime) -> datetime:
        return now - timedelta(seconds=settings.inactivity_seconds)

    @api.get(f"{API_PREFIX}/active", tags=["read"])
    async def active(limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> dict[str, Any]:
        """Sessions started and not ended, seen within the inactivity gap (live), as
        UserSession objects."""
        now = _now()
        sessions = collector.sessions.active(since(now), limit=limit)
        return {
            "as_of": {"live": utc_text(now)},
            "count": len(sessions),
            "sessions": [user_session(session) for session in sessions],
        }

    @api.get(f"{API_PREFIX}/user/{{user_id}}/current", tags=["read"])
    async def current(user_id: str) -> dict[str, Any]:
        """The user's latest active session as a UserSession, or null (live)."""
        now = _now()
        sessions = collector.sessions.active(since(now), user_id=user_id, limit=1)
        return {
            "as_of": {"live": utc_text(now)},
            "session": user_session(sessions[0]) if sessions else None,
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
        """The user's latest sessions in user_sessions, newest first (as of the last build),
        each a user_sessions row with the UserSession fields."""
        as_of, rows = from_exports(collector.exports.history, user_id, limit)
        return {
            "as_of": as_of,
            "user_id": user_id,
            "sessions": [mart_user_session(row) for row in rows],
        }

    @api.get(f"{API_PREFIX}/patterns/{{user_id}}", tags=["read"])
    async def patterns(user_id: str) -> dict[str, Any]:
        """The user's row of user_session_patterns (as of the last build): the spec method's
        `pattern` and its fields, and `sessionPattern`, the spec's SessionPattern. A user without
        app sessions in the last build: `pattern` `new_user`, as the spec's method answers."""
        as_of, row = from_exports(collector.exports.patterns, user_id)
        if row is None:
            return {
                "as_of": as_of,
                "user_id": user_id,
                "pattern": "new_user",
                "sessionPattern": None,
            }
        return {"as_of": as_of, **row, "sessionPattern": session_pattern(row)}

    @api.get(f"{API_PREFIX}/{{session_id}}/workflows", tags=["read"])
    async def workflows(session_id: str) -> dict[str, Any]:
        """The session's unfinished workflows (abandoned_workflows, as of the last build), the
        spec's find_abandoned_workflows: each started and not completed in the session, with
        its status (abandoned, failed, in_progress while the session is open). 404 for a
        session the last build does not have."""
        as_of, session, rows = from_exports(collector.exports.workflows, session_id)
        if session is None:
            raise HTTPException(
                404,
                f"unknown session {session_id!r}: not among the sessions of the last build "
                "(user_sessions); a session the collector has just opened is there after the "
                "next build",
            )
        return {"as_of": as_of, **session, "workflows": rows}

    return Gate(
        api,
        settings.keys,
        settings.authenticated,
        settings.allowed_origins,
        rate_limit=settings.rate_limit,
        rate_burst=settings.rate_burst,
        body_timeout_seconds=settings.body_timeout_seconds,
    )
