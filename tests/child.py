"""Run `python -m etl` (or another module of the project) as a child process, watching its peak
memory and its time, and snapshot a warehouse to check that a failed run left it as it was."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from etl.config import ROOT

GiB = 1 << 30
KILL_RSS = 3 * GiB  # beyond this the child is killed, to spare the shared machine


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes: the child's high-water mark (VmHWM, and wait4's ru_maxrss)
    killed: str = ""  # why the watcher killed it, if it did


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run(args: list[str], env: dict[str, str], timeout: float = 90.0, module: str = "etl",
        stdout=None) -> Finished:
    """`python -m <module> <args>` with `env` added to the environment. stdout: a file object to
    give the child instead of a captured file (a pipe, for the broken-pipe tests)."""
    full = {**os.environ, **env}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=full,
                                 stdout=stdout if stdout is not None else out, stderr=err)
        peak, killed = 0, ""
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _hwm(child.pid))
            if not killed and peak > KILL_RSS:
                killed = f"peak memory {peak / GiB:.2f} GiB"
            elif not killed and time.monotonic() - started > timeout:
                killed = f"still running after {timeout:g} s"
            if killed:
                os.kill(child.pid, signal.SIGKILL)
            time.sleep(0.05)
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Finished(child.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                        seconds, max(peak, usage.ru_maxrss * 1024), killed)


def snapshot(root: Path) -> dict[str, str]:
    """Every file of a warehouse (CURRENT, each version's tables and manifest, any staging left
    over) with its sha256; the lock file aside."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"
    }
