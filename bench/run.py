"""python -m bench.run (make bench): measure the dashboard and the naive baseline on synthetic data.

1. Builds (or reuses) a SYNTHETIC warehouse under bench/results/ with bench.synthetic
   (default 1,000,000 events, 200,000 moves, 10 years), rebuilt when the size, seed, the
   generator or the ETL code changed.
2. For the real app (python -m dashboard) and the naive baseline (python -m bench.baseline_app),
   one after the other, each served in a subprocess on 127.0.0.1 with IDLIB_WAREHOUSE pointing at
   that warehouse: the default view's payload (layout, dependencies, first-view callbacks; raw,
   as sent, gzip), callback latency p50/p95 of each scenario of bench/scenarios.py (warm-up
   actions first, then --reps measured ones, each timed until the last response of its
   cascade), bytes per step, whether a step's responses carry GeoJSON geometry, server memory
   (VmRSS / VmHWM from /proc) and the first-view time in headless Debian chromium.
   Then, on the real app only, the load run (bench.load): 10, 25 and 50 simulated users, each
   level --load-seconds long (60 s; 15 s with --quick).
3. Prints the figures, the ratios baseline/real and the issue's targets, with the machine's
   facts, and writes bench/results/latest.json and latest.md (and run-e<events>-m<moves>.*).

`--only first-view` measures, of each app in the same run, only the default view's payload and the
first view in chromium (median of --first-view-runs cold loads), and writes
first-view-e<events>.{json,md} (latest.* stay those of the last full run).

Exit status 0 when everything ran (targets missed or not), 1 when an app failed to start or a
callback answered with an error (in the load run too), 2 on bad options. No figure here is asserted by a test.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import firstview, load, machine, report, synthetic
from bench.client import DashClient, DashClientError, Step
from bench.scenarios import SCENARIOS, Scenario, values_for
from bench.serve import Served, ServeError
from etl.config import ROOT

RESULTS = ROOT / "bench" / "results"
PARAMS = "bench-params.json"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the synthetic warehouse ---------------------------------------------------------------------------

def etl_tree_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "etl").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def warehouse_params(events: int, moves: int, years: int, seed: int) -> dict:
    return {
        "events": events, "moves": moves, "years": years, "seed": seed,
        "generator_sha256": hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:16],
        "etl_sha256": etl_tree_hash(),
        "cod_ab": synthetic.COD_AB_DIR.is_dir(),
    }


def ensure_warehouse(out: Path, events: int, moves: int, years: int, seed: int, rebuild: bool) -> tuple[Path, dict]:
    """The synthetic warehouse for these parameters, reused when it was built by the same code."""
    params = warehouse_params(events, moves, years, seed)
    root = out / f"warehouse-e{events}-m{moves}-y{years}-s{seed}"
    sidecar = root / PARAMS
    if not rebuild and (root / "CURRENT").exists() and sidecar.exists():
        try:
            if json.loads(sidecar.read_text()) == params:
                log(f"reusing the synthetic warehouse {root}")
                return root, {**params, "generation_seconds": None}
        except ValueError:
            pass
    log(f"generating a synthetic warehouse in {root} ({events:,} events, {moves:,} moves)")
    started = time.perf_counter()
    synthetic.generate(root, events=events, moves=moves, years=years, seed=seed, keep=1)
    seconds = time.perf_counter() - started
    sidecar.write_text(json.dumps(params, indent=2) + "\n")
    return root, {**params, "generation_seconds": seconds}


# --- one app ---------------------------------------------------------------------------------------------

def run_scenario(url: str, scenario: Scenario, reps: int, warmup: int, setup: list, seed: int) -> dict:
    """Open the page, apply `setup`, then warm-up and measured actions on the scenario's control."""
    with DashClient(url) as client:
        client.load()
        for component, prop, value in setup:
            if client.has(component):
                client.set(component, prop, value)
        if not client.has(scenario.component):
            return {"available": False, "reason": f"no component {scenario.component!r} in the layout"}
        try:
            values = values_for(scenario, client.props(scenario.component), warmup + reps, seed)
        except ValueError as exc:
            return {"available": False, "reason": f"{scenario.component}: {exc}"}
        steps = [client.set(scenario.component, scenario.prop, v, label=scenario.name) for v in values]
    measured = steps[warmup:]
    if not any(s.requests for s in measured):
        return {"available": False, "reason": f"no callback has {scenario.component}.{scenario.prop} as input"}
    return {"available": True, "component": scenario.component, "prop": scenario.prop, "title": scenario.title,
            "values": [values[warmup], values[-1]], **report.step_summary(measured)}


def graph_ids(client: DashClient) -> list[str]:
    return sorted(k for k, c in client.components.items() if c.get("type") == "Graph" and not k.startswith("{"))


def serve_idle(app: Served) -> float:
    from bench.serve import wait_idle

    return wait_idle(app.proc.pid)


def measure_app(name: str, command: list[str], warehouse: Path, args, setup: list) -> dict:
    """Everything measured on one app, served for the duration."""
    out: dict = {"command": command}
    try:
        with Served(name, command, warehouse, args.out / "logs", timeout=args.start_timeout) as app:
            out["startup_seconds"] = app.started_seconds
            out["memory"] = {"started": app.memory()}
            log(f"{name}: serving on {app.url} (started in {app.started_seconds:.1f} s)")
            with DashClient(app.url) as client:  # the first page load of a fresh server (cold)
                cold = client.load()
            out["cold_first_view_seconds"] = cold.seconds
            with DashClient(app.url) as client:
                view: Step = client.load()
                graphs = graph_ids(client)
                initial_callbacks = any(not r.label.startswith("GET ") for r in view.requests)
            out["default_view"] = report.view_summary(view)
            log(f"{name}: default view {view.raw_bytes / 1000:,.0f} KB in {view.seconds * 1000:,.0f} ms")
            out["scenarios"] = {}
            for scenario in (SCENARIOS if args.only != "first-view" else ()):
                result = run_scenario(app.url, scenario, args.reps, args.warmup, setup, args.seed)
                out["scenarios"][scenario.name] = result
                shown = (f"p50 {result['p50_ms']:,.0f} ms, p95 {result['p95_ms']:,.0f} ms" if result.get("available")
                         else f"not measured: {result['reason']}")
                log(f"{name}: {scenario.title}: {shown}")
            out["memory"]["after"] = app.memory()
            if args.first_view_runs > 0:
                # the server settled first: its workers warm up when they start (in a full run the
                # scenarios have long let them)
                waited = serve_idle(app)
                log(f"{name}: server idle after {waited:.0f} s")
                fv = firstview.measure(app.url, graphs, runs=args.first_view_runs, need_callbacks=initial_callbacks)
                out["first_view"] = {"median_ms": fv.median_ms, "runs_ms": fv.runs_ms,
                                     "repeat_median_ms": fv.repeat_median_ms, "repeat_ms": fv.repeat_ms,
                                     "transferred_bytes": fv.transferred_bytes, "graphs": graphs,
                                     "console_errors": fv.console_errors[:20], "off_host_requests": fv.off_host_requests,
                                     "error": fv.error}
                log(f"{name}: first view in chromium: "
                    + (f"{fv.median_ms / 1000:.2f} s (visited again: {fv.repeat_median_ms / 1000:.2f} s)"
                       if fv.median_ms is not None else f"not measured ({fv.error})"))
                out["memory"]["after_browser"] = app.memory()
            if name == "real" and args.load_seconds > 0 and args.only != "first-view":
                log(f"{name}: load run, {', '.join(map(str, args.load_users))} users for {args.load_seconds:g} s each "
                    f"(think time {args.load_think:g} s)")
                out["load"] = load.run(app.url, args.load_users, args.load_seconds, args.load_think, args.seed,
                                       server_pid=app.proc.pid, log=lambda m: log(f"{name}: load: {m}"))
    except (ServeError, DashClientError, OSError) as exc:
        out["error"] = str(exc)
        log(f"{name}: {exc}")
    return out


def measure_exports(warehouse: Path, args) -> dict:
    """bench.exports in a process of its own on the synthetic warehouse (one warm renderer, timed)."""
    out = args.out / "exports.json"
    out.unlink(missing_ok=True)
    log("exports: chart PNG, map PDF, situation report (kaleido with Debian's chromium)")
    run = subprocess.run([sys.executable, "-m", "bench.exports", "--reps", str(args.export_reps), "--json", str(out)],
                         cwd=ROOT, env={**os.environ, "IDLIB_WAREHOUSE": str(warehouse)}, capture_output=True,
                         text=True, timeout=1800)
    if run.returncode != 0 or not out.exists():
        return {"error": (run.stderr or run.stdout).strip().splitlines()[-1:] or ["bench.exports failed"]}
    return json.loads(out.read_text(encoding="utf-8"))


# --- the whole run ----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="synthetic events (default 1,000,000)")
    p.add_argument("--moves", type=int, default=200_000, help="synthetic displacement flows (default 200,000)")
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reps", type=int, default=40, help="measured actions per scenario (default 40)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured actions first (default 5)")
    p.add_argument("--first-view-runs", type=int, default=5, help="cold page loads in chromium (0: skip; the median is judged)")
    p.add_argument("--level", type=int, choices=(1, 2, 3), help="set home-level before the scenarios")
    p.add_argument("--apps", default="real,baseline", help="comma-separated: real, baseline (default both)")
    p.add_argument("--real-command", default=f"{shlex.quote(sys.executable)} -m dashboard",
                   help="command serving the real app (gets PORT, HOST, IDLIB_WAREHOUSE)")
    p.add_argument("--baseline-command", default=f"{shlex.quote(sys.executable)} -m bench.baseline_app")
    p.add_argument("--start-timeout", type=float, default=300.0, help="seconds for an app to answer GET /")
    p.add_argument("--rebuild", action="store_true", help="regenerate the synthetic warehouse")
    p.add_argument("--quick", action="store_true",
                   help="a quick run: 20,000 events, 5,000 moves, 10 actions after 2 warm-up, 1 chromium load")
    p.add_argument("--out", type=Path, default=RESULTS, help="results folder (default bench/results)")
    p.add_argument("--export-reps", type=int, default=5, help="runs of each export timing (0: skip the exports)")
    p.add_argument("--load-users", type=load.parse_levels, default=[10, 25, 50],
                   help="simulated users of each load level (default 10,25,50)")
    p.add_argument("--load-seconds", type=float, default=None,
                   help="seconds of each load level on the real app (default 60; --quick 15; 0: no load run)")
    p.add_argument("--load-think", type=float, default=1.0,
                   help="a simulated user's mean think time between actions, seconds (default 1; 0: none)")
    p.add_argument("--only", choices=("first-view",),
                   help="first-view: only the default view's payload and the first view in chromium, of each app "
                        "(no scenarios, load run or exports); written to first-view-e<events>.{json,md}, "
                        "leaving latest.* to full runs")
    args = p.parse_args(argv)
    if args.quick:
        defaults = {"events": 1_000_000, "moves": 200_000, "reps": 40, "warmup": 5, "first_view_runs": 5,
                    "load_seconds": None}
        quick = {"events": 20_000, "moves": 5_000, "reps": 10, "warmup": 2, "first_view_runs": 1, "load_seconds": 15.0}
        for key, value in quick.items():
            if getattr(args, key) == defaults[key]:
                setattr(args, key, value)
    if args.load_seconds is None:  # not given (an explicit 60 is kept even with --quick)
        args.load_seconds = 60.0
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    if not apps or any(a not in ("real", "baseline") for a in apps):
        p.error(f"--apps: expected real and/or baseline, got {args.apps!r}")
    if args.reps < 1 or args.warmup < 0 or args.events < 0 or args.moves < 0 or args.load_seconds < 0 \
            or args.load_think < 0:
        p.error("--reps must be >= 1; --warmup, --events, --moves, --load-seconds and --load-think >= 0")
    args.app_list = apps
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    facts = machine.facts(firstview.chromium_version())
    log(machine.describe(facts))
    warehouse, params = ensure_warehouse(args.out, args.events, args.moves, args.years, args.seed, args.rebuild)
    setup = [("home-level", "value", args.level)] if args.level else []
    result = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "data": {**params, "warehouse": str(warehouse),
                 "admin_areas": "OCHA COD-AB (real)" if params["cod_ab"] else "synthetic Voronoi sub-districts"},
        "settings": {"only": args.only, "reps": args.reps, "warmup": args.warmup, "first_view_runs": args.first_view_runs,
                     "setup": setup, "scenarios": [vars(s) for s in SCENARIOS],
                     "load": {"users": args.load_users, "seconds": args.load_seconds, "think": args.load_think}},
        "apps": {},
    }
    commands = {"real": shlex.split(args.real_command), "baseline": shlex.split(args.baseline_command)}
    for name in args.app_list:
        result["apps"][name] = measure_app(name, commands[name], warehouse, args, setup)
    if args.export_reps > 0 and args.only != "first-view":
        result["exports"] = measure_exports(warehouse, args)
    result["ratios"] = report.ratios(result)
    result["targets"] = report.targets(result)
    stems = [f"first-view-e{args.events}"] if args.only == "first-view" else None
    json_path, md_path = report.write(result, args.out, stems)
    print(report.text(result))
    print(f"\nWritten: {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}, "
          f"{md_path.relative_to(ROOT) if md_path.is_relative_to(ROOT) else md_path}")
    failed = any(a.get("error") for a in result["apps"].values()) or any(
        lv["errors"] for a in result["apps"].values() for lv in (a.get("load") or {}).get("levels", [])) or any(
        s.get("errors") for a in result["apps"].values() for s in (a.get("scenarios") or {}).values()
    ) or any((a.get("default_view") or {}).get("errors") for a in result["apps"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
