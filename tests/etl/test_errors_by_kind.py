"""Failures of the machine, not of the data: a full disk, a read-only or forbidden folder, an I/O
error, a reader that went away. Each gets a plain message and its own exit status in both
command lines (etl/core/exits.py), never "unexpected ... report it", and a failed ETL run leaves
the live warehouse as it was."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from etl import __main__ as etl_cli
from etl import pipeline
from etl.config import ROOT, Settings
from etl.core import exits
from tests.child import run, snapshot

ACLED_FIXTURE = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A small published warehouse (IDLIB_WAREHOUSE points at it) and its sources file."""
    shutil.copy(ACLED_FIXTURE, tmp_path / "acled.csv")
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "acled-test"\nadapter = "acled"\npath = "acled.csv"\n', encoding="utf-8")
    root = tmp_path / "wh"
    pipeline.run(Settings(warehouse_dir=root, keep_versions=5, cache_dir=tmp_path / "cache"), config=config)
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(root))
    monkeypatch.setenv("IDLIB_CACHE", str(tmp_path / "cache"))
    return root, config


def pyarrow_failure(code: int):
    """What pyarrow raises when a write fails: an OSError with the errno in its text, no file name."""

    def write(self, *args, **kwargs):
        raise OSError(code, f"Error writing bytes to file. Detail: [errno {code}] {os.strerror(code)}")

    return write


@pytest.mark.parametrize(("code", "status", "says"), [
    (errno.ENOSPC, exits.CANT_CREATE, "no space left on the device"),
    (errno.EDQUOT, exits.CANT_CREATE, "disk quota is exceeded"),
    (errno.EROFS, exits.NO_PERMISSION, "the file system is read-only"),
    (errno.EACCES, exits.NO_PERMISSION, "permission denied"),
    (errno.EIO, exits.IO_ERROR, "input/output error"),
])
def test_a_failed_write_of_the_warehouse_has_its_own_status(live, monkeypatch, capsys, code, status, says):
    root, config = live
    before = snapshot(root)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", pyarrow_failure(code))
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", pyarrow_failure(code))
    assert etl_cli.main(["run", "--config", str(config)]) == status
    err = capsys.readouterr().err
    assert says in err and ".parquet" in err  # names the file being written
    assert "Nothing was published; the previous warehouse version stays live." in err
    assert "report it" not in err and "unexpected" not in err and "Traceback" not in err
    assert snapshot(root) == before and not list(root.glob(".staging-*"))


@pytest.mark.parametrize("blocked", ["file", "file/wh"])
def test_a_file_where_the_warehouse_folder_should_be(tmp_path, blocked):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run(["run"], {"IDLIB_WAREHOUSE": str(tmp_path / blocked), "IDLIB_CACHE": str(tmp_path / "cache")})
    assert result.code == exits.CANT_CREATE, result.stderr
    assert f"cannot create {tmp_path / blocked}: a file stands where a folder is expected" in result.stderr
    assert "report it" not in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "file").read_text(encoding="utf-8") == "not a folder"


def closed_pipe() -> int:
    """The write end of a pipe whose reader has already gone (as `| head -1` after its line)."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize("command", ["status", "sources"])
def test_a_closed_pipe_ends_the_etl_quietly(live, command):
    root, _ = live
    write = closed_pipe()
    try:
        result = run([command], {"IDLIB_WAREHOUSE": str(root)}, stdout=write)
    finally:
        os.close(write)
    assert result.code == exits.BROKEN_PIPE == 141
    assert result.stderr == ""  # no "report it", no traceback, no "Exception ignored"


def test_the_status_of_each_kind_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for status in (exits.CANT_CREATE, exits.IO_ERROR, exits.NO_PERMISSION, exits.BROKEN_PIPE):
        assert f"| {status} |" in readme


# --- python -m dashboard.export ------------------------------------------------------------------------

EXPORT = ["data", "displacement", "--format", "csv", "--from", "2020-02", "--to", "2020-02"]


def test_an_export_into_a_path_blocked_by_a_file(use_warehouse, tmp_path, capsys):
    from dashboard.export.__main__ import main

    (tmp_path / "report").write_text("a file", encoding="utf-8")
    assert main([*EXPORT, "--out", str(tmp_path / "report" / "x.csv")]) == exits.CANT_CREATE
    err = capsys.readouterr().err
    assert "a file stands where a folder is expected" in err and "Traceback" not in err


@pytest.mark.parametrize(("code", "status"), [(errno.EROFS, exits.NO_PERMISSION), (errno.ENOSPC, exits.CANT_CREATE)])
def test_an_export_that_cannot_be_written(use_warehouse, tmp_path, monkeypatch, capsys, code, status):
    from dashboard.export.__main__ import main

    real = Path.write_bytes

    def write_bytes(self, data):
        if self.name.endswith(".part"):
            real(self, data[: len(data) // 2])  # half written, then the disk fails
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    assert main([*EXPORT, "--out", str(tmp_path / "x.csv")]) == status
    assert "export failed: cannot write" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no partial file


def test_a_closed_pipe_ends_the_export_quietly(use_warehouse, tmp_path):
    write = closed_pipe()
    try:
        result = run([*EXPORT, "--out", str(tmp_path / "x.csv")], {"IDLIB_WAREHOUSE": str(use_warehouse)},
                     module="dashboard.export", stdout=write)
    finally:
        os.close(write)
    assert result.code == exits.BROKEN_PIPE, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert (tmp_path / "x.csv").stat().st_size > 0
