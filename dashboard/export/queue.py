"""The export workers' queue (issue 18): a Celery application whose broker and results are the
Redis of IDLIB_REDIS_URL. The page's exports reach it as Dash background callbacks
(dashboard/page/jobs.py); the command line as task "idlib.export" with its own arguments
(`python -m dashboard.export ... --queue`); export workers (`python -m dashboard.worker`) take both.
"""
from __future__ import annotations

import base64
import sys

from dashboard import config

QUEUE = "idlib-exports"
RESULT_SECONDS = 3600  # a finished export's file waits this long to be fetched
COMMAND_TASK = "idlib.export"
COMMAND_WAIT = 1800  # seconds the command line waits for its export (queued and drawn)


def celery_app():
    """The Celery application of the export queue, with the command line's task."""
    from celery import Celery

    url = config.server().redis_url
    app = Celery("idlib-exports", broker=url, backend=url)
    app.conf.update(task_default_queue=QUEUE, worker_prefetch_multiplier=1, result_expires=RESULT_SECONDS,
                    broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)

    @app.task(name=COMMAND_TASK)
    def export(argv: list[str]) -> dict:
        """`python -m dashboard.export ARGV` drawn here: the file's name and bytes (base64)."""
        from dashboard.export.command import parser, produce

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
