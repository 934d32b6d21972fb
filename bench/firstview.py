"""First-view time of a served app in headless Debian chromium, driven by Playwright.

The time is the page's own clock (performance.now(), from the start of navigation) at the moment
the first view is drawn: every dcc.Graph of the layout has been plotted by plotly.js, no Dash
component is loading and no /_dash-update-component request is in flight, after at least one
finished; that state must then hold for `settle_ms` (a chained callback would break it, and the
time is taken again when it next holds). Each run uses a fresh browser context (empty cache), as
a first visit. Also recorded: bytes the page transferred (Resource Timing), console errors, and
requests to any host other than 127.0.0.1 (the app must work offline).

Chromium is Debian's /usr/bin/chromium in its own headless mode, with the flags of the test suite's
browser; no browser is ever downloaded. (The tests and the exports use Debian's lighter
chromium-headless-shell when installed; the first view is timed in the full browser, the nearer of
the two to what users open.)
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# counts Dash's callback requests as the page makes them (installed before any page script runs)
COUNT_CALLBACKS = """
(() => {
  window.__benchPending = 0; window.__benchDone = 0;
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    const dash = url.includes('_dash-update-component');
    if (dash) window.__benchPending++;
    const answer = original.apply(this, arguments);
    if (dash) {
      answer.then(r => r.clone().arrayBuffer()).catch(() => null).finally(() => {
        window.__benchPending--; window.__benchDone++;
      });
    }
    return answer;
  };
})();
"""

# the first view is drawn: performance.now() when it is, else false
DRAWN = """
([ids, needCallbacks]) => {
  if (window.__benchPending > 0 || (needCallbacks && window.__benchDone === 0)) return false;
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  for (const id of ids) {
    const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
    if (!gd || !gd._fullLayout) return false;
  }
  return performance.now();
}
"""

TRANSFERRED = """
() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .reduce((n, e) => n + (e.transferSize || 0), 0)
"""


@dataclass
class FirstView:
    runs_ms: list[float] = field(default_factory=list)
    repeat_ms: list[float] = field(default_factory=list)  # a second visit in the same browser (cache warm)
    transferred_bytes: list[int] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    off_host_requests: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.runs_ms) if self.runs_ms else None

    @property
    def repeat_median_ms(self) -> float | None:
        return statistics.median(self.repeat_ms) if self.repeat_ms else None


def chromium_version() -> str:
    try:
        done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def _time_view(page, url: str, graph_ids: list[str], need_callbacks: bool, timeout_ms: int, settle_ms: int) -> float:
    """Open `url` in `page` and return performance.now() when the first view is drawn and stays so."""
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    while True:
        drawn = page.wait_for_function(DRAWN, arg=[graph_ids, need_callbacks], polling="raf",
                                       timeout=timeout_ms).json_value()
        done = page.evaluate("window.__benchDone")
        page.wait_for_timeout(settle_ms)
        still = page.evaluate(DRAWN, [graph_ids, need_callbacks])
        if still and page.evaluate("window.__benchDone") == done:
            return float(drawn)


def measure(url: str, graph_ids: list[str], runs: int = 3, need_callbacks: bool = True, timeout_ms: int = 120_000,
            settle_ms: int = 300) -> FirstView:
    """Open `url` `runs` times, each in a fresh context, and time the first view."""
    result = FirstView()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        result.error = "playwright is not installed (requirements-dev.txt)"
        return result
    if not shutil.which(CHROMIUM) and not CHROMIUM.startswith("/"):
        result.error = "Debian's chromium is missing: apt-get install chromium"
        return result
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    page.add_init_script(COUNT_CALLBACKS)
                    page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
                    page.on("pageerror", lambda e: result.console_errors.append(str(e)))
                    page.on("request", lambda r: result.off_host_requests.append(r.url)
                            if urlparse(r.url).scheme in ("http", "https") and urlparse(r.url).hostname != "127.0.0.1" else None)
                    result.runs_ms.append(_time_view(page, url, graph_ids, need_callbacks, timeout_ms, settle_ms))
                    result.transferred_bytes.append(int(page.evaluate(TRANSFERRED)))
                    # the same page opened again in the same browser: scripts come from its cache
                    result.repeat_ms.append(_time_view(page, url, graph_ids, need_callbacks, timeout_ms, settle_ms))
                    context.close()
            finally:
                browser.close()
    except PlaywrightError as exc:
        result.error = str(exc).splitlines()[0]
    result.off_host_requests = sorted(set(result.off_host_requests))
    return result
