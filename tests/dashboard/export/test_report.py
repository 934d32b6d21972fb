"""The A4 situation report (PDF), from the functions and from the command line."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from dashboard.export import report, summary

ROOT = Path(__file__).resolve().parents[3]
A4 = (595.28, 841.89)


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_between_writes_periods_as_a_reader_would():
    from dashboard.i18n import translator

    t = translator("en")
    assert summary.between("2020-02-01", "2020-02-29", t) == "Between 1 and 29 February 2020"
    assert summary.between("2019-12-01", "2020-01-31", t) == "Between 1 December 2019 and 31 January 2020"
    assert summary.between("2020-01-01", "2020-02-29", t) == "Between 1 January and 29 February 2020"
    assert summary.between("2020-02-27", "2020-02-27", t) == "On 27 February 2020"


def test_the_summary_states_published_figures_with_their_sources(context_for):
    sentences = summary.summary(context_for("from=2020-02&to=2020-02"))
    first = sentences[0]
    # facts 1.38a and 1.39a: OCHA and HNAP disagree for February 2020; both are named, none is summed
    assert first.startswith("Between 1 and 29 February 2020, about 752,131 people were displaced in north-west Syria (OCHA")
    assert "gives 742,109" in first
    assert any("Idleb (344,110)" in s for s in sentences)
    empty = summary.summary(context_for("from=2012-01&to=2012-01"))
    assert empty == ["No published figures for this period and area."] or all("2012" in s for s in empty)


def test_the_summary_of_an_area_cites_the_figures_its_charts_draw(context_for):
    """With an area selected, a sentence cites a figure published for a place inside it, as the
    charts draw them (the P-code starts with the area's): north-west Syria's 752,131 is not drawn
    for Idleb, so it is not cited for Idleb either."""
    from dashboard.export import files

    ctx = context_for("from=2020-02&to=2020-02&area=SY07")
    sentences = summary.summary(ctx)
    # HNAP, February 2020: 248,842 arrivals to Dana (SY070301) (facts 1.39)
    assert any(s.startswith("Between 1 and 29 February 2020, 248,842 IDP arrivals were recorded in Dana") for s in sentences)
    assert any("Idleb (344,110)" in s for s in sentences)
    assert not any("752,131" in s for s in sentences)
    drawn = {v for tr in files.page_figure("displacement", ctx)[0]["data"] for v in tr.get("y") or [] if v is not None}
    assert 248842 in drawn and 752131 not in drawn


def test_the_report_is_a4_with_cover_figures_summary_and_sources(renderer, context_for):
    ctx = context_for("from=2020-02&to=2020-02&area=SY07")
    data = report.report(ctx)
    reader = PdfReader(io.BytesIO(data))
    shown, left_out = report.drawn_charts(ctx)  # charts with nothing to draw are left out (named on the cover)
    assert len(shown) >= 3 and len(reader.pages) >= 2 + len(shown)  # cover, the figures, sources and caveats
    assert all(abs(float(p.mediabox.width) - A4[0]) < 1 and abs(float(p.mediabox.height) - A4[1]) < 1
               for p in reader.pages)
    cover = reader.pages[0].extract_text()
    assert "Situation report" in cover and "1 Feb 2020 – 29 Feb 2020" in cover and "Idleb (SY07)" in cover
    assert "248,842" in cover and "Generated 30 Nov 2026 09:15 UTC" in cover
    text = _text(reader)
    for n in range(1, len(shown) + 1):
        assert f"Figure {n}." in text
    last = reader.pages[-1].extract_text()
    assert "Sources" in last and "Caveats" in last and "OCHA" in last and "Natural Earth" in text
    assert reader.metadata.title.startswith("Situation report")


def test_the_report_command_writes_a_valid_pdf_offline(built_warehouse, tmp_path):
    """The scheduled-report command of the issue, on the warehouse built from committed data, with
    no proxy and no network needed (everything it reads is local)."""
    out = tmp_path / "report.pdf"
    env = {**os.environ, "IDLIB_WAREHOUSE": str(built_warehouse), "no_proxy": "*", "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9"}
    run = subprocess.run([sys.executable, "-m", "dashboard.export", "report", "--from", "2020-02-01", "--to",
                          "2020-02-29", "--area", "SY07", "--out", str(out)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert f"wrote {out}" in run.stdout
    reader = PdfReader(out)
    assert len(reader.pages) >= 4 and "248,842" in reader.pages[0].extract_text()
    assert not out.with_name("report.pdf.part").exists()


def test_the_chart_command_writes_svg_and_rejects_bad_arguments_plainly(built_warehouse, tmp_path):
    env = {**os.environ, "IDLIB_WAREHOUSE": str(built_warehouse)}
    out = tmp_path / "chart.svg"
    ok = subprocess.run([sys.executable, "-m", "dashboard.export", "chart", "displacement", "--format", "svg",
                         "--from", "2019-12", "--to", "2020-03", "--out", str(out)], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert out.read_bytes().startswith(b"<svg") and b"Displacement in north-west Syria" in out.read_bytes()
    # a refused argument, as a user's shell sees it: exit status 2, the reason, no traceback
    bad = subprocess.run([sys.executable, "-m", "dashboard.export", "report", "--area", "SY99", "--out",
                          str(tmp_path / "x")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--area SY99: not a P-code" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("args, message", [(["report", "--from", "2040-01"], "the warehouse has figures from"),
                                           (["report", "--from", "soon"], "expected a date"),
                                           (["chart", "map", "--width", "20"], "--width 20")])
def test_the_export_command_rejects_bad_arguments_plainly(use_warehouse, tmp_path, capsys, args, message):
    """The same command's main() in this process (a new Python per case took 8-10 s of the suite)."""
    from dashboard.export.__main__ import main

    try:
        code = main([*args, "--out", str(tmp_path / "x")])
    except SystemExit as exc:  # refused by argparse itself
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err, (args, err)
    assert "Traceback" not in err and not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_data_command_writes_the_tables(built_warehouse, tmp_path, fmt):
    env = {**os.environ, "IDLIB_WAREHOUSE": str(built_warehouse)}
    out = tmp_path / f"map.{fmt}"
    run = subprocess.run([sys.executable, "-m", "dashboard.export", "data", "map", "--format", fmt, "--from", "2020-02",
                          "--to", "2020-02", "--indicator", "idp_arrivals", "--out", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    if fmt == "csv":
        assert "344110" in out.read_text(encoding="utf-8-sig")
    else:
        import openpyxl

        assert openpyxl.load_workbook(out).sheetnames == ["data", "sources", "notes"]
