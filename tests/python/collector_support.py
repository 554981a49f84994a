"""The collector as it runs: a real server process on 127.0.0.1, and a client of the API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROJECT_DIR = Path(__file__).resolve().parents[2]
API = "/api/v1/sessions"
WRITE_KEY = "test-write-key-1"
READ_KEY = "test-read-key-1"
WRITE = {"Authorization": f"Bearer {WRITE_KEY}"}
READ = {"Authorization": f"Bearer {READ_KEY}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class CollectorProcess:
    """`python -m collector` with its landing, state and export folders under `workdir`."""

    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    # Run in the child before it starts (as a resource limit: a full disk).
    preexec: Callable[[], None] | None = None

    @property
    def landing_dir(self) -> Path:
        return self.workdir / "landing" / "app"

    @property
    def export_dir(self) -> Path:
        return self.workdir / "exports"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if "COLLECTOR" not in key}
        env.update(
            SESSIONS_COLLECTOR_PORT=str(self.port),
            SESSIONS_COLLECTOR_LANDING_DIR=str(self.landing_dir),
            SESSIONS_COLLECTOR_EXPORT_DIR=str(self.export_dir),
            SESSIONS_COLLECTOR_WRITE_KEYS=f"{WRITE_KEY},test-write-key-2",
            SESSIONS_COLLECTOR_READ_KEYS=READ_KEY,
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30.0) -> CollectorProcess:
        log = (self.workdir / "collector.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "collector"],
            cwd=PROJECT_DIR,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=self.preexec,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the collector exited: {self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"the collector did not answer in {timeout} s: {self.log()}")

    def log(self) -> str:
        path = self.workdir / "collector.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None

    def client(self, **options: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url + API, timeout=10, **options)

    def published_lines(self) -> list[dict[str, Any]]:
        """Every line of the published files, parsed (a partial line fails the test)."""
        lines = []
        for path in sorted(self.landing_dir.glob("*.jsonl")):
            data = path.read_bytes()
            assert data.endswith(b"\n"), f"{path.name} ends in a partial line"
            lines += [json.loads(line) for line in data.splitlines()]
        return lines


def start_session(client: httpx.Client, user_id: str, **fields: Any) -> str:
    body = {"user_id": user_id, "device": {"type": "desktop", "browser": "Firefox"}, **fields}
    response = client.post("/start", json=body, headers=WRITE)
    assert response.status_code == 201, response.text
    return response.json()["session_id"]
