"""Serve an app in a subprocess on 127.0.0.1 for the benchmark, and read its memory from /proc.

    with Served("real", [sys.executable, "-m", "dashboard"], warehouse, log_dir) as app:
        app.url, app.memory()

The process gets PORT (a free port; the first free one of BENCH_PORTS, e.g. 8070-8079, when set), HOST=127.0.0.1 and IDLIB_WAREHOUSE; it is ready when GET /
answers 200. It is stopped with SIGTERM by its pid (then SIGKILL after a grace period), never by
name. Memory is VmRSS / VmHWM of the process and its descendants, from /proc/<pid>/status.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from etl.config import ROOT


class ServeError(Exception):
    """The app did not start or did not answer; the message quotes the end of its log."""


def free_port() -> int:
    """A free port on 127.0.0.1: the first free one of BENCH_PORTS ("8070-8079") when set (a
    machine shared with others' servers), else any the system gives."""
    wanted = os.environ.get("BENCH_PORTS", "").strip()
    if wanted:
        low, _, high = wanted.partition("-")
        for port in range(int(low), int(high or low) + 1):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise ServeError(f"no free port in BENCH_PORTS={wanted}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (from /proc/<pid>/task/*/children)."""
    out, stack = [], [pid]
    while stack:
        current = stack.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                stack.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return out


def status_kib(pid: int, field: str) -> int:
    """A 'VmRSS:   123 kB'-style field of /proc/<pid>/status in KiB (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), summed over the process tree, in MiB."""
    pids = descendants(pid)
    return {
        "rss_mib": sum(status_kib(p, "VmRSS") for p in pids) / 1024,
        "peak_mib": sum(status_kib(p, "VmHWM") for p in pids) / 1024,
        "processes": len(pids),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants so far (from /proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def wait_idle(pid: int, below: float = 0.05, window: float = 1.0, timeout: float = 180.0) -> float:
    """Wait until the process tree of `pid` uses less than `below` of a core over `window` seconds
    (gunicorn's workers each load the warehouse and render the default view when they start);
    returns the seconds waited (`timeout` at most)."""
    started = time.monotonic()
    last = cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - last < below * window:
            break
        last = now
    return time.monotonic() - started


class Served:
    """An app served in a subprocess for the duration of a `with` block."""

    def __init__(self, name: str, command: list[str], warehouse: Path, log_dir: Path, timeout: float = 300.0):
        self.name = name
        self.command = command
        self.warehouse = warehouse
        self.log_path = log_dir / f"{name}.log"
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None
        self.started_seconds = 0.0

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> Served:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "IDLIB_WAREHOUSE": str(self.warehouse)}
        log = open(self.log_path, "w")
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServeError(f"{self.name}: `{' '.join(self.command)}` exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as resp:
                    if resp.status == 200:
                        self.started_seconds = time.perf_counter() - started
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        self.stop()
        raise ServeError(f"{self.name}: no answer on {self.url} within {self.timeout:.0f} s:\n{self.log_tail()}")

    def memory(self) -> dict[str, float]:
        return memory_mib(self.proc.pid) if self.proc else {"rss_mib": 0.0, "peak_mib": 0.0, "processes": 0}

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def __exit__(self, *exc) -> None:
        self.stop()
