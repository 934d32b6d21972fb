"""Export timings: one chart PNG with the warm renderer, one map PDF, the 6-chart situation report,
and the same chart PNG the way plotly does it without a server (a browser started per export:
the baseline, run in the same process).

    IDLIB_WAREHOUSE=bench/results/warehouse-... python -m bench.exports --reps 5

Prints a table and, with --json FILE, writes the figures. Targets (issue 5): a warm chart <= 1 s,
the report <= 15 s.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

CHART_MS, REPORT_MS = 1000, 15000
VIEW = "level=3&ind=events"  # the map at sub-district level with conflict events (density cells at scale)


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


def measure(reps: int = 5, query: str = VIEW) -> dict:
    import kaleido

    from dashboard.data.warehouse import warehouse
    from dashboard.export import files, procs, render, report
    from dashboard.request import Request

    ctx = files.context_of(Request.from_query(warehouse(), query))
    renderer = render.renderer()
    renderer.close()  # a cold start is timed, even where the process had its renderer open already
    out: dict = {"query": query, "reps": reps}
    out["start_ms"], _ = _time(lambda: renderer.render({"data": [], "layout": {}}, "png", 100, 100))
    chart_ms, map_ms, sizes = [], [], {}
    for _ in range(reps):
        ms, png = _time(lambda: files.chart_image("displacement", ctx, "png", 1000))
        chart_ms.append(ms)
        ms, pdf = _time(lambda: files.chart_image("map", ctx, "pdf", 1000))
        map_ms.append(ms)
        sizes = {"chart_png_bytes": len(png), "map_pdf_bytes": len(pdf)}
    report_ms, pdf = _time(lambda: report.report(ctx))
    out.update(sizes, chart_png_ms=statistics.median(chart_ms), map_pdf_ms=statistics.median(map_ms),
               report_ms=report_ms, report_bytes=len(pdf))
    renderer.close()
    # the baseline: kaleido without a server starts a browser for every image (plotly's write_image)
    fig, height = files.printed_figure("displacement", ctx, 1000)
    base = []
    for _ in range(max(1, min(reps, 3))):
        ms, _ = _time(lambda: kaleido.calc_fig_sync(fig, opts={"format": "png", "width": 1000, "height": height,
                                                               "scale": 2}, topojson=render.TOPOJSON_URL,
                                                    kopts={"mathjax": False}))
        base.append(ms)
    procs.reap_orphaned_browsers()  # what kaleido's one-off browsers left to this process
    out["baseline_chart_png_ms"] = statistics.median(base)
    out["ratio_chart_png"] = out["baseline_chart_png_ms"] / out["chart_png_ms"]
    out["targets"] = [
        {"name": "warm chart PNG", "target": f"<= {CHART_MS / 1000:.0f} s", "value": out["chart_png_ms"],
         "ok": out["chart_png_ms"] <= CHART_MS},
        {"name": "6-chart report", "target": f"<= {REPORT_MS / 1000:.0f} s", "value": out["report_ms"],
         "ok": out["report_ms"] <= REPORT_MS},
    ]
    return out


def text(r: dict) -> str:
    rows = [
        ("renderer start (once per process)", f"{r['start_ms'] / 1000:.2f} s", ""),
        ("chart PNG, warm (median)", f"{r['chart_png_ms']:,.0f} ms", f"{r['chart_png_bytes'] / 1000:,.0f} KB"),
        ("map PDF, warm (median)", f"{r['map_pdf_ms']:,.0f} ms", f"{r['map_pdf_bytes'] / 1000:,.0f} KB"),
        ("situation report, 6 charts", f"{r['report_ms'] / 1000:.2f} s", f"{r['report_bytes'] / 1000:,.0f} KB"),
        ("baseline: chart PNG, browser per export", f"{r['baseline_chart_png_ms']:,.0f} ms",
         f"{r['ratio_chart_png']:.1f}x slower than warm"),
    ]
    width = max(len(a) for a, _, _ in rows)
    lines = [f"Exports ({r['query']}, {r['reps']} runs each):"]
    lines += [f"  {a:<{width}}  {b:>10}  {c}" for a, b, c in rows]
    lines += [f"  target {t['name']} {t['target']}: {'met' if t['ok'] else 'MISSED'}" for t in r["targets"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--query", default=VIEW, help="the dashboard view (URL query) to export")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    args = p.parse_args(argv)
    result = measure(args.reps, args.query)
    print(text(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
