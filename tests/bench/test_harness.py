"""The harness's pure parts: scenario values, summaries, targets, the report; /proc memory."""
from __future__ import annotations

import os

import pytest

from bench import report, scenarios
from bench.client import Request, Step
from bench.serve import memory_mib


def test_option_subsets_differ_from_the_one_before_and_stay_within_the_options():
    props = {"options": ["a", {"label": "B", "value": "b"}, "c"], "value": ["a", "b", "c"]}
    values = scenarios.option_subsets(props, 12)
    assert len(values) == 12 and values[0] != props["value"]
    assert all(v and set(v) <= {"a", "b", "c"} for v in values)
    assert all(a != b for a, b in zip(values, values[1:]))
    assert len({tuple(v) for v in values[:7]}) == 7  # all 7 subsets before any repeats


def test_slider_steps_and_range_windows_stay_inside_the_control():
    assert scenarios.slider_steps({"min": 0, "max": 3, "value": 0}, 5) == [1, 2, 3, 1, 2]
    assert scenarios.slider_steps({"min": 0, "max": 1, "value": 1}, 2) == [1, 1]
    windows = scenarios.range_windows({"min": 0, "max": 8, "value": [0, 8]}, 8)
    assert all(0 <= a < b <= 8 and b - a == 2 for a, b in windows)
    assert all(a != b for a, b in zip(windows, windows[1:]))
    with pytest.raises(ValueError, match="no span"):
        scenarios.range_windows({"min": 3, "max": 3}, 2)
    with pytest.raises(ValueError, match="no value"):
        scenarios.cycle_distinct([], 2)


def step(ms: float, raw: int, geometry: bool = False, label: str = "a.figure") -> Step:
    r = Request(label, ["x.value"], 200, ms / 1000, raw, raw // 2, "gzip", gzip_bytes=raw // 2, has_geometry=geometry)
    return Step("s", seconds=ms / 1000, requests=[r])


def fake_result(real_ms: float, base_ms: float, geometry: bool, events: int = 1_000_000) -> dict:
    def app(ms, geo):
        return {
            "scenarios": {name: {"available": True, **report.step_summary([step(ms, 1000, geo) for _ in range(20)])}
                          for name in ("filter", "step")},
            "default_view": report.view_summary(Step("first view", 1.0, [Request("GET _dash-layout", [], 200, 0.01, 900, 300, "gzip", 300)])),
            "first_view": {"median_ms": 1500.0, "runs_ms": [1500.0]},  # within issue 15's 2.0 s
            "memory": {"after": {"rss_mib": 300.0, "peak_mib": 320.0}},
            "startup_seconds": 2.0,
        }
    result = {"data": {"events": events, "moves": 1, "years": 10, "seed": 0, "admin_areas": "x", "generation_seconds": 1.0},
              "machine": {"cpu": "cpu", "cpus": 2, "cpus_usable": 2, "ram_gib": 1.0, "os": "os", "python": "3.11",
                          "chromium": "Chromium", "packages": {}},
              "settings": {"reps": 20, "warmup": 2, "first_view_runs": 1},
              "apps": {"real": app(real_ms, geometry), "baseline": app(base_ms, True)}}
    result["ratios"] = report.ratios(result)
    result["targets"] = report.targets(result)
    return result


def test_targets_are_judged_on_the_real_app():
    good = {t["name"]: t["ok"] for t in fake_result(50, 900, geometry=False)["targets"]}
    assert all(good.values())
    bad = {t["name"]: t["ok"] for t in fake_result(150, 900, geometry=True)["targets"]}
    assert bad["filter p95"] is False and bad["step p95 vs baseline"] is False
    assert bad["slider step sends geometry"] is False and bad["default view payload (as sent)"] is True


def test_step_summary_percentiles_and_bytes():
    summary = report.step_summary([step(ms, 100) for ms in (10, 20, 30, 40, 50)])
    assert summary["p50_ms"] == pytest.approx(30) and summary["p95_ms"] == pytest.approx(48)
    assert summary["step_raw_bytes_mean"] == 100 and summary["steps_with_geometry"] == 0


def test_report_text_and_markdown_show_figures_ratios_and_a_smaller_size_note():
    result = fake_result(50, 900, geometry=False, events=20_000)
    text = report.text(result)
    assert "18.0x" in text and "measured at 20,000 events" in text and "Machine:  cpu" in text
    md = report.markdown(result)
    assert md.startswith("# Benchmark results") and "| measure | real app | baseline | baseline/real |" in md


def test_memory_of_this_process_is_read_from_proc():
    mem = memory_mib(os.getpid())
    assert mem["rss_mib"] > 0 and mem["peak_mib"] >= mem["rss_mib"] * 0.99 and mem["processes"] >= 1


def test_a_first_view_only_run_is_written_beside_the_full_runs(tmp_path):
    from bench.run import parse_args

    assert parse_args(["--only", "first-view"]).only == "first-view" and parse_args([]).only is None
    with pytest.raises(SystemExit):
        parse_args(["--only", "scenarios"])
    result = fake_result(50, 900, geometry=False)
    json_path, md_path = report.write(result, tmp_path, ["first-view-e1000000"])
    assert json_path.name == "first-view-e1000000.json" and md_path.exists()
    assert not (tmp_path / "latest.json").exists()  # left to the last full run
    report.write(result, tmp_path)
    assert (tmp_path / "latest.json").exists() and (tmp_path / "run-e1000000-m1.md").exists()


def test_bench_ports_picks_the_first_free_port_of_the_range(monkeypatch):
    import socket

    from bench.serve import ServeError, free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        monkeypatch.setenv("BENCH_PORTS", f"{port}-{port + 1}")
        assert free_port() == port + 1  # (unless another process holds it: then the next error says so)
        monkeypatch.setenv("BENCH_PORTS", f"{port}-{port}")
        with pytest.raises(ServeError, match="no free port"):
            free_port()


def test_wait_idle_returns_once_a_process_tree_is_quiet_and_waits_while_it_works():
    import subprocess
    import sys

    from bench.serve import cpu_seconds, wait_idle

    quiet = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        assert wait_idle(quiet.pid, window=0.3, timeout=10) < 5
        # never quiet: waits the whole timeout. Quiet here is no clock tick at all in half a second (a
        # spinning process got under 15 ms of 300 once, on two cores shared with chromium and the suite)
        assert wait_idle(busy.pid, below=0.01, window=0.5, timeout=2.0) >= 2.0
        assert cpu_seconds(busy.pid) > 0.3
    finally:
        quiet.kill()
        busy.kill()
        quiet.wait()
        busy.wait()
