"""Static images of figures (PNG, SVG, PDF) with kaleido and Debian's chromium, offline.

One warm renderer per process: a kaleido browser opened on first use in a thread of its own and
kept for later exports (opening it costs about 4-6 s, an export then about 0.3 s). Callers on
any thread submit to it and wait with a timeout. It is closed, its chromium processes killed and
reaped, when it failed or timed out, when it sat unused EXPORT_IDLE_SECONDS, and when another
process of the server waits for the render slot it holds (dashboard.export.limit: the server as a
whole runs at most EXPORT_RENDERS renderers); the next export opens it again. Nothing is downloaded: the browser is Debian's chromium-headless-shell, or its chromium
when that is not installed (never kaleido's `get_chrome`), plotly.js comes from the plotly package, MathJax is off and the world
topojson plotly.js asks for even with our own GeoJSON is read from assets/topojson/.
"""
from __future__ import annotations

import asyncio
import atexit
import functools
import gc
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

from dashboard import config
from etl.config import ASSETS_DIR

from . import limit, procs
from .limit import QueueFull

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
TOPOJSON_URL = (ASSETS_DIR / "topojson").resolve().as_uri() + "/"
START_TIMEOUT = 60.0
WATCH_SECONDS = 0.25  # how often an open renderer checks whether it is idle or wanted elsewhere
# Debian's chromium-headless-shell first: the same Blink and fonts without the full browser, an export
# drawn in it is the same picture (a report's pages differ only in the time printed on them) for about
# 30 % less time and CPU (a situation report 9-11 s against 14 s on two cores). The binary, not its
# /usr/bin wrapper: that one is a shell that does not exec, so a kill would leave the browser behind.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
BROWSERS = (HEADLESS_SHELL, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
RELOAD_EVERY = 50  # renders a tab makes before it is reloaded (kaleido reloads it after every render)


class ExportError(RuntimeError):
    """An export could not be made; the message is for the user."""


__all__ = ["ExportError", "QueueFull", "Renderer", "export_job", "render", "render_many", "renderer", "run_export"]


def browser_path() -> str:
    """Debian's chromium-headless-shell, else its chromium (or BROWSER_PATH); never a downloaded browser."""
    given = config.browser_path()
    if given:
        return given
    for path in BROWSERS:
        if os.path.exists(path):
            return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise ExportError("No chromium browser found for image export: install Debian's chromium "
                      "(apt-get install chromium) or set BROWSER_PATH.")


def lower_own_priority() -> None:
    """This thread (not its process) yields the cores to the page's callbacks: on Linux a niceness
    set for a thread id holds for that thread alone. Threads that do only an export's work (its
    figures built, pages laid out, PDF joined, chromium's answers read) call it once."""
    procs.lower_priority([threading.get_native_id()], config.exports().nice)


@functools.cache
def kept_tabs_kaleido():
    """kaleido.Kaleido whose tabs stay loaded between renders. kaleido reloads a tab after every
    render, and its caller waits for that reload (plotly.js parsed again): in a warm renderer it was
    more than half of a chart's export (a chart PNG with its measuring SVG 1.55 s, 0.71 s without).
    A tab keeps nothing from one render to the next that changes the next: plotly.js draws each
    figure in a graph of its own and purges it (Plotly.toImage), and a PDF sets the page size and
    the image it prints anew each time (tests/dashboard/export/test_render.py compares renders in a
    used tab with those of a fresh one). A tab is still reloaded after RELOAD_EVERY renders, so
    whatever the page gathers (its console log, plotly.js's caches) stays bounded. A render that
    failed or timed out never leaves a tab half-drawn for the next: `Renderer.render` then closes
    the whole browser."""

    import kaleido

    class KeptTabs(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            uses = getattr(tab, "_idlib_renders", 0) + 1
            if uses >= RELOAD_EVERY:
                tab._idlib_renders = 0
                await super()._return_kaleido_tab(tab)  # reloaded, then put back
                return
            tab._idlib_renders = uses
            tab.js_logger.reset()  # what the reload resets on the Python side
            await self.tabs_ready.put(tab)

    return KeptTabs


def _run(loop: asyncio.AbstractEventLoop) -> None:
    """The renderer's thread: the loop until stopped, then every task left (an export that timed
    out) cancelled and finished here, so nothing of it is finalised later in another thread.
    It runs at normal priority until chromium has started (see `Renderer._start`)."""
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(lambda _, context: log.debug("export renderer: %s", context.get("message")))
    try:
        loop.run_forever()
    finally:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        # what the browser session leaves (tasks of an export that timed out, pipes) is freed here,
        # not later in whatever thread next collects garbage (CPython 3.11 can then fail to parse
        # code in that thread: "AST constructor recursion depth mismatch")
        del tasks
        gc.collect()


def _end_started(before: set[int], timeout: float = 20.0) -> None:
    """Kills the chromium processes that appeared since `before` until none is left: a start cut
    short may still fork (its zygote, its crash handler) after the first ones are killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = procs.new_browser_processes(before)
        if not pids:
            return
        procs.end(pids, timeout=max(0.1, min(5.0, deadline - time.monotonic())))
        time.sleep(0.2)
    log.warning("chromium processes left after a failed start: %s", procs.new_browser_processes(before))


class Renderer:
    """A kaleido browser in a thread with its own event loop; `render` is safe from any thread.

    With a `gate` (the process's renderer in a server), opening it takes one of the server's render
    slots and closing it gives the slot back."""

    def __init__(self, timeout: float | None = None, gate: limit.Gate | None = None, idle: float | None = None,
                 nice: int | None = None):
        settings = config.exports()
        self.timeout = timeout or settings.timeout
        self.tabs = settings.tabs
        self.idle = idle or settings.idle
        self.queue_wait = settings.queue_wait
        self.nice = settings.nice if nice is None else nice
        self.gate = gate
        self._lock = threading.Lock()
        self.job_lock = threading.Lock()  # one export at a time in a process (its tabs draw its pages)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self._thread: threading.Thread | None = None
        self._slot: limit.Held | None = None
        self._started_pids: set[int] = set()  # processes that appeared while the browser started
        self._stop_watch: threading.Event | None = None
        self._active = 0  # renders (and jobs) in progress: never closed for idleness meanwhile
        self._last_used = time.monotonic()
        self._atexit = False

    @property
    def is_open(self) -> bool:
        return self._loop is not None

    @property
    def slot(self) -> int | None:
        return self._slot.index if self._slot else None

    def _start(self, deadline: float) -> None:
        browser = config.use_browser(browser_path())
        slot = self.gate.take_render_slot(deadline) if self.gate else None
        procs.subreaper()  # chromium's orphans come back to this process, to be reaped
        procs.keep_priorities_down()  # chromium run as root would raise its own priority
        before = set(procs.descendants(os.getpid()))
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run, args=(loop,), name="kaleido", daemon=True)
        thread.start()

        async def open_browser():
            # chromium is forked by this thread and inherits its niceness: its start (about 2 s of
            # CPU per tab, plotly.js parsed in each) yields the cores to the page's callbacks too.
            # Started at normal priority, it slowed a callback answered meanwhile from 0.2 to
            # 0.9-1.0 s (tests/test_export_load.py on two busy cores). The price: on cores kept busy
            # by other work at normal priority the start is slow (up to START_TIMEOUT).
            procs.lower_priority([threading.get_native_id()], self.nice)
            # no timeout of kaleido's own: `render` waits `timeout` and then closes the whole browser
            # with a plain "took longer than" message; kaleido's, racing it, ended a render first with
            # "The PDF export failed: ChannelClosedError." (a test with a 0.001 s timeout, now and then)
            k = kept_tabs_kaleido()(n=self.tabs, timeout=None, mathjax=False)
            await k.open()
            return k

        opening = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            self._kaleido = opening.result(START_TIMEOUT)
        except BaseException as exc:  # SystemExit too: a report process told to stop while its chromium starts
            opening.cancel()
            loop.call_soon_threadsafe(loop.stop)
            thread.join(15)
            _end_started(before)  # whatever of it had started
            if slot:
                slot.release()
            if not isinstance(exc, Exception):
                raise
            raise ExportError(f"The image renderer (chromium) did not start: {exc}") from exc
        self._loop, self._thread, self._slot = loop, thread, slot
        self._started_pids = set(procs.descendants(os.getpid())) - before
        # the page's callbacks come before drawing: chromium yields the cores to them (its
        # renderers, forked later by its zygote, inherit this)
        procs.lower_priority(sorted(self._started_pids), self.nice)
        self._last_used = time.monotonic()
        self._stop_watch = threading.Event()
        threading.Thread(target=self._watch, args=(self._stop_watch,), name="kaleido-watch", daemon=True).start()
        if not self._atexit:
            atexit.register(self.close)  # no chromium left behind when the process ends
            self._atexit = True
        log.info("export renderer opened (chromium at %s, pid %s, render slot %s)", browser,
                 getattr(getattr(self._kaleido, "subprocess", None), "pid", "?"), self.slot)

    def _ensure(self, deadline: float | None = None):
        """(loop, kaleido) of the open browser, opened if needed; counts one more render in progress."""
        with self._lock:
            if self._loop is None:
                self._start(deadline if deadline is not None else time.monotonic() + self.queue_wait)
            self._active += 1
            return self._loop, self._kaleido

    def _done(self) -> None:
        with self._lock:
            self._active -= 1
            self._last_used = time.monotonic()

    def _detach(self, when=None) -> tuple | None:
        """Takes the open browser out of use (if `when()` holds, under the lock); None if closed."""
        with self._lock:
            if self._loop is None or (when is not None and not when()):
                return None
            handles = (self._loop, self._kaleido, self._thread, self._slot, self._started_pids)
            self._loop = self._kaleido = self._thread = self._slot = None
            if self._stop_watch:
                self._stop_watch.set()
            return handles

    def close(self, reason: str = "closed") -> None:
        self._shutdown(self._detach(), reason)

    def _shutdown(self, handles: tuple | None, reason: str) -> None:
        """Closes the browser, kills and reaps what is left of its processes, gives the slot back."""
        if handles is None:
            return
        loop, k, thread, slot, started = handles
        popen = getattr(k, "subprocess", None)
        group = popen.pid if popen else -1
        pids = procs.browser_processes(group, started)
        closing = asyncio.run_coroutine_threadsafe(k.close(), loop)
        del k
        try:
            closing.result(15)
        except Exception:  # noqa: BLE001  (a browser that hung is killed below)
            log.warning("export renderer did not close cleanly", exc_info=True)
        del closing
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        left = procs.end(sorted(set(pids) | set(procs.browser_processes(group, started))))
        if slot:
            slot.release()
        log.info("export renderer closed (%s)%s", reason, f"; still present: {left}" if left else "")

    def _watch(self, stop: threading.Event) -> None:
        """While open: closed after `idle` seconds unused, or at once when idle while another
        process of the server waits for a render slot."""
        def idle_for() -> float:
            return time.monotonic() - self._last_used if self._active == 0 else 0.0

        while not stop.wait(WATCH_SECONDS):
            if idle_for() >= self.idle:
                self._shutdown(self._detach(lambda: idle_for() >= self.idle), f"unused for {self.idle:g} s")
            elif self.gate is not None and self._active == 0 and self.gate.someone_waits():
                self._shutdown(self._detach(lambda: self._active == 0), "another process waits for the render slot")

    def render(self, fig: dict, fmt: str, width: int, height: int, scale: float = 1.0,
               timeout: float | None = None) -> bytes:
        """The figure as `fmt` bytes at width x height (CSS pixels) times `scale`."""
        if fmt not in FORMATS:
            raise ExportError(f"Unknown image format {fmt!r}: expected one of {', '.join(FORMATS)}.")
        loop, kaleido = self._ensure()
        try:
            opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
            future = asyncio.run_coroutine_threadsafe(kaleido.calc_fig(fig, opts=opts, topojson=TOPOJSON_URL), loop)
            try:
                return future.result(timeout or self.timeout)
            except FutureTimeout as exc:
                future.cancel()
                self.close("timed out")
                raise ExportError(f"The {fmt.upper()} export took longer than {timeout or self.timeout:.0f} s "
                                  "and was stopped. Try again, or a smaller selection.") from exc
            except ExportError:
                raise
            except Exception as exc:
                log.exception("export failed")
                self.close("failed")
                raise ExportError(f"The {fmt.upper()} export failed: {type(exc).__name__}.") from exc
        finally:
            self._done()

    @contextmanager
    def _turn(self):
        """This process's turn for an export: accepted by the server's gate or `QueueFull` at once,
        then waiting for the process's other export to end; the deadline (EXPORT_QUEUE_WAIT) back."""
        gate = self.gate or limit.gate()
        with gate.admit():
            deadline = time.monotonic() + self.queue_wait
            if not self.job_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise QueueFull("this process's renderer stayed busy")
            try:
                yield gate, deadline
            finally:
                self.job_lock.release()

    @contextmanager
    def job(self, what: str):
        """One export (its figures built and drawn) for the duration of the block: its turn, then
        waiting (up to EXPORT_QUEUE_WAIT) for a render slot. Logs when it starts and ends drawing."""
        with self._turn() as (_gate, deadline):
            self._ensure(deadline)  # held open (and counted busy) until the job ends
            started = time.monotonic()
            log.info("export started: %s (render slot %s)", what, self.slot)
            try:
                yield self
            finally:
                self._done()
                log.info("export finished: %s after %.1f s", what, time.monotonic() - started)

    def apart(self, what: str, make):
        """`make(nice)`'s bytes, an export made by a process of its own (dashboard.export.isolated)
        while this process holds its turn and a render slot for it: the bounds on exports hold, and
        this process's renderer, if open, is closed first (it held the slot)."""
        with self._turn() as (gate, deadline):
            self.close("an export is made in a process of its own")
            slot = gate.take_render_slot(deadline)
            started = time.monotonic()
            log.info("export started: %s (render slot %s, in a process of its own)", what, slot.index)
            try:
                return make(self.nice)
            finally:
                slot.release()
                log.info("export finished: %s after %.1f s", what, time.monotonic() - started)


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> Renderer:
    """The process's warm renderer (opened on first export), bound by the server's render slots."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = Renderer(gate=limit.gate())
        return _renderer


def use_renderer(r: Renderer) -> None:
    """This process draws with `r` (a report process: a renderer of its own, outside the slots)."""
    global _renderer
    with _renderer_lock:
        _renderer = r


def export_job(what: str):
    """`with export_job("report"):` around an image, PDF or report export made on the server."""
    return renderer().job(what)


_workers: ThreadPoolExecutor | None = None


def _export_threads() -> ThreadPoolExecutor:
    global _workers
    with _renderer_lock:
        if _workers is None:
            _workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="export-work",
                                          initializer=lower_own_priority)
        return _workers


def run_export(what: str, make):
    """`make()` inside `export_job(what)`, run in one of this process's export threads, which run at
    EXPORT_NICE: an image's Python work then yields the cores to the ordinary callbacks answered
    meanwhile by the same server, instead of sharing them equally (a report's tens of seconds are
    made apart: dashboard.export.isolated). The calling (request) thread waits; `make`'s result or exception
    comes back to it."""
    def job():
        with export_job(what):
            return make()
    return _export_threads().submit(job).result()


def render(fig: dict, fmt: str, width: int, height: int, scale: float = 1.0, timeout: float | None = None) -> bytes:
    return renderer().render(fig, fmt, width, height, scale, timeout)


def render_many(jobs: list[tuple], timeout: float | None = None) -> list[bytes]:
    """Several figures at once, (fig, fmt, width, height, scale) each, drawn in the renderer's
    tabs side by side; the results in the order of `jobs`."""
    r = renderer()
    with ThreadPoolExecutor(max_workers=r.tabs, thread_name_prefix="export", initializer=lower_own_priority) as pool:
        return list(pool.map(lambda job: r.render(*job, timeout=timeout), jobs))
