"""Text from data is text: names, titles and organisations holding HTML, quotes or plotly's
%{...} placeholders show as written, on the page (legends, hovers, titles, the data tables), in
SVG and PDF exports and in the report, and never become live markup.

Two ways in: a copy of the SYNTHETIC warehouse whose every displayed text column (area, town,
camp and crossing names, organisations, titles, event types, datasets, key dates) is poisoned,
checked as the page and the exports draw it; and names loaded by the real ETL from a user's
sources file and HXL file, checked in chromium, in an SVG export and in the report's PDF.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import panels
from dashboard.data.warehouse import warehouse
from dashboard.export import files, report
from dashboard.page.parts import page_parts
from dashboard.request import Request
from etl.config import Settings

EVIL = ' <a href="http://evil.invalid/">x</a> <b>b</b> "q" %{x}'
RAW = ('<a href="http://evil.invalid/">', "<b>b</b>", "%{x}")  # what must never reach plotly as it is
SHOWN = '<a href="http://evil.invalid/">x</a> <b>b</b> "q" %{x}'  # what a reader must see
ESCAPED = "&lt;b&gt;b&lt;/b&gt;"
DISPLAYED = {"organisation", "title", "via", "name_en", "name_ar", "name_tr", "area_en", "label_en", "label_ar",
             "event_type", "dataset", "notes", "kind"}


def poison(src: Path, dst: Path) -> Path:
    """A copy of a warehouse with EVIL appended to every displayed text column of every table."""
    shutil.copytree(src, dst)
    version = dst / "versions" / (dst / "CURRENT").read_text().strip()
    for path in version.glob("*.parquet"):
        table = pq.read_table(path)
        for i, name in enumerate(table.column_names):
            field = table.schema.field(name)
            if name in DISPLAYED and str(field.type) in ("string", "large_string"):
                values = [None if v is None else v + EVIL for v in table.column(name).to_pylist()]
                table = table.set_column(i, field, pa.array(values, type=field.type))
        pq.write_table(table, path)
    return dst


def strings(value):
    """Every string inside a figure (dicts, lists, numpy arrays)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)
    elif hasattr(value, "tolist"):
        yield from strings(value.tolist())


def assert_inert(fig, what: str) -> int:
    """No raw markup or placeholder from data in any string of `fig`; returns how many strings
    carry the escaped form (proof the poisoned text went through)."""
    found = 0
    for text in strings(fig):
        for raw in RAW:
            assert raw not in text, f"{what}: live {raw!r} in {text[:200]!r}"
        assert "&quot;" not in text, f"{what}: a quote written as &quot; in {text[:200]!r}"
        found += ESCAPED in text
    return found


@pytest.fixture(scope="module")
def poisoned(synthetic_warehouse, tmp_path_factory) -> Path:
    return poison(synthetic_warehouse, tmp_path_factory.mktemp("poisoned") / "wh")


@pytest.mark.parametrize("query", [
    "level=3&ind=events&top=10", "level=2&ind=flows_in&layers=border,crossings,towns,camps,events,flows",
    "ind=fatalities&from=2019-01&to=2020-12&at=2020-03-01&area=SY07,SY02", "lang=ar&level=1&area=SY07",
])
def test_poisoned_names_are_inert_on_the_page_and_in_exports(poisoned, monkeypatch, query):
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(poisoned))
    request = Request.from_query(warehouse(), query)
    parts = page_parts(request)
    shown = sum(assert_inert(parts[name], f"page {name}") for name in ("map", *(p.name for p in panels.charts())))
    assert shown, "the poisoned names should reach the page's figures (escaped)"
    ctx = files.context_of(request)
    printed = 0
    for name in files.names():
        printed += assert_inert(files.printed_figure(name, ctx)[0], f"printed {name}")
    assert printed, "the poisoned names should reach the printed figures (escaped)"
    for page in report.report_pages(ctx):
        assert_inert(page, "report page")


# ---- loaded by the real ETL, seen in chromium and in the exported files ----------------------

AREA = 'Harim <a href="http://evil.invalid/">link</a> <b>bold</b> "quoted" %{x}'
ORG = 'NGO <b>bold</b> "quoted"'
TITLE = 'Casualty update <a href="http://evil.invalid/">t</a> "quoted"'
VIEW = "from=2020-01&to=2020-01"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """A warehouse built by `python -m etl run`'s pipeline from the default sources plus a user's
    HXL file and sources entry whose names hold markup and quotes."""
    from etl import pipeline

    folder = tmp_path_factory.mktemp("user-sources")
    with (folder / "casualties.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["start", "end", "area", "pcode", "killed"],
                                   ["#date+start", "#date+end", "#adm2+name", "#adm2+code", "#affected+killed"],
                                   ["2020-01-01", "2020-01-31", AREA, "SY0703", "25"]])
    quote = json.dumps  # TOML basic strings escape like JSON
    (folder / "sources.toml").write_text(
        "extends_default = true\n\n[[source]]\nname = \"hostile\"\nadapter = \"hxl\"\npath = \"casualties.csv\"\n"
        f"organisation = {quote(ORG)}\ntitle = {quote(TITLE)}\npublished = \"2020-02-01\"\n"
        "link = \"https://example.org/report\"\n", encoding="utf-8")
    root = folder / "warehouse"
    pipeline.run(Settings(warehouse_dir=root, keep_versions=2), config=folder / "sources.toml")
    return root


@pytest.fixture(scope="module")
def renderer():
    """The process's warm renderer (Debian's chromium), closed after the module."""
    from dashboard.export import render

    yield render.renderer()
    render.renderer().close()


@pytest.mark.browser
def test_loaded_names_show_as_written_in_the_browser(loaded, browser):  # noqa: F811
    from dashboard.panels.empty import HELP_URL
    from tests.test_browser import serve, settle, wait_rendered

    with serve(loaded) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}?{VIEW}")
            wait_rendered(page)
            settle(page)
            chart = "#home-casualties-chart .js-plotly-plot"
            # no link or bold made from the data anywhere in the page's graphs (the app's own links, such as
            # an empty chart's link to /help/data, are not from the data)
            links = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot a')]"
                                  ".map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')")
            assert all(href.startswith(HELP_URL) for href in links), links
            assert page.locator(".js-plotly-plot b", has_text="bold").count() == 0
            legend = page.evaluate("sel => document.querySelector(sel + ' .legend').textContent", chart)
            assert "NGO <b>bold</b> \"quoted\"" in legend, legend
            # the hover of the published figure: area and organisation as written
            page.evaluate("""sel => { const g = document.querySelector(sel);
                const i = g.data.findIndex(t => (t.name || '').startsWith('NGO'));
                Plotly.Fx.hover(g, [{curveNumber: i, pointNumber: 0}]); }""", chart)
            hover = page.evaluate("sel => document.querySelector(sel + ' .hoverlayer').textContent", chart)
            assert AREA in hover and ORG in hover, hover
            assert page.locator(f"{chart} .hoverlayer a").count() == 0
            # the chart's text alternative and data table read the names as written
            page.locator("details.table-view:has(#home-casualties-chart-table) summary").click()
            page.wait_for_selector("#home-casualties-chart-table table")
            table = page.locator("#home-casualties-chart-table").inner_text()
            assert ORG.replace('"', "") in table.replace('"', ""), table
        finally:
            page.close()


def test_loaded_names_show_as_written_in_svg_and_report(loaded, monkeypatch, renderer):
    from pypdf import PdfReader

    monkeypatch.setenv("IDLIB_WAREHOUSE", str(loaded))
    ctx = files.context_of(Request.from_query(warehouse(), VIEW), pd.Timestamp("2026-12-06", tz="UTC"))
    svg = ET.fromstring(files.chart_image("casualties", ctx, "svg"))
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(svg.iter(f"{ns}a")), "a link made from the data in the SVG"
    text = " ".join("".join(el.itertext()) for el in svg.iter(f"{ns}text"))
    assert 'NGO <b>bold</b> "quoted"' in text and "&quot;" not in text, text[:2000]
    # the source line under the chart (wrapped over lines: compared without spaces)
    assert "".join(TITLE.split()) in "".join(text.split()), text[text.find("Sources"):]
    pdf = PdfReader(io.BytesIO(report.report(ctx)))
    words = " ".join(page.extract_text() for page in pdf.pages)
    assert '"quoted"' in words and "&quot;" not in words and "&lt;" not in words
    assert "<b>bold</b>" in words
