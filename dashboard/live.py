"""Active sessions from the collector's live view (`GET /api/v1/sessions/active`; see
docs/collector.md), when SESSIONS_COLLECTOR_URL and SESSIONS_COLLECTOR_READ_KEY are set. Any
failure (down, refused key, an answer of another shape) is a CollectorUnavailable with the
reason, and the page falls back to the active_sessions export and says so. The collector's
sessions are the `app` source's (it writes that source's files); a session naming another
source counts under it."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The collector's largest page of active sessions.
ACTIVE_PATH = "/api/v1/sessions/active?limit=10000"
COLLECTOR_SOURCE = "app"
TIMEOUT_SECONDS = 3.0


class CollectorUnavailable(Exception):
    """The collector could not give its active sessions (the message says why)."""


@dataclass(frozen=True)
class CollectorConfig:
    url: str
    read_key: str

    @classmethod
    def from_environment(cls) -> CollectorConfig | None:
        url = os.environ.get("SESSIONS_COLLECTOR_URL", "").strip()
        key = os.environ.get("SESSIONS_COLLECTOR_READ_KEY", "").strip()
        return cls(url.rstrip("/"), key) if url and key else None


def _sessions_of(document: Any) -> list[Any]:
    """The list of sessions of the collector's answer ({"as_of", "count", "sessions"})."""
    if isinstance(document, dict) and isinstance(document.get("sessions"), list):
        return document["sessions"]
    raise CollectorUnavailable("its answer holds no list of sessions")


def active_by_source(document: Any) -> dict[str, int]:
    """Sessions per source of the collector's answer (a session without one: `app`)."""
    counts: Counter[str] = Counter()
    for session in _sessions_of(document):
        if not isinstance(session, dict):
            raise CollectorUnavailable("a session of its answer is not a JSON object")
        counts[str(session.get("source") or COLLECTOR_SOURCE)] += 1
    return dict(sorted(counts.items()))


def fetch_active(config: CollectorConfig) -> tuple[dict[str, int], datetime]:
    """Active sessions per source now, and the moment asked."""
    request = urllib.request.Request(
        config.url + ACTIVE_PATH,
        headers={"Authorization": f"Bearer {config.read_key}", "Accept": "application/json"},
    )
    asked_at = datetime.now().astimezone()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            document = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise CollectorUnavailable(f"it answered HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise CollectorUnavailable(f"it cannot be reached ({error})") from error
    except ValueError as error:
        raise CollectorUnavailable("its answer is not JSON") from error
    return active_by_source(document), asked_at
