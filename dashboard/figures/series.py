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
    period_segments,
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
REFUGEE_SERIES = {
    "DGMM": "Türkiye government (DGMM/PMM)",
    "UN_AFAD": "UN / AFAD registration counts",
    "UNHCR": "UNHCR",
    "TR_ESTIMATE": "Turkish authorities' early estimate",
}


def _hover(frame: pd.DataFrame, value_col: str, unit_labels: dict, t: Translate) -> pd.Series:
    return frame.apply(
        lambda r: (
            f"<b>{fmt_value(r[value_col], r['qualifier'])}</b> {t(unit_labels.get(r['unit'], r['unit']))}"
            f"<br>{r['area_en']}, {fmt_period(r['period_start'], r['period_end'])}"
            f"<br>{t('Source')}: {r['organisation']}, {r['published']}"
            + (f"<br><i>{t('Statement by a party to the conflict')}</i>" if r["kind"] == "statement_by_party" else "")
        ),
        axis=1,
    )


def _segment_trace(frame: pd.DataFrame, value_col: str, name: str, color: str, dash: str = "solid", visible=True):
    xs, ys, texts = period_segments(frame, value_col)
    return go.Scatter(
        x=xs, y=ys, hovertext=texts, hoverinfo="text", name=name, mode="lines+markers",
        line={"color": color, "width": 3, "dash": dash}, marker={"size": 6, "color": color},
        visible=visible, connectgaps=False,
    )


def displacement_figure(displacement, sources, timeline, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(displacement, sources)
    frame["hover"] = _hover(frame, "value", DISPLACEMENT_UNITS, t) if len(frame) else []
    fig = go.Figure()
    for i, (unit, label) in enumerate(DISPLACEMENT_UNITS.items()):
        color = PALETTE[i % len(PALETTE)]
        for measure in ("period", "cumulative"):
            rows = frame[(frame["unit"] == unit) & (frame["measure"] == measure)]
            if rows.empty:
                continue
            name = t(label) if measure == "period" else f"{t(label)} ({t('cumulative since period start')})"
            dash, visible = ("solid", True) if measure == "period" else ("dot", "legendonly")
            fig.add_trace(_segment_trace(rows, "value", name, color, dash, visible))
    base_layout(fig, t("Displacement in north-west Syria, by reporting period"), t("Number (unit in legend)"), start, end)
    add_key_dates(fig, timeline, t)
    if frame.empty:
        add_empty_note(fig, t)
    return fig


def casualties_figure(casualties, sources, timeline, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(casualties, sources)
    frame["hover"] = _hover(frame, "killed", CASUALTY_UNITS, t) if len(frame) else []
    local = frame[frame["area_en"] != "Syria"]
    war_wide = frame[frame["area_en"] == "Syria"]
    fig = go.Figure()
    for i, (org, rows) in enumerate(local.groupby("organisation", sort=True)):
        fig.add_trace(_segment_trace(rows, "killed", str(org), PALETTE[i % len(PALETTE)]))
        ranged = rows.dropna(subset=["low", "high"])
        if not ranged.empty:
            mid = ranged["period_start"] + (ranged["period_end"] - ranged["period_start"]) / 2
            fig.add_trace(go.Scatter(
                x=mid, y=ranged["killed"], mode="markers", showlegend=False, hoverinfo="skip",
                marker={"size": 1, "color": PALETTE[i % len(PALETTE)]},
                error_y={"type": "data", "symmetric": False,
                         "array": ranged["high"] - ranged["killed"], "arrayminus": ranged["killed"] - ranged["low"]},
            ))
    if not war_wide.empty:
        fig.add_trace(_segment_trace(war_wide, "killed", t("War-wide totals, all Syria"), "#777", "dot", "legendonly"))
    base_layout(fig, t("Casualties in Idlib and north-west Syria, by source and period"), t("People killed"), start, end)
    add_key_dates(fig, timeline, t)
    if frame.empty:
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
