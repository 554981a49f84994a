"""The whole loop: clients -> collector (a real process) -> landing files -> `dbt build` ->
marts -> the collector's reads; and a collector killed with SIGKILL in the middle of a load."""

from __future__ import annotations

import random
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from collector_support import READ, WRITE, CollectorProcess, start_session
from conftest import DbtProject

USERS = 40
ACTIVITIES = ["page_view", "action", "action", "error", "workflow_started", "workflow_completed"]


@dataclass
class SessionPlan:
    """What one client did in one session, as the collector acknowledged it."""

    user_id: str
    session_id: str = ""
    event_ids: list[str] = field(default_factory=list)
    reason: str | None = None
    last_activity: str = "session_start"
    last_action: str | None = None  # the name of the last `action` sent

    @property
    def exit_reason(self) -> str | None:
        """The end's reason; None for a session the client never ended: the whole run takes
        seconds, so it is still open at the build's as_of (its last event is within the gap of
        the latest event)."""
        return self.reason


def flush(api: httpx.Client, plan: SessionPlan, buffer: list[dict[str, Any]], retry: bool) -> None:
    """The spec's client: buffered activities sent as one batch; a retried batch (as after a
    timeout) is sent again with the same event ids."""
    if not buffer:
        return
    if retry:  # a client that retries names its events
        buffer = [{"event_id": str(uuid.uuid4()), **event} for event in buffer]
    body = {"events": buffer}
    response = api.post(f"/{plan.session_id}/events", json=body, headers=WRITE)
    assert response.status_code == 200, response.text
    if retry:
        again = api.post(f"/{plan.session_id}/events", json=body, headers=WRITE)
        assert again.json()["event_ids"] == response.json()["event_ids"]
    plan.event_ids += response.json()["event_ids"]


def run_client(api: httpx.Client, user_id: str, seed: int) -> list[SessionPlan]:
    rng = random.Random(seed)
    plans = []
    for _ in range(rng.randint(1, 2)):
        plan = SessionPlan(user_id)
        start = api.post(
            "/start",
            json={
                "user_id": user_id,
                "device": {"type": rng.choice(["mobile", "desktop"]), "browser": "Firefox"},
                "page": "/home",
                "referrer": rng.choice(["https://search.example.net/q", "https://example.com/"]),
            },
            headers=WRITE,
        )
        assert start.status_code == 201, start.text
        plan.session_id = start.json()["session_id"]
        plan.event_ids.append(start.json()["event_id"])
        buffer: list[dict[str, Any]] = []
        for step in range(rng.randint(0, 23)):
            activity = rng.choice(ACTIVITIES)
            event: dict[str, Any] = {"event_type": activity, "page": f"/p{step % 4}"}
            if activity.startswith("workflow"):
                event["workflow_id"] = f"wf-{rng.randint(1, 3)}"
            if activity == "action":
                event["action"] = plan.last_action = f"do-{step}"
            retry = rng.random() < 0.2
            if retry:  # a client that retries names its events
                event["event_id"] = str(uuid.uuid4())
            plan.last_activity = activity
            if rng.random() < 0.15:  # sent on its own
                sent = api.post(f"/{plan.session_id}/event", json=event, headers=WRITE)
                assert sent.status_code == 200, sent.text
                plan.event_ids += sent.json()["event_ids"]
                if retry:
                    api.post(f"/{plan.session_id}/event", json=event, headers=WRITE)
                continue
            buffer.append(event)
            if len(buffer) == 5:  # the spec's client flushes every 5 activities
                flush(api, plan, buffer, retry)
                buffer = []
            if step % 7 == 6:
                beat = api.post(f"/{plan.session_id}/heartbeat", headers=WRITE)
                plan.event_ids.append(beat.json()["event_id"])
        flush(api, plan, buffer, retry=False)
        if rng.random() < 0.75:
            plan.reason = rng.choice(["logout", "navigation", "timeout", "error"])
            end = api.post(f"/{plan.session_id}/end", json={"reason": plan.reason}, headers=WRITE)
            assert end.status_code == 200, end.text
            plan.event_ids.append(end.json()["event_id"])
        plans.append(plan)
    return plans


def app_only(landing_dir: Path, export_dir: Path) -> dict[str, Any]:
    return {
        "app_events_path": str(landing_dir / "*.jsonl"),
        "chat_enabled": False,
        "segment_enabled": False,
        "mooc_enabled": False,
        "export_dir": str(export_dir),
    }


def test_clients_to_marts_and_back(tmp_path: Path) -> None:
    collector = CollectorProcess(tmp_path).start()
    try:
        with collector.client() as api, ThreadPoolExecutor(8) as pool:
            runs = pool.map(lambda n: run_client(api, f"user-{n:03d}", n), range(USERS))
            plans = [plan for run in runs for plan in run]
    finally:
        collector.stop()  # publishes the open file
    acknowledged = [event_id for plan in plans for event_id in plan.event_ids]
    assert len(acknowledged) == len(set(acknowledged))

    project = DbtProject(tmp_path / "dbt")
    project.build(app_only(collector.landing_dir, collector.export_dir))

    counts = dict(project.query("select event_id, count(*) from session_events group by 1"))
    assert set(counts) == set(acknowledged)
    assert set(counts.values()) == {1}
    assert project.query("select count(*) from quarantined_events") == [(0,)]
    sessions = {
        row[0]: row[1:]
        for row in project.query(
            "select client_session_id, user_id, exit_reason, event_count, device_type,"
            " exit_last_action, is_open, session_id from user_sessions"
        )
    }
    assert set(sessions) == {plan.session_id for plan in plans}
    for plan in plans:
        user_id, exit_reason, event_count, device_type, last_action, is_open, _ = sessions[
            plan.session_id
        ]
        assert (user_id, exit_reason, event_count, last_action, is_open) == (
            plan.user_id,
            plan.exit_reason,
            len(plan.event_ids),
            plan.last_action,
            plan.reason is None,
        ), plan
        assert device_type in ("mobile", "desktop")
    unfinished: dict[str, list[tuple[str, str]]] = {}
    for session_id, workflow_id, status in project.query(
        "select session_id, workflow_id, status from abandoned_workflows"
        " order by started_at, workflow_id"
    ):
        unfinished.setdefault(session_id, []).append((workflow_id, status))

    # The reads: history and patterns from the build's exports, with its as_of.
    collector.start()
    try:
        with collector.client() as api:
            user = plans[0].user_id
            history = api.get(f"/user/{user}/history", headers=READ).json()
            mine = [plan.session_id for plan in plans if plan.user_id == user]
            assert {row["client_session_id"] for row in history["sessions"]} == set(mine)
            assert history["as_of"]["exported_at"] and history["as_of"]["data_through"]
            last_actions = {plan.session_id: plan.last_action for plan in plans}
            assert all(
                row["exit"]["lastAction"] == last_actions[row["client_session_id"]]
                for row in history["sessions"]
            )
            patterns = api.get(f"/patterns/{user}", headers=READ).json()
            assert patterns["user_id"] == user and patterns["pattern"]
            # The spec's SessionPattern, as the build exported it (a list survives Parquet).
            shape = patterns["sessionPattern"]
            assert shape["type"] == patterns["session_pattern"]
            assert shape["indicators"] == patterns["pattern_indicators"]
            assert 0 <= shape["confidence"] <= 1
            assert len(shape["indicators"]) == round(shape["confidence"] * 3)
            # Each session's unfinished workflows, as abandoned_workflows has them: in progress
            # exactly in the sessions still open.
            listed = 0
            for plan in plans[:20]:
                session_id = sessions[plan.session_id][-1]
                answer = api.get(f"/{session_id}/workflows", headers=READ).json()
                assert answer["is_open"] == (plan.reason is None)
                shown = [(row["workflow_id"], row["status"]) for row in answer["workflows"]]
                assert shown == unfinished.get(session_id, [])
                assert all((status == "in_progress") == answer["is_open"] for _, status in shown)
                listed += len(shown)
            assert listed > 0
    finally:
        collector.stop()


def load(api: httpx.Client, session_id: str, acked: list[str], stop: threading.Event) -> None:
    """Batches of named events until the server goes away; records what it acknowledged."""
    while not stop.is_set():
        batch = [{"event_type": "action", "event_id": str(uuid.uuid4())} for _ in range(20)]
        try:
            response = api.post(f"/{session_id}/events", json={"events": batch}, headers=WRITE)
        except httpx.TransportError:
            return
        if response.status_code == 200:
            acked += response.json()["event_ids"]


@pytest.mark.parametrize("torn_tail", [False, True])
def test_sigkill_mid_load_loses_no_acknowledged_event(tmp_path: Path, torn_tail: bool) -> None:
    collector = CollectorProcess(
        tmp_path,
        {"SESSIONS_COLLECTOR_ROTATE_SECONDS": "0.3", "SESSIONS_COLLECTOR_ROTATE_BYTES": "65536"},
    ).start()
    acked: list[str] = []
    stop = threading.Event()
    with collector.client() as api:
        sessions = [start_session(api, f"crash-{n}") for n in range(4)]
        workers = [
            threading.Thread(target=load, args=(api, session_id, acked, stop))
            for session_id in sessions
        ]
        for worker in workers:
            worker.start()
        time.sleep(2.0)
        collector.stop(signal.SIGKILL)
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert len(acked) > 200
    if torn_tail:
        # A write cut by a crash: one complete line and the start of another. It goes in an
        # open file of its own: the file the kill left open may already end in a cut line
        # (the kill can land inside a write), and nothing is ever appended after a cut line.
        torn = collector.landing_dir / ".events-torn.jsonl.part"
        with torn.open("xb") as handle:
            handle.write(b'{"event_id":"torn-whole-line","event_type":"action"}\n')
            handle.write(b'{"event_id":"torn-partial","event_ty')
    # Nothing open is matched by the app source's glob.
    assert not [path for path in collector.landing_dir.glob("*.jsonl") if path.name.startswith(".")]

    collector.start()
    try:
        with collector.client() as api:
            # The sessions survived (SQLite): their events are still accepted after the restart.
            after = api.post(f"/{sessions[0]}/event", json={"event_type": "action"}, headers=WRITE)
            assert after.status_code == 200, after.text
            acked += after.json()["event_ids"]
    finally:
        collector.stop()

    lines = collector.published_lines()  # fails on a partial line
    written = Counter(line["event_id"] for line in lines)
    assert not [event_id for event_id in acked if written[event_id] != 1]
    assert "torn-partial" not in written
    assert ("torn-whole-line" in written) == torn_tail
    assert not list(collector.landing_dir.glob(".*.jsonl.part"))
