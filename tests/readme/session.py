"""A user's terminal for the README test: one bash process per document, started with a clean
environment (no project environment on PATH), in which the document's commands run one at a
time as written. Shell variables and exports carry from one command to the next, as they do
when a reader pastes the lines one after the other. Long-running commands run as background
jobs in process groups of their own (`set -m`), and are stopped by their group; whatever a
stopped server left behind in the shell's session is stopped too."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"
TAIL_LINES = 40


class Failure(Exception):
    """A documented command did not do what the document says; the message names it."""


def clean_environment() -> dict[str, str]:
    """What a new user's login shell has: a system PATH, HOME, a UTF-8 locale."""
    return {
        "PATH": CLEAN_PATH,
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    if not path.exists():
        return "(no output)"
    text = path.read_text(errors="replace").rstrip("\n").splitlines()
    return "\n".join(text[-lines:]) or "(no output)"


def session_processes(session_id: int) -> list[int]:
    """The processes of a session (the shell's; servers that made a group of their own are
    still in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session_id:
            found.append(int(entry.name))
    return found


@dataclass
class Server:
    name: str
    group: int
    log: Path
    port: int

    def alive(self) -> bool:
        try:
            os.killpg(self.group, 0)
        except ProcessLookupError:
            return False
        return True


class Shell:
    def __init__(self, cwd: Path, env: dict[str, str], logs: Path) -> None:
        self.cwd = cwd
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._stderr = (logs / "shell.log").open("w")
        self.process = subprocess.Popen(
            ["/bin/bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self._stderr,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._send("set -m")

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def _files(self, name: str) -> tuple[Path, Path]:
        self._count += 1
        stem = f"{self._count:02d}-" + re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
        return self.logs / f"{stem}.log", self.logs / f"{stem}.rc"

    def run(self, source: str, name: str, timeout_seconds: float) -> tuple[int, Path]:
        """Runs `source` in the shell itself (its variables stay set); its exit status and
        the file holding its output."""
        log, rc = self._files(name)
        self._send(f"{{\n{source}\n}} > {log} 2>&1 < /dev/null; echo $? > {rc}")
        deadline = time.monotonic() + timeout_seconds
        while not rc.exists() or not rc.read_text().strip():
            if self.process.poll() is not None:
                raise Failure(f"{name}: the shell exited ({self.process.returncode})\n{tail(log)}")
            if time.monotonic() > deadline:
                self.stop_all()
                raise Failure(f"{name}: still running after {timeout_seconds:.0f} s\n{tail(log)}")
            time.sleep(0.2)
        return int(rc.read_text()), log

    def start(self, source: str, name: str, port: int) -> Server:
        """Starts `source` as a background job of the shell, in a process group of its own."""
        log, pid_file = self._files(name)
        self._send(f"{{\n{source}\n}} > {log} 2>&1 < /dev/null &\necho $! > {pid_file}")
        deadline = time.monotonic() + 10
        while not pid_file.exists() or not pid_file.read_text().strip():
            if time.monotonic() > deadline:
                raise Failure(f"{name}: the shell did not start it")
            time.sleep(0.1)
        return Server(name, int(pid_file.read_text()), log, port)

    def stop(self, server: Server, grace_seconds: float = 20) -> None:
        """SIGTERM to the server's group, SIGKILL after the grace time; then the same for any
        process it left in the shell's session (no other command runs meanwhile)."""
        self._signal_group(server.group, grace_seconds)
        leftovers = [pid for pid in session_processes(self.process.pid) if pid != self.process.pid]
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline and any(_exists(pid) for pid in leftovers):
            time.sleep(0.2)
        for pid in leftovers:
            if _exists(pid):
                os.kill(pid, signal.SIGKILL)

    def _signal_group(self, group: int, grace_seconds: float) -> None:
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)

    def stop_all(self) -> None:
        """Every process of the shell's session but the shell."""
        for pid in session_processes(self.process.pid):
            if pid != self.process.pid and _exists(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        self.stop_all()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


def _exists(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"
