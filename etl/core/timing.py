"""Where a run's time goes: `python -m etl run --profile` (or ETL_PROFILE=1) prints a table of the
steps (reading each source, validating, the admin joins, the derived tables, publishing) with
their wall and CPU seconds; ETL_PROFILE_JSON=FILE also writes them as JSON (the ETL benchmark,
bench/etl_run.py, reads it).

Steps nest: a step opened inside another is listed under it. "peak MiB" is the process's peak
resident memory at the end of the step (so far in the run, not the step's own). Off by default; when off, `step`
costs a function call and nothing is recorded.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Recorder:
    enabled: bool = False
    steps: list[dict] = field(default_factory=list)  # in the order they started
    stack: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    json_path: Path | None = None


_RECORDER = Recorder()


def enable(json_path: Path | None = None) -> None:
    """Record the steps from now on; `report` prints them (and writes `json_path` when given)."""
    global _RECORDER
    _RECORDER = Recorder(enabled=True, json_path=json_path)


@contextmanager
def step(name: str):
    """Time the block as step `name` (nested under the step it runs in)."""
    recorder = _RECORDER
    if not recorder.enabled:
        yield
        return
    entry = {"step": name, "depth": len(recorder.stack), "wall_s": 0.0, "cpu_s": 0.0}
    recorder.steps.append(entry)
    recorder.stack.append(name)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        entry["wall_s"] = time.perf_counter() - wall
        entry["cpu_s"] = time.process_time() - cpu
        entry["peak_mib"] = _peak_mib()
        recorder.stack.pop()


def _peak_mib() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def steps() -> list[dict]:
    return [dict(s) for s in _RECORDER.steps]


def table(entries: list[dict] | None = None) -> str:
    entries = steps() if entries is None else entries
    total = sum(e["wall_s"] for e in entries if e["depth"] == 0) or 1.0
    lines = [f"{'step':<44}{'wall s':>9}{'cpu s':>9}{'share':>8}{'peak MiB':>10}"]
    for e in entries:
        label = "  " * e["depth"] + e["step"]
        peak = f"{e['peak_mib']:>10.0f}" if "peak_mib" in e else ""
        lines.append(f"{label[:44]:<44}{e['wall_s']:>9.2f}{e['cpu_s']:>9.2f}{e['wall_s'] / total:>8.0%}{peak}")
    lines.append(f"{'total (top-level steps)':<44}{total:>9.2f}")
    return "\n".join(lines)


def report(stream=None) -> None:
    """Print the table (stderr) and write ETL_PROFILE_JSON when set; nothing when not enabled."""
    if not _RECORDER.enabled:
        return
    print("\nper-step timing (ETL_PROFILE / --profile):\n" + table(), file=stream or sys.stderr)
    if _RECORDER.json_path is not None:
        Path(_RECORDER.json_path).write_text(json.dumps({"steps": steps()}, indent=1))


class Tail:
    """A step from `start()` to the end of a `with` block: `with Tail(name) as tail, build():` …
    `tail.start()` times what `build()`'s exit does (the with exits it first, then the tail)."""

    def __init__(self, name: str):
        self.name = name
        self.entry: dict | None = None
        self.clocks: tuple[float, float] | None = None

    def __enter__(self) -> Tail:
        return self

    def start(self) -> None:
        recorder = _RECORDER
        if recorder.enabled:
            self.entry = {"step": self.name, "depth": len(recorder.stack), "wall_s": 0.0, "cpu_s": 0.0}
            recorder.steps.append(self.entry)
            self.clocks = (time.perf_counter(), time.process_time())

    def __exit__(self, *exc) -> None:
        if self.entry is not None and self.clocks is not None:
            self.entry["wall_s"] = time.perf_counter() - self.clocks[0]
            self.entry["cpu_s"] = time.process_time() - self.clocks[1]
            self.entry["peak_mib"] = _peak_mib()
