"""Exports cannot starve the page (issue 11, item 2), against the real server.

`python -m dashboard` (gunicorn, its default workers and threads) serves the warehouse built from
the committed data. Eight "Situation report" requests are sent at once, each the export callback's
request as the page sends it (taken from the served layout and dependencies by bench.client).
Meanwhile an ordinary callback is sent again and again, and the server's process tree is sampled
from /proc. What is checked, from what the server shows anyone (its log on stderr, /proc):
- at most EXPORT_RENDERS (1) exports draw at a time: the "export started" / "export finished" log
  lines, with their times, never overlap; at most one chromium browser process runs at any sample;
- each of the eight gets a report or the "queue is full" message, nothing else;
- every ordinary action taken meanwhile (a new date range: the map and every chart redrawn) was
  answered under 1 s (the issue's bound: generous; about 100-250 ms on a quiet machine);
- after they finish and the renderer's idle time (5 s here) has passed, no chromium is left and
  the memory of the server and all its children (RSS from /proc) is within 500 MB of before.
"""
from __future__ import annotations

import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from bench.client import DashClient
from bench.scenarios import SCENARIOS, values_for
from bench.serve import Served, memory_mib
from dashboard.export import procs

pytestmark = [pytest.mark.browser, pytest.mark.alone]
REPORTS = 8
IDLE_SECONDS = 5
QUEUE_FULL = "The export queue is full, try again in a minute."
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) INFO [\w.]+: (export started|export finished)")


def parent(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text[text.rindex(")") + 2:].split()[1])


def chromium_browsers(pid: int) -> list[int]:
    """chromium's browser processes (not its renderers, zygotes or helpers) below `pid`: started
    by a process that is not chromium. (A child the browser has forked and not yet exec'd, its GPU
    process or crash handler on the way, still shows the browser's command line: counted as a
    second browser, once, by a sample taken in that instant.)"""
    out = []
    for child in procs.descendants(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"/chromium") and not any(a.startswith(b"--type=") for a in cmdline):
            up = parent(child)
            if up is not None and not (procs.stat(up) or ("",))[0].startswith("chrom"):
                out.append(child)
    return out


def chromium_processes(pid: int) -> list[int]:
    return [p for p in procs.descendants(pid) if (procs.stat(p) or ("",))[0].startswith("chrom")]


def export_intervals(log_text: str) -> list[tuple[float, float]]:
    """(start, end) of each export drawn, per server process, from the log's times."""
    open_at: dict[str, float] = {}
    out = []
    for line in log_text.splitlines():
        m = LOG_LINE.match(line)
        if not m:
            continue
        at = datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if m[3] == "export started":
            assert m[2] not in open_at, f"process {m[2]} started two exports at once"
            open_at[m[2]] = at
        else:
            out.append((open_at.pop(m[2]), at))
    assert not open_at, f"exports never finished: {open_at}"
    return out


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])  # an end before a start at a tie
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def test_eight_reports_at_once_are_bounded_and_the_page_stays_fast(built_warehouse, tmp_path, monkeypatch):
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run `make test` (installs it as root) or apt-get install chromium")
    for name in ("EXPORT_RENDERS", "EXPORT_QUEUE", "EXPORT_RUN_DIR", "EXPORT_NICE", "WEB_CONCURRENCY",
                 "DASHBOARD_THREADS"):
        monkeypatch.delenv(name, raising=False)  # the defaults
    monkeypatch.setenv("EXPORT_IDLE_SECONDS", str(IDLE_SECONDS))
    with Served("dashboard", [sys.executable, "-m", "dashboard"], built_warehouse, tmp_path, timeout=120) as app:
        pid = app.proc.pid
        with DashClient(app.url) as page, DashClient(app.url) as other:
            page.load()
            other.load()
            (label, body), = [(lbl, b) for lbl, b in page.requests_for("home-report-go", "n_clicks", 1)
                              if "home-download.data" in lbl]
            # ordinary callbacks: date ranges never asked before (nothing answered from a cache), each
            # redrawing the map and every chart
            scenario = next(s for s in SCENARIOS if s.name == "range")
            ranges = values_for(scenario, other.props(scenario.component), 12)
            assert len({tuple(r) for r in ranges}) == len(ranges)
            before = memory_mib(pid)

            samples: list[tuple[int, int]] = []
            done = threading.Event()

            def sample():
                while not done.is_set():
                    samples.append((len(chromium_browsers(pid)), len(chromium_processes(pid))))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with ThreadPoolExecutor(REPORTS) as pool:
                sent = [pool.submit(page.post, body, label) for _ in range(REPORTS)]
                ordinary = []
                time.sleep(2)  # the first report is being drawn
                for value in ranges:
                    step = other.set(scenario.component, scenario.prop, value)
                    assert step.errors == [] and step.requests
                    ordinary.append(step.seconds)
                    time.sleep(0.5)
                answers = [f.result(timeout=600) for f in sent]
            done.set()
            sampler.join(5)

            statuses = []
            for record, data in answers:
                assert record.status == 200 and record.error is None, record.error
                response = data["response"]
                if response.get("home-download", {}).get("data"):
                    statuses.append("report")
                else:
                    assert QUEUE_FULL in str(response["home-export-status"]["children"]), response
                    statuses.append("refused")
            deadline = time.monotonic() + IDLE_SECONDS + 30
            while chromium_processes(pid) and time.monotonic() < deadline:
                time.sleep(0.5)
            left = chromium_processes(pid)
            after = memory_mib(pid)
        log_text = app.log_path.read_text(errors="replace")

    intervals = export_intervals(log_text)
    print(f"reports {statuses.count('report')}, refused {statuses.count('refused')}; ordinary callbacks (s): "
          f"{[round(s, 3) for s in ordinary]}; most chromium browsers at once {max(b for b, _ in samples)}, "
          f"processes {max(p for _, p in samples)}; memory before {before['rss_mib']:.0f} MiB, "
          f"after {after['rss_mib']:.0f} MiB")
    assert statuses.count("report") >= 1 and len(statuses) == REPORTS
    assert len(intervals) == statuses.count("report")
    assert most_at_once(intervals) <= 1, intervals
    assert max(b for b, _ in samples) <= 1
    assert max(ordinary) < 1.0, ordinary
    assert left == []
    assert (after["rss_mib"] - before["rss_mib"]) * 2**20 <= 500e6, (before, after)
