"""The server's and the exports' settings, read from the environment here and nowhere else in the
dashboard.

    from dashboard import config
    config.server().workers, config.exports().renders

`server()` and `exports()` read the environment the first time they are called and keep the
result for the life of the process (`reset()` forgets it, for tests). A bad value raises
`ValueError` naming the variable. BROWSER_PATH is kaleido's own variable: `browser_path()` reads it
when an export looks for chromium, and `use_browser` sets it for kaleido to the one found.
`set_run_dir` writes EXPORT_RUN_DIR for the workers `python -m dashboard` forks. IDLIB_WAREHOUSE
and the ETL's settings are read by etl.config.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache

# the largest body the page sends is about 2 KB (the map's callback with every control and its two
# stores, measured on the synthetic warehouse at admin level 3 with four areas); listing every
# source of a warehouse with ten times today's 130 sources would add about 30 KB
DEFAULT_MAX_BODY_KB = 256


def _number(name: str, default: float, kind=int, minimum: float = 1):
    value = os.environ.get(name)
    if value is None or value == "":
        return kind(default)
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what} of at least {minimum:g}, got {value!r}")
    return number


def _cpus(value: str | None, allowed: set[int]) -> tuple[int, ...]:
    """EXPORT_CPUS: the cores exports may use ("1", "1,3", "2-3"; "all": every one). By default every
    core this process may use but the first, when it may use two or more: the page keeps one core no
    export runs on (on two cores, a report's chromium and Python on both doubled a date change's
    slowest time). Empty: no pinning."""
    if value is None or value.strip() == "":
        ordered = sorted(allowed)
        return tuple(ordered[1:]) if len(ordered) >= 2 else ()
    if value.strip() == "all":
        return ()
    cores: set[int] = set()
    try:
        for part in value.split(","):
            lo, _, hi = part.strip().partition("-")
            cores.update(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        cores = set()
    if not cores or not cores <= allowed:
        raise ValueError(f"EXPORT_CPUS must list cores this process may use ({sorted(allowed)}) as 1,3 or 2-3, "
                         f"or be 'all', got {value!r}")
    return tuple(sorted(cores))


def _redis_url(value: str) -> str:
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"IDLIB_REDIS_URL must start with redis://, rediss:// or unix://, got {value.split('@')[-1]!r}")
    return value


@dataclass(frozen=True)
class Server:
    """How `python -m dashboard` serves: gunicorn's gthread workers, or Flask's server."""

    port: int
    host: str
    workers: int  # WEB_CONCURRENCY: worker processes (default twice the cores)
    threads: int  # DASHBOARD_THREADS: threads per worker (default 2)
    kind: str  # DASHBOARD_SERVER: "gunicorn" (default) or "flask" (development, one process)
    duckdb_threads: int  # DUCKDB_THREADS: threads of each process's in-memory DuckDB (default 1)
    max_body_kb: int  # DASHBOARD_MAX_BODY_KB: the largest request body accepted (default 256, see dashboard.page.security)
    keepalive: int  # DASHBOARD_KEEPALIVE: seconds gunicorn keeps an idle connection (default 75)
    redis_url: str  # IDLIB_REDIS_URL: the Redis the app processes share their cache through ("" = none)
    cache_seconds: int  # IDLIB_CACHE_SECONDS: how long a shared entry is kept (default 86400)
    # IDLIB_SECRET_KEY: signs the export jobs' handles alike in every app process and server (else Dash
    # keeps one in the export queue's Redis, which expires with the results)
    secret_key: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Server:
        port = os.environ.get("PORT", "8050")
        if not port.isdigit():
            raise ValueError(f"PORT must be a number, got {port!r}")
        return cls(
            port=int(port),
            host=os.environ.get("HOST", "127.0.0.1"),
            workers=_number("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)),
            threads=_number("DASHBOARD_THREADS", 2),
            kind="flask" if os.environ.get("DASHBOARD_SERVER") == "flask" else "gunicorn",
            duckdb_threads=_number("DUCKDB_THREADS", 1),
            max_body_kb=_number("DASHBOARD_MAX_BODY_KB", DEFAULT_MAX_BODY_KB),
            keepalive=_number("DASHBOARD_KEEPALIVE", 75),
            redis_url=_redis_url(os.environ.get("IDLIB_REDIS_URL", "")),
            cache_seconds=_number("IDLIB_CACHE_SECONDS", 86400),
            secret_key=os.environ.get("IDLIB_SECRET_KEY", ""),
        )


@dataclass(frozen=True)
class Exports:
    """Image, PDF and report exports: how many render at once, how many wait, for how long."""

    timeout: float  # EXPORT_TIMEOUT: seconds one render may take (default 60)
    tabs: int  # EXPORT_TABS: pages one renderer draws side by side (default 2)
    renders: int  # EXPORT_RENDERS: renderers (chromium) at once in the whole server (default 1)
    queue: int  # EXPORT_QUEUE: exports that may wait for a renderer, server-wide (default 2)
    queue_wait: float  # EXPORT_QUEUE_WAIT: seconds one may wait before it is refused (default 60)
    idle: float  # EXPORT_IDLE_SECONDS: a renderer unused this long is closed (default 60)
    run_dir: str | None  # EXPORT_RUN_DIR: the slot files shared by the server's processes
    nice: int  # EXPORT_NICE: niceness of chromium and of the export threads, so the page's callbacks come first (default 19, the lowest priority)
    per_process: int  # exports (waiting or rendering) one server process takes at once
    cpus: tuple[int, ...] = ()  # EXPORT_CPUS: the cores a report's process and its chromium run on (`_cpus`; () every one)

    @classmethod
    def from_env(cls, serving: Server | None = None) -> Exports:
        serving = serving or server()
        renders = _number("EXPORT_RENDERS", 1)
        queue = _number("EXPORT_QUEUE", 2, minimum=0)
        # a gthread worker keeps one of its threads for the page: an export waiting in it would
        # hold a thread the page's callbacks need. Flask's development server has a thread per request.
        per_process = renders + queue if serving.kind == "flask" else max(1, serving.threads - 1)
        return cls(
            timeout=_number("EXPORT_TIMEOUT", 60.0, float, minimum=0.001),
            tabs=_number("EXPORT_TABS", 2),
            renders=renders,
            queue=queue,
            queue_wait=_number("EXPORT_QUEUE_WAIT", 60.0, float, minimum=0),
            idle=_number("EXPORT_IDLE_SECONDS", 60.0, float, minimum=0.1),
            run_dir=os.environ.get("EXPORT_RUN_DIR") or None,
            nice=_number("EXPORT_NICE", 19, minimum=0),
            cpus=_cpus(os.environ.get("EXPORT_CPUS"), os.sched_getaffinity(0)),
            per_process=per_process,
        )


@cache
def server() -> Server:
    return Server.from_env()


@cache
def exports() -> Exports:
    return Exports.from_env()


def reset() -> None:
    """Forget what was read (tests that change the environment)."""
    server.cache_clear()
    exports.cache_clear()


def set_run_dir(path) -> None:
    """EXPORT_RUN_DIR for this process and the workers it forks (which read it from the environment)."""
    os.environ["EXPORT_RUN_DIR"] = str(path)
    reset()


def worker_name() -> str:
    """EXPORT_WORKER_NAME: an export worker's name in Celery (default idlib-export-<pid>@<host>)."""
    return os.environ.get("EXPORT_WORKER_NAME") or f"idlib-export-{os.getpid()}@%h"


def browser_path() -> str | None:
    """BROWSER_PATH: the chromium the exports draw with, when given (read each time: it is kaleido's)."""
    return os.environ.get("BROWSER_PATH") or None


def use_browser(path: str) -> str:
    """Tell kaleido which chromium to start (it reads BROWSER_PATH itself), unless one is given;
    returns the one it will use."""
    return os.environ.setdefault("BROWSER_PATH", path)
