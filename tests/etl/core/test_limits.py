"""Bounded inputs: hostile sources fail within seconds and within memory, name the file, the limit
and the setting that raises it, leave no partial file and leave the live warehouse as it was.

The four hostile inputs run `python -m etl run` as a child process (limits set low through the
environment, as a user would) against a warehouse built first; the child's peak memory is its
high-water mark (VmHWM / wait4's ru_maxrss). Servers are started on 127.0.0.1 by the test."""
from __future__ import annotations

import base64
import fcntl
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import pipeline, sources
from etl.adapters import acled
from etl.config import ROOT, Settings
from etl.core import limits
from etl.core.csv_columns import read_text_rows
from etl.core.fetch import PART_PREFIX, fetch, remove_stale_parts, url_key
from etl.core.issues import SourceError
from etl.core.limits import GiB, Limits, MiB
from etl.core.progress import DownloadProgress
from etl.core.readers import read_csv_text, read_rows
from tests.child import run, snapshot

ACLED_FIXTURE = ROOT / "tests" / "fixtures" / "acled" / "synthetic_acled_2023_layout.csv"
HEADER = ACLED_FIXTURE.read_text(encoding="utf-8").splitlines()[0] + "\n"
ROW = ACLED_FIXTURE.read_text(encoding="utf-8").splitlines()[1] + "\n"
WITHIN = 60.0  # seconds a hostile source may take to fail
MEMORY = 2 * GiB


# --- the live warehouse a failing run must leave alone -----------------------------------------------


@pytest.fixture
def live(tmp_path):
    """A warehouse built from a small ACLED file, its environment for a child run, and its snapshot."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(ACLED_FIXTURE, inputs / "acled.csv")
    config = inputs / "sources.toml"
    config.write_text('[[source]]\nname = "acled-test"\nadapter = "acled"\npath = "acled.csv"\n'
                      'organisation = "ACLED (synthetic test file)"\n', encoding="utf-8")
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache")
    pipeline.run(settings, config=config)
    env = {"IDLIB_WAREHOUSE": str(settings.warehouse_dir), "IDLIB_CACHE": str(settings.cache_dir)}
    return env, settings, snapshot(settings.warehouse_dir)


def hostile_config(folder: Path, entry: str) -> Path:
    config = folder / "hostile.toml"
    config.write_text(f'[[source]]\nname = "hostile"\n{entry}\norganisation = "test"\n', encoding="utf-8")
    return config


def assert_refused(result, live, *, setting: str, names: str):
    """Failed (exit 1) within the time and memory allowed, with a message naming the file, the limit's
    setting; nothing partial in the cache; the live warehouse unchanged."""
    env, settings, before = live
    assert not result.killed, result.killed
    assert result.code == 1, result.stderr
    assert result.seconds < WITHIN
    assert result.peak_rss < MEMORY, f"peak memory {result.peak_rss / GiB:.2f} GiB"
    assert names in result.stderr and setting in result.stderr and "beyond the limit" in result.stderr
    assert "[source.limits]" in result.stderr and "Traceback" not in result.stderr
    parts = [p for p in settings.cache_dir.rglob(f"{PART_PREFIX}*")] if settings.cache_dir.exists() else []
    assert parts == []
    assert snapshot(settings.warehouse_dir) == before


# --- hostile files -------------------------------------------------------------------------------------


def write_repeated(handle, line: bytes, total: int):
    block = line * max(1, MiB // len(line))
    for _ in range(total // len(block)):
        handle.write(block)


def zip_bomb(path: Path, inflated: int) -> Path:
    """An ACLED export zipped: a valid header and one valid row repeated (it inflates about 1,000x)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("acled.csv", "w") as member:
        member.write(HEADER.encode())
        write_repeated(member, ROW.encode(), inflated)
    return path


def xlsx_bomb(path: Path, inflated: int) -> Path:
    """A workbook whose one sheet is a header and one row repeated (a .xlsx is a zip too)."""
    small = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["Origin Sub-district Pcode", "Individuals"])
    book.save(small)
    with zipfile.ZipFile(small) as template, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in template.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, template.read(item))
                continue
            with out.open(item.filename, "w") as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                write_repeated(sheet, b'<row><c t="inlineStr"><is><t>SY070300</t></is></c><c><v>12</v></c></row>', inflated)
                sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.parametrize(("adapter", "name", "make"), [("acled", "bomb.zip", zip_bomb), ("movements", "bomb.xlsx", xlsx_bomb)])
@pytest.mark.parametrize(("env", "setting"), [
    ({}, "IDLIB_MAX_RATIO"),  # the default ratio (100x) stops it
    ({"IDLIB_MAX_RATIO": "100000", "IDLIB_MAX_INFLATED_SIZE": "64M"}, "IDLIB_MAX_INFLATED_SIZE"),
])
def test_an_archive_that_inflates_200x_is_refused_before_it_is_inflated(live, tmp_path, adapter, name, make, env, setting):
    bomb = make(tmp_path / name, 200 * MiB)
    with zipfile.ZipFile(bomb) as archive:
        assert max(i.file_size / i.compress_size for i in archive.infolist()) >= 200
    config = hostile_config(tmp_path, f'adapter = "{adapter}"\npath = "{name}"')
    result = run(["run", "--config", str(config)], {**live[0], **env})
    assert_refused(result, live, setting=setting, names=name)


@pytest.fixture(scope="module")
def garbage_csv(tmp_path_factory) -> Path:
    """200 MB of random text (with commas) under a valid ACLED header."""
    path = tmp_path_factory.mktemp("garbage") / "garbage.csv"
    noise = bytes.maketrans(b"+/", b",,")
    with path.open("wb") as out:
        out.write(HEADER.encode())
        for _ in range(200):
            out.write(base64.encodebytes(os.urandom(750_000)).translate(noise))
    assert path.stat().st_size >= 200_000_000
    return path


@pytest.mark.parametrize(("env", "setting", "where"), [
    ({"IDLIB_MAX_SOURCE_SIZE": "100M"}, "IDLIB_MAX_SOURCE_SIZE", "on disk"),
    ({"IDLIB_MAX_ROWS": "100000"}, "IDLIB_MAX_ROWS", "stopped reading at line 100,002"),
])
def test_a_200_mb_garbage_csv_under_a_valid_header_is_refused_early(live, tmp_path, garbage_csv, env, setting, where):
    config = hostile_config(tmp_path, f'adapter = "acled"\npath = "{garbage_csv.name}"\nallow_outside = true')
    config.write_text(config.read_text().replace(garbage_csv.name, str(garbage_csv)), encoding="utf-8")
    result = run(["run", "--config", str(config)], {**live[0], **env})
    assert_refused(result, live, setting=setting, names="garbage.csv")
    assert where in result.stderr


# --- hostile servers ---------------------------------------------------------------------------------


class Hostile(BaseHTTPRequestHandler):
    """/trickle.csv: one byte every 2 s of an announced 1 MB; /huge.csv: 1 GiB announced and sent;
    /huge-unannounced.csv: 1 GiB with no Content-Length (HTTP/1.0, ends when the connection closes)."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        stop = self.server.stop
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            if self.path == "/trickle.csv":
                self.send_header("Content-Length", str(MiB))
                self.end_headers()
                for _ in range(MiB):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    if stop.wait(2):
                        return
            elif self.path in ("/huge.csv", "/huge-unannounced.csv"):
                if self.path == "/huge.csv":
                    self.send_header("Content-Length", str(GiB))
                self.end_headers()
                block = b"x" * (64 * 1024)
                for _ in range(GiB // len(block)):  # streamed: never 1 GiB in memory
                    if stop.is_set():
                        return
                    self.wfile.write(block)
            else:
                self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.stop = threading.Event()
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_a_server_that_trickles_is_stopped_by_the_deadline(live, tmp_path, server):
    config = hostile_config(tmp_path, f'adapter = "acled"\nurl = "{server}/trickle.csv"')
    env = {"IDLIB_DOWNLOAD_DEADLINE": "6", "IDLIB_DOWNLOAD_TIMEOUT": "10"}  # a byte every 2 s never times out
    result = run(["run", "--config", str(config)], {**live[0], **env})
    assert_refused(result, live, setting="IDLIB_DOWNLOAD_DEADLINE", names=f"{server}/trickle.csv")
    assert "took longer than allowed" in result.stderr and result.seconds < 6 + 10 + 15
    assert not (live[1].cache_dir / url_key(f"{server}/trickle.csv") / "meta.json").exists()


@pytest.mark.parametrize("path", ["/huge.csv", "/huge-unannounced.csv"])
def test_a_server_that_sends_1_gib_is_cut_at_the_size_cap(live, tmp_path, server, path):
    config = hostile_config(tmp_path, f'adapter = "acled"\nurl = "{server}{path}"')
    result = run(["run", "--config", str(config)], {**live[0], "IDLIB_MAX_SOURCE_SIZE": "20M"})
    assert_refused(result, live, setting="IDLIB_MAX_SOURCE_SIZE", names=f"{server}{path}")
    assert ("announces 1 GiB" if path == "/huge.csv" else "more than 20 MiB arrived") in result.stderr
    folder = live[1].cache_dir / url_key(f"{server}{path}")
    assert not folder.exists() or [p.name for p in folder.iterdir()] == []


def test_a_killed_download_leaves_a_part_file_that_the_next_run_removes(live, tmp_path, server):
    env, settings, before = live
    config = hostile_config(tmp_path, f'adapter = "acled"\nurl = "{server}/trickle.csv"')
    child = subprocess.Popen([sys.executable, "-m", "etl", "run", "--config", str(config)], cwd=ROOT,
                             env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = settings.cache_dir / url_key(f"{server}/trickle.csv")
    deadline = time.monotonic() + 30
    while not list(folder.glob(f"{PART_PREFIX}*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert len(list(folder.glob(f"{PART_PREFIX}*"))) == 1  # what the old code left for good
    result = run(["run", "--config", str(config), "--offline"], env)
    assert result.code == 1 and "no cached copy" in result.stderr
    assert list(folder.glob(f"{PART_PREFIX}*")) == []
    assert snapshot(settings.warehouse_dir) == before


def test_a_part_file_still_being_written_is_kept(tmp_path):
    folder = tmp_path / "cache" / "0123456789abcdef"
    folder.mkdir(parents=True)
    stale, busy = folder / f"{PART_PREFIX}dead.tmp", folder / f"{PART_PREFIX}busy.tmp"
    stale.write_bytes(b"x")
    with busy.open("wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert remove_stale_parts(tmp_path / "cache") == 1
        assert not stale.exists() and busy.exists()


def test_download_progress_is_shown(tmp_path, server):
    shown = io.StringIO()
    with pytest.raises(SourceError):  # the trickle is cut by a short deadline; progress was shown before
        fetch(f"{server}/trickle.csv", tmp_path, deadline=3, timeout=5, progress=DownloadProgress("src", shown, every=0))
    lines = shown.getvalue().splitlines()
    assert lines and lines[0].startswith("src: downloading, 1 bytes of 1 MiB (0%)")


# --- limits set and checked in process --------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("2G", 2 * GiB), ("2GiB", 2 * GiB), ("500M", 500 * MiB),
                                                 ("1048576", MiB), ("1.5 GB", int(1.5 * GiB)), ("64k", 64 * 1024)])
def test_sizes_are_read_with_binary_units(text, expected):
    assert limits.parse("size", text, "IDLIB_MAX_SOURCE_SIZE") == expected


def test_settings_read_limits_and_data_folders_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("IDLIB_MAX_ROWS", "1_000")
    monkeypatch.setenv("IDLIB_MAX_SOURCE_SIZE", "3G")
    monkeypatch.setenv("IDLIB_DOWNLOAD_DEADLINE", "90")
    monkeypatch.setenv("IDLIB_DATA_DIRS", f"{tmp_path}{os.pathsep}{tmp_path / 'b'}")
    settings = Settings.from_env()
    assert (settings.limits.rows, settings.limits.size, settings.limits.deadline) == (1000, 3 * GiB, 90.0)
    assert settings.limits.columns == Limits().columns
    assert settings.data_dirs == (tmp_path, tmp_path / "b")
    monkeypatch.setenv("IDLIB_MAX_COLUMNS", "many")
    with pytest.raises(ValueError, match="IDLIB_MAX_COLUMNS: limit columns 'many': expected a whole number above 0"):
        Settings.from_env()


def test_defaults_do_not_refuse_a_full_acled_export():
    """About 1 million rows and 300 MB: far inside every default."""
    defaults = Limits()
    assert defaults.size >= 2 * GiB and defaults.rows >= 5_000_000 and defaults.columns >= 100
    assert defaults.deadline >= 3600  # 300 MB at 1 Mbit/s takes 40 minutes


def test_a_line_beyond_the_limit_is_named_by_number_not_shown(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(HEADER + ROW + "SECRET," * 2000 + "\n", encoding="utf-8")
    with limits.applied(Limits(line=5000, source="acled-x")), pytest.raises(SourceError) as caught:
        read_text_rows(path, acled.REQUIRED, acled.OPTIONAL)
    message = str(caught.value)
    assert "line 3 is longer than 5,000 characters" in message and "IDLIB_MAX_LINE" in message
    assert "of source 'acled-x'" in message and "SECRET" not in message


def test_rows_and_columns_are_counted_while_reading(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(HEADER + ROW * 50, encoding="utf-8")
    with limits.applied(Limits(rows=49)), pytest.raises(SourceError, match="more than 49 rows .* IDLIB_MAX_ROWS"):
        read_text_rows(path, acled.REQUIRED, acled.OPTIONAL)
    with limits.applied(Limits(rows=50)):
        assert len(read_text_rows(path, acled.REQUIRED, acled.OPTIONAL).frame) == 50
    with limits.applied(Limits(columns=10)), pytest.raises(SourceError, match=r"line 1 has \d+ cells.* IDLIB_MAX_COLUMNS"):
        read_text_rows(path, acled.REQUIRED, acled.OPTIONAL)


def test_a_sheet_wider_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "wide.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Origin Sub-district Pcode", "Individuals"])
    book.active.append(["SY070300", 12] + [None] * 40 + ["far right"])
    book.active.append(["SY070301", 5])
    book.save(path)
    with limits.applied(Limits(columns=20)), pytest.raises(SourceError, match="row 2 has 43 cells.*IDLIB_MAX_COLUMNS"):
        read_rows(path)
    with limits.applied(Limits(rows=1)), pytest.raises(SourceError, match="more than 1 rows"):
        read_rows(path)


def test_pandas_reads_stop_at_the_row_limit(tmp_path):
    path = tmp_path / "crossings.csv"
    path.write_text("a,b\n" + "1,2\n" * 20, encoding="utf-8")
    assert len(read_csv_text(path)) == 20
    with limits.applied(Limits(rows=19)), pytest.raises(SourceError, match="more than 19 rows"):
        read_csv_text(path)
    with limits.applied(Limits(columns=1)), pytest.raises(SourceError, match="the header has 2 columns"):
        read_csv_text(path)


def test_a_layer_with_too_many_features_is_refused_before_it_is_read():
    with limits.applied(Limits(rows=10)), pytest.raises(SourceError, match="12 features.*IDLIB_MAX_ROWS"):
        limits.check_layer({"features": 12, "fields": ["a"]}, "adm3.shp")


def test_a_source_can_raise_its_own_limits_in_the_sources_file(tmp_path):
    shutil.copy(ACLED_FIXTURE, tmp_path / "acled.csv")
    config = tmp_path / "sources.toml"
    entry = ('[[source]]\nname = "acled-x"\nadapter = "acled"\npath = "acled.csv"\norganisation = "test"\n'
             "[source.limits]\nrows = {rows}\n")
    config.write_text(entry.format(rows=3), encoding="utf-8")
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, limits=Limits(rows=1))
    with pytest.raises(SourceError, match="acled.csv: more than 3 rows.*`rows = ...` under \\[source.limits\\] of source 'acled-x'"):
        pipeline.run(settings, config=config)
    config.write_text(entry.format(rows=1000), encoding="utf-8")
    pipeline.run(settings, config=config)
    config.write_text(entry.format(rows='"lots"'), encoding="utf-8")
    with pytest.raises(SourceError, match=r"#1: \[source.limits\]: limit rows 'lots': expected a whole number"):
        sources.load(config)


def test_an_unknown_limit_in_the_sources_file_is_named(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "x"\nadapter = "acled"\npath = "a.csv"\n[source.limits]\nrowz = 3\n')
    with pytest.raises(SourceError, match="unknown limit 'rowz'; expected some of size, inflated, ratio, rows"):
        sources.load(config)


def test_small_archives_and_ordinary_compression_pass(tmp_path):
    path = tmp_path / "ok.zip"
    frame = pd.DataFrame({"n": range(200_000)})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ok.csv", frame.to_csv(index=False))  # about 1.3 MB, compresses about 3x
        archive.writestr("zeros.txt", "0" * 500_000)  # 1000x, but under 1 MiB: no danger
    limits.check_source(path)
