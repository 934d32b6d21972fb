"""Static images of figures (PNG, SVG, PDF) with kaleido and Debian's chromium, offline.

One warm renderer per process: a kaleido browser opened on first use in a thread of its own and
kept for every later export (opening it costs about 4-6 s, an export then about 0.3 s). Callers on
any thread submit to it and wait with a timeout; a renderer that failed or timed out is closed and
opened again on the next export. Nothing is downloaded: the browser is Debian's chromium (never
kaleido's `get_chrome`), plotly.js comes from the plotly package, MathJax is off and the world
topojson plotly.js asks for even with our own GeoJSON is read from assets/topojson/.
"""
from __future__ import annotations

import asyncio
import atexit
import gc
import logging
import os
import shutil
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from etl.config import ASSETS_DIR

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
TOPOJSON_URL = (ASSETS_DIR / "topojson").resolve().as_uri() + "/"
DEFAULT_TIMEOUT = float(os.environ.get("EXPORT_TIMEOUT", "60"))
START_TIMEOUT = 60.0
TABS = max(1, int(os.environ.get("EXPORT_TABS", "2")))  # pages drawn side by side (a report's pages)
BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class ExportError(RuntimeError):
    """An export could not be made; the message is for the user."""


def browser_path() -> str:
    """Debian's chromium (or BROWSER_PATH); never a downloaded browser."""
    given = os.environ.get("BROWSER_PATH")
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


def _run(loop: asyncio.AbstractEventLoop) -> None:
    """The renderer's thread: the loop until stopped, then every task left (an export that timed
    out) cancelled and finished here, so nothing of it is finalised later in another thread."""
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


class Renderer:
    """A kaleido browser in a thread with its own event loop; `render` is safe from any thread."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        import kaleido

        os.environ.setdefault("BROWSER_PATH", browser_path())
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run, args=(loop,), name="kaleido", daemon=True)
        thread.start()

        async def open_browser():
            k = kaleido.Kaleido(n=TABS, timeout=self.timeout, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(15)
            raise ExportError(f"The image renderer (chromium) did not start: {exc}") from exc
        self._loop, self._thread = loop, thread
        atexit.register(self.close)  # no chromium left behind when the process ends
        log.info("export renderer started (chromium at %s)", os.environ["BROWSER_PATH"])

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._start()
            return self._loop

    def close(self) -> None:
        with self._lock:
            loop, k, thread = self._loop, self._kaleido, self._thread
            self._loop = self._kaleido = self._thread = None
        if loop is None:
            return
        closing = asyncio.run_coroutine_threadsafe(k.close(), loop)
        del k
        try:
            closing.result(15)
        except Exception:  # noqa: BLE001  (a browser that hung is left to die with the process)
            log.warning("export renderer did not close cleanly", exc_info=True)
        del closing
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)

    def render(self, fig: dict, fmt: str, width: int, height: int, scale: float = 1.0,
               timeout: float | None = None) -> bytes:
        """The figure as `fmt` bytes at width x height (CSS pixels) times `scale`."""
        if fmt not in FORMATS:
            raise ExportError(f"Unknown image format {fmt!r}: expected one of {', '.join(FORMATS)}.")
        loop = self._ensure()
        opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
        future = asyncio.run_coroutine_threadsafe(
            self._kaleido.calc_fig(fig, opts=opts, topojson=TOPOJSON_URL), loop)
        try:
            return future.result(timeout or self.timeout)
        except FutureTimeout as exc:
            future.cancel()
            self.close()
            raise ExportError(f"The {fmt.upper()} export took longer than {timeout or self.timeout:.0f} s "
                              "and was stopped. Try again, or a smaller selection.") from exc
        except ExportError:
            raise
        except Exception as exc:
            log.exception("export failed")
            self.close()
            raise ExportError(f"The {fmt.upper()} export failed: {type(exc).__name__}.") from exc


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> Renderer:
    """The process's warm renderer (opened on first export)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = Renderer()
        return _renderer


def render(fig: dict, fmt: str, width: int, height: int, scale: float = 1.0, timeout: float | None = None) -> bytes:
    return renderer().render(fig, fmt, width, height, scale, timeout)


def render_many(jobs: list[tuple], timeout: float | None = None) -> list[bytes]:
    """Several figures at once, (fig, fmt, width, height, scale) each, drawn in the renderer's
    tabs side by side; the results in the order of `jobs`."""
    from concurrent.futures import ThreadPoolExecutor

    r = renderer()
    with ThreadPoolExecutor(max_workers=TABS, thread_name_prefix="export") as pool:
        return list(pool.map(lambda job: r.render(*job, timeout=timeout), jobs))
