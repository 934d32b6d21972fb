"""bench.exports times the exports against a browser started per export, and prints the figures."""
from __future__ import annotations

import os

from bench import exports
from dashboard.export import procs


def test_export_timings_are_measured_and_printed(use_warehouse):
    result = exports.measure(reps=1, query="from=2020-02&to=2020-02&ind=idp_arrivals")
    for key in ("start_ms", "chart_png_ms", "map_pdf_ms", "report_ms", "baseline_chart_png_ms"):
        assert result[key] > 0, key
    assert result["chart_png_bytes"] > 10_000 and result["report_bytes"] > 10_000
    # the warm renderer is faster than starting a browser for the same image
    assert result["ratio_chart_png"] == result["baseline_chart_png_ms"] / result["chart_png_ms"] > 1
    assert [t["name"] for t in result["targets"]] == ["warm chart PNG", "6-chart report"]
    # nothing of either browser is left below this process (a zombie here failed later tests)
    assert not procs.own_chromium(os.getpid())
    text = exports.text(result)
    assert "chart PNG, warm" in text and "situation report" in text and "target warm chart PNG <= 1 s" in text
