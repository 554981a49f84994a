"""Session state (id -> user, device, start, end, live counts) in SQLite, WAL mode: it survives a
restart.

Starts, ends and pending ends are committed with a full fsync before they are acknowledged. The
time a session was last seen and its live counts change with every request, so they are kept in
memory and written at most once a second (`flush`), and before every read of the live views: a
crash forgets at most the last second of them, never a session.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA = """
create table if not exists sessions (
    session_id text primary key,
    user_id text not null,
    device text,
    page text,
    referrer text,
    campaign text,
    started_at text not null,
    last_seen_at text not null,
    ended_at text,
    end_reason text,
    start_event_id text not null unique
);
create index if not exists sessions_by_user on sessions (user_id, started_at);
create index if not exists open_sessions on sessions (last_seen_at) where ended_at is null;
"""
# Columns added after the first release (added to an older state file on start).
ADDED_COLUMNS = {
    "actions": "integer not null default 0",
    "errors": "integer not null default 0",
    "last_action": "text",
    "exit_page": "text",
    "has_start": "integer not null default 1",
    "dropped": "integer not null default 0",
    "pending_end": "text",
}
# How many event ids the live counts remember, so that a retried event is counted once.
RECENT_EVENT_IDS = 100_000


@dataclass(frozen=True)
class PendingEnd:
    """An end sent as a page unloaded, written at `due` unless the session goes on."""

    reason: str
    at: str
    due: str
    event_id: str
    page: str | None = None
    # The end request's raw times (received_at, client times), kept for its line.
    raw: dict[str, str] = field(default_factory=dict)
    # The end's time on the client's clock (what a later write is compared with).
    client_at: str | None = None


@dataclass(frozen=True)
class Session:
    session_id: str
    user_id: str
    device: dict[str, Any] | None
    page: str | None
    referrer: str | None
    campaign: str | None
    started_at: str
    last_seen_at: str
    ended_at: str | None
    end_reason: str | None
    actions: int = 0
    errors: int = 0
    last_action: str | None = None
    exit_page: str | None = None
    has_start: bool = True
    dropped: int = 0
    pending_end: PendingEnd | None = None


@dataclass
class _Live:
    """What requests changed since the last flush."""

    last_seen_at: str = ""
    actions: int = 0
    errors: int = 0
    last_action: str | None = None
    exit_page: str | None = None
    dropped: int = 0
    first_seen_at: str | None = field(default=None)


COLUMNS = (
    "session_id, user_id, device, page, referrer, campaign, started_at, last_seen_at, "
    "ended_at, end_reason, actions, errors, last_action, exit_page, has_start, dropped, "
    "pending_end"
)


def _session(row: tuple) -> Session:
    values = list(row)
    values[2] = json.loads(values[2]) if values[2] is not None else None
    values[14] = bool(values[14])
    values[16] = PendingEnd(**json.loads(values[16])) if values[16] is not None else None
    return Session(*values)


class SessionStore:
    """One connection, used from the event loop's thread only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute("pragma journal_mode = wal")
        self._connection.execute("pragma synchronous = full")
        self._connection.executescript(SCHEMA)
        present = {row[1] for row in self._connection.execute("pragma table_info(sessions)")}
        for name, definition in ADDED_COLUMNS.items():
            if name not in present:
                self._connection.execute(f"alter table sessions add column {name} {definition}")
        self._connection.execute(
            "create index if not exists pending_ends on sessions (session_id) "
            "where pending_end is not null"
        )
        self._live: dict[str, _Live] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()

    def close(self) -> None:
        self.flush()
        self._connection.close()

    def create(self, session: Session, start_event_id: str) -> None:
        """Stores a new session (committed, fsynced); a start_event_id or session id seen
        before is refused with sqlite3.IntegrityError."""
        self._connection.execute(
            "insert into sessions (session_id, user_id, device, page, referrer, campaign, "
            "started_at, last_seen_at, ended_at, end_reason, has_start, start_event_id) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.session_id,
                session.user_id,
                json.dumps(session.device) if session.device is not None else None,
                session.page,
                session.referrer,
                session.campaign,
                session.started_at,
                session.last_seen_at,
                session.ended_at,
                session.end_reason,
                int(session.has_start),
                start_event_id,
            ),
        )

    def add_start(self, session: Session, started_at: str, start_event_id: str) -> None:
        """A session_start arrived for a session its events opened: its device and entry."""
        self.flush()
        self._connection.execute(
            "update sessions set device = ?, page = ?, referrer = ?, campaign = ?, "
            "started_at = min(started_at, ?), has_start = 1, start_event_id = ? "
            "where session_id = ?",
            (
                json.dumps(session.device) if session.device is not None else None,
                session.page,
                session.referrer,
                session.campaign,
                started_at,
                start_event_id,
                session.session_id,
            ),
        )

    def unstart(self, session_id: str, remove: bool) -> None:
        """Undoes a start whose line could not be written: the session it created is removed
        (`remove`: no retry can name it), or marked without a start again (a retry writes the
        start with the same event id)."""
        if remove:
            self._live.pop(session_id, None)
        self._connection.execute(
            "delete from sessions where session_id = ?"
            if remove
            else "update sessions set has_start = 0 where session_id = ?",
            (session_id,),
        )

    def started_by(self, client_event_id: str, user_id: str) -> Session | None:
        """The session the user's start with this client event id started (a retried
        start): its start's event id is `<session_id>/<client_event_id>`."""
        row = self._connection.execute(
            "select session_id from sessions where user_id = ? "
            "and start_event_id = session_id || '/' || ?",
            (user_id, client_event_id),
        ).fetchone()
        return None if row is None else self.get(row[0])

    def start_event_id(self, session_id: str) -> str:
        """The event id of the session's start line (random, or the client's namespaced)."""
        row = self._connection.execute(
            "select start_event_id from sessions where session_id = ?", (session_id,)
        ).fetchone()
        return row[0] if row is not None else ""

    def get(self, session_id: str) -> Session | None:
        row = self._connection.execute(
            f"select {COLUMNS} from sessions where session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        return self._with_live(_session(row))

    def _with_live(self, found: Session) -> Session:
        live = self._live.get(found.session_id)
        if live is None:
            return found
        return replace(
            found,
            started_at=min(found.started_at, live.first_seen_at or found.started_at),
            last_seen_at=max(found.last_seen_at, live.last_seen_at),
            actions=found.actions + live.actions,
            errors=found.errors + live.errors,
            last_action=live.last_action or found.last_action,
            exit_page=live.exit_page or found.exit_page,
            dropped=found.dropped + live.dropped,
        )

    def record(
        self,
        session_id: str,
        seen_at: str,
        events: Sequence[tuple[str, str, str | None, str | None]] = (),
        dropped: int = 0,
        first_seen_at: str | None = None,
    ) -> None:
        """A write to the session: the latest event time, and its events (event_id,
        event_type, action, page) for the live counts (an event id seen lately counts once)."""
        live = self._live.setdefault(session_id, _Live(last_seen_at=seen_at))
        live.last_seen_at = max(live.last_seen_at, seen_at)
        if first_seen_at is not None:
            live.first_seen_at = min(live.first_seen_at or first_seen_at, first_seen_at)
        live.dropped += dropped
        for event_id, event_type, action, page in events:
            if event_id in self._recent:
                continue
            self._recent[event_id] = None
            if len(self._recent) > RECENT_EVENT_IDS:
                self._recent.popitem(last=False)
            if event_type in {"action", "page_view", "workflow_started", "workflow_completed"}:
                live.actions += 1
            elif event_type == "error":
                live.errors += 1
            if action is not None:
                live.last_action = action
            if page is not None:
                live.exit_page = page

    def set_pending_end(self, session_id: str, pending: PendingEnd | None) -> None:
        """Stores (or, with None, cancels) the session's pending end (committed, fsynced)."""
        self._connection.execute(
            "update sessions set pending_end = ? where session_id = ? and ended_at is null",
            (json.dumps(pending.__dict__) if pending is not None else None, session_id),
        )

    def due_ends(self, now: str) -> list[Session]:
        """Open sessions whose pending end is due at `now`."""
        rows = self._connection.execute(
            f"select {COLUMNS} from sessions where pending_end is not null and ended_at is null"
        ).fetchall()
        sessions = [self._with_live(_session(row)) for row in rows]
        return [s for s in sessions if s.pending_end is not None and s.pending_end.due <= now]

    def end(self, session_id: str, reason: str, ended_at: str, page: str | None = None) -> None:
        self.flush()
        self._connection.execute(
            "update sessions set ended_at = ?, end_reason = ?, "
            "last_seen_at = max(last_seen_at, ?), exit_page = coalesce(?, exit_page), "
            "pending_end = null where session_id = ? and ended_at is null",
            (ended_at, reason, ended_at, page, session_id),
        )

    def reopen(self, session_id: str, pending: PendingEnd | None) -> None:
        """Undoes `end` when its line could not be written (a pending end is tried again)."""
        self._connection.execute(
            "update sessions set ended_at = null, end_reason = null, pending_end = ? "
            "where session_id = ?",
            (json.dumps(pending.__dict__) if pending is not None else None, session_id),
        )

    def flush(self) -> None:
        if not self._live:
            return
        pending, self._live = self._live, {}
        with self._connection:
            self._connection.execute("begin")
            self._connection.executemany(
                "update sessions set last_seen_at = max(last_seen_at, ?), "
                "started_at = min(started_at, coalesce(?, started_at)), "
                "actions = actions + ?, errors = errors + ?, "
                "last_action = coalesce(?, last_action), exit_page = coalesce(?, exit_page), "
                "dropped = dropped + ? where session_id = ?",
                [
                    (
                        live.last_seen_at,
                        live.first_seen_at,
                        live.actions,
                        live.errors,
                        live.last_action,
                        live.exit_page,
                        live.dropped,
                        session_id,
                    )
                    for session_id, live in pending.items()
                ],
            )

    def active(
        self, since: datetime, user_id: str | None = None, limit: int = 1000
    ) -> list[Session]:
        """Sessions not ended and seen at `since` or later, latest start first."""
        self.flush()
        condition = "ended_at is null and last_seen_at >= ?"
        parameters: list[Any] = [since.isoformat(timespec="microseconds")]
        if user_id is not None:
            condition += " and user_id = ?"
            parameters.append(user_id)
        rows = self._connection.execute(
            f"select {COLUMNS} from sessions where {condition} "
            "order by started_at desc, session_id limit ?",
            [*parameters, limit],
        ).fetchall()
        return [_session(row) for row in rows]
