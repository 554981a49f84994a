"""Storage faults under load, injected by real mechanisms (not by patching the collector): an
LD_PRELOAD shim (faults/storage_faults.c, compiled here with gcc) that fails the spool's
write, fsync, folder fsync or rename with EIO or ENOSPC, and a full disk (RLIMIT_FSIZE).

Each fault is checked the same way: clients send events while the fault is armed; every
request gets 200 or 503 (never a hang: 503 within a second), `/health` answers 503, the
process exits non-zero; after a restart every acknowledged event is in the landing files
exactly once. After a failed write (ENOSPC), also after `dbt build` over the landing folder:
every acknowledged event is in the marts exactly once, and no refused one (its line was never
written). One build only, to keep `make test-faults` short.
"""

from __future__ import annotations

import errno
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from collector_support import WRITE, CollectorProcess
from conftest import DbtProject
from fault_shim import build_shim

FAILED_EXIT_CODE = 74
CLIENTS = 4


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shim(tmp_path_factory.mktemp("shim"))


@dataclass
class Outcome:
    acknowledged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    refused_seconds: list[float] = field(default_factory=list)  # how long each 503 took
    # The connection closed without an answer as the collector exited (a keep-alive request
    # sent as the server closed it): not acknowledged, so the client sends it again.
    unanswered: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # any other answer, or a timeout
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_until_stopped(
    server: CollectorProcess, outcome: Outcome, client: int, stop: threading.Event
) -> None:
    """One client: single events, each with its own id, until the collector stops answering."""
    with server.client() as api:
        for number in range(100_000):
            if stop.is_set():
                return
            client_id = f"fault-{client}-{number:06d}"
            # The line's event id: the client's, namespaced by its session.
            event_id = f"client-{client}-session/{client_id}"
            body = {"event_type": "action", "action": "click", "event_id": client_id}
            body["details"] = {"padding": "x" * 2000}
            began = time.monotonic()
            try:
                response = api.post(
                    f"/client-{client}-session/event", json=body, headers=WRITE, timeout=3
                )
            except httpx.ConnectError:
                return  # the collector exited
            except (httpx.ReadError, httpx.RemoteProtocolError):
                with outcome.lock:
                    outcome.unanswered.append(event_id)
                return
            except httpx.TransportError as error:
                with outcome.lock:
                    outcome.other.append(f"{event_id}: {type(error).__name__}")
                return
            with outcome.lock:
                if response.status_code == 200:
                    assert response.json()["event_ids"] == [event_id]
                    outcome.acknowledged.append(event_id)
                elif response.status_code == 503:
                    outcome.refused.append(event_id)
                    outcome.refused_seconds.append(time.monotonic() - began)
                else:
                    outcome.other.append(f"{event_id}: {response.status_code} {response.text}")


def run_fault(server: CollectorProcess, arm: Callable[[], object]) -> Outcome:
    """Load, fault, stop; checks what the clients saw. Returns what they saw."""
    server.start()
    outcome = Outcome()
    stop = threading.Event()
    clients = [
        threading.Thread(target=send_until_stopped, args=(server, outcome, client, stop))
        for client in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    assert server.process is not None
    health_failed = False
    started_at = time.monotonic()
    armed = False
    try:
        while time.monotonic() - started_at < 16 and server.process.poll() is None:
            if not armed and time.monotonic() - started_at > 1:
                arm()
                armed = True
            try:
                health = httpx.get(f"{server.url}/health", timeout=2)
                health_failed |= health.status_code == 503
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        exit_code = server.process.poll()
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=20)
    assert exit_code == FAILED_EXIT_CODE, (
        f"the collector did not stop after the fault (exit {exit_code}): {server.log()}"
    )
    server.process = None
    assert health_failed, "/health never answered 503 between the fault and the exit"
    assert not outcome.other, f"answers other than 200 and 503: {outcome.other[:5]}"
    assert outcome.acknowledged and outcome.refused
    # In flight when the fault came, or sent after it: refused within a second.
    assert max(outcome.refused_seconds) < 1.0, max(outcome.refused_seconds)
    return outcome


def check_restart(server: CollectorProcess, outcome: Outcome) -> None:
    """The restart's recovery publishes every acknowledged event, once."""
    restarted = CollectorProcess(server.workdir, port=server.port)
    restarted.start()
    restarted.stop()
    landed = Counter(line["event_id"] for line in restarted.published_lines())
    missing = [event_id for event_id in outcome.acknowledged if landed[event_id] != 1]
    assert not missing, f"acknowledged events not landed exactly once: {missing[:5]}"
    # A refused event may have reached the disk before its fsync failed (a client retries it
    # with the same id), but never twice.
    assert all(landed[event_id] <= 1 for event_id in outcome.refused + outcome.unanswered)


def check_marts(server: CollectorProcess, outcome: Outcome) -> None:
    """`dbt build` over the landing folder (the app source only): every acknowledged event is
    in session_events exactly once, no refused one is anywhere in the marts."""
    project = DbtProject(server.workdir / "dbt")
    project.build(
        {
            "app_events_path": str(server.landing_dir / "*.jsonl"),
            "chat_enabled": False,
            "segment_enabled": False,
            "mooc_enabled": False,
            "export_dir": str(server.workdir / "exports"),
        }
    )
    in_marts = Counter(
        event_id
        for (event_id,) in project.query("select event_id from session_events where source = 'app'")
    )
    quarantined = project.query("select count(*) from quarantined_events")
    assert quarantined == [(0,)]
    missing = [event_id for event_id in outcome.acknowledged if in_marts[event_id] != 1]
    assert not missing, f"acknowledged events not in the marts exactly once: {missing[:5]}"
    landed_refused = [event_id for event_id in outcome.refused if in_marts[event_id]]
    assert not landed_refused, f"refused events in the marts: {landed_refused[:5]}"


@pytest.mark.faults
@pytest.mark.parametrize(
    ("call", "code"),
    [
        ("dirfsync", errno.EIO),
        ("fsync", errno.EIO),
        ("write", errno.ENOSPC),
        ("rename", errno.EIO),
    ],
)
def test_a_storage_error_stops_the_collector_and_loses_no_acknowledged_event(
    tmp_path: Path, shim: Path, call: str, code: int
) -> None:
    flag = tmp_path / "armed"
    server = CollectorProcess(
        tmp_path,
        extra_env={
            "LD_PRELOAD": str(shim),
            "STORAGE_FAULT_CALL": call,
            "STORAGE_FAULT_ERRNO": str(code),
            "STORAGE_FAULT_ARMED": str(flag),
            # Rotations (rename, folder fsync) every half second.
            "SESSIONS_COLLECTOR_ROTATE_SECONDS": "0.5",
        },
    )
    try:
        outcome = run_fault(server, flag.touch)
    finally:
        server.stop()
    check_restart(server, outcome)
    if call == "write":
        check_marts(server, outcome)


@pytest.mark.faults
def test_a_full_disk_stops_the_collector_and_loses_no_acknowledged_event(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in the collector process: a write past 256 KB fails (EFBIG), after a short
    write that leaves a torn line."""
    limit = 256 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    server = CollectorProcess(tmp_path, preexec=small_disk)
    try:
        outcome = run_fault(server, lambda: None)
    finally:
        server.stop()
    check_restart(server, outcome)


@pytest.mark.parametrize("skip", [0, 1])
def test_a_start_retried_after_a_store_error_makes_one_session(
    tmp_path: Path, shim: Path, skip: int
) -> None:
    """The session store's fsync fails (the first one, or the second one of a start): the
    start answers 503 and writes nothing, or 201 with its line; retried, it gets one session,
    and no start line is left of a session no client was told about."""
    flag = tmp_path / "armed"
    server = CollectorProcess(
        tmp_path,
        extra_env={
            "LD_PRELOAD": str(shim),
            "STORAGE_FAULT_CALL": "store",
            "STORAGE_FAULT_SKIP": str(skip),
            "STORAGE_FAULT_ARMED": str(flag),
        },
    )
    server.start()
    told: list[str] = []
    try:
        with server.client() as api:
            flag.touch()
            bodies = [
                {"user_id": "store-u1", "device": {}},  # unnamed: a retry cannot name it
                {"user_id": "store-u2", "device": {}, "id": "store-session-0002"},
                {"user_id": "store-u3", "device": {}, "event_id": "store-start-0003"},
            ]
            refused = []
            for body in bodies:
                response = api.post("/start", json=body, headers=WRITE)
                assert response.status_code in {201, 503}, response.text
                if response.status_code == 201:
                    told.append(response.json()["session_id"])
                else:
                    refused.append(body)
            assert refused, "the store fault refused no start"
            flag.unlink()
            for body in refused:
                response = api.post("/start", json=body, headers=WRITE)
                assert response.status_code == 201, response.text
                told.append(response.json()["session_id"])
            # Named starts retried once more get the same session back.
            for body in bodies[1:]:
                again = api.post("/start", json=body, headers=WRITE)
                assert again.status_code == 201 and again.json()["session_id"] in told
    finally:
        server.stop()
    starts = Counter(
        line["session_id"]
        for line in server.published_lines()
        if line["event_type"] == "session_start"
    )
    assert sorted(told) == sorted(set(told)) and len(told) == len(bodies)
    assert starts == Counter(told), "start lines of sessions no client was told about"
