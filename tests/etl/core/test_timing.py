"""The per-step table of `python -m etl run --profile` (etl/core/timing.py): no timed assertions."""
from __future__ import annotations

import json

from etl.core import timing


def test_steps_nest_and_are_written_as_json(tmp_path, capsys):
    target = tmp_path / "profile.json"
    timing.enable(target)
    try:
        with timing.step("source x (acled)"):
            with timing.step("read CSV"):
                pass
        with timing.Tail("publish: switch") as tail:
            tail.start()
        timing.report()
    finally:
        timing._RECORDER = timing.Recorder()  # off again for the other tests
    steps = json.loads(target.read_text())["steps"]
    assert [(s["step"], s["depth"]) for s in steps] == [("source x (acled)", 0), ("read CSV", 1), ("publish: switch", 0)]
    assert all(s["wall_s"] >= 0 and s["cpu_s"] >= 0 and s["peak_mib"] > 0 for s in steps)
    printed = capsys.readouterr().err
    assert "per-step timing" in printed and "  read CSV" in printed and "peak MiB" in printed


def test_nothing_is_recorded_when_off(capsys):
    with timing.step("ignored"):
        pass
    timing.report()
    assert timing.steps() == [] and capsys.readouterr().err == ""
