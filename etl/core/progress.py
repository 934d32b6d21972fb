"""Progress lines for long ETL steps, on stderr so that stdout stays for results."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        print(f"[{self.done}/{self.total}] {label} ({elapsed:.1f}s)", file=self.stream, flush=True)


class DownloadProgress:
    """A download's progress as a line on stderr every few seconds ('acled-nws: downloading, 12.5
    MiB of 300 MiB (4%), 1.2 MiB/s'), and once when it completes."""

    def __init__(self, label: str, stream=None, every: float = 5.0):
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self.started = time.monotonic()
        self.shown = self.started

    def __call__(self, done: int, total: int | None) -> None:
        from etl.core.limits import human

        now = time.monotonic()
        finished = total is not None and done >= total
        if now - self.shown < self.every and not finished:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-3)
        of = f" of {human(total)} ({done / total:.0%})" if total else ""
        print(f"{self.label}: downloading, {human(done)}{of}, {human(rate)}/s", file=self.stream, flush=True)
