"""Time-series figures: displacement, casualties, Syrians in Türkiye, conflict events and
movement toward the border (plain dicts in plotly's JSON schema; see figures/common.py).

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

from dashboard.figures.common import (
    GRID,
    PALETTE,
    add_key_dates,
    area_rows,
    band_trace,
    base_layout,
    bucket_hovertemplate,
    bucket_range_band,
    bucket_trace,
    empty_note,
    esc,
    figure,
    fill_band,
    fit_y_margin,
    fmt_date,
    fmt_period,
    fmt_value,
    font_family,
    iso,
    isos,
    plain,
    range_trace,
    records,
    segment_trace,
    source_ids,
    source_range_boxes,
    title_layout,
    with_source_names,
)
from dashboard.i18n import N_, Translate

DISPLACEMENT_UNITS = {
    "people_displaced": N_("People displaced"),
    "displacements": N_("Displacements (movements)"),
    "idp_arrivals": N_("IDP arrivals"),
    "idp_departures": N_("IDP departures"),
    "idp_returns": N_("IDP returns"),
}
CASUALTY_UNITS = {
    "civilians_killed": N_("civilians killed"),
    "people_killed": N_("people killed"),
    "deaths_all": N_("deaths"),
    "identified_killed": N_("identified people killed"),
}
# Casualty totals over more than about a year (war-wide tallies, OHCHR's 2011–2021 count for
# Idleb) would flatten every period figure: they are a separate trace, shown on demand.
LONG_SPAN_DAYS = 400
REFUGEE_SERIES = {
    "DGMM": N_("Türkiye government (DGMM/PMM)"),
    "UN_AFAD": N_("UN / AFAD registration counts"),
    "UNHCR": N_("UNHCR"),
    "TR_ESTIMATE": N_("Turkish authorities' early estimate"),
}
AREA_DASHES = ("solid", "dash", "dot", "dashdot")
BAND_COLOR = "#888888"
THRESHOLD_DASH = {10: "dot", 25: "solid", 50: "dash"}


def _hover(r: dict, value_col: str, unit_labels: dict, t: Translate) -> str:
    low, high = (r["low"], r["high"]) if value_col != "injured" else (None, None)
    text = (f"<b>{fmt_value(r[value_col], r['qualifier'], low, high)}</b> "
            f"{t(unit_labels.get(r['unit'], r['unit']))}<br>{esc(r['area_en'])}, {fmt_period(r['period_start'], r['period_end'], t.lang)}"
            f"<br>{t('Source')}: {esc(r['organisation'])}, {esc(r['published'])}")
    if r["kind"] == "statement_by_party":
        text += f"<br><i>{t('Statement by a party to the conflict')}</i>"
    return text


def _published_records(frame: pd.DataFrame, sources, value_col: str, units: dict, t: Translate) -> list[dict]:
    rows = records(with_source_names(frame, sources))
    for r in rows:
        r["hover"] = _hover(r, value_col, units, t)
    return rows


def _group(rows: list[dict], *keys: str) -> dict:
    out: dict = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]], []).append(r)
    return out


def _traces(rows: list[dict], value_col: str, name: str, color: str, dash="solid", visible=True) -> list[dict]:
    """Segments for rows with a value, range bars for rows published as low–high."""
    traces = [segment_trace(rows, value_col, name, color, dash, visible)]
    if any(r["low"] is not None and r["high"] is not None for r in rows):
        traces.append(range_trace(rows, name, color, visible))
    return traces


def _area_name(area: str | None, names: dict) -> str:
    """A compared area's name, escaped for plotly (see common.esc)."""
    return esc(names.get(area, area)) if area else ""


def _named(name: str, area: str | None, names: dict) -> str:
    return f"{name} — {_area_name(area, names)}" if area else name


def _by(frame: pd.DataFrame, column: str) -> list[tuple]:
    """(value, rows) for each value of `column`, sorted (plain Python: cheaper than pandas'
    groupby on the few rows a chart draws)."""
    groups: dict = {}
    for i, v in enumerate(frame[column]):
        groups.setdefault(v, []).append(i)
    return [(v, frame.iloc[groups[v]]) for v in sorted(groups, key=lambda x: (x is None, str(x)))]


def _by2(frame: pd.DataFrame, first: str, second: str) -> list[tuple]:
    """((a, b), rows) for each pair of values of two columns (as `_by`)."""
    groups: dict = {}
    for i, key in enumerate(zip(frame[first], frame[second])):
        groups.setdefault(key, []).append(i)
    return [(key, frame.iloc[groups[key]]) for key in sorted(groups, key=str)]


def sum_community_rows(displacement: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """Community-level rows (those with a location_pcode, e.g. a monthly sheet's 2,000 rows) summed
    per source, unit, direction and period into one figure each; published figures stay as they are."""
    if "location_pcode" not in displacement or not displacement["location_pcode"].notna().any():
        return displacement
    detail = displacement["location_pcode"].notna()
    keys = ["source_id", "unit", "direction", "measure", "kind", "period_start", "period_end"]
    summed = displacement[detail].groupby(keys, dropna=False).agg({"value": "sum", "location_pcode": "nunique"})
    summed = summed.reset_index().rename(columns={"location_pcode": "areas"})
    summed["area_en"] = [t("{n} communities (sum)").format(n=f"{n:,}") for n in summed["areas"]]
    summed["qualifier"] = "exact"
    summed["low"] = summed["high"] = None
    return pd.concat([displacement[~detail], summed.drop(columns="areas")], ignore_index=True)


def _source_bands(data: list, rows: list[dict], value_col: str, keys: list[str], t: Translate) -> None:
    boxes = source_range_boxes(rows, value_col, keys, t)
    if boxes:
        data.append(band_trace(boxes, t("Range between sources"), BAND_COLOR))


def _finish(data: list, layout: dict, timeline, drawn: int, t: Translate, key_dates: bool = True) -> dict:
    fig = figure(data, layout)
    if key_dates:
        add_key_dates(fig, timeline, t)
    if not drawn:
        layout["annotations"].append(empty_note(t("No figures in the selected period")))
    return fit_y_margin(fig)


def displacement_figure(displacement, sources, timeline, start, end, t: Translate, flows: pd.DataFrame | None = None,
                        areas: tuple[str, ...] = (), names: dict | None = None) -> dict:
    """Published displacement figures per unit (and area), plus movements from origin–destination
    data per source, bucketed."""
    names = names or {}
    data: list[dict] = []
    drawn = 0
    for a_i, (area, rows) in enumerate(area_rows(displacement, areas)):
        recs = _published_records(sum_community_rows(rows, t), sources, "value", DISPLACEMENT_UNITS, t)
        groups = _group(recs, "unit", "measure")
        for i, (unit, label) in enumerate(DISPLACEMENT_UNITS.items()):
            color = PALETTE[i % len(PALETTE)]
            for measure in ("period", "cumulative"):
                unit_rows = groups.get((unit, measure))
                if not unit_rows:
                    continue
                name = t(label) if measure == "period" else f"{t(label)} ({t('cumulative since period start')})"
                dash = AREA_DASHES[a_i % 4] if measure == "period" else "dot"
                data += _traces(unit_rows, "value", _named(name, area, names), color, dash)
                drawn += len(unit_rows)
        period = [r for r in recs if r["measure"] == "period"]
        if period:
            _source_bands(data, period, "value", ["unit", "period_start", "period_end", "pcode"], t)
    if flows is not None and len(flows):
        flows = with_source_names(flows, sources)
        agg = flows.attrs.get("agg", "month")
        for a_i, (area, rows) in enumerate(_by(flows, "area") if areas else [(None, flows)]):
            for s_i, (org, src_rows) in enumerate(_by(rows, "organisation")):
                what = t("displacements (movements)") + (f" {t('into')} {_area_name(area, names)}" if area else "")
                label = t("Movements, origin–destination data ({org})").format(org=esc(org))
                data.append(bucket_trace(src_rows, "persons", _named(label, area, names),
                                         PALETTE[(5 + s_i) % len(PALETTE)], bucket_hovertemplate(what, org, agg, t),
                                         AREA_DASHES[a_i % 4]))
                drawn += len(src_rows)
    layout = base_layout(t("Displacement in north-west Syria, by reporting period"), t("Number (unit in legend)"), start, end,
                         t.lang)
    return _finish(data, layout, timeline, drawn, t)


def _event_fatality_traces(data: list, events: pd.DataFrame, sources, names: dict, t: Translate, start_color: int) -> int:
    """Fatalities in conflict events per dataset (and area), with the low–high band where the
    dataset gives one (UCDP), and the range between datasets shaded where both report."""
    frame = with_source_names(events, sources)
    agg = events.attrs.get("agg", "month")
    i = 0
    for area, area_rows_ in _by(frame, "area"):
        for dataset, rows in _by(area_rows_, "dataset"):
            color = PALETTE[(start_color + i) % len(PALETTE)]
            i += 1
            org = ", ".join(sorted({str(o) for o in rows["organisation"] if isinstance(o, str)}))
            name = _named(t("Fatalities in conflict events ({dataset})").format(dataset=esc(dataset)), area, names)
            given = (rows["fatalities_low"].notna() & rows["fatalities_high"].notna()).to_numpy()
            extra, custom = "", None
            if given.any():
                extra = " (" + t("low–high") + " %{customdata[0]:,}–%{customdata[1]:,})"
                custom = [[lo, hi] for lo, hi in zip(plain(rows["fatalities_low"]), plain(rows["fatalities_high"]))]
            data.append(bucket_trace(rows, "fatalities", name, color,
                                     bucket_hovertemplate(t("fatalities"), org, agg, t, extra), customdata=custom))
            if given.any():
                band = rows[given]
                data += fill_band(band["bucket_start"], band["fatalities_low"], band["fatalities_high"],
                                  f"{name} — {t('low–high estimate')}", color, source_ids(band))
    if len(frame):
        data += bucket_range_band(frame.assign(area=frame["area"].fillna("")), "fatalities", ["area"],
                                  t("Range between datasets"), BAND_COLOR)
    return len(frame)


CONFLICT_CAUSES = ("conflict", "chemical_attack")
CAUSE_LABELS = {  # causes other than the conflict are named in the legend: never drawn as conflict deaths
    "earthquake": N_("earthquake"), "other": N_("other causes"), "unknown": N_("cause not stated"),
}


def _cause_name(org: str, cause, t: Translate) -> str:
    """The legend name of an organisation's figures of one cause ('SNHR', 'ACU — earthquake')."""
    if cause is None or pd.isna(cause) or cause in CONFLICT_CAUSES:
        return esc(org)
    return f"{esc(org)} — {t(CAUSE_LABELS.get(cause, str(cause)))}"


def published_casualty_traces(casualties, sources, t: Translate, areas: tuple[str, ...] = (),
                              names: dict | None = None) -> tuple[list[dict], int]:
    """The traces of the published casualty figures (per organisation, cause and compared area, the
    range between sources of the same cause, war-wide totals apart) and how many local figures they
    draw. Deaths of another cause than the conflict (an earthquake's) have traces of their own, named
    so; injuries, where published, are dotted traces of their own."""
    names = names or {}
    data: list[dict] = []
    drawn = 0
    if "cause" not in casualties:
        casualties = casualties.assign(cause="conflict")
    for a_i, (area, rows) in enumerate(area_rows(casualties, areas)):
        killed = rows[rows["killed"].notna()] if "killed" in rows else rows
        recs = _published_records(killed, sources, "killed", CASUALTY_UNITS, t)
        local, war_wide = [], []
        for r in recs:
            days = (pd.Timestamp(r["period_end"]) - pd.Timestamp(r["period_start"])).days
            (war_wide if r["area_en"] == "Syria" or days > LONG_SPAN_DAYS else local).append(r)
        by_org = _group(local, "organisation", "cause")
        for i, (org, cause) in enumerate(sorted(by_org, key=str)):
            data += _traces(by_org[(org, cause)], "killed", _named(_cause_name(org, cause, t), area, names),
                            PALETTE[i % len(PALETTE)], AREA_DASHES[a_i % 4])
        if local:
            _source_bands(data, local, "killed", ["unit", "period_start", "period_end", "pcode", "cause"], t)
        if war_wide:
            data += _traces(war_wide, "killed", _named(t("War-wide and multi-year totals"), area, names), "#777", "dot",
                            "legendonly")
        drawn += len(local)
        if "injured" in rows:
            hurt = rows[rows["injured"].notna()]
            recs = _published_records(hurt, sources, "injured", {u: N_("injured") for u in CASUALTY_UNITS}, t)
            for r in recs:
                r["low"] = r["high"] = None  # a published range is of the deaths, never of the injured
            for i, ((org, cause), group) in enumerate(sorted(_group(recs, "organisation", "cause").items(), key=str)):
                name = f"{_cause_name(org, cause, t)}: {t('injured')}"
                data += _traces(group, "injured", _named(name, area, names), PALETTE[(i + 3) % len(PALETTE)], "dot")
            drawn += len(recs)
    return data, drawn


def casualties_figure(casualties, sources, timeline, start, end, t: Translate, events: pd.DataFrame | None = None,
                      areas: tuple[str, ...] = (), names: dict | None = None,
                      published: tuple[list[dict], int] | None = None) -> dict:
    """Published casualty figures (or their traces, already made: `published`) and fatalities in
    conflict events per dataset."""
    names = names or {}
    traces, drawn = published if published is not None else published_casualty_traces(casualties, sources, t, areas, names)
    data: list[dict] = list(traces)
    if events is not None and len(events):
        drawn += _event_fatality_traces(data, events, sources, names, t, start_color=4)
    injured = any(t("injured") in str(trace.get("name", "")) for trace in data)  # injuries are drawn as their own traces
    axis = t("People killed or injured") if injured else t("People killed")
    layout = base_layout(t("Casualties in Idlib and north-west Syria, by source and period"), axis, start, end, t.lang)
    return _finish(data, layout, timeline, drawn, t)


def refugees_figure(refugees, sources, start, end, t: Translate) -> dict:
    frame = with_source_names(refugees, sources)
    stock = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
    data: list[dict] = []
    for i, (series, label) in enumerate(REFUGEE_SERIES.items()):
        rows = stock[stock["series"] == series].sort_values("date")
        if rows.empty:
            continue
        hover = [
            f"<b>{fmt_value(v, q)}</b> {t('Syrians')}<br>{fmt_date(d, t.lang)}<br>{t('Source')}: {esc(o)}, {esc(p)}"
            for v, q, d, o, p in zip(rows["persons"], rows["qualifier"], rows["date"], rows["organisation"], rows["published"])
        ]
        data.append({
            "type": "scatter", "x": isos(rows["date"]), "y": plain(rows["persons"]), "mode": "lines+markers",
            "name": t(label), "line": {"color": PALETTE[i], "width": 2}, "hovertext": hover, "hoverinfo": "text",
            "meta": {"sources": source_ids(rows)},
        })
    if len(stock):
        same = records(stock.assign(period_start=stock["date"], period_end=stock["date"],
                                    month=stock["date"].dt.to_period("M").dt.start_time))
        _source_bands(data, same, "persons", ["unit", "month"], t)
    layout = base_layout(t("Syrians under temporary protection in Türkiye"), t("People"), start, end, t.lang)
    return _finish(data, layout, None, len(stock), t, key_dates=False)


def events_figure(events: pd.DataFrame, sources, timeline, start, end, t: Translate, agg: str = "month",
                  names: dict | None = None) -> dict:
    """Conflict events per bucket, per dataset (and compared area); the range between datasets
    shaded where both report."""
    names = names or {}
    data: list[dict] = []
    frame = with_source_names(events, sources) if len(events) else events
    if len(frame):
        i = 0
        for area, area_frame in _by(frame, "area"):
            for dataset, rows in _by(area_frame, "dataset"):
                org = ", ".join(sorted({str(o) for o in rows["organisation"] if isinstance(o, str)}))
                data.append(bucket_trace(rows, "events", _named(esc(dataset), area, names), PALETTE[i % len(PALETTE)],
                                         bucket_hovertemplate(t("events"), org, agg, t)))
                i += 1
        data += bucket_range_band(frame.assign(area=frame["area"].fillna("")), "events", ["area"],
                                  t("Range between datasets"), BAND_COLOR)
    title = {"day": t("Conflict events per day"), "week": t("Conflict events per week"),
             "month": t("Conflict events per month")}[agg]
    layout = base_layout(title, t("Events"), start, end, t.lang)
    return _finish(data, layout, timeline, len(frame), t)


def border_figure(summary: pd.DataFrame, sources, start, end, t: Translate, names: dict | None = None) -> dict:
    """Movement toward the border: the share of displaced people whose destination lies within
    10, 25 and 50 km of the Turkish border (top) and the mean distance moved toward it (bottom),
    per source, unit, basis and compared area."""
    names = names or {}
    data: list[dict] = []
    frame = with_source_names(summary, sources) if len(summary) else summary
    i = 0
    for area, area_frame in (_by(frame, "area") if len(frame) else []):
        for org, org_frame in _by(area_frame, "organisation"):
            for basis, rows in _by(org_frame, "basis"):
                color = PALETTE[i % len(PALETTE)]
                i += 1
                what = t("movements") if basis == "flow" else t("IDP arrivals")
                label = _named(f"{esc(org)} ({what})", area, names)
                rows = rows.sort_values("bucket_start")
                x = isos(rows["bucket_start"])
                custom = [list(r) for r in zip(plain(rows["persons"]), plain(rows["within_10_km"]),
                                               plain(rows["within_25_km"]), plain(rows["within_50_km"]))]
                ids = source_ids(rows)
                for j, km in enumerate((10, 25, 50)):
                    data.append({
                        "type": "scatter", "x": x, "y": plain(rows[f"share_{km}"]),
                        "mode": "lines+markers" if len(x) <= 60 else "lines",
                        "name": f"{label}: {t('within {km} km').format(km=km)}", "legendgroup": label,
                        "line": {"color": color, "dash": THRESHOLD_DASH[km], "width": 2}, "marker": {"size": 5},
                        "customdata": custom, "meta": {"sources": ids},
                        "hovertemplate": (f"<b>%{{y:.0%}}</b> {t('within {km} km of the border').format(km=km)}<br>"
                                          f"%{{customdata[{j + 1}]:,}} / %{{customdata[0]:,}} {t('with a known destination')}"
                                          f"<br>%{{x|%b %Y}}<br>{t('Source')}: {esc(org)}<extra></extra>"),
                    })
                toward = rows[rows["mean_toward_km"].notna()]
                if len(toward):
                    data.append({
                        "type": "scatter", "x": isos(toward["bucket_start"]), "y": plain(toward["mean_toward_km"]),
                        "xaxis": "x", "yaxis": "y2", "mode": "lines+markers" if len(toward) <= 60 else "lines",
                        "legendgroup": label,
                        "name": f"{label}: {t('mean km toward the border')}",
                        "line": {"color": color, "width": 1.5}, "marker": {"size": 6, "symbol": "diamond"},
                        "hovertemplate": f"<b>%{{y:,.1f}} km</b> {t('moved toward the border (mean)')}<br>%{{x|%b %Y}}<extra></extra>",
                        "meta": {"sources": source_ids(toward)},
                    })
    layout = {
        "template": {},
        "title": title_layout(t("Movement toward the Turkish border"), t.lang),
        "font": {"family": font_family(t.lang), "size": 12, "color": "#222"}, "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "height": 460, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.15, "x": 0}, "hovermode": "closest",
        "xaxis": {"range": [iso(start), iso(end)], "type": "date", "anchor": "y2", **GRID},
        "yaxis": {"title": {"text": t("Share of destinations")}, "tickformat": ".0%", "range": [0, 1.02],
                  "domain": [0.45, 1.0], **GRID},
        "yaxis2": {"title": {"text": t("km toward the border")}, "domain": [0.0, 0.33], "anchor": "x", **GRID},
        "annotations": [], "shapes": [],
    }
    if not data:
        layout["annotations"].append(
            {**empty_note(t("No movements with a known destination in the selected period")), "y": 0.7})
    return fit_y_margin(figure(data, layout))
