"""How many exports the whole server renders and queues at once: lock files shared by its processes.

gunicorn runs several worker processes, each with its own renderer; a bound inside one process
would still let every worker start a chromium. So the bound lives in files under one run
directory (EXPORT_RUN_DIR, made by `python -m dashboard` before the workers start), each a slot
held with `flock`:

- `ticket-<i>` (EXPORT_RENDERS + EXPORT_QUEUE of them): an export holds one from the moment it is
  accepted until it is done. None free: the queue is full and the export is refused at once.
- `render-<i>` (EXPORT_RENDERS): a process holds one for as long as its renderer (chromium) is
  open, so at most EXPORT_RENDERS chromium run in the whole server.
- `want-<i>`: held by a process waiting for a `render` slot, so that a process whose renderer sits
  idle gives its slot up at once instead of after EXPORT_IDLE_SECONDS.

The kernel releases an flock when its process ends, even killed: a worker that gunicorn kills
never leaves a slot taken (a semaphore created in the master before fork would). Within a
process, `flock` on separately opened files excludes threads too. Without EXPORT_RUN_DIR (the
command line, tests) a process has a private directory and the bound applies to that process.
"""
from __future__ import annotations

import atexit
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from dashboard import config

log = logging.getLogger(__name__)
POLL = 0.1  # seconds between tries of a waiting export


class QueueFull(RuntimeError):
    """The server renders and queues as many exports as it may: try again later."""


class Held:
    """One slot file held with flock; `release()` once."""

    def __init__(self, fd: int, index: int):
        self.fd, self.index = fd, index

    def release(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)  # closing the descriptor releases its flock


class Slots:
    """`n` slot files `<prefix>-<i>` in `directory`."""

    def __init__(self, directory: Path, prefix: str, n: int):
        self.paths = [directory / f"{prefix}-{i}" for i in range(n)]
        for path in self.paths:
            path.touch(exist_ok=True)

    def try_take(self) -> Held | None:
        """A free slot, held, or None when all are taken (never waits)."""
        for index, path in enumerate(self.paths):
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return Held(fd, index)
        return None

    def any_taken(self) -> bool:
        """Whether some slot is held (by anyone but the caller's own open descriptors)."""
        for path in self.paths:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            finally:
                os.close(fd)
        return False


def _private_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="idlib-exports-"))
    owner = os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(path, ignore_errors=True))
    return path


def make_run_dir() -> Path:
    """A run directory for a server's processes (made by the parent before it forks), removed when
    the parent exits."""
    return _private_dir()


class Gate:
    """Admission and render slots of one server, as seen from one process."""

    def __init__(self, settings: config.Exports | None = None, directory: Path | None = None):
        self.settings = settings or config.exports()
        s = self.settings
        self.directory = Path(directory or s.run_dir or _private_dir())
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tickets = Slots(self.directory, "ticket", s.renders + s.queue)
        self.renders = Slots(self.directory, "render", s.renders)
        self.wants = Slots(self.directory, "want", s.renders + s.queue)
        self._lock = threading.Lock()
        self._in_process = 0

    @contextmanager
    def admit(self):
        """An accepted export for the duration of the block; `QueueFull` at once when the server
        has as many as it takes (renders + queue), or this process as many as it may."""
        with self._lock:
            if self._in_process >= self.settings.per_process:
                raise QueueFull("this server process is already making an export")
            ticket = self.tickets.try_take()
            if ticket is None:
                raise QueueFull("the export queue is full")
            self._in_process += 1
        try:
            yield ticket
        finally:
            with self._lock:
                self._in_process -= 1
                ticket.release()

    def take_render_slot(self, deadline: float) -> Held:
        """A render slot, waiting (and saying so, with a `want` slot) until `deadline`
        (time.monotonic()); `QueueFull` when it passes."""
        want: Held | None = None
        try:
            while True:
                slot = self.renders.try_take()
                if slot is not None:
                    return slot
                if want is None:
                    want = self.wants.try_take()
                if time.monotonic() >= deadline:
                    raise QueueFull("no renderer became free in time")
                time.sleep(POLL)
        finally:
            if want is not None:
                want.release()

    def someone_waits(self) -> bool:
        """Another process waits for a render slot."""
        return self.wants.any_taken()


_gate: Gate | None = None
_gate_lock = threading.Lock()


def gate() -> Gate:
    """This process's view of the server's slots (made on first use, after any fork)."""
    global _gate
    with _gate_lock:
        if _gate is None:
            _gate = Gate()
        return _gate
