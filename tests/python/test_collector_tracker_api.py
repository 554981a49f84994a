"""The collector's API for browsers and the tracking spec's own calls (issue 30, parts 2, 3 and
5), against a real server process: the spec's requests as its code sends them, UserSession
answers with live counts, sessions opened by their events, derived event times, publishable
keys bound to origins with CORS, a keyless demo's Host and cross-site checks, and ends sent as a
page unloads."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from collector_support import READ, WRITE, CollectorProcess
from test_collector_api import landed_bytes, published, run_collector

ORIGIN = "http://127.0.0.1:9"
OTHER_ORIGIN = "http://evil.example"
PUBLISHABLE_KEY = "pk-test-publishable-1"
GRACE_SECONDS = 1.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectorProcess]:
    collector = CollectorProcess(
        tmp_path_factory.mktemp("tracker-api"),
        {
            "SESSIONS_COLLECTOR_ROTATE_SECONDS": "0.2",
            "SESSIONS_COLLECTOR_PUBLISHABLE_KEYS": PUBLISHABLE_KEY,
            "SESSIONS_COLLECTOR_ALLOWED_ORIGINS": f"{ORIGIN}, https://app.example.com",
            "SESSIONS_COLLECTOR_END_GRACE_SECONDS": str(GRACE_SECONDS),
        },
    )
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture
def client(server: CollectorProcess) -> Iterator[httpx.Client]:
    with server.client() as api:
        yield api


def line_of(server: CollectorProcess, session_id: str, event_type: str) -> dict[str, Any]:
    """The session's line of `event_type` (a start or an end: their ids are random), once
    published."""
    deadline = time.monotonic() + 10
    while True:
        found = [
            line
            for line in server.published_lines()
            if line["session_id"] == session_id and line["event_type"] == event_type
        ]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.2)


def has_end(server: CollectorProcess, session_id: str) -> bool:
    return any(
        line["session_id"] == session_id and line["event_type"] == "session_end"
        for line in server.published_lines()
    )


def iso(moment: datetime) -> str:
    """As JavaScript's Date.toJSON() writes it (milliseconds, Z)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- the spec's calls, as its code sends them -------------------------------------------------

SPEC_DEVICE = {"type": "desktop", "browser": "Chrome", "os": "Linux", "screenSize": "1280x720"}
USER_SESSION_FIELDS = {
    "id",
    "userId",
    "startTime",
    "endTime",
    "duration",
    "device",
    "entry",
    "exit",
    "actions",
    "errors",
}


def test_the_spec_session_tracker_calls_as_written(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """Section 3: start {userId, device} and read `session.id`; a heartbeat without a body; an
    end {reason: 'navigation'} on unmount."""
    started = client.post(
        "/start", json={"userId": "spec-u1", "device": SPEC_DEVICE}, headers=WRITE
    )
    assert started.status_code == 201, started.text
    session = started.json()
    assert set(session) >= USER_SESSION_FIELDS
    assert session["id"] == session["session_id"] and session["userId"] == "spec-u1"
    assert session["device"] == SPEC_DEVICE and session["endTime"] is None
    assert (session["actions"], session["errors"], session["duration"]) == (0, 0, 0)
    beat = client.post(f"/{session['id']}/heartbeat", headers=WRITE)
    assert beat.status_code == 200, beat.text
    end = client.post(f"/{session['id']}/end", json={"reason": "navigation"}, headers=WRITE)
    assert end.status_code == 200, end.text
    lines = published(
        server, [session["event_id"], beat.json()["event_id"], end.json()["event_id"]]
    )
    assert lines[session["event_id"]]["device"] == {
        "type": "desktop",
        "browser": "Chrome",
        "os": "Linux",
        "screen_size": "1280x720",
    }
    assert lines[end.json()["event_id"]]["reason"] == "navigation"


def test_the_spec_session_manager_calls_as_written(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """Section 4: its own id, never a start; batches of 5 `{action, data, timestamp}` (a Date
    as JSON); end(reason) after a flush."""
    session_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    batch = [
        {"action": f"click-{n}", "data": {"n": n} if n % 2 else None, "timestamp": iso(now)}
        for n in range(5)
    ]
    batch[4]["data"] = "plain text"
    sent = client.post(f"/{session_id}/events", json={"events": batch}, headers=WRITE)
    assert sent.status_code == 200, sent.text
    assert sent.json()["opened"] is True and sent.json()["accepted"] == 5
    end = client.post(f"/{session_id}/end", json={"reason": "timeout"}, headers=WRITE)
    assert end.status_code == 200, end.text
    lines = published(server, [*sent.json()["event_ids"], end.json()["event_id"]])
    written = [lines[event_id] for event_id in sent.json()["event_ids"]]
    assert [line["event_type"] for line in written] == ["action"] * 5
    assert [line["action"] for line in written] == [f"click-{n}" for n in range(5)]
    assert [line.get("details") for line in written] == [
        None,
        {"n": 1},
        None,
        {"n": 3},
        {"value": "plain text"},
    ]
    # It never said who its user is: a user of the session's own.
    assert {line["user_id"] for line in lines.values()} == {f"anonymous:{session_id}"}
    # A spec client whose start comes with an end and no activity.
    lonely = str(uuid.uuid4())
    only_end = client.post(f"/{lonely}/end", json={"reason": "logout"}, headers=WRITE)
    assert only_end.status_code == 200 and only_end.json()["opened"] is True


def test_user_id_spelled_either_way_but_not_both(client: httpx.Client) -> None:
    for body in ({"user_id": "u-either"}, {"userId": "u-either"}):
        response = client.post("/start", json={**body, "device": {}}, headers=WRITE)
        assert response.status_code == 201 and response.json()["userId"] == "u-either"
    both = client.post("/start", json={"user_id": "a", "userId": "b"}, headers=WRITE)
    assert both.status_code == 422 and "userId" in both.json()["message"]


def test_a_client_session_id_a_start_after_its_events_and_retries(
    server: CollectorProcess, client: httpx.Client
) -> None:
    session_id = str(uuid.uuid4())
    first = datetime.now(UTC) - timedelta(seconds=30)
    events = client.post(
        f"/{session_id}/events",
        json={
            "userId": "u-late-start",
            "events": [{"event_type": "page_view", "page": "/a", "timestamp": iso(first)}],
        },
        headers=WRITE,
    )
    assert events.status_code == 200 and events.json()["opened"] is True
    body = {"id": session_id, "userId": "u-late-start", "device": {"type": "mobile"}}
    start = client.post("/start", json={**body, "entry": {"page": "/a"}}, headers=WRITE)
    assert start.status_code == 201, start.text
    assert start.json()["id"] == session_id and start.json()["actions"] == 1
    line = line_of(server, session_id, "session_start")
    assert line["event_id"] == start.json()["event_id"]
    # Written at its first event's time: the session begins with its start.
    assert at(line["timestamp"]) == first.replace(microsecond=first.microsecond // 1000 * 1000)
    assert line["page"] == "/a" and line["device"] == {"type": "mobile"}
    before = landed_bytes(server)
    again = client.post("/start", json=body, headers=WRITE)
    assert again.status_code == 201 and again.json()["id"] == session_id
    other = client.post("/start", json={**body, "userId": "someone-else"}, headers=WRITE)
    assert other.status_code == 409
    foreign = client.post(f"/{session_id}/heartbeat", json={"userId": "intruder"}, headers=WRITE)
    assert foreign.status_code == 409
    assert landed_bytes(server) == before


def test_live_reads_are_user_sessions_with_live_counts(client: httpx.Client) -> None:
    session_id = str(uuid.uuid4())
    assert client.post("/start", json={"id": session_id, "userId": "u-counts"}, headers=WRITE)
    batch = {
        "events": [
            {"event_type": "page_view", "page": "/home", "event_id": f"{session_id}-1"},
            {"action": "save", "event_id": f"{session_id}-2"},
            {"event_type": "error", "details": {"code": 500}, "event_id": f"{session_id}-3"},
        ]
    }
    for _ in range(2):  # a retried batch counts once
        assert client.post(f"/{session_id}/events", json=batch, headers=WRITE).status_code == 200
    current = client.get("/user/u-counts/current", headers=READ).json()["session"]
    assert set(current) >= USER_SESSION_FIELDS
    assert (current["id"], current["actions"], current["errors"]) == (session_id, 2, 1)
    assert current["exit"] is None and current["endTime"] is None
    active = client.get("/active", headers=READ).json()["sessions"]
    assert session_id in {row["id"] for row in active}
    end = client.post(f"/{session_id}/end", json={"reason": "logout"}, headers=WRITE)
    assert end.status_code == 200
    assert client.get("/user/u-counts/current", headers=READ).json()["session"] is None


# --- one clock per event ----------------------------------------------------------------------


def test_event_times_are_derived_from_the_clients_delay(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """A client clock 2 hours fast: received - (sent - event time) puts the event where it
    happened on the server's clock; the line keeps the client's own times."""
    skew = timedelta(hours=2)
    session_id = str(uuid.uuid4())
    real_now = datetime.now(UTC)
    happened = real_now - timedelta(seconds=40)
    body = {
        "userId": "u-skewed",
        "sentAt": iso(real_now + skew),
        "events": [
            {"action": "late", "timestamp": iso(happened + skew), "event_id": f"{session_id}-a"},
            {"action": "now", "timestamp": iso(real_now + skew), "event_id": f"{session_id}-b"},
        ],
    }
    response = client.post(f"/{session_id}/events", json=body, headers=WRITE)
    assert response.status_code == 200, response.text
    lines = published(server, [f"{session_id}/{session_id}-a", f"{session_id}/{session_id}-b"])
    late, now = lines[f"{session_id}/{session_id}-a"], lines[f"{session_id}/{session_id}-b"]
    for line, expected in ((late, happened), (now, real_now)):
        assert abs(at(line["timestamp"]) - expected) < timedelta(seconds=2), line
        assert at(line["received_at"]) - at(line["timestamp"]) == at(line["client_sent_at"]) - at(
            line["client_timestamp"]
        )
    assert at(late["client_timestamp"]) - at(late["timestamp"]) > timedelta(hours=1, minutes=59)
    current = client.get("/user/u-skewed/current", headers=READ).json()["session"]
    assert abs(at(current["startTime"]) - happened) < timedelta(seconds=2)
    assert current["duration"] == 40


def test_too_old_and_future_events_are_refused_with_their_reason(
    server: CollectorProcess, client: httpx.Client
) -> None:
    session_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    before = landed_bytes(server)
    cases = [
        ({"timestamp": iso(now - timedelta(days=8))}, "timestamp_too_old"),
        ({"timestamp": iso(now - timedelta(days=8)), "sent_at": iso(now)}, "timestamp_too_old"),
        ({"timestamp": iso(now + timedelta(hours=1)), "sent_at": iso(now)}, "timestamp_in_future"),
    ]
    for fields, kind in cases:
        sent_at = fields.pop("sent_at", None)
        body: dict[str, Any] = {"events": [{"action": "x", **fields}]}
        if sent_at is not None:
            body["sentAt"] = sent_at
        response = client.post(f"/{session_id}/events", json=body, headers=WRITE)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["type"] == kind
        if kind == "timestamp_too_old":
            assert "SESSIONS_COLLECTOR_MAX_AGE_SECONDS" in response.json()["message"]
    assert landed_bytes(server) == before
    # Nothing was opened by the refused events.
    assert client.post(f"/{session_id}/end", json={"reason": "logout"}, headers=WRITE).json()[
        "opened"
    ]


def test_drops_a_client_reports_are_kept(server: CollectorProcess, client: httpx.Client) -> None:
    session_id = str(uuid.uuid4())
    body = {"userId": "u-drops", "dropped": 3, "events": [{"action": "a"}, {"action": "b"}]}
    response = client.post(f"/{session_id}/events", json=body, headers=WRITE)
    lines = published(server, response.json()["event_ids"])
    assert [line.get("client_dropped") for line in lines.values()] == [3, None]
    assert client.get("/user/u-drops/current", headers=READ).json()["session"]["dropped"] == 3


# --- ends sent as a page unloads ----------------------------------------------------------------


def test_an_unload_end_is_written_after_the_grace_unless_the_page_comes_back(
    server: CollectorProcess, client: httpx.Client
) -> None:
    closed, reloaded = str(uuid.uuid4()), str(uuid.uuid4())
    for session_id in (closed, reloaded):
        client.post("/start", json={"id": session_id, "userId": "u-unload"}, headers=WRITE)
    unload = {"reason": "navigation", "unload": True, "page": "/last"}
    for session_id in (closed, reloaded):
        response = client.post(f"/{session_id}/end", json=unload, headers=WRITE)
        assert response.status_code == 202 and response.json()["pending"] is True
    # The reloaded page goes on within the grace: its end is cancelled.
    beat = client.post(f"/{reloaded}/heartbeat", headers=WRITE)
    assert beat.status_code == 200
    time.sleep(GRACE_SECONDS + 1.5)
    closed_end = line_of(server, closed, "session_end")
    assert closed_end["reason"] == "navigation"
    assert closed_end["page"] == "/last"
    assert at(closed_end["timestamp"]) < at(closed_end["received_at"]) + timedelta(seconds=0.5)
    assert not has_end(server, reloaded)
    active = {row["id"] for row in client.get("/active", headers=READ).json()["sessions"]}
    assert reloaded in active and closed not in active
    after = client.post(f"/{closed}/event", json={"action": "late"}, headers=WRITE)
    assert after.status_code == 409


# --- browser keys, origins and CORS -----------------------------------------------------------


def test_cors_preflights_are_answered_for_allowed_origins_only(server: CollectorProcess) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    url = f"{server.url}/api/v1/sessions/start"
    allowed = httpx.options(url, headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"]
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = httpx.options(url, headers={"Origin": OTHER_ORIGIN, **preflight})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_a_publishable_key_writes_only_from_an_allowed_origin(
    server: CollectorProcess, client: httpx.Client
) -> None:
    key = {"Authorization": f"Bearer {PUBLISHABLE_KEY}"}
    body = {"userId": "u-browser", "device": SPEC_DEVICE}
    ok = client.post("/start", json=body, headers={**key, "Origin": ORIGIN})
    assert ok.status_code == 201, ok.text
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    before = landed_bytes(server)
    for headers, status, said in [
        (key, 403, "no Origin"),
        ({**key, "Origin": OTHER_ORIGIN}, 403, OTHER_ORIGIN),
    ]:
        response = client.post("/start", json=body, headers=headers)
        assert response.status_code == status and said in response.json()["detail"]
        assert "access-control-allow-origin" not in response.headers
    read = client.get("/active", headers={**key, "Origin": ORIGIN})
    assert read.status_code == 403 and "may not read" in read.json()["detail"]
    # A server key never travels in a URL.
    from collector_support import WRITE_KEY

    leaked = client.post(f"/start?key={WRITE_KEY}", json=body, headers={"Origin": ORIGIN})
    assert leaked.status_code == 401 and "never in a URL" in leaked.json()["detail"]
    assert landed_bytes(server) == before
    # sendBeacon: the key in the query, a text/plain body, no preflight.
    session_id = ok.json()["id"]
    beacon = client.post(
        f"/{session_id}/end?key={PUBLISHABLE_KEY}",
        content=b'{"reason": "navigation"}',
        headers={"Origin": ORIGIN, "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert beacon.status_code == 200, beacon.text
    # Server write keys work as before, from servers without an Origin.
    assert client.post("/start", json=body, headers=WRITE).status_code == 201


def test_a_keyless_demo_checks_host_and_refuses_cross_site_writes(tmp_path: Path) -> None:
    no_keys = {"SESSIONS_COLLECTOR_WRITE_KEYS": "", "SESSIONS_COLLECTOR_READ_KEYS": ""}
    demo = CollectorProcess(tmp_path, {"SESSIONS_COLLECTOR_DEMO": "true", **no_keys})
    demo.start()
    try:
        with demo.client() as api:
            body = {"userId": "demo", "device": {}}
            rebound = api.post("/start", json=body, headers={"Host": "attacker.example:8000"})
            assert rebound.status_code == 403 and "Host" in rebound.json()["detail"]
            assert api.get("/active", headers={"Host": "attacker.example"}).status_code == 403
            cross = api.post(
                "/start",
                content=b'{"userId": "demo", "device": {}}',
                headers={"Origin": OTHER_ORIGIN, "Content-Type": "text/plain"},
            )
            assert cross.status_code == 403 and "another site" in cross.json()["detail"]
            fetch_site = api.post("/start", json=body, headers={"Sec-Fetch-Site": "cross-site"})
            assert fetch_site.status_code == 403
            for headers in ({}, {"Origin": demo.url}, {"Host": f"localhost:{demo.port}"}):
                assert api.post("/start", json=body, headers=headers).status_code == 201
            assert api.get("/active").json()["count"] == 3
    finally:
        demo.stop()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSIONS_COLLECTOR_PUBLISHABLE_KEYS": "pk"}, "needs SESSIONS_COLLECTOR_ALLOWED_ORIGINS"),
        (
            {
                "SESSIONS_COLLECTOR_PUBLISHABLE_KEYS": "w",
                "SESSIONS_COLLECTOR_ALLOWED_ORIGINS": ORIGIN,
            },
            "also a server key",
        ),
        ({"SESSIONS_COLLECTOR_ALLOWED_ORIGINS": "https://*.example.com"}, "is not an origin"),
        ({"SESSIONS_COLLECTOR_ALLOWED_ORIGINS": "https://a.example.com/app"}, "is not an origin"),
        ({"SESSIONS_COLLECTOR_MAX_AGE_SECONDS": "week"}, "SESSIONS_COLLECTOR_MAX_AGE_SECONDS"),
    ],
)
def test_browser_settings_that_stop_the_collector(env: dict[str, str], message: str) -> None:
    result = run_collector(
        {"SESSIONS_COLLECTOR_WRITE_KEYS": "w", "SESSIONS_COLLECTOR_READ_KEYS": "r", **env}
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_derived_times_keep_the_clients_order_within_a_session(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """Two requests' delays differ by the network's jitter: an event is never placed before its
    session's start, nor the end before the session's last event (the marts would cut there)."""
    session_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    start = {"id": session_id, "userId": "u-order", "timestamp": iso(now), "sentAt": iso(now)}
    assert client.post("/start", json=start, headers=WRITE).status_code == 201
    # The click came 10 ms after the start, but its request says it waited 3 s.
    click = {
        "sentAt": iso(now + timedelta(seconds=3)),
        "events": [{"action": "a", "timestamp": iso(now + timedelta(milliseconds=10))}],
    }
    event_id = client.post(f"/{session_id}/events", json=click, headers=WRITE).json()["event_ids"][
        0
    ]
    # The end, stamped at the click's instant, says it waited 6 s.
    end = {
        "reason": "timeout",
        "timestamp": iso(now + timedelta(milliseconds=10)),
        "sentAt": iso(now + timedelta(seconds=6)),
    }
    assert client.post(f"/{session_id}/end", json=end, headers=WRITE).status_code == 200
    lines = published(server, [event_id])
    times = [at(line_of(server, session_id, "session_start")["timestamp"])]
    times.append(at(lines[event_id]["timestamp"]))
    times.append(at(line_of(server, session_id, "session_end")["timestamp"]))
    assert times[0] <= times[1] <= times[2]
    assert times[1] == times[0] and times[2] == times[1]
    # Times sent without sent_at are kept as given (a backfill of older events).
    old = {"events": [{"action": "b", "timestamp": iso(now - timedelta(days=1))}]}
    other = str(uuid.uuid4())
    assert client.post("/start", json={"id": other, "userId": "u-order"}, headers=WRITE)
    backfilled = client.post(f"/{other}/events", json=old, headers=WRITE).json()["event_ids"]
    line = published(server, backfilled)[backfilled[0]]
    assert at(line["timestamp"]) < now - timedelta(hours=23)


def test_events_the_page_sent_before_it_went_do_not_cancel_its_unload_end(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """Beacons arrive in any order: the buffer sent as the page went may come after its end.
    Only a write of a later moment (on the page's clock) is the page coming back."""
    gone, back = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    for session_id in (gone, back):
        started = {
            "id": session_id,
            "userId": "u-beacons",
            "timestamp": iso(now - timedelta(seconds=5)),
        }
        client.post("/start", json={**started, "sentAt": iso(now)}, headers=WRITE)
        unload = {"reason": "navigation", "unload": True, "timestamp": iso(now), "sentAt": iso(now)}
        assert client.post(f"/{session_id}/end", json=unload, headers=WRITE).status_code == 202
    late = {
        "sentAt": iso(now),
        "events": [{"action": "before", "timestamp": iso(now - timedelta(milliseconds=5))}],
    }
    late_ids = client.post(f"/{gone}/events", json=late, headers=WRITE).json()["event_ids"]
    later = {
        "timestamp": iso(now + timedelta(seconds=1)),
        "sentAt": iso(now + timedelta(seconds=1)),
    }
    assert client.post(f"/{back}/heartbeat", json=later, headers=WRITE).status_code == 200
    time.sleep(GRACE_SECONDS + 1.5)
    lines = published(server, late_ids)
    assert at(line_of(server, gone, "session_end")["timestamp"]) >= at(
        lines[late_ids[0]]["timestamp"]
    )
    assert not has_end(server, back)
