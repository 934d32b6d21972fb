"""Atomic publish: readers see whole versions only; failed or killed runs leave the old one live."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from etl.config import ROOT
from etl.core.warehouse import WarehouseError, build_version, live_version, open_live


def publish(root, value, keep=5):
    with build_version(root, keep=keep) as w:
        w.write_table("t", pd.DataFrame({"x": [value]}), [])
        w.write_table("u", pd.DataFrame({"y": [value, value]}), [], rejected=1)
        return w.version


def test_publish_writes_manifest_and_pointer(tmp_path):
    version = publish(tmp_path, 1)
    assert live_version(tmp_path) == version
    live = open_live(tmp_path)
    assert live.read("t")["x"].tolist() == [1]
    manifest = json.loads((tmp_path / "versions" / version / "manifest.json").read_text())
    assert manifest["tables"]["u"]["rows"] == 2 and manifest["tables"]["u"]["rejected"] == 1
    assert manifest["built_at"] and manifest["code_version"]


def test_two_runs_publish_two_versions(tmp_path):
    first, second = publish(tmp_path, 1), publish(tmp_path, 2)
    assert first != second
    assert sorted(p.name for p in (tmp_path / "versions").iterdir()) == sorted([first, second])
    assert open_live(tmp_path).read("t")["x"].tolist() == [2]


def test_failure_midway_leaves_previous_version_live(tmp_path):
    good = publish(tmp_path, 1)
    with pytest.raises(RuntimeError, match="boom"):
        with build_version(tmp_path) as w:
            w.write_table("t", pd.DataFrame({"x": [99]}), [])
            raise RuntimeError("boom")
    assert live_version(tmp_path) == good
    assert open_live(tmp_path).read("t")["x"].tolist() == [1]
    assert not list(tmp_path.glob(".staging-*"))
    assert [p.name for p in (tmp_path / "versions").iterdir()] == [good]


def test_killed_run_leaves_previous_version_live(tmp_path):
    """SIGKILL a writer halfway through: nothing it wrote is visible, and the next run cleans up."""
    good = publish(tmp_path, 1)
    script = textwrap.dedent(f"""
        import sys, time, pandas as pd
        sys.path.insert(0, {str(ROOT)!r})
        from etl.core.warehouse import build_version
        with build_version(__import__('pathlib').Path({str(tmp_path)!r})) as w:
            w.write_table("t", pd.DataFrame({{"x": [7]}}), [])
            print("halfway", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "halfway"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert live_version(tmp_path) == good
    assert open_live(tmp_path).read("t")["x"].tolist() == [1]
    assert list(tmp_path.glob(".staging-*")), "the killed run's staging directory stays until the next run"
    publish(tmp_path, 3)
    assert not list(tmp_path.glob(".staging-*"))


def test_only_one_run_at_a_time(tmp_path):
    with build_version(tmp_path):
        with pytest.raises(WarehouseError, match="another ETL run"):
            with build_version(tmp_path):
                pass


def test_old_versions_pruned_but_live_kept(tmp_path):
    versions = [publish(tmp_path, i, keep=2) for i in range(4)]
    assert sorted(p.name for p in (tmp_path / "versions").iterdir()) == versions[-2:]


def test_no_warehouse_gives_clear_message(tmp_path):
    with pytest.raises(WarehouseError, match="python -m etl run"):
        open_live(tmp_path)
