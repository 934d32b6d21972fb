"""The numbers behind each chart: the tables, their CSV and XLSX files, and no formula in any cell."""
from __future__ import annotations

import csv
import dataclasses
import io
import threading

import openpyxl
import pandas as pd
import pytest

from dashboard.export import files, tables
from dashboard.export.tables import FORMULA_START

HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
           "\t=1+1", "\r=1+1"]


def _executable(value) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return False
    try:
        float(value)  # a plain number such as -2.5 is read as a number, not a formula
        return False
    except ValueError:
        return True


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_neutral_quotes_every_formula_start_and_leaves_the_rest():
    for value in HOSTILE:
        assert tables.neutral(value) == "'" + value
    for value in ("Idleb", "إدلب", 5, -5.0, None, "a=b"):
        assert tables.neutral(value) == value


@pytest.fixture
def hostile_context(context_for):
    """The February 2020 Idleb view over a copy of the warehouse whose names, titles, organisations
    and links all start like formulas (a separate Warehouse object: no cache is shared with the real one)."""
    ctx = context_for("from=2020-02&to=2020-02&area=SY07")
    wh = ctx.wh
    frames = dict(wh.frames)
    src = wh["sources"].copy()
    for i, column in enumerate(("organisation", "title", "url", "via", "published")):
        src[column] = [HOSTILE[(i + j) % len(HOSTILE)] + f" {j}" for j in range(len(src))]
    frames["sources"] = src
    for name in ("displacement", "casualties"):
        frames[name] = wh[name].assign(area_en=[HOSTILE[j % len(HOSTILE)] for j in range(len(wh[name]))])
    frames["refugees"] = wh["refugees"].assign(series=HOSTILE[0], qualifier=HOSTILE[3])
    areas = wh["admin_areas"].copy()
    areas["name_en"], areas["name_ar"] = HOSTILE[1], HOSTILE[3]
    frames["admin_areas"] = areas
    hostile = dataclasses.replace(wh, frames=frames, _local=threading.local())
    return dataclasses.replace(ctx, request=dataclasses.replace(ctx.request, wh=hostile))


@pytest.mark.parametrize("name", files.names())
def test_no_tabular_export_leaves_a_formula_executable(hostile_context, name):
    csv_data = files.chart_data(name, hostile_context, "csv")
    xlsx_data = files.chart_data(name, hostile_context, "xlsx")
    csv_cells = _csv_cells(csv_data)
    cells = _xlsx_cells(xlsx_data)
    values = [c.value for c in cells]
    # the hostile values went through: they are in the files, quoted
    quoted = [v for v in values if isinstance(v, str) and v.startswith("'") and v[1:].startswith(FORMULA_START)]
    assert quoted, "the hostile sources should reach the sources and notes sheets"
    assert not [c for c in csv_cells if _executable(c)]
    assert not [v for v in values if _executable(v)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_the_displacement_table_holds_what_the_chart_draws(context_for):
    ctx = context_for("from=2020-02&to=2020-02")
    fig = files.page_figure("displacement", ctx)[0]
    drawn = {v for tr in fig["data"] if tr.get("name") != "Key dates" and "fill" not in tr
             for v in tr["y"] if v is not None}
    tab = files.data_table("displacement", ctx)
    published = tab.data[tab.data["record"] == "published figure"]
    assert drawn and drawn <= set(published["value"].dropna().astype(float)) | {float(v) for v in drawn if v != int(v)}
    assert 752131 in set(published["value"])  # OCHA's February 2020 figure (facts 1.38a)
    row = published[published["value"] == 752131].iloc[0]
    assert row["organisation"] == "OCHA" and row["period_start"] == "2020-02-01" and row["unit"] == "people_displaced"
    assert set(tab.sources["source_id"]) == set(published["source_id"])


def test_csv_round_trips_and_xlsx_has_data_sources_and_notes(context_for):
    ctx = context_for("from=2019-12&to=2020-03")
    tab = files.data_table("displacement", ctx)
    back = pd.read_csv(io.BytesIO(tables.to_csv(tab)), encoding="utf-8-sig", dtype=object, keep_default_na=False)
    expected = tables.neutral_frame(tab.data)
    assert list(back.columns) == list(expected.columns) and len(back) == len(expected) > 5
    for column in back.columns:
        for got, want in zip(back[column], expected[column]):
            if want is None or (not isinstance(want, str) and pd.isna(want)):
                assert got == "", column
            elif isinstance(want, str):
                assert got == want, column
            else:
                assert float(got) == float(want), column
    assert "752131" in set(back["value"])  # whole numbers written as such

    book = openpyxl.load_workbook(io.BytesIO(files.chart_data("displacement", ctx, "xlsx")))
    assert book.sheetnames == ["data", "sources", "notes"]
    data, sources, notes = (book[n] for n in book.sheetnames)
    header = [c.value for c in data[1]]
    assert {"record", "period_start", "value", "unit", "source_id", "organisation", "title"} <= set(header)
    values = [row[header.index("value")].value for row in data.iter_rows(min_row=2)]
    assert 752131 in values and data.max_row == len(tab.data) + 1
    assert [c.value for c in sources[1]][:4] == ["source_id", "organisation", "via", "title"]
    assert {r[0].value for r in sources.iter_rows(min_row=2)} == set(tab.sources["source_id"])
    note_rows = {r[0].value: r[1].value for r in notes.iter_rows(min_row=2)}
    assert note_rows["Period"] == "1 Dec 2019 – 31 Mar 2020" and "Caveat" in note_rows
    assert "Generated 30 Nov 2026 09:15 UTC" in note_rows["Generated"]


def test_the_map_table_gives_each_areas_value_with_both_names(context_for):
    ctx = context_for("from=2020-02&to=2020-02&ind=idp_arrivals")
    tab = files.data_table("map", ctx)
    by_pcode = tab.data.set_index("pcode")
    assert by_pcode.loc["SY07", "value"] == 344110 and by_pcode.loc["SY07", "area"] == "Idleb"
    assert by_pcode.loc["SY07", "area_ar"] == "إدلب"
    assert (tab.data["period_start"] == "2020-02-01").all() and (tab.data["unit"] == "IDP arrivals").all()


def test_the_map_table_comes_from_the_map_panels_inputs_without_drawing_the_map(context_for, monkeypatch):
    """The map's data export takes its values (per 10,000 people, computed once) and its notes from
    the map panel's inputs: the map is not drawn to read its notes."""
    from dashboard.data import indicators
    from dashboard.panels import base
    from dashboard.panels import map as map_panel
    from dashboard.panels.map_parts import all_notes

    def never(*args):
        raise AssertionError("the map was drawn for its data export")

    monkeypatch.setitem(base._REGISTRY, "map", dataclasses.replace(map_panel.PANEL, figure=never))
    real, calls = indicators.per_10k, []
    monkeypatch.setattr(indicators, "per_10k", lambda *args: calls.append(args) or real(*args))
    ctx = context_for("from=2020-02&to=2020-02&ind=idp_arrivals&per10k=1")
    book = openpyxl.load_workbook(io.BytesIO(files.chart_data("map", ctx, "xlsx")))
    assert len(calls) == 1
    notes = [r[1].value for r in book["notes"].iter_rows(min_row=2) if r[0].value == "Note"]
    expected = all_notes(map_panel.update(ctx.request)["notes"])
    assert notes == expected and notes  # the notes under the map on the page
    header = [c.value for c in book["data"][1]]
    assert "unit" in header and {r[header.index("unit")].value for r in book["data"].iter_rows(min_row=2)} <= {
        "IDP arrivals per 10,000 people"}
