"""The load run: many simulated users on one served app at once, at several levels.

    python -m bench.load --url http://127.0.0.1:8050/ --users 10,25,50 --seconds 60
    python -m bench.run ... --load-users 10,25,50 --load-seconds 60    (make bench does this)

Each simulated user is a bench.client.DashClient (Dash's own callback requests, cascades and
concurrent sends, as the browser's renderer does): it opens the page (the first-view callbacks),
then takes the actions of bench/scenarios.py in turn (a filter change, a slider step, a date range
change) with values of its own (seeded per user), waiting a think time between actions (uniform
between 0.5x and 1.5x --think seconds; 0 sends the next action at once) until the level's time is
up. Users start spread over the first --ramp seconds. An action is timed from its first request
to its last response, as in bench.run.

All users run as threads of this one process (a thread per connection, up to six per user, as a
browser): the client takes at most one core (the interpreter lock), and its own CPU time is
measured (getrusage) and reported as a share of the machine, beside the server's (from /proc).

Reported per level: users, actions, HTTP requests, errors (HTTP >= 400, connection failures,
bad answers), action latency p50/p95/max, first-view p50/p95, actions per second, the server's
memory (RSS of the process tree from /proc) after the level, and the CPU shares. Nothing here is
asserted by a test: tests/bench/test_load.py checks the counting on a tiny run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.client import DashClient
from bench.scenarios import SCENARIOS, Scenario, values_for
from bench.serve import descendants, memory_mib

TICKS = os.sysconf("SC_CLK_TCK")
P95_TARGET_MS, TARGET_USERS = 1000.0, 25


@dataclass
class Tally:
    """What one level's users did (shared by their threads, under a lock)."""

    actions_ms: list[float] = field(default_factory=list)
    by_scenario: dict[str, list[float]] = field(default_factory=dict)
    first_view_ms: list[float] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, step) -> None:
        with self.lock:
            self.requests += len(step.requests)
            self.errors += step.errors
            ms = step.seconds * 1000
            if kind == "first view":
                self.first_view_ms.append(ms)
            else:
                self.actions_ms.append(ms)
                self.by_scenario.setdefault(kind, []).append(ms)

    def error(self, message: str, requests: int = 1) -> None:
        with self.lock:
            self.requests += requests
            self.errors.append(message)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its live descendants, from /proc/<pid>/stat."""
    total = 0
    for p in descendants(pid) if pid else []:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine (every process, every core), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle, iowait
    return (sum(fields[:8]) - idle) / TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def user(index: int, url: str, until: float, start_at: float, think: float, seed: int, tally: Tally,
         scenarios: tuple[Scenario, ...]) -> None:
    """One simulated user until `until` (time.monotonic()); every failure is counted, none raised."""
    rng = random.Random(seed * 1000 + index)
    time.sleep(max(0.0, start_at - time.monotonic()))
    with DashClient(url, timeout=120) as client:
        loaded = False
        values: dict[str, list] = {}
        turn = 0
        while time.monotonic() < until:
            try:
                if not loaded:
                    tally.record("first view", client.load())
                    loaded = True
                    values = {}
                    for s in scenarios:
                        if client.has(s.component):
                            try:
                                values[s.name] = values_for(s, client.props(s.component), 1000, seed * 1000 + index)
                            except ValueError:
                                continue
                    if not values:
                        tally.error("no scenario's control is in the layout", 0)
                        return
                else:
                    runnable = [s for s in scenarios if s.name in values]
                    s = runnable[turn % len(runnable)]
                    value = values[s.name][(turn // len(runnable)) % len(values[s.name])]
                    turn += 1
                    tally.record(s.name, client.set(s.component, s.prop, value, label=s.name))
            except Exception as exc:  # noqa: BLE001  (a refused connection, a timeout, a bad answer: counted)
                tally.error(f"{type(exc).__name__}: {str(exc)[:200]}")
                loaded = False  # start again from the page, as a user would reload it
            if think > 0:
                time.sleep(think * rng.uniform(0.5, 1.5))


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def run_level(url: str, users: int, seconds: float, think: float = 1.0, seed: int = 0, ramp: float = 2.0,
              server_pid: int | None = None, scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict:
    """`users` simulated users for `seconds`; the level's figures."""
    tally = Tally()
    started = time.monotonic()
    until = started + ramp + seconds
    cpu_client, cpu_server, cpu_machine = own_cpu_seconds(), cpu_seconds(server_pid or 0), machine_cpu_seconds()
    threads = [threading.Thread(target=user, args=(i, url, until, started + ramp * i / max(1, users), think, seed,
                                                    tally, scenarios), name=f"user-{i}", daemon=True)
               for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    cores = os.cpu_count() or 1
    client_cpu = own_cpu_seconds() - cpu_client
    server_cpu = cpu_seconds(server_pid or 0) - cpu_server if server_pid else None
    machine_cpu = machine_cpu_seconds() - cpu_machine
    return {
        "users": users, "seconds": seconds, "think_seconds": think, "wall_seconds": wall,
        "actions": len(tally.actions_ms), "first_views": len(tally.first_view_ms), "requests": tally.requests,
        "errors": len(tally.errors), "error_examples": sorted(set(tally.errors))[:5],
        "p50_ms": percentile(tally.actions_ms, 50), "p95_ms": percentile(tally.actions_ms, 95),
        "max_ms": max(tally.actions_ms) if tally.actions_ms else None,
        "first_view_p50_ms": percentile(tally.first_view_ms, 50),
        "first_view_p95_ms": percentile(tally.first_view_ms, 95),
        "scenarios": {name: {"n": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}
                      for name, ms in sorted(tally.by_scenario.items())},
        "actions_per_second": len(tally.actions_ms) / wall if wall else None,
        "client_cpu_share": client_cpu / (wall * cores) if wall else None,
        "server_cpu_share": server_cpu / (wall * cores) if wall and server_cpu is not None else None,
        # everything else running on the machine meanwhile (other work competes for the same cores)
        "other_cpu_share": (machine_cpu - client_cpu - (server_cpu or 0)) / (wall * cores) if wall else None,
        "server_memory": memory_mib(server_pid) if server_pid else None,
    }


def run(url: str, levels: list[int], seconds: float, think: float = 1.0, seed: int = 0, ramp: float = 2.0,
        server_pid: int | None = None, log=None, scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict:
    """Every level in turn on the same server."""
    out = {"url": url, "seconds": seconds, "think_seconds": think, "ramp_seconds": ramp, "cores": os.cpu_count(),
           "memory_before": memory_mib(server_pid) if server_pid else None, "levels": []}
    for users in levels:
        level = run_level(url, users, seconds, think, seed, ramp, server_pid, scenarios)
        out["levels"].append(level)
        if log:
            log(line(level))
    return out


def line(level: dict) -> str:
    def ms(v):
        return "n/a" if v is None else f"{v:,.0f}"
    mem = level.get("server_memory") or {}
    cpu = "" if level.get("server_cpu_share") is None else f", server CPU {level['server_cpu_share']:.0%}"
    cpu += "" if level.get("other_cpu_share") is None else f", other processes {max(0, level['other_cpu_share']):.0%}"
    return (f"{level['users']} users: {level['actions']:,} actions, {level['requests']:,} requests, "
            f"{level['errors']} errors, p50 {ms(level['p50_ms'])} ms, p95 {ms(level['p95_ms'])} ms, "
            f"client CPU {level['client_cpu_share']:.0%}{cpu} of the machine"
            + (f", server memory {mem['rss_mib']:,.0f} MiB" if mem else ""))


def rows(load: dict) -> list[tuple]:
    """One row per level, as HEADERS (CPU as shares of the whole machine)."""
    out = []
    for lv in load.get("levels", []):
        mem = lv.get("server_memory") or {}
        out.append((
            lv["users"], f"{lv['actions']:,}", f"{lv['requests']:,}", lv["errors"],
            "n/a" if lv["p50_ms"] is None else f"{lv['p50_ms']:,.0f} ms",
            "n/a" if lv["p95_ms"] is None else f"{lv['p95_ms']:,.0f} ms",
            "n/a" if lv["first_view_p95_ms"] is None else f"{lv['first_view_p95_ms']:,.0f} ms",
            f"{lv['client_cpu_share']:.0%}" if lv.get("client_cpu_share") is not None else "n/a",
            f"{lv['server_cpu_share']:.0%}" if lv.get("server_cpu_share") is not None else "n/a",
            f"{max(0.0, lv['other_cpu_share']):.0%}" if lv.get("other_cpu_share") is not None else "n/a",
            f"{mem['rss_mib']:,.0f} MiB" if mem else "n/a",
        ))
    return out


HEADERS = ["users", "actions", "requests", "errors", "p50", "p95", "first view p95", "client CPU", "server CPU",
           "other CPU", "server memory"]


def targets(load: dict) -> list[dict]:
    """0 errors at every level; p95 <= 1 s at 25 users."""
    out = []
    levels = load.get("levels", [])
    if levels:
        errors = sum(lv["errors"] for lv in levels)
        out.append({"name": "load: errors at every level", "target": "0", "value": errors, "ok": errors == 0})
    for lv in levels:
        if lv["users"] == TARGET_USERS:
            out.append({"name": f"load: p95 at {TARGET_USERS} users", "target": f"<= {P95_TARGET_MS / 1000:.0f} s",
                        "value": lv["p95_ms"], "ok": lv["p95_ms"] is not None and lv["p95_ms"] <= P95_TARGET_MS})
    return out


def parse_levels(text: str) -> list[int]:
    levels = [int(v) for v in text.split(",") if v.strip()]
    if not levels or any(v < 1 for v in levels):
        raise argparse.ArgumentTypeError(f"expected comma-separated user counts, got {text!r}")
    return levels


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="the served app, e.g. http://127.0.0.1:8050/")
    p.add_argument("--users", type=parse_levels, default=[10, 25, 50], help="levels (default 10,25,50)")
    p.add_argument("--seconds", type=float, default=60.0, help="seconds per level (default 60)")
    p.add_argument("--think", type=float, default=1.0, help="mean think time between actions (default 1 s)")
    p.add_argument("--ramp", type=float, default=2.0, help="users start spread over this many seconds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pid", type=int, help="the server's pid, for its memory and CPU")
    p.add_argument("--json", type=Path, help="write the figures here")
    args = p.parse_args(argv)
    result = run(args.url, args.users, args.seconds, args.think, args.seed, args.ramp, args.pid,
                 log=lambda m: print(m, file=sys.stderr, flush=True))
    from bench.report import table

    print(table(HEADERS, rows(result)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if any(lv["errors"] for lv in result["levels"]) else 0


if __name__ == "__main__":
    sys.exit(main())
