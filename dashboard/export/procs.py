"""The renderer's processes, read from /proc (Linux): found, killed and reaped when it closes.

chromium does not stay in one process group: its crash handlers start sessions of their own and
are re-parented when chromium exits, and its zygotes outlive it for a moment. `subreaper()` makes
this process adopt such orphans (instead of pid 1, which in a container may never reap them), so
that every process of the renderer stays below the server, counted in its memory and reaped here.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger(__name__)
PR_SET_CHILD_SUBREAPER = 36
_subreaper = False


def subreaper() -> None:
    """Orphaned descendants of this process become its children (Linux prctl; once per process)."""
    global _subreaper
    if _subreaper:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _subreaper = False
    if not _subreaper:
        log.debug("could not make this process a subreaper: orphaned chromium processes go to pid 1")


PR_CAPBSET_DROP = 24
CAP_SYS_NICE = 23


def keep_priorities_down() -> None:
    """Programs started from now on by the calling thread, or by threads it starts later, cannot
    raise their own CPU priority (Linux: CAP_SYS_NICE dropped from the thread's bounding set, which
    threads and processes it starts inherit, and every program exec'd below them). chromium run as
    root raised some of its processes to niceness -8, ahead of the page's callbacks, whatever
    niceness it was started at. Without root there is nothing to drop (a process cannot raise its
    priority anyway) and nothing happens. Cheap: called before each renderer starts."""
    if os.geteuid() != 0:
        return
    try:
        dropped = ctypes.CDLL(None, use_errno=True).prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) == 0
    except (OSError, AttributeError):
        dropped = False
    if not dropped:
        log.debug("could not drop CAP_SYS_NICE: chromium started as root may raise its priority")


def children(pid: int) -> list[int]:
    """The processes `pid`'s threads started; none when `pid` has ended (even while being read)."""
    out = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process ended between being listed and being read
        return out
    for task in tasks:
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (not `pid` itself)."""
    out, stack = [], children(pid)
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(children(current))
    return out


# kaleido's browser library starts chromium below a Python wrapper of its own (the pipes it talks on)
BROWSER_WRAPPER = b"_unix_pipe_chromium_wrapper"


def own_chromium(pid: int) -> list[int]:
    """The chromium processes `pid` started itself: its children named chrom* and kaleido's wrappers
    of chromium, theirs, and the orphans it adopted; not those below another program it started (a
    served app, a test driver)."""
    def chromium(p):
        if (stat(p) or ("",))[0].startswith("chrom"):
            return True
        try:
            return BROWSER_WRAPPER in Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return False
    out, stack = [], [p for p in children(pid) if chromium(p)]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(p for p in children(current) if chromium(p))
    return out


def stat(pid: int) -> tuple[str, str, int] | None:
    """(command name, state letter, process group) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, fields[0], int(fields[2])


def browser_processes(group: int, started: set[int] | None = None) -> list[int]:
    """The processes below this one of a browser started as process group `group`: the group's
    members, and processes that appeared during its start (`started`) outside the group (its crash
    handlers, which start sessions of their own)."""
    out = []
    for pid in descendants(os.getpid()):
        info = stat(pid)
        if info and (info[2] == group or (started is not None and pid in started)):
            out.append(pid)
    return out


def new_browser_processes(before: set[int]) -> list[int]:
    """chromium processes below this one that were not there `before` (a start that failed),
    zombies included (their command line is empty, their name is not): they are reaped by `end`."""
    out = []
    for pid in set(descendants(os.getpid())) - before:
        info = stat(pid)
        try:
            if (info and info[0].startswith("chrom")) or b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
        except OSError:
            continue
    return sorted(out)


def lower_priority(pids: list[int], nice: int) -> None:
    """Give these processes (and the children they start later) a lower CPU priority. A process
    leading a session of its own (chromium: its launcher starts one) is also given `nice` as its
    autogroup's niceness (`lower_autogroup`)."""
    for pid in pids:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, max(nice, os.getpriority(os.PRIO_PROCESS, pid)))
        except OSError:  # gone already, or not ours to change
            continue
        lower_autogroup(pid, nice)


def lower_autogroup(pid: int, nice: int) -> bool:
    """Where the kernel groups processes by session for scheduling (Linux autogroup, on by default:
    /proc/sys/kernel/sched_autogroup_enabled), a niceness counts only against the processes of the
    same session: a process in a session of its own, however niced, took as much of the cores as
    the whole server (a date-range change during a report: 0.2 s quiet, up to 1.1 s). So a process
    in another session than this one gets its session's group niced too (/proc/PID/autogroup; raising
    it needs no privilege). Never this process's own session, which would slow the page too. True
    when the group was niced."""
    try:
        if os.getsid(pid) == os.getsid(0):
            return False
        current = autogroup_nice(pid)
        if current is None:
            return False
        if current < nice:
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        return True
    except OSError:  # gone, or not ours
        return False


def autogroup_nice(pid: int) -> int | None:
    """The niceness of the autogroup `pid` is scheduled in ("/autogroup-11502 nice 0"), or None where
    autogroup does not apply to it: a kernel without it, or a process in a cpu cgroup of its own (a
    container; the file exists but is empty, and the cgroup, not the session, groups it)."""
    try:
        return parse_autogroup(Path(f"/proc/{pid}/autogroup").read_text())
    except OSError:
        return None


def parse_autogroup(text: str) -> int | None:
    words = text.split()
    if len(words) == 3 and words[0].startswith("/autogroup-") and words[1] == "nice":
        try:
            return int(words[2])
        except ValueError:
            return None
    return None


def end(pids: list[int], timeout: float = 5.0) -> list[int]:
    """Kill what is left of `pids` and reap those that are (or become) this process's children;
    the pids still present after `timeout`."""
    for pid in pids:
        info = stat(pid)
        if info and info[1] != "Z":
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    remaining = set(pids)
    deadline = time.monotonic() + timeout
    while remaining:
        for pid in list(remaining):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not (yet) our child: gone, a zombie elsewhere, or re-parented soon
                info = stat(pid)
                done = pid if info is None or info[1] == "Z" else 0
            if done:
                remaining.discard(pid)
        if not remaining or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return sorted(remaining)


def reap_orphaned_browsers() -> int:
    """Reap the chromium processes that were orphaned to this process (a subreaper) and have ended:
    a browser started by someone else in this process (kaleido's one-off `calc_fig_sync`) leaves
    its crash handlers and zygotes here as zombies. Only chromium's, so no other child's exit
    status is taken from the code that waits for it. How many were reaped."""
    reaped = 0
    for pid in children(os.getpid()):
        info = stat(pid)
        if info and info[1] == "Z" and info[0].startswith("chrom"):
            try:
                os.waitpid(pid, os.WNOHANG)
                reaped += 1
            except ChildProcessError:
                continue
    return reaped
