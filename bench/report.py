"""Summaries of the benchmark's measurements: percentiles, ratios, the issue's targets, and the
printed table / Markdown table / JSON written by python -m bench.run. Pure functions."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench.client import Step

P95_MS = 100.0
SPEEDUP = 10.0
PAYLOAD_BYTES = 400_000  # 400 KB, SI
FIRST_VIEW_MS = 2000.0  # issue 15: the cold first view at 1M events, median of the runs
TARGET_EVENTS = 1_000_000


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def step_summary(steps: list[Step]) -> dict:
    """Latency percentiles and bytes of measured steps (one user action each)."""
    ms = [s.seconds * 1000 for s in steps]
    responses = [r for s in steps for r in s.requests]
    callbacks: dict[str, dict] = {}
    for r in responses:
        entry = callbacks.setdefault(r.label, {"n": 0, "ms": [], "raw": [], "wire": []})
        entry["n"] += 1
        entry["ms"].append(r.seconds * 1000)
        entry["raw"].append(r.raw_bytes)
        entry["wire"].append(r.wire_bytes)
    mean = lambda xs: float(np.mean(xs)) if xs else None  # noqa: E731
    return {
        "steps": len(steps),
        "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": mean(ms),
        "max_ms": max(ms) if ms else None, "latencies_ms": [round(x, 2) for x in ms],
        "responses_per_step": len(responses) / len(steps) if steps else None,
        "step_raw_bytes_mean": mean([s.raw_bytes for s in steps]),
        "step_wire_bytes_mean": mean([s.wire_bytes for s in steps]),
        "step_gzip_bytes_mean": mean([s.gzip_bytes for s in steps]),
        "response_raw_bytes_mean": mean([r.raw_bytes for r in responses]),
        "response_wire_bytes_mean": mean([r.wire_bytes for r in responses]),
        "response_raw_bytes_max": max((r.raw_bytes for r in responses), default=None),
        "steps_with_geometry": sum(1 for s in steps if s.has_geometry),
        "callbacks": {
            label: {"n": e["n"], "p50_ms": percentile(e["ms"], 50), "p95_ms": percentile(e["ms"], 95),
                    "raw_bytes_mean": mean(e["raw"]), "wire_bytes_mean": mean(e["wire"])}
            for label, e in callbacks.items()
        },
        "errors": sorted({e for s in steps for e in s.errors})[:10],
        "skipped": sorted({k for s in steps for k in s.skipped}),
    }


def view_summary(step: Step) -> dict:
    """The default view's payload: layout, dependencies and the first-view callbacks (not the
    index page and scripts, which a browser caches)."""
    data = [r for r in step.requests if r.label != "GET /"]
    return {
        "seconds": step.seconds,
        "raw_bytes": sum(r.raw_bytes for r in data),
        "wire_bytes": sum(r.wire_bytes for r in data),
        "gzip_bytes": sum(r.gzip_bytes for r in data),
        "layout_raw_bytes": sum(r.raw_bytes for r in data if r.label == "GET _dash-layout"),
        "callbacks": len([r for r in data if not r.label.startswith("GET ")]),
        "has_geometry": any(r.has_geometry for r in data),
        "requests": [{"label": r.label, "status": r.status, "ms": round(r.seconds * 1000, 1), "raw_bytes": r.raw_bytes,
                      "wire_bytes": r.wire_bytes, "gzip_bytes": r.gzip_bytes, "geometry": r.has_geometry}
                     for r in data],
        "errors": step.errors,
        "skipped": step.skipped,
    }


def _get(result: dict, app: str, *path):
    value = result.get("apps", {}).get(app)
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def ratio(a, b) -> float | None:
    return a / b if a is not None and b not in (None, 0) else None


def ratios(result: dict) -> dict:
    """baseline / real for every figure both apps have (higher = the real app does better)."""
    out = {}
    for name in ("filter", "step", "range"):
        for q in ("p50_ms", "p95_ms"):
            out[f"{name}_{q}"] = ratio(_get(result, "baseline", "scenarios", name, q), _get(result, "real", "scenarios", name, q))
        out[f"{name}_step_wire_bytes"] = ratio(_get(result, "baseline", "scenarios", name, "step_wire_bytes_mean"),
                                               _get(result, "real", "scenarios", name, "step_wire_bytes_mean"))
    out["default_view_wire_bytes"] = ratio(_get(result, "baseline", "default_view", "wire_bytes"),
                                           _get(result, "real", "default_view", "wire_bytes"))
    out["first_view_ms"] = ratio(_get(result, "baseline", "first_view", "median_ms"), _get(result, "real", "first_view", "median_ms"))
    out["memory_peak_mib"] = ratio(_get(result, "baseline", "memory", "after", "peak_mib"),
                                   _get(result, "real", "memory", "after", "peak_mib"))
    return out


def targets(result: dict) -> list[dict]:
    """The issue's targets, judged on the real app (ok None when not measured)."""
    from bench import load

    return _targets(result) + load.targets(_get(result, "real", "load") or {})


def _targets(result: dict) -> list[dict]:
    events = result["data"]["events"]
    scale = "" if events >= TARGET_EVENTS else f" (measured at {events:,} events; the target is for 1,000,000)"
    out = []
    for name in ("filter", "step"):
        p95 = _get(result, "real", "scenarios", name, "p95_ms")
        out.append({"name": f"{name} p95", "target": f"<= {P95_MS:.0f} ms", "value": p95,
                    "ok": None if p95 is None else p95 <= P95_MS, "note": scale.strip()})
        speed = result["ratios"].get(f"{name}_p95_ms")
        out.append({"name": f"{name} p95 vs baseline", "target": f">= {SPEEDUP:.0f}x faster", "value": speed,
                    "ok": None if speed is None else speed >= SPEEDUP, "note": ""})
    wire = _get(result, "real", "default_view", "wire_bytes")
    out.append({"name": "default view payload (as sent)", "target": f"<= {PAYLOAD_BYTES // 1000} KB", "value": wire,
                "ok": None if wire is None else wire <= PAYLOAD_BYTES, "note": ""})
    steps = _get(result, "real", "scenarios", "step", "steps")
    geo = _get(result, "real", "scenarios", "step", "steps_with_geometry")
    out.append({"name": "slider step sends geometry", "target": "never", "value": geo,
                "ok": None if not steps else geo == 0, "note": f"{geo} of {steps} steps" if steps else ""})
    fv = _get(result, "real", "first_view", "median_ms")
    out.append({"name": "first view in chromium", "target": f"<= {FIRST_VIEW_MS / 1000:.1f} s", "value": fv,
                "ok": None if fv is None else fv <= FIRST_VIEW_MS, "note": ""})
    return out


# --- formatting -------------------------------------------------------------------------------------

def kb(n) -> str:
    return "n/a" if n is None else f"{n / 1000:,.1f} KB"


def ms_pair(s: dict | None) -> str:
    if not s or not s.get("available", True) or s.get("p50_ms") is None:
        return "n/a" + (f" ({s['reason']})" if s and s.get("reason") else "")
    return f"{s['p50_ms']:,.0f} / {s['p95_ms']:,.0f}"


def x(r) -> str:
    return "" if r is None else f"{r:,.1f}x"


def verdict(ok) -> str:
    return {True: "ok", False: "MISSED", None: "n/a"}[ok]


def rows(result: dict) -> list[tuple[str, str, str, str]]:
    """(measure, real app, baseline, baseline/real) rows of the summary table."""
    apps = result["apps"]
    real, base = apps.get("real", {}), apps.get("baseline", {})
    r = result["ratios"]
    out = []
    for name, label in (("filter", "filter change"), ("step", "slider step"), ("range", "date range change")):
        rs, bs = real.get("scenarios", {}).get(name), base.get("scenarios", {}).get(name)
        out.append((f"{label}: p50 / p95 (ms)", ms_pair(rs), ms_pair(bs), x(r.get(f"{name}_p95_ms"))))
        if rs and rs.get("available", True) or bs and bs.get("available", True):
            def per_step(s):
                if not s or not s.get("available", True) or s.get("steps_with_geometry") is None:
                    return "n/a"
                geo = ", geometry" if s["steps_with_geometry"] else ""
                return f"{kb(s['step_raw_bytes_mean'])} / {kb(s['step_wire_bytes_mean'])}{geo}"
            out.append((f"{label}: bytes per step raw / sent", per_step(rs), per_step(bs),
                        x(r.get(f"{name}_step_wire_bytes"))))
    def view(a):
        v = a.get("default_view")
        return "n/a" if not v else f"{kb(v['raw_bytes'])} / {kb(v['wire_bytes'])} (gzip {kb(v['gzip_bytes'])})"
    out.append(("default view payload raw / sent", view(real), view(base), x(r.get("default_view_wire_bytes"))))
    def fv(a):
        f = a.get("first_view")
        if not f:
            return "n/a"
        if f.get("median_ms") is None:
            return f"n/a ({f.get('error') or 'not measured'})"
        return f"{f['median_ms'] / 1000:.2f} s (of {len(f['runs_ms'])})"
    out.append(("first view in chromium (median)", fv(real), fv(base), x(r.get("first_view_ms"))))

    def again(a):
        f = a.get("first_view") or {}
        return "n/a" if f.get("repeat_median_ms") is None else f"{f['repeat_median_ms'] / 1000:.2f} s"
    out.append(("same page visited again (browser cache warm)", again(real), again(base), ""))
    def mem(a):
        m = a.get("memory", {}).get("after")
        return "n/a" if not m else f"{m['rss_mib']:,.0f} / {m['peak_mib']:,.0f}"
    out.append(("server memory RSS / peak (MiB)", mem(real), mem(base), x(r.get("memory_peak_mib"))))
    def start(a):
        return "n/a" if a.get("startup_seconds") is None else f"{a['startup_seconds']:.1f} s"
    out.append(("server start to first answer", start(real), start(base), ""))
    return out


def table(headers: list[str], body: list[tuple], markdown: bool = False) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *body)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*headers), fmt.format(*("-" * w for w in widths))] + [fmt.format(*map(str, row)) for row in body])


def target_rows(result: dict) -> list[tuple]:
    out = []
    for t in result["targets"]:
        value = t["value"]
        if value is None:
            shown = "n/a"
        elif "payload" in t["name"]:
            shown = kb(value)
        elif "vs baseline" in t["name"]:
            shown = x(value)
        elif "geometry" in t["name"]:
            shown = t["note"]
        elif "first view" in t["name"]:
            shown = f"{value / 1000:.2f} s"
        elif "errors" in t["name"]:
            shown = f"{value:,}"
        else:
            shown = f"{value:,.0f} ms"
        note = t.get("note", "") if "geometry" not in t["name"] else ""
        out.append((t["name"], t["target"], shown, verdict(t["ok"]) + (f" {note}" if note else "")))
    return out


def heading(result: dict) -> list[tuple[str, str]]:
    d = result["data"]
    m = result["machine"]
    built = f"built in {d['generation_seconds']:.0f} s" if d.get("generation_seconds") else "reused"
    return [
        ("Machine", f"{m['cpu']}, {m['cpus']} CPUs ({m['cpus_usable']} usable), {m['ram_gib']} GiB RAM, {m['os']}"),
        ("Software", f"Python {m['python']}, {m['chromium']}, dash {m['packages'].get('dash', '?')}, "
                     f"plotly {m['packages'].get('plotly', '?')}, pandas {m['packages'].get('pandas', '?')}"),
        ("Data", f"SYNTHETIC warehouse, {d['events']:,} events, {d['moves']:,} moves, {d['years']} years, "
                 f"seed {d['seed']}, admin areas {d['admin_areas']} ({built})"),
        ("Runs", f"{result['settings']['reps']} measured actions per scenario after {result['settings']['warmup']} "
                 f"warm-up; first view: median of {result['settings']['first_view_runs']} cold load(s)"),
    ]


def export_rows(result: dict) -> list[tuple]:
    e = result.get("exports")
    if not e or e.get("error"):
        return []
    return [
        ("export renderer start (once per process)", f"{e['start_ms'] / 1000:.2f} s", "", ""),
        ("export: chart PNG, warm (median)", f"{e['chart_png_ms']:,.0f} ms", f"{e['baseline_chart_png_ms']:,.0f} ms",
         x(e["ratio_chart_png"])),
        ("export: map PDF, warm (median)", f"{e['map_pdf_ms']:,.0f} ms", "", ""),
        ("export: situation report, 6 charts", f"{e['report_ms'] / 1000:.2f} s", "", ""),
    ]


def export_targets(result: dict) -> list[tuple]:
    e = result.get("exports") or {}
    out = []
    for t in e.get("targets", []):
        shown = f"{t['value'] / 1000:.2f} s" if t["value"] >= 1000 else f"{t['value']:,.0f} ms"
        out.append((t["name"], t["target"], shown, verdict(t["ok"])))
    return out


def load_parts(result: dict, markdown: bool = False) -> list[str]:
    from bench import load

    run = _get(result, "real", "load")
    if not run or not run.get("levels"):
        return []
    think = (f"a think time of {run['think_seconds']:g} s on average between actions" if run["think_seconds"]
             else "no think time")
    title = (f"Load: simulated users on the real app, {run['seconds']:g} s per level, {think}; "
             f"memory before {run['memory_before']['rss_mib']:,.0f} MiB" if run.get("memory_before") else "")
    return ["", title, "", table(load.HEADERS, load.rows(run), markdown=markdown)]


def text(result: dict) -> str:
    parts = [f"{key + ':':<10}{value}" for key, value in heading(result)] + ["", table(["measure", "real app", "baseline", "baseline/real"], rows(result) + export_rows(result))]
    parts += load_parts(result) + ["", table(["target (real app)", "wanted", "measured", "verdict"],
                                             target_rows(result) + export_targets(result))]
    problems = problems_of(result)
    if problems:
        parts += ["", "PROBLEMS:"] + [f"  - {p}" for p in problems]
    return "\n".join(parts)


def markdown(result: dict) -> str:
    parts = ["# Benchmark results", ""] + [f"- {key}: {value}" for key, value in heading(result)]
    parts += ["", table(["measure", "real app", "baseline", "baseline/real"], rows(result) + export_rows(result),
                        markdown=True)]
    parts += load_parts(result, markdown=True) + ["",
              table(["target (real app)", "wanted", "measured", "verdict"], target_rows(result) + export_targets(result),
                    markdown=True)]
    problems = problems_of(result)
    if problems:
        parts += ["", "Problems:", ""] + [f"- {p}" for p in problems]
    return "\n".join(parts) + "\n"


def problems_of(result: dict) -> list[str]:
    """Errors, skipped callbacks and scenarios that could not run, per app."""
    out = []
    if (result.get("exports") or {}).get("error"):
        out.append(f"exports: {result['exports']['error']}")
    for app, a in result["apps"].items():
        if a.get("error"):
            out.append(f"{app}: {a['error']}")
        view = a.get("default_view") or {}
        out += [f"{app} first view: {e[:200]}" for e in view.get("errors", [])]
        out += [f"{app} first view skipped {s[:200]}" for s in view.get("skipped", [])]
        for name, s in (a.get("scenarios") or {}).items():
            if not s.get("available", True):
                out.append(f"{app} {name}: not measured ({s.get('reason')})")
            out += [f"{app} {name}: {e[:200]}" for e in s.get("errors", [])]
        for lv in (a.get("load") or {}).get("levels", []):
            out += [f"{app} load, {lv['users']} users: {lv['errors']} error(s), e.g. {e[:200]}"
                    for e in lv.get("error_examples", [])[:1]]
        fv = a.get("first_view") or {}
        if fv.get("error"):
            out.append(f"{app} first view in chromium: {fv['error']}")
        if fv.get("console_errors"):
            out.append(f"{app} first view: {len(fv['console_errors'])} console error(s), first: {fv['console_errors'][0][:200]}")
        if fv.get("off_host_requests"):
            out.append(f"{app} first view requested other hosts: {', '.join(fv['off_host_requests'][:5])}")
    return out


def write(result: dict, out_dir: Path, stems: list[str] | None = None) -> tuple[Path, Path]:
    """latest.json and latest.md, and the same under a name for the size (run-e<events>-m<moves>),
    so that a quick run does not hide the last full-size one; under `stems` instead when given (the
    last one's paths are returned)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text_json, text_md = json.dumps(result, indent=2, default=str) + "\n", markdown(result)
    sized = f"run-e{result['data']['events']}-m{result['data']['moves']}"
    stems = stems or [sized, "latest"]
    for stem in stems:
        (out_dir / f"{stem}.json").write_text(text_json, encoding="utf-8")
        (out_dir / f"{stem}.md").write_text(text_md, encoding="utf-8")
    return out_dir / f"{stems[-1]}.json", out_dir / f"{stems[-1]}.md"
