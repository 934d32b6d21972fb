"""The numbers behind each chart and the map, as tidy tables, and their CSV and XLSX files.

A chart's table is made from the same rows as the chart (`view.chart_inputs`, `indicators.area_values`),
one row per published figure or per bucket of a series, with its source's organisation, title,
publication date and link. The XLSX has three sheets: data, sources, notes (filters, units, caveats).

Every text cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, as OWASP advises for CSV injection, and
XLSX cells are typed as text, so no export can run a formula when opened.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from dashboard import indicators, view
from dashboard.data import Warehouse
from dashboard.figures.common import isos
from dashboard.figures.series import area_rows
from dashboard.i18n import Translate
from dashboard.selection import selection
from dashboard.state import ViewState
from etl.contracts import public_url

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NAMES = (*view.CHARTS, "map")
SOURCE_COLUMNS = ["source_id", "organisation", "via", "title", "url", "published", "licence", "note"]


def neutral(value):
    """A text cell that cannot be read as a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutral(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutral).astype(object)
    return out


def cell(value):
    """A plain Python value for a file: None for missing, whole numbers as int (752131, not 752131.0)."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Table:
    name: str
    data: pd.DataFrame
    sources: pd.DataFrame
    notes: tuple[tuple[str, str], ...]  # (heading, text)


def _published_rows(frame: pd.DataFrame, value_col: str, record: str, areas: tuple) -> pd.DataFrame:
    parts = []
    for area, rows in area_rows(frame, areas):
        if rows.empty:
            continue
        def col(name, rows=rows):
            return rows[name].to_numpy() if name in rows else None
        parts.append(pd.DataFrame({
            "record": record, "compared_area": area or "", "period_start": isos(rows["period_start"]),
            "period_end": isos(rows["period_end"]), "area": col("area_en"), "pcode": col("pcode"), "unit": col("unit"),
            "measure": col("measure"), "direction": col("direction"), "kind": col("kind"), "value": col(value_col),
            "qualifier": col("qualifier"), "low": col("low"), "high": col("high"), "source_id": col("source_id"),
        }).dropna(axis=1, how="all"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _series_rows(frame: pd.DataFrame, value_col: str, record, unit: str, extra: dict | None = None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame()
    out = {
        "record": record if isinstance(record, str) else list(record), "compared_area": frame["area"].fillna("").to_numpy(),
        "period_start": isos(frame["bucket_start"]), "period_end": isos(frame["bucket_end"]),
        "unit": frame["unit"].to_numpy() if "unit" in frame else unit, "value": frame[value_col].to_numpy(),
        "source_id": frame["source_id"].to_numpy(),
    }
    for column, source in (extra or {}).items():
        out[column] = frame[source].to_numpy()
    return pd.DataFrame(out)


def chart_rows(name: str, wh: Warehouse, state: ViewState) -> pd.DataFrame:
    """The rows behind chart `name` (or "map") for a view state."""
    if name == "map":
        return map_rows(wh, state)
    inputs = view.chart_inputs(name, wh, state)
    sel, series = inputs["sel"], inputs.get("series")
    parts = []
    if name == "displacement":
        parts.append(_published_rows(inputs["published"], "value", "published figure", sel.areas))
        parts.append(_series_rows(series, "persons", "movements, origin-destination data", "displacements"))
    elif name == "casualties":
        parts.append(_published_rows(inputs["published"], "killed", "published figure", sel.areas))
        if series is not None and len(series):
            parts.append(_series_rows(series, "fatalities", [f"fatalities in conflict events ({d})" for d in series["dataset"]],
                                      "people killed", {"low": "fatalities_low", "high": "fatalities_high"}))
    elif name == "refugees":
        frame = inputs["published"]
        frame = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
        parts.append(pd.DataFrame({
            "record": "published figure", "series": frame["series"].to_numpy(), "date": isos(frame["date"]),
            "origin": frame["origin_iso3"].to_numpy(), "asylum": frame["asylum_iso3"].to_numpy(),
            "unit": frame["unit"].to_numpy(), "value": frame["persons"].to_numpy(),
            "qualifier": frame["qualifier"].to_numpy(), "source_id": frame["source_id"].to_numpy(),
        }))
    elif name == "events":
        if series is not None and len(series):
            parts.append(_series_rows(series, "events", [f"conflict events ({d})" for d in series["dataset"]], "events"))
    elif name == "border":
        if series is not None and len(series):
            extra = {c: c for c in ("basis", "within_10_km", "within_25_km", "within_50_km", "share_10", "share_25",
                                    "share_50", "mean_toward_km", "mean_dest_border_km")}
            parts.append(_series_rows(series, "persons", "people with a known destination", "", extra))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"record": [], "value": [], "source_id": []})


def map_rows(wh: Warehouse, state: ViewState) -> pd.DataFrame:
    """The choropleth's values: one row per area of the level with a figure in the period."""
    sel = selection(state, wh["sources"])
    if state.indicator not in indicators.INDICATORS:
        return pd.DataFrame({"pcode": [], "value": [], "source_id": []})
    values = indicators.area_values(wh, state.indicator, sel, view.organisations(wh))
    unit = indicators.INDICATORS[state.indicator].label
    if state.per10k:
        values = indicators.per_10k(values, indicators.population(wh, sel))
        unit = f"{unit} per 10,000 people"
    areas = wh["admin_areas"].set_index("pcode")
    return pd.DataFrame({
        "pcode": values["pcode"].to_numpy(), "level": state.level,
        "area": [areas["name_en"].get(p) for p in values["pcode"]],
        "area_ar": [areas["name_ar"].get(p) for p in values["pcode"]],
        "indicator": state.indicator, "unit": unit, "period_start": sel.window_start.date().isoformat(),
        "period_end": sel.window_end.date().isoformat(), "value": values["value"].to_numpy(),
        "source_id": values["sources"].to_numpy(),
    })


def with_sources(rows: pd.DataFrame, sources: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows with their sources' organisations and titles, and the sources they cite."""
    lookup = sources.set_index("source_id")
    ids_per_row = [[i for i in str(s).split(",") if i] if isinstance(s, str) else [] for s in rows.get("source_id", [])]
    cited = sorted({i for ids in ids_per_row for i in ids})
    if len(rows):
        for column in ("organisation", "title", "published"):
            rows = rows.assign(**{column: ["; ".join(str(lookup[column].get(i, "")) for i in ids) for ids in ids_per_row]})
    used = sources[sources["source_id"].isin(cited)]
    return rows, used[[c for c in SOURCE_COLUMNS if c in used.columns]].sort_values(["organisation", "source_id"])


def table(name: str, wh: Warehouse, state: ViewState, notes: tuple[tuple[str, str], ...]) -> Table:
    if name not in NAMES:
        raise ValueError(f"unknown chart {name!r}: expected one of {', '.join(NAMES)}")
    data, used = with_sources(chart_rows(name, wh, state), wh["sources"])
    return Table(name, data.reset_index(drop=True), used.reset_index(drop=True), notes)


def to_csv(tab: Table) -> bytes:
    """The data sheet as UTF-8 CSV with a byte-order mark (Excel reads the Arabic names right)."""
    frame = neutral_frame(tab.data)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # quotes any cell holding a line break (pandas leaves \r bare)
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow(["" if v is None else v for v in map(cell, row)])
    return out.getvalue().encode("utf-8-sig")


def _sheet(book, title: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    frame = neutral_frame(frame)
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([cell(v) for v in row])
    for cells in sheet.iter_rows():
        for box in cells:
            if isinstance(box.value, str):
                box.data_type = "s"  # text, never a formula
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"


def sources_sheet(sources: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """The sources as the sheet lists them: a source without a web address says "no public link"
    (a local file path never leaves the server)."""
    if "url" not in sources:
        return sources
    return sources.assign(url=[public_url(u) or t("no public link") for u in sources["url"]])


def to_xlsx(tab: Table, t: Translate) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(book, t("data"), tab.data)
    _sheet(book, t("sources"), sources_sheet(tab.sources, t))
    _sheet(book, t("notes"), pd.DataFrame(list(tab.notes), columns=[t("note"), t("text")]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
