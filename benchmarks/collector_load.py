"""Bounded load test of the collector (`make benchmark-collector`).

Starts a collector on 127.0.0.1 with a temporary landing folder, then, each phase bounded in
time and in requests: batches of 100 events as fast as CONCURRENCY clients can send them, and
single events at a fixed rate (open loop: requests leave on schedule whether or not earlier ones
have returned). Prints requests/s, events/s and p50/p99 latency per phase, then checks that the
published files hold every acknowledged event. Targets 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parents[1]
WRITE_KEY = "benchmark-write-key"
API = "/api/v1/sessions"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    events: int = 0
    errors: int = 0
    seconds: float = 0.0
    acked: list[str] = field(default_factory=list)

    def report(self) -> str:
        ordered = sorted(self.latencies)
        if not ordered:
            return f"{self.name}: no request answered ({self.errors} errors)"

        def quantile(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        return (
            f"{self.name}: {len(ordered)} requests in {self.seconds:.1f} s = "
            f"{len(ordered) / self.seconds:,.0f} requests/s, {self.events / self.seconds:,.0f} "
            f"events/s; latency p50 {quantile(0.50):.1f} ms, p99 {quantile(0.99):.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms; errors {self.errors}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_collector(workdir: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        SESSIONS_COLLECTOR_PORT=str(port),
        SESSIONS_COLLECTOR_LANDING_DIR=str(workdir / "landing" / "app"),
        SESSIONS_COLLECTOR_EXPORT_DIR=str(workdir / "exports"),
        SESSIONS_COLLECTOR_WRITE_KEYS=WRITE_KEY,
        SESSIONS_COLLECTOR_READ_KEYS="benchmark-read-key",
    )
    env.pop("SESSIONS_COLLECTOR_HOST", None)  # 127.0.0.1 only
    server = subprocess.Popen(
        [sys.executable, "-m", "collector"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "collector.log").open("wb"),
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the collector did not start: {(workdir / 'collector.log').read_text()}")


class Connection:
    """A keep-alive HTTP/1.1 connection with the least client work (httpx would spend more
    CPU than the server on this shared 2-core machine, and measure itself)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST {API}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {WRITE_KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)


async def post(
    connection: Connection, path: str, body: dict, phase: Phase, events: int, since: float
) -> None:
    """One request; its latency counts from `since` (its scheduled time, in the open loop)."""
    try:
        status, answer = await connection.post(path, json.dumps(body).encode())
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        phase.errors += 1
        connection.writer = None
        return
    if status != 200:
        phase.errors += 1
        return
    phase.latencies.append(time.perf_counter() - since)
    phase.events += events
    phase.acked += json.loads(answer)["event_ids"]


async def batches(port: int, session_id: str, args: argparse.Namespace) -> Phase:
    phase = Phase(f"batches of {args.batch_size}, {args.concurrency} connections")
    deadline = time.perf_counter() + args.seconds
    budget = [args.max_requests]

    async def client() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            events = [
                {"event_type": "action", "action": "click", "page": "/bench", "details": {"n": n}}
                for n in range(args.batch_size)
            ]
            body = {"events": events}
            await post(
                connection, f"/{session_id}/events", body, phase, len(events), time.perf_counter()
            )

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(args.concurrency)))
    phase.seconds = time.perf_counter() - began
    return phase


async def single_events(port: int, session_id: str, args: argparse.Namespace) -> Phase:
    """Requests scheduled every 1/rate s, sent by a pool of connections; a request's latency
    counts from its scheduled time, so a server that falls behind is not excused."""
    phase = Phase(f"single events at {args.rate:g} requests/s (open loop)")
    total = min(int(args.rate * args.seconds), args.max_requests)
    began = time.perf_counter()
    next_slot = [0]

    async def lane() -> None:
        connection = Connection(port)
        while next_slot[0] < total:
            slot = next_slot[0]
            next_slot[0] += 1
            scheduled = began + slot / args.rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body = {
                "event_type": "page_view",
                "page": f"/p{slot % 10}",
                "event_id": str(uuid.uuid4()),
            }
            await post(connection, f"/{session_id}/event", body, phase, 1, scheduled)

    await asyncio.gather(*(lane() for _ in range(args.lanes)))
    phase.seconds = time.perf_counter() - began
    return phase


async def run(port: int, args: argparse.Namespace) -> list[Phase]:
    connection = Connection(port)
    status, answer = await connection.post(
        "/start", json.dumps({"user_id": "bench", "device": {"type": "desktop"}}).encode()
    )
    if status != 201:
        raise SystemExit(f"POST /start answered {status}: {answer!r}")
    session_id = json.loads(answer)["session_id"]
    return [await batches(port, session_id, args), await single_events(port, session_id, args)]


def published_event_ids(landing_dir: Path) -> set[str]:
    found: set[str] = set()
    for path in landing_dir.glob("*.jsonl"):
        found.update(json.loads(line)["event_id"] for line in path.read_bytes().splitlines())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=20000, help="cap per phase")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8, help="batch clients")
    parser.add_argument("--rate", type=float, default=500.0, help="single-event requests/s")
    parser.add_argument("--lanes", type=int, default=32, help="connections of the open loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as scratch:
        workdir = Path(scratch)
        port = free_port()
        server = start_collector(workdir, port)
        try:
            phases = asyncio.run(run(port, args))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        for phase in phases:
            print(phase.report())
        acked = {event_id for phase in phases for event_id in phase.acked}
        missing = acked - published_event_ids(workdir / "landing" / "app")
        print(
            f"acknowledged events: {len(acked):,}; missing from the published files: {len(missing)}"
        )
        return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
