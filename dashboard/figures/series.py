"""Time-series figures: displacement, casualties, Syrians in Türkiye, conflict events and
movement toward the border.

Each published figure is drawn as a flat segment over the period it covers, so a monthly count
and a three-month count are not confused. Units stay apart: one trace per unit (displacements
are movements, not people), cumulative totals are separate traces, and where sources disagree
each source has its own trace and the range between them is shaded. Records finer than a month
(events, movements) come bucketed by day, week or month. With areas compared, each area has its
own traces (its name in the legend, its own dash).

Every trace carries the source ids of what it draws in `meta["sources"]`.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.common import (
    FONT,
    GRID,
    PALETTE,
    add_empty_note,
    add_key_dates,
    band_trace,
    base_layout,
    bucket_hovertemplate,
    bucket_range_band,
    bucket_trace,
    fill_band,
    fmt_date,
    fmt_period,
    fmt_value,
    new_figure,
    range_trace,
    scatter,
    segment_trace,
    source_ids,
    source_range_boxes,
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
AREA_DASHES = ("solid", "dash", "dot", "dashdot")
BAND_COLOR = "#888888"
THRESHOLD_DASH = {10: "dot", 25: "solid", 50: "dash"}


def _hover(frame: pd.DataFrame, value_col: str, unit_labels: dict, t: Translate) -> list[str]:
    party = t("Statement by a party to the conflict")
    return [
        f"<b>{fmt_value(v, q, lo, hi)}</b> {t(unit_labels.get(u, u))}<br>{area}, {fmt_period(s, e)}"
        f"<br>{t('Source')}: {org}, {pub}" + (f"<br><i>{party}</i>" if kind == "statement_by_party" else "")
        for v, q, lo, hi, u, area, s, e, org, pub, kind in zip(
            frame[value_col], frame["qualifier"], frame["low"], frame["high"], frame["unit"], frame["area_en"],
            frame["period_start"], frame["period_end"], frame["organisation"], frame["published"], frame["kind"])
    ]


def _traces(rows: pd.DataFrame, value_col: str, name: str, color: str, dash="solid", visible=True) -> list:
    """Segments for rows with a value, range bars for rows published as low–high."""
    traces = [segment_trace(rows, value_col, name, color, dash, visible)]
    if rows[["low", "high"]].notna().all(axis=1).any():
        traces.append(range_trace(rows, name, color, visible))
    return traces


def _area_name(area: str | None, names: dict) -> str:
    return names.get(area, area) if area else ""


def _named(name: str, area: str | None, names: dict) -> str:
    return f"{name} — {_area_name(area, names)}" if area else name


def area_rows(frame: pd.DataFrame, areas: tuple[str, ...], column: str = "pcode") -> list[tuple[str | None, pd.DataFrame]]:
    """(area, rows) per compared area (rows whose P-code lies in it), or (None, all rows)."""
    if not areas:
        return [(None, frame)]
    codes = frame[column].astype("string")
    return [(a, frame[codes.str.startswith(a).fillna(False).astype(bool)]) for a in areas]


def sum_community_rows(displacement: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """Community-level rows (those with a location_pcode, e.g. a monthly sheet's 2,000 rows) summed
    per source, unit, direction and period into one figure each; published figures stay as they are."""
    detail = displacement["location_pcode"].notna() if "location_pcode" in displacement else pd.Series(False, index=displacement.index)
    if not detail.any():
        return displacement
    keys = ["source_id", "unit", "direction", "measure", "kind", "period_start", "period_end"]
    summed = displacement[detail].groupby(keys, dropna=False).agg({"value": "sum", "location_pcode": "nunique"})
    summed = summed.reset_index().rename(columns={"location_pcode": "areas"})
    summed["area_en"] = summed["areas"].map(lambda n: t("{n} communities (sum)").format(n=f"{n:,}"))
    summed["qualifier"] = "exact"
    summed["low"] = summed["high"] = pd.NA
    return pd.concat([displacement[~detail], summed.drop(columns="areas")], ignore_index=True)


def _source_bands(fig: go.Figure, frame: pd.DataFrame, value_col: str, keys: list[str], t: Translate) -> None:
    boxes = source_range_boxes(frame, value_col, keys, t)
    if len(boxes):
        fig.add_trace(band_trace(boxes, t("Range between sources"), BAND_COLOR))


def displacement_figure(displacement, sources, timeline, start, end, t: Translate, flows: pd.DataFrame | None = None,
                        areas: tuple[str, ...] = (), names: dict | None = None) -> go.Figure:
    """Published displacement figures per unit (and area), plus movements from origin–destination
    data per source, bucketed."""
    names = names or {}
    fig = new_figure()
    drawn = 0
    for a_i, (area, rows) in enumerate(area_rows(displacement, areas)):
        frame = with_source_names(sum_community_rows(rows, t), sources)
        frame["hover"] = _hover(frame, "value", DISPLACEMENT_UNITS, t) if len(frame) else []
        for i, (unit, label) in enumerate(DISPLACEMENT_UNITS.items()):
            color = PALETTE[i % len(PALETTE)]
            for measure in ("period", "cumulative"):
                unit_rows = frame[(frame["unit"] == unit) & (frame["measure"] == measure)]
                if unit_rows.empty:
                    continue
                name = t(label) if measure == "period" else f"{t(label)} ({t('cumulative since period start')})"
                dash = AREA_DASHES[a_i % 4] if measure == "period" else "dot"
                fig.add_traces(_traces(unit_rows, "value", _named(name, area, names), color, dash))
                drawn += len(unit_rows)
        period = frame[frame["measure"] == "period"]
        if len(period):
            _source_bands(fig, period.assign(pcode=period["pcode"].fillna("")), "value",
                          ["unit", "period_start", "period_end", "pcode"], t)
    if flows is not None and len(flows):
        flows = with_source_names(flows, sources)
        agg = flows.attrs.get("agg", "month")
        for a_i, (area, rows) in enumerate(flows.groupby("area", dropna=False, sort=False) if areas else [(None, flows)]):
            area = None if pd.isna(area) else area
            for s_i, (org, src_rows) in enumerate(rows.groupby("organisation", sort=True)):
                what = t("displacements (movements)") + (f" {t('into')} {_area_name(area, names)}" if area else "")
                label = t("Movements, origin–destination data ({org})").format(org=org)
                fig.add_trace(bucket_trace(src_rows, "persons", _named(label, area, names),
                                           PALETTE[(5 + s_i) % len(PALETTE)], bucket_hovertemplate(what, org, agg, t),
                                           AREA_DASHES[a_i % 4]))
                drawn += len(src_rows)
    base_layout(fig, t("Displacement in north-west Syria, by reporting period"), t("Number (unit in legend)"), start, end)
    add_key_dates(fig, timeline, t)
    if not drawn:
        add_empty_note(fig, t)
    return fig


def _event_fatality_traces(fig: go.Figure, events: pd.DataFrame, sources, names: dict, t: Translate,
                           start_color: int) -> int:
    """Fatalities in conflict events per dataset (and area), with the low–high band where the
    dataset gives one (UCDP), and the range between datasets shaded where both report."""
    frame = with_source_names(events, sources)
    agg = events.attrs.get("agg", "month")
    groups = frame.groupby(["area", "dataset"], dropna=False, sort=True) if len(frame) else []
    for i, ((area, dataset), rows) in enumerate(groups):
        area = None if pd.isna(area) else area
        color = PALETTE[(start_color + i) % len(PALETTE)]
        org = ", ".join(sorted(rows["organisation"].dropna().astype(str).unique()))
        name = _named(t("Fatalities in conflict events ({dataset})").format(dataset=dataset), area, names)
        rows = rows.sort_values("bucket_start")
        given = rows["fatalities_low"].notna() & rows["fatalities_high"].notna()
        extra = ""
        custom = None
        if given.any():
            extra = " (" + t("low–high") + " %{customdata[0]:,}–%{customdata[1]:,})"
            custom = rows[["fatalities_low", "fatalities_high"]].astype(float).to_numpy()
        fig.add_trace(bucket_trace(rows, "fatalities", name, color,
                                   bucket_hovertemplate(t("fatalities"), org, agg, t, extra), customdata=custom))
        if given.any():
            band = rows[given]
            fig.add_traces(fill_band(band["bucket_start"], band["fatalities_low"], band["fatalities_high"],
                                     f"{name} — {t('low–high estimate')}", color, sorted(set(band["source_id"].astype(str)))))
    if len(frame):
        fig.add_traces(bucket_range_band(frame.assign(area=frame["area"].fillna("")), "fatalities", ["area"],
                                         t("Range between datasets"), BAND_COLOR))
    return len(frame)


def casualties_figure(casualties, sources, timeline, start, end, t: Translate, events: pd.DataFrame | None = None,
                      areas: tuple[str, ...] = (), names: dict | None = None) -> go.Figure:
    names = names or {}
    fig = new_figure()
    drawn = 0
    for a_i, (area, rows) in enumerate(area_rows(casualties, areas)):
        frame = with_source_names(rows, sources)
        frame["hover"] = _hover(frame, "killed", CASUALTY_UNITS, t) if len(frame) else []
        days = (pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])).dt.days
        long_span = days > LONG_SPAN_DAYS
        totals = (frame["area_en"] == "Syria") | long_span
        local, war_wide = frame[~totals], frame[totals]
        for i, (org, org_rows) in enumerate(local.groupby("organisation", sort=True)):
            fig.add_traces(_traces(org_rows, "killed", _named(str(org), area, names), PALETTE[i % len(PALETTE)],
                                   AREA_DASHES[a_i % 4]))
        if len(local):
            _source_bands(fig, local.assign(pcode=local["pcode"].fillna("")), "killed",
                          ["unit", "period_start", "period_end", "pcode"], t)
        if not war_wide.empty:
            fig.add_traces(_traces(war_wide, "killed", _named(t("War-wide and multi-year totals"), area, names), "#777",
                                   "dot", "legendonly"))
        drawn += len(local)
    if events is not None and len(events):
        drawn += _event_fatality_traces(fig, events, sources, names, t, start_color=4)
    base_layout(fig, t("Casualties in Idlib and north-west Syria, by source and period"), t("People killed"), start, end)
    add_key_dates(fig, timeline, t)
    if not drawn:
        add_empty_note(fig, t)
    return fig


def refugees_figure(refugees, sources, start, end, t: Translate) -> go.Figure:
    frame = with_source_names(refugees, sources)
    stock = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
    fig = new_figure()
    for i, (series, label) in enumerate(REFUGEE_SERIES.items()):
        rows = stock[stock["series"] == series].sort_values("date")
        if rows.empty:
            continue
        hover = [
            f"<b>{fmt_value(v, q)}</b> {t('Syrians')}<br>{fmt_date(d)}<br>{t('Source')}: {o}, {p}"
            for v, q, d, o, p in zip(rows["persons"], rows["qualifier"], rows["date"], rows["organisation"], rows["published"])
        ]
        fig.add_trace(scatter(
            x=rows["date"], y=rows["persons"], mode="lines+markers", name=t(label),
            line={"color": PALETTE[i], "width": 2}, hovertext=hover, hoverinfo="text",
            meta={"sources": source_ids(rows)},
        ))
    if len(stock):
        same = stock.assign(period_start=stock["date"], period_end=stock["date"],
                            month=stock["date"].dt.to_period("M").dt.start_time)
        _source_bands(fig, same, "persons", ["unit", "month"], t)
    base_layout(fig, t("Syrians under temporary protection in Türkiye"), t("People"), start, end)
    if stock.empty:
        add_empty_note(fig, t)
    return fig


def events_figure(events: pd.DataFrame, sources, timeline, start, end, t: Translate, agg: str = "month",
                  names: dict | None = None) -> go.Figure:
    """Conflict events per bucket, per dataset (and compared area); the range between datasets
    shaded where both report."""
    names = names or {}
    fig = new_figure()
    frame = with_source_names(events, sources) if len(events) else events
    if len(frame):
        for i, ((area, dataset), rows) in enumerate(frame.groupby(["area", "dataset"], dropna=False, sort=True)):
            area = None if pd.isna(area) else area
            org = ", ".join(sorted(rows["organisation"].dropna().astype(str).unique()))
            fig.add_trace(bucket_trace(rows, "events", _named(str(dataset), area, names), PALETTE[i % len(PALETTE)],
                                       bucket_hovertemplate(t("events"), org, agg, t)))
        fig.add_traces(bucket_range_band(frame.assign(area=frame["area"].fillna("")), "events", ["area"],
                                         t("Range between datasets"), BAND_COLOR))
    title = {"day": t("Conflict events per day"), "week": t("Conflict events per week"),
             "month": t("Conflict events per month")}[agg]
    base_layout(fig, title, t("Events"), start, end)
    add_key_dates(fig, timeline, t)
    if not len(frame):
        add_empty_note(fig, t)
    return fig


def border_figure(summary: pd.DataFrame, sources, start, end, t: Translate, names: dict | None = None) -> go.Figure:
    """Movement toward the border: the share of displaced people whose destination lies within
    10, 25 and 50 km of the Turkish border (top) and the mean distance moved toward it (bottom),
    per source, unit, basis and compared area."""
    names = names or {}
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.62, 0.38],
                        figure=new_figure())
    frame = with_source_names(summary, sources) if len(summary) else summary
    if len(frame):
        keys = ["area", "organisation", "unit", "basis"]
        for i, ((area, org, _unit, basis), rows) in enumerate(frame.groupby(keys, dropna=False, sort=True)):
            area = None if pd.isna(area) else area
            color = PALETTE[i % len(PALETTE)]
            what = t("movements") if basis == "flow" else t("IDP arrivals")
            label = _named(f"{org} ({what})", area, names)
            rows = rows.sort_values("bucket_start")
            custom = rows[["persons", "within_10_km", "within_25_km", "within_50_km"]].astype(float).to_numpy()
            for j, km in enumerate((10, 25, 50)):
                template = (f"<b>%{{y:.0%}}</b> {t('within {km} km of the border').format(km=km)}<br>"
                            f"%{{customdata[{j + 1}]:,}} / %{{customdata[0]:,}} {t('with a known destination')}<br>"
                            f"%{{x|%b %Y}}<br>{t('Source')}: {org}<extra></extra>")
                fig.add_trace(scatter(
                    x=rows["bucket_start"], y=rows[f"share_{km}"], mode="lines+markers",
                    name=f"{label}: {t('within {km} km').format(km=km)}", legendgroup=label,
                    line={"color": color, "dash": THRESHOLD_DASH[km], "width": 2}, marker={"size": 5},
                    customdata=custom, hovertemplate=template, meta={"sources": source_ids(rows)},
                ), row=1, col=1)
            toward = rows.dropna(subset=["mean_toward_km"])
            if len(toward):
                fig.add_trace(scatter(
                    x=toward["bucket_start"], y=toward["mean_toward_km"], name=f"{label}: {t('mean km toward the border')}",
                    mode="lines+markers", line={"color": color, "width": 1.5}, marker={"size": 6, "symbol": "diamond"},
                    legendgroup=label,
                    hovertemplate=f"<b>%{{y:,.1f}} km</b> {t('moved toward the border (mean)')}<br>%{{x|%b %Y}}<extra></extra>",
                    meta={"sources": source_ids(toward)},
                ), row=2, col=1)
    fig.update_layout(
        title={"text": t("Movement toward the Turkish border"), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 12}, margin={"l": 60, "r": 20, "t": 50, "b": 40}, height=460,
        paper_bgcolor="white", plot_bgcolor="white", legend={"orientation": "h", "y": -0.15, "x": 0},
        hovermode="closest",
    )
    fig.update_xaxes(range=[start, end], type="date", **GRID)
    fig.update_yaxes(title_text=t("Share of destinations"), tickformat=".0%", range=[0, 1.02], row=1, col=1, **GRID)
    fig.update_yaxes(title_text=t("km toward the border"), row=2, col=1, **GRID)
    if not len(frame):
        fig.add_annotation(text=t("No movements with a known destination in the selected period"), showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.6, font={"size": 14, "color": "#555"})
    return fig
