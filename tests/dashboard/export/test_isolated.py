"""A report made by the server in a process of its own (dashboard.export.isolated): the same report
as one made in the process, a failure's reason for the user, and a report past its time stopped
with every process it started (chromium included) gone."""
from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from dashboard.data.warehouse import warehouse
from dashboard.export import files, isolated, procs, render, report
from dashboard.export.render import ExportError
from dashboard.request import Request
from tests.services import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def ctx(use_warehouse):
    request = Request.from_query(warehouse(), "?from=2020-01&to=2020-03&area=SY07&lang=ar")
    return files.context_of(request, now=pd.Timestamp("2026-12-06 10:00", tz="UTC"))


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def niceness(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text[text.rindex(")") + 2:].split()[16])


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_report_made_apart_is_the_report_made_here(ctx):
    apart = isolated.make(isolated.job_of(ctx), timeout=300, nice=0)
    assert apart[:5] == b"%PDF-"
    here = report.report(ctx)
    render.renderer().close()
    assert pages_text(apart) == pages_text(here)
    assert PdfReader(io.BytesIO(apart)).metadata == PdfReader(io.BytesIO(here)).metadata
    assert procs.own_chromium(os.getpid()) == []


def new_processes(before: set[int]) -> set[int]:
    return set(procs.descendants(os.getpid())) - before


def test_a_report_that_fails_apart_says_why_in_a_sentence(ctx):
    before = set(procs.descendants(os.getpid()))  # a served app of another test, say
    job = isolated.job_of(ctx)
    broken = isolated.Job(job.root, "no-such-version", job.state, job.generated)
    with pytest.raises(ExportError) as failed:
        isolated.make(broken, timeout=120, nice=0)
    message = str(failed.value)
    assert message.startswith("The report failed: ") and message.endswith(".")
    assert "Traceback" not in message and "\n" not in message
    assert new_processes(before) == set()


def term_pending(pid: int) -> bool:
    """Whether SIGTERM waits to be delivered to `pid` (a stopped process gets it when continued)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return False
    masks = [int(line.split()[1], 16) for line in lines if line.startswith(("SigPnd:", "ShdPnd:"))]
    return any(mask & (1 << (signal.SIGTERM - 1)) for mask in masks)


def test_a_report_past_its_time_is_stopped_at_its_niceness_and_leaves_no_process(ctx):
    """The report process is paused (SIGSTOP) once its chromium has started (or 5 s after it was,
    on a machine too busy for chromium to start by then), and continued once the server has asked
    it to stop (SIGTERM pending): past its time whatever the machine's speed (a report takes 5-8 s
    here, about the time it is given)."""
    before = set(procs.descendants(os.getpid()))
    seen: dict[int, tuple[str, int]] = {}  # each new process's name and the lowest niceness it was seen at
    done = threading.Event()
    paused: list[int] = []
    ours: set[int] = set()

    def watch():  # the report process and what it starts, with their niceness
        while not done.is_set():
            for pid in new_processes(before):
                line = cmdline(pid)  # first: what is read next is of that program or a later one
                if (n := niceness(pid)) is not None and (st := procs.stat(pid)):
                    # (the command line is empty once it has ended: a zombie keeps its name)
                    before_name, lowest = seen.get(pid, (st[0], n))
                    # (nice(1)'s command line names the module too: it is the report once it runs Python)
                    report = b"dashboard.export.isolated" in line and st[0] != "nice"
                    name = "report" if report else before_name if not line else st[0]
                    seen[pid] = (name, min(n, lowest) if before_name == name else n)  # exec'd: a new program
            report_pids = [pid for pid, (name, _) in seen.items() if name == "report"]
            # what the report started (kept once re-parented): not a process another test's browser
            # starts meanwhile (Playwright's chromium, a child of this process, spawns spare renderers)
            ours.update(report_pids, *(procs.descendants(pid) for pid in report_pids))
            chromium = any(name.startswith("chrom") for pid, (name, _) in seen.items() if pid in ours)
            if not paused and report_pids and (chromium or time.monotonic() - started > 5):
                os.kill(report_pids[0], signal.SIGSTOP)
                paused.append(report_pids[0])
            if paused and term_pending(paused[0]):
                os.kill(paused[0], signal.SIGCONT)
            time.sleep(0.05)
        for pid in paused:  # never left stopped
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGCONT)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.monotonic()
    watcher.start()
    try:
        with pytest.raises(ExportError, match=r"The report took longer than 8 s and was stopped\."):
            isolated.make(isolated.job_of(ctx), timeout=8, nice=7)
    finally:
        done.set()
        watcher.join(5)
    assert paused, f"the report process was never seen: {seen}"
    assert time.monotonic() - started < 8 + isolated.GRACE_SECONDS + 10
    # the report's work and its chromium at the niceness given, from their start (chromium run as
    # root raised some of its processes to -8 before the renderer dropped CAP_SYS_NICE: procs.py);
    # a process forked by this one shows as python, at this one's niceness, until it has exec'd
    # nice(1) (and nice until it has exec'd Python)
    reported = [n for name, n in seen.values() if name == "report"]
    assert reported and min(reported) >= 7, seen
    assert all(n >= 7 for pid, (name, n) in seen.items()
               if pid in ours and name.startswith("chrom") and "crashpad" not in name), (seen, ours)
    # every process it started gone (chromium's zygotes and crash handler outlive it for a moment and
    # are re-parented to this process, a subreaper: procs.py; seen left for a moment in CI, and once
    # over 10 s in a fresh clone's `make test` while the other worker ran browser tests: named if so)
    assert wait_for(lambda: not new_processes(before) & ours, timeout=10, every=0.1), \
        {pid: (procs.stat(pid), cmdline(pid)[:200]) for pid in new_processes(before) & ours}
    assert all(procs.stat(pid) is None for pid in ours)


def test_a_report_runs_on_the_cores_left_to_exports(tmp_path):
    """EXPORT_CPUS: by default every core but the first (the page keeps one no report runs on), none
    pinned on one core, `all` for none; cores this process may not use are refused plainly. The
    report process is started by nice(1), then taskset(1), which its chromium inherits."""
    import subprocess
    import sys

    from dashboard.config import _cpus

    assert _cpus(None, {0, 1}) == (1,) and _cpus("", {0, 1, 2, 3}) == (1, 2, 3) and _cpus(None, {5}) == ()
    assert _cpus("all", {0, 1}) == () and _cpus("0,1", {0, 1}) == (0, 1) and _cpus("1-2", {0, 1, 2}) == (1, 2)
    for bad in ("5", "x", ",", "0-7"):
        with pytest.raises(ValueError, match="EXPORT_CPUS"):
            _cpus(bad, {0, 1})
    argv = isolated.command(tmp_path / "r.pdf", 19, (1,))  # niced first: taskset runs niced too
    assert argv[0].endswith("nice") and argv[3].endswith("taskset") and argv[4:6] == ["-c", "1"], argv
    assert "dashboard.export.isolated" in argv and not any(a.endswith("taskset") for a in isolated.command(
        tmp_path / "r.pdf", 19, ()))
    if len(os.sched_getaffinity(0)) >= 2:  # what the prefix does: the process and its children on core 1
        shown = subprocess.run([*argv[3:6], sys.executable, "-c",
                                "import os, subprocess, sys; print(sorted(os.sched_getaffinity(0))); "
                                "subprocess.run([sys.executable, '-c', 'import os; print(sorted(os.sched_getaffinity(0)))'])"],
                               capture_output=True, text=True, timeout=30).stdout.split()
        assert shown == ["[1]", "[1]"], shown
