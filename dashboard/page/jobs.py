"""Exports as background jobs (issue 18). With IDLIB_REDIS_URL, the page's export callback (images,
data, the situation report) is one of Dash's background callbacks on the export workers' queue
(dashboard/export/queue.py): the web process only enqueues the job and answers the page's polls,
and export workers (`python -m dashboard.worker`, on this machine or others reaching the same Redis
and warehouse) draw the files, each keeping its renderer warm between jobs. The page shows that
the export is being drawn, and delivers the file when the job is done. Without IDLIB_REDIS_URL the
export runs in the web process as before.
"""
from __future__ import annotations

from dashboard import config
from dashboard.export.queue import RESULT_SECONDS, celery_app


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
