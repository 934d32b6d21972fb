"""An export worker (issue 18): `python -m dashboard.worker` takes export jobs from the queue in
IDLIB_REDIS_URL (dashboard/page/jobs.py) one at a time and draws them with its own warm renderer.
Start as many as the machines allow, here or on other machines that reach the same Redis and the
same warehouse (IDLIB_WAREHOUSE or IDLIB_WAREHOUSE_URL)."""
from __future__ import annotations

import sys
import tempfile


def main(argv: list[str] | None = None) -> int:
    from dashboard import config

    if not config.server().redis_url:
        print("error: set IDLIB_REDIS_URL to the Redis holding the export queue (e.g. redis://127.0.0.1:6379/0)",
              file=sys.stderr)
        return 1
    if not config.exports().run_dir:  # the renderer's slot files, private to this worker
        config.set_run_dir(tempfile.mkdtemp(prefix="idlib-worker-"))
    from dashboard.page.app import create_app

    app = create_app()  # registers the export job under the name the web processes enqueue it by
    celery = app._background_manager.handle
    name = config.worker_name()
    celery.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "-n", name, "-Q", "idlib-exports",
                        *(argv or [])])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
