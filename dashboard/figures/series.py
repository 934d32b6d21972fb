"""Time-series figures: displacement and casualties by period, Syrians in Türkiye by date.

Each published figure is drawn as a flat segment over the period it covers, so a monthly count
and a three-month count are not confused. Units stay apart: one trace per unit (displacements
are movements, not people), cumulative totals are separate traces shown on demand, and where
sources disagree each source has its own trace.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    PALETTE,
    add_empty_note,
    add_key_dates,
    base_layout,
    fmt_period,
    fmt_value,
    range_trace,
    segment_trace,
    with_source_names,
)
from dashboard.i18n import Translate

DISPLACEMENT_UNITS = {
    "people_displaced": "People displaced",
    "displacements": "Displacements (movements)",
    "idp_arrivals": "IDP arrivals",
    "idp_departures": "IDP departures",
    "idp_returns": "IDP returns",
}
CASUALTY_UNITS = {
    "civilians_killed": "civilians killed",
    "people_killed": "people killed",
    "deaths_all": "deaths",
    "identified_killed": "identified people killed",
}
# Casualty totals over more than about a year (war-wide tallies, OHCHR's 2011–2021 count for
# Idleb) would flatten every period figure: they are a separate trace, shown on demand.
LONG_SPAN_DAYS = 400
REFUGEE_SERIES = {
    "DGMM": "Türkiye government (DGMM/PMM)",
    "UN_AFAD": "UN / AFAD registration counts",
    "UNHCR": "UNHCR",
    "TR_ESTIMATE": "Turkish authorities' early estimate",
}


def _hover(frame: pd.DataFrame, value_col: str, unit_labels: dict, t: Translate) -> pd.Series:
    return frame.apply(
        lambda r: (
            f"<b>{fmt_value(r[value_col], r['qualifier'], r['low'], r['high'])}</b> {t(unit_labels.get(r['unit'], r['unit']))}"
            f"<br>{r['area_en']}, {fmt_period(r['period_start'], r['period_end'])}"
            f"<br>{t('Source')}: {r['organisation']}, {r['published']}"
            + (f"<br><i>{t('Statement by a party to the conflict')}</i>" if r["kind"] == "statement_by_party" else "")
        ),
        axis=1,
    )


def _traces(rows: pd.DataFrame, value_col: str, name: str, color: str, dash="solid", visible=True) -> list:
    """Segments for rows with a value, range bars for rows published as low–high."""
    traces = [segment_trace(rows, value_col, name, color, dash, visible)]
    if rows[["low", "high"]].notna().all(axis=1).any():
        traces.append(range_trace(rows, name, color, visible))
    return traces


def sum_community_rows(displacement: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """Community-level rows (those with a location_pcode, e.g. a monthly sheet's 2,000 rows) summed
    per source, unit, direction and period into one figure each; published figures stay as they are."""
    detail = displacement["location_pcode"].notna() if "location_pcode" in displacement else pd.Series(False, index=displacement.index)
    if not detail.any():
        return displacement
    keys = ["source_id", "unit", "direction", "measure", "kind", "period_start", "period_end"]
    summed = displacement[detail].groupby(keys, as_index=False, dropna=False).agg(
        value=("value", "sum"), areas=("location_pcode", "nunique"),
    )
    summed["area_en"] = summed["areas"].map(lambda n: t("{n} communities (sum)").format(n=f"{n:,}"))
    summed["qualifier"] = "exact"
    summed["low"] = summed["high"] = pd.NA
    return pd.concat([displacement[~detail], summed.drop(columns="areas")], ignore_index=True)


def displacement_figure(displacement, sources, timeline, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(sum_community_rows(displacement, t), sources)
    frame["hover"] = _hover(frame, "value", DISPLACEMENT_UNITS, t) if len(frame) else []
    fig = go.Figure()
    for i, (unit, label) in enumerate(DISPLACEMENT_UNITS.items()):
        color = PALETTE[i % len(PALETTE)]
        for measure in ("period", "cumulative"):
            rows = frame[(frame["unit"] == unit) & (frame["measure"] == measure)]
            if rows.empty:
                continue
            name = t(label) if measure == "period" else f"{t(label)} ({t('cumulative since period start')})"
            dash = "solid" if measure == "period" else "dot"
            fig.add_traces(_traces(rows, "value", name, color, dash))
    base_layout(fig, t("Displacement in north-west Syria, by reporting period"), t("Number (unit in legend)"), start, end)
    add_key_dates(fig, timeline, t)
    if frame.empty:
        add_empty_note(fig, t)
    return fig


def casualties_figure(casualties, sources, timeline, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(casualties, sources)
    frame["hover"] = _hover(frame, "killed", CASUALTY_UNITS, t) if len(frame) else []
    long_span = (frame["period_end"] - frame["period_start"]).dt.days > LONG_SPAN_DAYS
    totals = (frame["area_en"] == "Syria") | long_span
    local, war_wide = frame[~totals], frame[totals]
    fig = go.Figure()
    for i, (org, rows) in enumerate(local.groupby("organisation", sort=True)):
        fig.add_traces(_traces(rows, "killed", str(org), PALETTE[i % len(PALETTE)]))
    if not war_wide.empty:
        fig.add_traces(_traces(war_wide, "killed", t("War-wide and multi-year totals"), "#777", "dot", "legendonly"))
    base_layout(fig, t("Casualties in Idlib and north-west Syria, by source and period"), t("People killed"), start, end)
    add_key_dates(fig, timeline, t)
    if local.empty:
        add_empty_note(fig, t)
    return fig


def refugees_figure(refugees, sources, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(refugees, sources)
    stock = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
    fig = go.Figure()
    for i, (series, label) in enumerate(REFUGEE_SERIES.items()):
        rows = stock[stock["series"] == series].sort_values("date")
        if rows.empty:
            continue
        hover = [
            f"<b>{fmt_value(v, q)}</b> {t('Syrians')}<br>{d:%-d %b %Y}<br>{t('Source')}: {o}, {p}"
            for v, q, d, o, p in zip(rows["persons"], rows["qualifier"], rows["date"], rows["organisation"], rows["published"])
        ]
        fig.add_trace(go.Scatter(
            x=rows["date"], y=rows["persons"], mode="lines+markers", name=t(label),
            line={"color": PALETTE[i], "width": 2}, hovertext=hover, hoverinfo="text",
        ))
    base_layout(fig, t("Syrians under temporary protection in Türkiye"), t("People"), start, end)
    if stock.empty:
        add_empty_note(fig, t)
    return fig
