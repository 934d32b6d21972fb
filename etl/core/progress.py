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
