"""Every endpoint of the collector and every error, against a real server process."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from collector_support import (
    PROJECT_DIR,
    READ,
    READ_KEY,
    WRITE,
    WRITE_KEY,
    CollectorProcess,
    start_session,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectorProcess]:
    collector = CollectorProcess(
        tmp_path_factory.mktemp("collector"), {"SESSIONS_COLLECTOR_ROTATE_SECONDS": "0.2"}
    )
    collector.start()
    yield collector
    collector.stop()
    log = (collector.workdir / "collector.log").read_text()
    assert WRITE_KEY not in log and READ_KEY not in log, "a key was logged"


@pytest.fixture
def client(server: CollectorProcess) -> Iterator[httpx.Client]:
    with server.client() as api:
        yield api


def published(server: CollectorProcess, event_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The published lines of these events (waits for the open file's rotation)."""
    deadline = time.monotonic() + 10
    while True:
        lines = {line["event_id"]: line for line in server.published_lines()}
        if all(event_id in lines for event_id in event_ids) or time.monotonic() > deadline:
            return {event_id: lines[event_id] for event_id in event_ids if event_id in lines}
        time.sleep(0.05)


def landed_bytes(server: CollectorProcess) -> int:
    """Bytes of every event file in the landing folder, published or open (a rotation moves
    bytes from one to the other and leaves the sum)."""
    while True:
        try:
            paths = [path for path in server.landing_dir.iterdir() if ".jsonl" in path.name]
            return sum(path.stat().st_size for path in paths)
        except FileNotFoundError:  # renamed while listed: list again
            continue


# --- health and keys ------------------------------------------------------------------------

ENDPOINTS = [
    ("post", "/start"),
    ("post", "/s/heartbeat"),
    ("post", "/s/event"),
    ("post", "/s/events"),
    ("post", "/s/end"),
    ("get", "/active"),
    ("get", "/user/u/current"),
    ("get", "/user/u/history"),
    ("get", "/patterns/u"),
]


def test_health_needs_no_key(server: CollectorProcess) -> None:
    for path in ("/health", "/api/v1/sessions/health"):
        response = httpx.get(server.url + path)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


def test_openapi_docs_are_served(server: CollectorProcess) -> None:
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert {"/api/v1/sessions/start", "/api/v1/sessions/{session_id}/events"} <= set(paths)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_request_without_a_valid_key(
    server: CollectorProcess, client: httpx.Client, method: str, path: str
) -> None:
    before = landed_bytes(server)
    writes = method == "post"
    for headers, status in [
        ({}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": f"Basic {WRITE_KEY}"}, 401),
        ({"Authorization": f"Bearer {WRITE_KEY}x"}, 401),
        (READ if writes else WRITE, 403),
    ]:
        response = client.request(method, path, json={}, headers=headers)
        assert response.status_code == status, (headers, response.text)
        assert "detail" in response.json()
    assert landed_bytes(server) == before


# --- writes ---------------------------------------------------------------------------------


def test_start_writes_a_session_start_record(
    server: CollectorProcess, client: httpx.Client
) -> None:
    body = {
        "user_id": "u-start",
        "device": {"type": "mobile", "browser": "Safari", "os": "iOS", "screen_size": "390x844"},
        "page": "/home",
        "referrer": "https://news.example.org/a",
        "campaign": "spring",
    }
    response = client.post("/start", json=body, headers=WRITE)
    assert response.status_code == 201
    answer = response.json()
    line = published(server, [answer["event_id"]])[answer["event_id"]]
    assert line.pop("timestamp") and line.pop("received_at")
    assert line == {
        "event_id": answer["event_id"],
        "event_type": "session_start",
        "session_id": answer["session_id"],
        **body,
    }


def test_a_retried_start_with_the_same_event_id_gets_the_same_session(
    client: httpx.Client,
) -> None:
    body = {"user_id": "u-retry", "device": {}, "event_id": "start-retry-0001"}
    first = client.post("/start", json=body, headers=WRITE).json()
    again = client.post("/start", json=body, headers=WRITE).json()
    assert first == again


# A tracked event as a client sends it (the collector adds user_id and session_id).
events_strategy = st.fixed_dictionaries(
    {"event_type": st.sampled_from(["page_view", "action", "error", "workflow_started"])},
    optional={
        "page": st.text(min_size=1, max_size=30),
        "action": st.text(min_size=1, max_size=20),
        "workflow_id": st.from_regex(r"wf_[a-z0-9]{1,6}", fullmatch=True),
        "details": st.dictionaries(
            st.text(max_size=8),
            st.one_of(
                st.integers(min_value=-(2**63), max_value=2**64 - 1),
                st.text(max_size=10),
                st.booleans(),
            ),
        ),
        # Within SESSIONS_COLLECTOR_MAX_AGE_SECONDS (7 days) of now.
        "timestamp": st.datetimes(
            min_value=datetime.now() - timedelta(days=6),
            max_value=datetime.now(),
            timezones=st.just(UTC),
        ),
    },
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(events_strategy, min_size=1, max_size=8))
def test_events_are_written_as_sent(
    server: CollectorProcess, client: httpx.Client, batch: list[dict[str, Any]]
) -> None:
    session_id = start_session(client, "u-props")
    wire = [
        {**event, "timestamp": event["timestamp"].isoformat()} if "timestamp" in event else event
        for event in batch
    ]
    response = client.post(f"/{session_id}/events", json={"events": wire}, headers=WRITE)
    assert response.status_code == 200, response.text
    event_ids = response.json()["event_ids"]
    assert response.json()["accepted"] == len(batch) == len(set(event_ids))
    lines = published(server, event_ids)
    for event_id, sent in zip(event_ids, batch, strict=True):
        line = dict(lines[event_id])
        written_time = datetime.fromisoformat(line.pop("timestamp"))
        received_at = datetime.fromisoformat(line.pop("received_at"))
        assert abs(received_at - written_time) < timedelta(seconds=1) or "timestamp" in sent
        if "timestamp" in sent:
            assert written_time == sent["timestamp"]
        else:
            assert abs(datetime.now(UTC) - written_time) < timedelta(minutes=1)
        expected = {k: v for k, v in sent.items() if k != "timestamp"}
        assert line == {
            **expected,
            "event_id": event_id,
            "user_id": "u-props",
            "session_id": session_id,
        }
    # Events the server stamps keep the order they were sent in: strictly later each time.
    stamped = [
        datetime.fromisoformat(lines[event_id]["timestamp"])
        for event_id, sent in zip(event_ids, batch, strict=True)
        if "timestamp" not in sent
    ]
    assert all(earlier < later for earlier, later in itertools.pairwise(stamped))


def test_event_heartbeat_and_end(server: CollectorProcess, client: httpx.Client) -> None:
    session_id = start_session(client, "u-flow")
    one = client.post(
        f"/{session_id}/event",
        json={"event_type": "action", "action": "click", "event_id": "client-event-0001"},
        headers=WRITE,
    )
    # A client's event id is namespaced by its session; the line keeps the client's id.
    client_id = f"{session_id}/client-event-0001"
    assert one.json()["event_ids"] == [client_id]
    beat = client.post(f"/{session_id}/heartbeat", headers=WRITE).json()
    end = client.post(f"/{session_id}/end", json={"reason": "logout"}, headers=WRITE)
    assert end.status_code == 200 and end.json()["repeated"] is False
    end_id = end.json()["event_id"]
    assert str(uuid.UUID(end_id)) == end_id  # random, not derived from the session id
    lines = published(server, [client_id, beat["event_id"], end_id])
    assert lines[client_id]["action"] == "click"
    assert lines[client_id]["client_event_id"] == "client-event-0001"
    assert lines[beat["event_id"]]["event_type"] == "heartbeat"
    assert lines[end_id]["event_type"] == "session_end"
    assert lines[end_id]["reason"] == "logout"
    # A retried end is answered again and writes nothing; another reason conflicts.
    before = landed_bytes(server)
    again = client.post(f"/{session_id}/end", json={"reason": "logout"}, headers=WRITE)
    assert again.status_code == 200 and again.json()["repeated"] is True
    other = client.post(f"/{session_id}/end", json={"reason": "error"}, headers=WRITE)
    assert other.status_code == 409
    after_end = client.post(f"/{session_id}/event", json={"event_type": "action"}, headers=WRITE)
    assert after_end.status_code == 409
    assert landed_bytes(server) == before


# --- bad requests write nothing --------------------------------------------------------------

NOW = datetime.now(UTC)
BAD_EVENT_BODIES: list[tuple[str, Any, int, str]] = [
    ("malformed", b'{"event_type": "action",', 400, "malformed JSON"),
    ("not JSON at all", b"event_type=action", 400, "malformed JSON"),
    ("missing event_type", {"page": "/x"}, 422, "event_type"),
    ("unknown event_type", {"event_type": "purchase"}, 422, "event_type"),
    ("session_start via event", {"event_type": "session_start"}, 422, "event_type"),
    ("unknown field", {"event_type": "action", "colour": "red"}, 422, "colour"),
    ("page not text", {"event_type": "action", "page": 7}, 422, "page"),
    ("details not an object", {"event_type": "action", "details": [1]}, 422, "details"),
    (
        "naive timestamp",
        {"event_type": "action", "timestamp": "2024-03-04T10:00:00"},
        422,
        "timestamp",
    ),
    (
        "future timestamp",
        {"event_type": "action", "timestamp": (NOW + timedelta(hours=1)).isoformat()},
        422,
        "timestamp",
    ),
    ("short event_id", {"event_type": "action", "event_id": "abc"}, 422, "event_id"),
    ("event over 32 KB", {"event_type": "action", "details": {"x": "a" * 33000}}, 413, "bytes"),
]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [case[1:] for case in BAD_EVENT_BODIES],
    ids=[case[0] for case in BAD_EVENT_BODIES],
)
def test_a_bad_event_gets_a_clear_error_and_writes_nothing(
    server: CollectorProcess, client: httpx.Client, body: Any, status: int, named: str
) -> None:
    session_id = start_session(client, "u-bad")
    before = landed_bytes(server)
    for path, payload in [("event", body), ("events", body)]:
        if path == "events" and not isinstance(payload, dict):
            continue
        sent = {"events": [{"event_type": "page_view"}, payload]} if path == "events" else payload
        if isinstance(sent, bytes):
            response = client.post(f"/{session_id}/{path}", content=sent, headers=WRITE)
        else:
            response = client.post(f"/{session_id}/{path}", json=sent, headers=WRITE)
        assert response.status_code == status, response.text
        assert named in json.dumps(response.json())
    assert landed_bytes(server) == before


def test_batch_limits_and_unknown_sessions(server: CollectorProcess, client: httpx.Client) -> None:
    session_id = start_session(client, "u-limits")
    before = landed_bytes(server)
    many = {"events": [{"event_type": "action"}] * 101}
    assert client.post(f"/{session_id}/events", json=many, headers=WRITE).status_code == 413
    big = {"events": [{"event_type": "action", "details": {"x": "a" * 30000}}] * 18}
    assert client.post(f"/{session_id}/events", json=big, headers=WRITE).status_code == 413
    empty = client.post(f"/{session_id}/events", json={"events": []}, headers=WRITE)
    assert empty.status_code == 422
    for path, body in [
        ("event", {"event_type": "action"}),
        ("events", {"events": [{"event_type": "action"}]}),
        ("heartbeat", {}),
        ("end", {"reason": "logout"}),
    ]:
        # A session id is 8 to 128 of A-Za-z0-9_.:- (an id the server has not seen opens a
        # session: see test_collector_tracker.py).
        response = client.post(f"/no~such~session/{path}", json=body, headers=WRITE)
        assert response.status_code == 404 and "unknown session" in response.text
    missing = client.post("/start", json={"device": {}}, headers=WRITE)
    assert missing.status_code == 422 and "user_id" in missing.json()["message"]
    reason = client.post(f"/{session_id}/end", json={"reason": "bored"}, headers=WRITE)
    assert reason.status_code == 422 and "reason" in reason.json()["message"]
    assert landed_bytes(server) == before
    # 100 events of about 4.9 KB each (490 KB) are within every limit.
    full = {"events": [{"event_type": "action", "details": {"x": "a" * 4900}}] * 100}
    assert client.post(f"/{session_id}/events", json=full, headers=WRITE).status_code == 200


# --- live reads -----------------------------------------------------------------------------


def test_active_and_current_are_live(client: httpx.Client) -> None:
    first = start_session(client, "u-live")
    second = start_session(client, "u-live")
    other = start_session(client, "u-live-other")
    current = client.get("/user/u-live/current", headers=READ).json()
    assert current["session"]["session_id"] == second and "live" in current["as_of"]
    active = {row["session_id"] for row in client.get("/active", headers=READ).json()["sessions"]}
    assert {first, second, other} <= active
    client.post(f"/{second}/end", json={"reason": "navigation"}, headers=WRITE)
    assert client.get("/user/u-live/current", headers=READ).json()["session"]["session_id"] == first
    active = {row["session_id"] for row in client.get("/active", headers=READ).json()["sessions"]}
    assert second not in active
    assert client.get("/user/nobody/current", headers=READ).json()["session"] is None


# --- reads of the exports -------------------------------------------------------------------


def write_exports(export_dir: Path) -> None:
    """A manifest and two mart exports as dbt's export model writes them."""
    export_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(
            f"""copy (
                select 'app' as source, 'u-hist' as user_id, i as session_number,
                    'sid-' || i as session_id,
                    timestamptz '2024-03-04 10:00:00+00' + to_hours(i) as start_time,
                    case when i < 15 then 'logout' end as exit_reason,
                    'c-' || i as client_session_id,
                    case when i = 15 then 'save' end as exit_last_action,
                    i = 15 as is_open
                from range(1, 16) as t (i)
                union all
                select 'segment', 'u-hist', 1, 'seg-1', timestamptz '2025-01-01 00:00:00+00',
                    null, null, null, false
            ) to '{export_dir / "user_sessions.parquet"}' (format parquet)"""
        )
        connection.execute(
            f"""copy (
                select * from (values
                    ('sid-2', 2, 'app', 'u-hist', 'c-2', 'wf-b',
                        timestamptz '2024-03-04 12:05:00+00', 'failed'),
                    ('sid-2', 2, 'app', 'u-hist', 'c-2', 'wf-a',
                        timestamptz '2024-03-04 12:01:00+00', 'abandoned'),
                    ('sid-15', 15, 'app', 'u-hist', 'c-15', 'wf-c',
                        timestamptz '2024-03-05 01:01:00+00', 'in_progress')
                ) as t (session_id, session_number, source, user_id, client_session_id,
                    workflow_id, started_at, status)
            ) to '{export_dir / "abandoned_workflows.parquet"}' (format parquet)"""
        )
        connection.execute(
            f"""copy (
                select 'app' as source, 'u-hist' as user_id, 'power_user' as pattern,
                    12.5::decimal(10, 2) as avg_duration_seconds, 'explorer' as session_pattern,
                    ['avg 6.00 distinct pages/session >= 5', 'avg 1300.00 s/session >= 1200']
                        as pattern_indicators,
                    0.67::decimal(18, 2) as pattern_confidence
                union all
                select 'segment', 'seg-only', 'regular_user', 400, 'task_focused',
                    ['avg 400.00 s/session <= 900'], 0.33
            ) to '{export_dir / "user_session_patterns.parquet"}' (format parquet)"""
        )
    manifest = {
        "exported_at": "2024-03-05T00:00:00+00:00",
        "data_through": "2024-03-05T00:00:00+00:00",
        "files": {},
    }
    (export_dir / "manifest.json").write_text(json.dumps(manifest))


def test_history_and_patterns_read_the_exports(
    server: CollectorProcess, client: httpx.Client
) -> None:
    for path in ("/user/u-hist/history", "/patterns/u-hist"):
        response = client.get(path, headers=READ)
        assert response.status_code == 503 and "no build yet" in response.json()["detail"]
    write_exports(server.export_dir)
    history = client.get("/user/u-hist/history", headers=READ).json()
    assert history["as_of"]["exported_at"] == "2024-03-05T00:00:00+00:00"
    assert [row["session_number"] for row in history["sessions"]] == list(range(15, 5, -1))
    assert {row["source"] for row in history["sessions"]} == {"app"}
    three = client.get("/user/u-hist/history?limit=3", headers=READ).json()["sessions"]
    assert [row["client_session_id"] for row in three] == ["c-15", "c-14", "c-13"]
    assert client.get("/user/u-hist/history?limit=0", headers=READ).status_code == 422
    assert client.get("/user/nobody/history", headers=READ).json()["sessions"] == []
    # The spec's ExitPoint.lastAction on each session of the history.
    assert [row["exit"]["lastAction"] for row in three] == ["save", None, None]
    # The newest session is still open at the build's as_of: no exit reason yet.
    assert three[0]["exit"] == {"page": None, "reason": None, "lastAction": "save"}
    assert [row["isOpen"] for row in three] == [True, False, False]
    assert three[1]["exit"]["reason"] == "logout"
    patterns = client.get("/patterns/u-hist", headers=READ).json()
    assert patterns["pattern"] == "power_user" and patterns["as_of"]["data_through"]
    assert patterns["avg_duration_seconds"] == 12.5
    # Both shapes: the method's fields, and the spec's SessionPattern.
    assert patterns["sessionPattern"] == {
        "type": "explorer",
        "indicators": ["avg 6.00 distinct pages/session >= 5", "avg 1300.00 s/session >= 1200"],
        "confidence": 0.67,
    }
    # A user without sessions: the method's `new_user`, not an error.
    unknown = client.get("/patterns/nobody", headers=READ)
    assert unknown.status_code == 200
    assert unknown.json() == {
        "as_of": patterns["as_of"],
        "user_id": "nobody",
        "pattern": "new_user",
        "sessionPattern": None,
    }
    # Only app sessions count: a user with sessions of another source only is new here.
    assert client.get("/patterns/seg-only", headers=READ).json()["pattern"] == "new_user"


def test_a_sessions_unfinished_workflows_read_the_exports(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """GET /{session_id}/workflows: the session's rows of abandoned_workflows, by
    start, with their status; an empty list for a known session without any; 404 for a
    session the last build does not have."""
    if not (server.export_dir / "manifest.json").exists():
        write_exports(server.export_dir)
    answer = client.get("/sid-2/workflows", headers=READ)
    assert answer.status_code == 200
    body = answer.json()
    assert body["as_of"]["exported_at"] == "2024-03-05T00:00:00+00:00"
    assert (body["session_id"], body["user_id"], body["is_open"]) == ("sid-2", "u-hist", False)
    assert body["workflows"] == [
        {"workflow_id": "wf-a", "started_at": "2024-03-04T12:01:00+00:00", "status": "abandoned"},
        {"workflow_id": "wf-b", "started_at": "2024-03-04T12:05:00+00:00", "status": "failed"},
    ]
    open_session = client.get("/sid-15/workflows", headers=READ).json()
    assert open_session["is_open"] is True
    assert [row["status"] for row in open_session["workflows"]] == ["in_progress"]
    assert client.get("/seg-1/workflows", headers=READ).json()["workflows"] == []
    unknown = client.get("/no-such-session/workflows", headers=READ)
    assert unknown.status_code == 404 and "unknown session" in unknown.json()["detail"]
    # A read key is required, as for every read.
    assert client.get("/sid-2/workflows").status_code in (401, 403)


# --- configuration --------------------------------------------------------------------------


def run_collector(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "collector"],
        cwd=PROJECT_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SESSIONS_COLLECTOR_WRITE_KEYS and SESSIONS_COLLECTOR_READ_KEYS"),
        ({"SESSIONS_COLLECTOR_WRITE_KEYS": "w"}, "SESSIONS_COLLECTOR_READ_KEYS"),
        (
            {"SESSIONS_COLLECTOR_WRITE_KEYS": "k", "SESSIONS_COLLECTOR_READ_KEYS": "k"},
            "both in",
        ),
        (
            {"SESSIONS_COLLECTOR_DEMO": "true", "SESSIONS_COLLECTOR_HOST": "0.0.0.0"},
            "loopback",
        ),
        (
            {
                "SESSIONS_COLLECTOR_WRITE_KEYS": "w",
                "SESSIONS_COLLECTOR_READ_KEYS": "r",
                "SESSIONS_COLLECTOR_PORT": "eighty",
            },
            "SESSIONS_COLLECTOR_PORT",
        ),
    ],
)
def test_refuses_to_start_without_keys_or_with_a_bad_setting(
    env: dict[str, str], message: str
) -> None:
    result = run_collector(env)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_local_demo_runs_without_keys(tmp_path: Path) -> None:
    no_keys = {"SESSIONS_COLLECTOR_WRITE_KEYS": "", "SESSIONS_COLLECTOR_READ_KEYS": ""}
    demo = CollectorProcess(tmp_path, {"SESSIONS_COLLECTOR_DEMO": "true", **no_keys})
    demo.start()
    try:
        with demo.client() as api:
            started = api.post("/start", json={"user_id": "demo", "device": {}})
            assert started.status_code == 201
            assert api.get("/active").json()["count"] == 1
    finally:
        demo.stop()


def test_a_client_event_id_is_its_sessions_own(
    server: CollectorProcess, client: httpx.Client
) -> None:
    """Two clients that both number their events `evt-00000001` (and their starts
    `start-00000001`) lose nothing: the lines' event ids are namespaced by session, unique,
    and keep each client's id; ids the server makes are random UUIDs."""
    answers, ends = [], []
    for user in ("u-collide-1", "u-collide-2"):
        start = client.post(
            "/start",
            json={"user_id": user, "device": {}, "event_id": "start-00000001"},
            headers=WRITE,
        )
        assert start.status_code == 201, start.text
        session_id = start.json()["session_id"]
        sent = client.post(
            f"/{session_id}/event",
            json={"event_type": "action", "action": "click", "event_id": "evt-00000001"},
            headers=WRITE,
        )
        assert sent.status_code == 200, sent.text
        end = client.post(f"/{session_id}/end", json={"reason": "logout"}, headers=WRITE)
        answers.append((session_id, start.json()["event_id"], sent.json()["event_ids"][0]))
        ends.append(end.json()["event_id"])
    assert answers[0][0] != answers[1][0]
    ids = [event_id for answer in answers for event_id in answer[1:]] + ends
    assert len(set(ids)) == len(ids) == 6
    for end_id in ends:
        assert str(uuid.UUID(end_id)) == end_id
    lines = published(server, ids)
    assert len(lines) == 6
    for session_id, start_id, event_id in answers:
        assert lines[start_id]["session_id"] == lines[event_id]["session_id"] == session_id
        assert lines[start_id]["client_event_id"] == "start-00000001"
        assert lines[event_id]["client_event_id"] == "evt-00000001"
