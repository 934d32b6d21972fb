"""Exports as background jobs (issue 18). With IDLIB_REDIS_URL, the page's export callback (images,
data, the situation report) is one of Dash's background callbacks on a Celery queue in that Redis:
the web process only enqueues the job and answers the page's polls, and export workers
(`python -m dashboard.worker`, on this machine or others reaching the same Redis and warehouse)
draw the files, each keeping its renderer warm between jobs. The page shows that the export is
queued or being drawn, and delivers the file when the job is done. Without IDLIB_REDIS_URL the
export runs in the web process as before. The command line enqueues too
(`python -m dashboard.export ... --queue`: task "idlib.export", the same arguments).
"""
from __future__ import annotations

import base64

from dashboard import config

QUEUE = "idlib-exports"
RESULT_SECONDS = 3600  # a finished export's file waits this long for the page to fetch it
COMMAND_TASK = "idlib.export"
COMMAND_WAIT = 1800  # seconds the command line waits for its export (queued and drawn)


def celery_app():
    """The Celery application of the export queue (broker and results in IDLIB_REDIS_URL)."""
    from celery import Celery

    url = config.server().redis_url
    app = Celery("idlib-exports", broker=url, backend=url)
    app.conf.update(task_default_queue=QUEUE, worker_prefetch_multiplier=1, result_expires=RESULT_SECONDS,
                    broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)

    @app.task(name=COMMAND_TASK)
    def export(argv: list[str]) -> dict:
        """`python -m dashboard.export ARGV` drawn here: the file's name and bytes (base64)."""
        from dashboard.export.__main__ import parser, produce

        data, name = produce(parser().parse_args(argv), close=False)
        return {"name": name, "data": base64.b64encode(data).decode()}

    return app


def enqueue_export(argv: list[str]) -> tuple[bytes, str]:
    """The export the command-line arguments ask for, drawn by an export worker: (bytes, name).
    Its failure comes back as ExportError with the worker's message."""
    from dashboard.export.render import ExportError

    if not config.server().redis_url:
        raise ExportError("no export queue: set IDLIB_REDIS_URL to the Redis holding it")
    result = celery_app().send_task(COMMAND_TASK, args=[argv], queue=QUEUE)
    import sys

    print(f"queued as export job {result.id}; waiting for an export worker (python -m dashboard.worker)",
          file=sys.stderr, flush=True)
    try:
        done = result.get(timeout=COMMAND_WAIT, propagate=True)
    except Exception as exc:  # noqa: BLE001 - the worker's error (or the wait), said plainly
        reason = str(exc) or type(exc).__name__
        raise ExportError(f"the export worker could not draw it: {reason}") from None
    finally:
        result.forget()
    return base64.b64decode(done["data"]), done["name"]


def live_version() -> str:
    from dashboard.data.warehouse import warehouse

    return warehouse().version


def manager():
    """Dash's background-callback manager on that queue, or None without IDLIB_REDIS_URL. Results are
    kept (an hour) under a key of the callback's inputs and the live warehouse version: without that,
    Dash deletes a result when it is first read, and of two users asking for the same export at
    the same moment (one key) the second got nothing (seen in bench.office)."""
    if not config.server().redis_url:
        return None
    from dash import CeleryManager

    return CeleryManager(celery_app(), cache_by=[live_version], expire=RESULT_SECONDS)
