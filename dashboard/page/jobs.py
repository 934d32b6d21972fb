"""Exports as background jobs (issue 18). With IDLIB_REDIS_URL, the page's export callback (images,
data, the situation report) is one of Dash's background callbacks on a Celery queue in that Redis:
the web process only enqueues the job and answers the page's polls, and export workers
(`python -m dashboard.worker`, on this machine or others reaching the same Redis and warehouse)
draw the files, each keeping its renderer warm between jobs. The page shows that the export is
queued or being drawn, and delivers the file when the job is done. Without IDLIB_REDIS_URL the
export runs in the web process as before.
"""
from __future__ import annotations

from dashboard import config

QUEUE = "idlib-exports"
RESULT_SECONDS = 3600  # a finished export's file waits this long for the page to fetch it


def celery_app():
    """The Celery application of the export queue (broker and results in IDLIB_REDIS_URL)."""
    from celery import Celery

    url = config.server().redis_url
    app = Celery("idlib-exports", broker=url, backend=url)
    app.conf.update(task_default_queue=QUEUE, worker_prefetch_multiplier=1, result_expires=RESULT_SECONDS,
                    broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)
    return app


def manager():
    """Dash's background-callback manager on that queue, or None without IDLIB_REDIS_URL."""
    if not config.server().redis_url:
        return None
    from dash import CeleryManager

    return CeleryManager(celery_app(), expire=RESULT_SECONDS)
