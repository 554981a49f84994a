"""The durable spool: JSON lines appended to an open file, fsynced before they are acknowledged,
published into the landing folder closed, by an atomic rename.

One writer thread owns the open file. Requests hand it their lines and wait; the thread takes
every line waiting, writes them with one write and one fsync (group commit: requests arriving
during an fsync share the next one), then wakes the requests. The open file's name
(`.events-*.jsonl.part`) is not matched by the app source's `*.jsonl` glob; when it reaches
`rotate_bytes` or is `rotate_seconds` old it is closed and renamed to `events-*.jsonl` in the
same folder, and the folder is fsynced. A published file is never written again. On start, an
open file left by a crash is cut after its last complete line and published (if not empty).

A storage error (a failed write, fsync, rename, open or folder fsync) stops the spool for good,
as PostgreSQL does on a failed fsync rather than retry: the requests waiting and every later
one get SpoolError (503), `failed` holds the error, `on_failure` is called (from the writer
thread) and the open file is left as it is, for the recovery of the next start. Nothing is
acknowledged that was not fsynced.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

OPEN_SUFFIX = ".jsonl.part"
PUBLISHED_SUFFIX = ".jsonl"
LOCK_NAME = ".collector.lock"


class SpoolError(RuntimeError):
    """The lines could not be made durable (nothing was acknowledged)."""


def fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def cut_partial_tail(path: Path) -> int:
    """Truncates `path` after its last newline (a line cut by a crash is never published);
    returns the size kept."""
    with path.open("rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    return keep


@dataclass
class _Waiter:
    payload: bytes
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the request was cancelled (client gone): nothing to tell it
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


@dataclass
class _OpenFile:
    path: Path
    descriptor: int
    opened_at: float
    size: int = 0


@dataclass
class Spool:
    directory: Path
    rotate_bytes: int = 64 * 1024 * 1024
    rotate_seconds: float = 60.0
    prefix: str = "events"
    published: int = 0
    _waiting: list[_Waiter] = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _thread: threading.Thread | None = None
    _stopping: bool = False
    _open: _OpenFile | None = None
    _lock_descriptor: int | None = None
    # The storage error that stopped the spool (None while it works).
    failed: SpoolError | None = None
    # Called once, from the writer thread, when a storage error stops the spool.
    on_failure: Callable[[SpoolError], None] | None = None

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Takes the folder's lock (one collector per landing folder), recovers what a crash
        left, and starts the writer thread."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_descriptor = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_descriptor)
            self._lock_descriptor = None
            raise SpoolError(
                f"another collector is writing to {self.directory} (one collector per folder)"
            ) from None
        self.recover()
        self._thread = threading.Thread(target=self._run, name="spool-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Writes what is waiting, publishes the open file and releases the folder."""
        with self._condition:
            self._stopping = True
            self._condition.notify()
        if self._thread is not None:
            self._thread.join()
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)
            self._lock_descriptor = None

    def recover(self) -> list[Path]:
        """Open files left by a crash: cut after the last complete line, published if any
        line remains, removed if empty. Returns the files published."""
        published = []
        for path in sorted(self.directory.glob(f".*{OPEN_SUFFIX}")):
            if cut_partial_tail(path) == 0:
                path.unlink()
            else:
                published.append(self._rename_published(path))
        # Always: a rename made before a crash (or before a failed folder fsync) is made durable.
        fsync_directory(self.directory)
        return published

    # --- appending -------------------------------------------------------------------------

    async def append(self, lines: Sequence[bytes]) -> None:
        """Returns once every line (bytes without a newline) is on disk; SpoolError when not."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        payload = b"".join(line + b"\n" for line in lines)
        with self._condition:
            if self.failed is not None:
                raise SpoolError(str(self.failed))
            if self._stopping or self._thread is None:
                raise SpoolError("the collector is shutting down")
            self._waiting.append(_Waiter(payload, loop, future))
            self._condition.notify()
        await future

    def _run(self) -> None:
        try:
            self._loop()
        except OSError as failure:
            self._fail(failure)

    def _loop(self) -> None:
        while True:
            with self._condition:
                while not self._waiting and not self._stopping:
                    timeout = self._seconds_until_rotation()
                    if timeout is not None and timeout <= 0:
                        break
                    self._condition.wait(timeout)
                batch, self._waiting = self._waiting, []
                stopping = self._stopping
            if batch:
                self._commit(batch)
            if self._open is not None and (
                stopping
                or self._open.size >= self.rotate_bytes
                or time.monotonic() - self._open.opened_at >= self.rotate_seconds
            ):
                self._publish_open_file()
            if stopping and not batch:
                return

    def _fail(self, failure: OSError) -> None:
        """Stops the spool on a storage error: every request waiting, and every later one, is
        refused; the open file stays for the next start's recovery."""
        error = SpoolError(
            f"storage error in {self.directory}: {failure.strerror or failure}; the collector "
            "stops (restart it: the recovery keeps every acknowledged line)"
        )
        with self._condition:
            self.failed = error
            waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            waiter.loop.call_soon_threadsafe(_settle, waiter.future, error)
        if self._open is not None:
            with contextlib.suppress(OSError):
                os.close(self._open.descriptor)
            self._open = None
        if self.on_failure is not None:
            self.on_failure(error)

    def _seconds_until_rotation(self) -> float | None:
        if self._open is None:
            return None
        return self._open.opened_at + self.rotate_seconds - time.monotonic()

    def _commit(self, batch: list[_Waiter]) -> None:
        """Writes and fsyncs a batch, then wakes its requests; on a storage error the batch is
        refused and the error raised (it stops the spool)."""
        try:
            opened = self._open or self._open_new_file()
            data = b"".join(waiter.payload for waiter in batch)
            try:
                written = 0
                while written < len(data):
                    written += os.write(opened.descriptor, data[written:])
                os.fsync(opened.descriptor)
                opened.size += len(data)
            except OSError:
                # Nothing of this batch is acknowledged: cut it off again (if that fails too,
                # the recovery cuts a torn tail; whole refused lines may remain, and a client's
                # retry of them carries the same event ids).
                with contextlib.suppress(OSError):
                    os.ftruncate(opened.descriptor, opened.size)
                raise
        except OSError as failure:
            with self._condition:
                self._waiting[:0] = batch  # refused with the others by _fail
            raise failure
        for waiter in batch:
            waiter.loop.call_soon_threadsafe(_settle, waiter.future, None)

    def _open_new_file(self) -> _OpenFile:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f".{self.prefix}-{stamp}-{os.getpid()}-{secrets.token_hex(4)}{OPEN_SUFFIX}"
        path = self.directory / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        fsync_directory(self.directory)
        self._open = _OpenFile(path, descriptor, time.monotonic())
        return self._open

    def _publish_open_file(self) -> None:
        opened, self._open = self._open, None
        if opened is None:
            return
        os.close(opened.descriptor)
        if opened.size == 0:
            opened.path.unlink()
        else:
            self._rename_published(opened.path)
        fsync_directory(self.directory)

    def _rename_published(self, path: Path) -> Path:
        """`.name.jsonl.part` -> `name.jsonl` (same folder: an atomic rename)."""
        target = self.directory / path.name.removeprefix(".").removesuffix(OPEN_SUFFIX)
        target = target.with_name(target.name + PUBLISHED_SUFFIX)
        os.rename(path, target)
        self.published += 1
        return target
