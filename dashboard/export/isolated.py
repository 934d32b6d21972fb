"""A report made by the server in a process of its own: `python -m dashboard.export.isolated OUT NICE`.

A report is tens of seconds of Python work (its figures, their print layout, the PDF joined) and a
chromium drawing its pages. Made in a thread of the server process that answers the page's
callbacks, that work shares the process's interpreter lock with them: a date range changed while a
report was being made took up to 1 s instead of 0.2 s (tests/test_export_load.py, two busy cores),
however low the report thread's priority. In a process of its own, all of it, chromium included,
runs at EXPORT_NICE from its first instruction (started by nice(1)), and what it used is given back when it ends.

The server process keeps the admission and the render slot (dashboard.export.limit) while the
report process runs, so the bounds on exports hold as before; the report process draws with a
renderer of its own, outside the slots. The job (the warehouse version the page showed, the view
state, the time the export was asked for) goes in pickled on stdin; the report's bytes come back in
the file OUT; a failure's message for the user in OUT.message, exit status 1. The report process
logs to the server's stderr.
"""
from __future__ import annotations

import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard import config
from dashboard.export import procs, render
from dashboard.export.render import ExportError

log = logging.getLogger(__name__)
GRACE_SECONDS = 10.0  # after SIGTERM, before every process of the report is killed
REPORT_TIMEOUTS = 5  # a report (about ten pages drawn two at a time) may take this many EXPORT_TIMEOUTs


@dataclass(frozen=True)
class Job:
    root: str  # the warehouse folder, or the PostgreSQL URL it is read from (sent through a pipe, never written)
    version: str  # the published version the page showed
    state: object  # dashboard.data.state.ViewState
    generated: pd.Timestamp  # when the export was asked for (UTC)


def job_of(ctx) -> Job:
    """The job of an export context (dashboard.export.context.Context)."""
    from etl.config import Settings

    settings = Settings.from_env()
    return Job(settings.warehouse_url or str(settings.warehouse_dir), ctx.wh.version, ctx.state, ctx.generated)


def run_report(ctx) -> bytes:
    """The report of an export context (dashboard.export.context.Context), made in a process of its
    own within REPORT_TIMEOUTS times EXPORT_TIMEOUT; this process holds the server's admission and a
    render slot for it meanwhile (`Renderer.apart`), and its request thread only waits."""
    job = job_of(ctx)
    timeout = REPORT_TIMEOUTS * config.exports().timeout
    return render.renderer().apart("report", lambda nice: make(job, timeout, nice))


def command(out: Path, nice: int, cpus: tuple[int, ...]) -> list[str]:
    """The report process's command: started by nice(1), niced before Python's first instruction
    (imports included), and by taskset(1) on `cpus` (EXPORT_CPUS), which its chromium inherits, so
    that the page keeps a core no report runs on (measured: a date change's slowest of twelve while
    eight reports were asked went from 0.59-0.79 s to 0.32-0.34 s on two cores; a report took 17-22 s
    instead of 14-16 s meanwhile)."""
    more = max(0, nice - os.getpriority(os.PRIO_PROCESS, 0))
    taskset = shutil.which("taskset")
    pinned = [taskset, "-c", ",".join(map(str, cpus))] if cpus and taskset else []
    return [shutil.which("nice") or "/usr/bin/nice", "-n", str(more), *pinned, sys.executable, "-m", __name__, str(out),
            str(nice)]


def make(job: Job, timeout: float, nice: int) -> bytes:
    """The report of `job`, made by a process of its own at niceness `nice` within `timeout`
    seconds; ExportError with the reason otherwise. No process of it is left when this returns."""
    with tempfile.TemporaryDirectory(prefix="idlib-report-") as folder:
        out = Path(folder) / "report.pdf"
        child = subprocess.Popen(command(out, nice, config.exports().cpus),
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 # a process group of its own, not a session: in a session of its own the
                                 # kernel's autogroup scheduling would give it as much CPU as the server
                                 # whatever its niceness (procs.lower_autogroup)
                                 process_group=0)
        try:
            child.communicate(pickle.dumps(job), timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(child)
            raise ExportError(f"The report took longer than {timeout:.0f} s and was stopped. "
                              "Try again, or a shorter period or fewer areas.") from None
        except BaseException:
            _end(child)
            raise
        finally:
            procs.end(procs.descendants(child.pid))  # none, unless it was killed
        if child.returncode != 0:
            message = out.with_suffix(".message")
            reason = message.read_text() if message.exists() else f"the report process ended with status {child.returncode}"
            raise ExportError(reason)
        return out.read_bytes()


def _end(child: subprocess.Popen) -> None:
    """Asks the report process to stop (it closes its chromium), then kills whatever is left of it."""
    below = procs.descendants(child.pid)
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    procs.end([child.pid, *below, *procs.descendants(child.pid)])
    try:  # reaped: killed, it ends at once (a poll right after the kill could miss it and leave a zombie)
        child.wait(5)
    except subprocess.TimeoutExpired:
        pass
    # what the report left when it ended came to this process (a subreaper): reaped, not left as zombies
    procs.end(below)
    procs.reap_orphaned_browsers()


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # atexit then closes chromium
    from dashboard.data import catalog, warehouse
    from dashboard.export import report
    from dashboard.export.context import Context
    from dashboard.request import Request

    try:
        job: Job = pickle.loads(sys.stdin.buffer.read())
        wh = warehouse.load(job.root, job.version)
        ctx = Context(request=Request(wh, job.state, catalog.bounds(wh)), generated=job.generated)
        # outside the slots (the server holds one for it), at the niceness given
        render.use_renderer(render.Renderer(nice=int(argv[2])))
        data = report.report(ctx)
    except ExportError as exc:
        out.with_suffix(".message").write_text(str(exc))
        return 1
    except Exception as exc:  # noqa: BLE001  (the server's log has the traceback, the user a sentence)
        log.exception("report failed")
        out.with_suffix(".message").write_text(f"The report failed: {type(exc).__name__}.")
        return 1
    out.write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
