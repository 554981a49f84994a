"""Session state (id -> user, device, start, end) in SQLite, WAL mode: it survives a restart.

Starts and ends are committed with a full fsync before they are acknowledged. The time a
session was last seen changes with every request, so it is kept in memory and written at most
once a second (`flush`), and before every read of the live views: a crash forgets at most the
last second of it, never a session.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
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

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _session(row: tuple) -> Session:
    values = list(row)
    values[2] = json.loads(values[2]) if values[2] is not None else None
    return Session(*values)


COLUMNS = (
    "session_id, user_id, device, page, referrer, campaign, started_at, last_seen_at, "
    "ended_at, end_reason"
)


class SessionStore:
    """One connection, used from the event loop's thread only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute("pragma journal_mode = wal")
        self._connection.execute("pragma synchronous = full")
        self._connection.executescript(SCHEMA)
        self._last_seen: dict[str, str] = {}

    def close(self) -> None:
        self.flush()
        self._connection.close()

    def create(self, session: Session, start_event_id: str) -> None:
        """Stores a new session (committed, fsynced); a start_event_id seen before is refused
        with sqlite3.IntegrityError."""
        values = session.as_json()
        values["device"] = json.dumps(session.device) if session.device is not None else None
        self._connection.execute(
            f"insert into sessions ({COLUMNS}, start_event_id) values "
            f"({', '.join('?' * len(values))}, ?)",
            [*values.values(), start_event_id],
        )

    def started_by(self, start_event_id: str) -> Session | None:
        """The session a session_start event id started (a retried start)."""
        row = self._connection.execute(
            "select session_id from sessions where start_event_id = ?", (start_event_id,)
        ).fetchone()
        return None if row is None else self.get(row[0])

    def get(self, session_id: str) -> Session | None:
        row = self._connection.execute(
            f"select {COLUMNS} from sessions where session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        found = _session(row)
        if session_id in self._last_seen:
            found = Session(**{**found.__dict__, "last_seen_at": self._last_seen[session_id]})
        return found

    def touch(self, session_id: str, seen_at: str) -> None:
        self._last_seen[session_id] = seen_at

    def end(self, session_id: str, reason: str, ended_at: str) -> None:
        self.flush()
        self._connection.execute(
            "update sessions set ended_at = ?, end_reason = ?, last_seen_at = ? "
            "where session_id = ? and ended_at is null",
            (ended_at, reason, ended_at, session_id),
        )

    def flush(self) -> None:
        if not self._last_seen:
            return
        pending, self._last_seen = self._last_seen, {}
        with self._connection:
            self._connection.execute("begin")
            self._connection.executemany(
                "update sessions set last_seen_at = max(last_seen_at, ?) where session_id = ?",
                [(seen, session_id) for session_id, seen in pending.items()],
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
