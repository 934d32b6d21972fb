"""Time-series figures: displacement, casualties, Syrians in Türkiye, conflict events and
movement toward the border (plain dicts in plotly's JSON schema; see figures/common.py).

Each published figure is drawn as a flat segment over the period it covers, so a monthly count
and a three-month count are not confused, or as its mean rate per month or per day over that
period (`rate`). Each organisation keeps one colour and one marker symbol everywhere
(dashboard/organisations.py); each line is labelled at its end with its organisation and value
(figures/labels.py). Units never share a line: the displacement chart draws one panel per unit
(people displaced, displacements, arrivals, departures, returns), the casualty chart tells its
units apart by line style, the refugee chart keys each series by organisation and population
type. Cumulative totals are dotted; figures for places within the area (destinations, sub-districts,
sums of communities) are thin, and hidden behind their legend entry where the same organisation
gives the area's own figure (figures/published.py). Where sources disagree on the same quantity,
period and kind of area, the range between them is shaded. Records finer than a month (events,
movements) come bucketed by day, week or month. With areas compared, each area has its own traces
(its name in the legend, its own dash).

Every trace carries the source ids of what it draws in `meta["sources"]`, and a published
figure's trace the rows of the chart's data table in `meta["rows"]` (period, value with its
qualifier, area, source).
"""
from __future__ import annotations

import textwrap

import pandas as pd

from dashboard.figures.common import (
    GRID,
    add_key_dates,
    area_rows,
    band_between,
    band_trace,
    base_layout,
    bucket_hovertemplate,
    bucket_trace,
    column_lists,
    empty_note,
    esc,
    figure,
    fit_y_margin,
    fmt_date,
    fmt_value,
    font_family,
    groups_of,
    iso,
    isos,
    ltr,
    pick,
    plain,
    plain_ids,
    range_band,
    record_ids,
    records,
    series_trace,
    source_ids,
    source_range_boxes,
    title_layout,
    with_source_names,
)
from dashboard.figures.labels import Label, annotations, legend_height, legend_name
from dashboard.figures.published import (
    RATE_DAYS,
    RATE_SUFFIX,
    hover,
    label_text,
    last_point,
    prepare,
    ranges,
    segments,
    sum_communities,
    table_row,
    text_colour,
    window_rows,
)
from dashboard.i18n import N_, Translate, bidi_line
from dashboard.organisations import attribute, registry

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
CASUALTY_UNIT_TITLES = {
    "civilians_killed": N_("Civilians killed"), "people_killed": N_("People killed (civilians and others)"),
    "deaths_all": N_("All deaths"), "identified_killed": N_("Identified people killed"),
}
CASUALTY_DASH = {"civilians_killed": "solid", "people_killed": "dash", "deaths_all": "dashdot", "identified_killed": "longdash"}
# Casualty totals over more than about a year (war-wide tallies, OHCHR's 2011–2021 count for
# Idleb) would flatten every period figure: they are a separate trace, shown on demand.
LONG_SPAN_DAYS = 400
REFUGEE_SERIES = {
    "DGMM": N_("Türkiye government (DGMM/PMM)"),
    "UN_AFAD": N_("UN / AFAD registration counts"),
    "UNHCR": N_("UNHCR"),
    "TR_ESTIMATE": N_("Turkish authorities' early estimate"),
}
# population types (the refugees table's units), each its own series and line style
REFUGEE_UNITS = {
    "syrians_under_tp": N_("Syrians under temporary protection"),
    "registered_refugees": N_("registered refugees"),
    "refugees_and_asylum_seekers": N_("refugees and asylum seekers"),
    "refugees": N_("refugees"),
    "asylum_seekers": N_("asylum seekers"),
    "others_of_concern": N_("others of concern"),
    # UNHCR's other population types (its Refugee Data Finder and API)
    "returns": N_("returned refugees"),
    "idps_of_concern": N_("IDPs of concern to UNHCR"),
    "returned_idps": N_("returned IDPs"),
    "stateless": N_("stateless persons"),
    "other_in_need_of_protection": N_("others in need of international protection"),
    "host_community": N_("host community"),
}
REFUGEE_DASH = {"syrians_under_tp": "solid", "registered_refugees": "solid", "refugees_and_asylum_seekers": "dash",
                "refugees": "solid", "asylum_seekers": "dot", "others_of_concern": "dashdot", "returns": "longdash",
                "idps_of_concern": "longdashdot", "returned_idps": "longdash", "stateless": "dot",
                "other_in_need_of_protection": "dashdot", "host_community": "longdashdot"}
AREA_DASHES = ("solid", "dash", "dot", "dashdot")
BAND_COLOR = "#888888"
THRESHOLD_DASH = {10: "dot", 25: "solid", 50: "dash"}
PANEL_PX = 190  # the height each further unit's panel adds to the displacement chart
PANEL_GAP = 0.08
PANEL_TITLE_PX = 18  # a panel's title above its plot


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


def sum_community_rows(displacement: pd.DataFrame, t: Translate, names_en: dict | None = None) -> pd.DataFrame:
    """Community rows summed into their sub-district (see figures/published.py sum_communities)."""
    return sum_communities(displacement, names_en, t)


def _source_bands(data: list, rows: list[dict], keys: list[str], t: Translate, yaxis: str = "y") -> None:
    for r in rows:
        r["org_label"] = r["org"].short(t.lang)
    boxes = source_range_boxes(rows, "y", keys, t)
    if boxes:
        band = band_trace(boxes, t("Range between sources"), BAND_COLOR)
        if yaxis != "y":
            band["yaxis"] = yaxis
        data.append(band)


def _rate_title(title: str, rate: str, t: Translate) -> str:
    return title if rate == "published" else f"{title}, {t(RATE_SUFFIX[rate])} {t('(mean over each figure’s period)')}"


DESKTOP_PX, PHONE_PX = 1150, 320  # a chart's plot width on a wide screen and on a phone
# the room under the plot for the x axis's tick labels (the legend starts below it): two lines, or
# slanted 30° where they crowd (on a phone; in Arabic on a wide screen too, as the month names are
# longer: "كانون الثاني"); measured in chromium at 390 and 1440 px on a four-month range, the slanted
# labels reach 60 px in English and 87 px in Arabic (tests/test_browser_languages.py checks them)
AXIS_PX = {"en": 64, "ar": 104}
PLOT_AXIS_PX = 58  # what the figures' heights already keep for the axis (the rest is added to them)


def _plot_px(layout: dict, domain: tuple[float, float] = (0.0, 1.0)) -> float:
    """The plot's height in px on a phone (for the direct labels: a plot taller than they were
    placed for only spreads them; a shorter one could bring them together): the figure's height
    less its margins and what the legend takes more on a phone than the margin keeps for it."""
    margin = layout.get("margin", {})
    meta = layout.get("meta") or {}
    inner = layout["height"] - margin.get("t", 50) - margin.get("b", 40) - meta.get("legend_extra_px", 0)
    return max(60.0, inner * (domain[1] - domain[0]))


def _fit_legend(layout: dict, data: list[dict], lang: str) -> None:
    """The legend under the plot and its tick labels (AXIS_PX), the figure made taller by the
    legend's height on a wide screen (so that the plot keeps its own), and how much more it takes on
    a phone (meta.legend_extra_px)."""
    wide, narrow = legend_height(data, DESKTOP_PX), legend_height(data, PHONE_PX)
    axis = AXIS_PX.get(lang, AXIS_PX["en"])
    layout["height"] += wide + axis - PLOT_AXIS_PX  # the plot keeps its height
    layout["margin"] = {**layout.get("margin", {}), "b": axis + wide}
    plot = layout["height"] - layout["margin"].get("t", 50) - layout["margin"]["b"]
    layout["legend"] = {**layout.get("legend", {}), "orientation": "h", "x": 0, "xanchor": "left",
                        "y": -axis / max(plot, 1), "yanchor": "top"}
    layout["meta"] = {**(layout.get("meta") or {}), "legend_px": wide, "legend_extra_px": max(0, narrow - wide)}


def _finish(data: list, layout: dict, timeline, drawn: int, t: Translate, key_dates: bool = True,
            above_px: int = 0, labels: list[Label] | None = None, axes: dict | None = None) -> dict:
    """The figure: key dates above it, then (its margins now known) the direct labels of `axes`."""
    fig = figure(data, layout)
    if key_dates:
        add_key_dates(fig, timeline, t, above_px=above_px)
    _fit_legend(layout, data, t.lang)
    if labels:
        _direct_labels(layout, labels, axes or {"y": (0.0, 1.0)})
    if not drawn:
        layout["annotations"].append(empty_note(t("No figures in the selected period")))
    return fit_y_margin(fig)


def _axis_top(data: list[dict], yaxis: str) -> float:
    """The top of a y axis's range: a tenth above the largest value it draws (legend-only traces too)."""
    top = 0.0
    for tr in data:
        if tr.get("yaxis", "y") != yaxis:
            continue
        ys = [v for v in (tr.get("y") or []) if isinstance(v, int | float)]
        if tr.get("error_y"):
            ys = [v + e for v, e in zip(ys, tr["error_y"].get("array") or [0] * len(ys))]
        top = max([top, *ys])
    return top * 1.1 if top > 0 else 1.0


def _direct_labels(layout: dict, labels: list[Label], axes: dict[str, tuple[float, float]]) -> None:
    """The direct labels of each plot (`axes`: y axis ref -> its domain), placed from its range."""
    x_range = layout["xaxis"]["range"]
    for ref, domain in axes.items():
        mine = [lab for lab in labels if lab.yref == ref]
        if not mine:
            continue
        key = "yaxis" + ref[1:]
        y_range = layout[key]["range"]
        layout["annotations"] += annotations(mine, x_range, y_range, _plot_px(layout, domain))


def _line_label(rows: list[dict], end, t: Translate, rate: str, colour: str, yaxis: str) -> Label | None:
    point = last_point(rows, end)
    if point is None:
        return None
    x, last = point
    return Label(x=x, y=float(last["y"]), text=label_text(last, t, rate), colour=text_colour(colour), yref=yaxis,
                 priority=float(last["y"]))


def _organisation_lines(recs: list[dict], unit_label: str, t: Translate, rate: str, end, yaxis: str, area,
                        names: dict, a_i: int, dash_of, group: str, group_title: str,
                        data: list, labels: list, suffix: str = "") -> int:
    """The traces of one unit's figures: per organisation, its whole figures (by measure) with a
    direct label, and its figures for places within the area (thin; hidden where it gives the whole)."""
    drawn = 0
    by_org: dict = {}
    for r in recs:
        r["hover"] = hover(r, unit_label, t, rate)
        r["table"] = table_row(r, t)
        by_org.setdefault(r["org"].id, []).append(r)
    first = True
    for oid in sorted(by_org, key=lambda o: by_org[o][0]["org"].short(t.lang).casefold()):
        rows = by_org[oid]
        org = rows[0]["org"]
        wholes = [r for r in rows if r["role"] == "whole"]
        parts = [r for r in rows if r["role"] == "part"]
        for measure in ("period", "cumulative"):
            for long_ in (False, True):
                mine = [r for r in wholes if r.get("measure", "period") == measure and r["long"] == long_]
                if not mine:
                    continue
                name = esc(org.short(t.lang)) + suffix + ("" if measure == "period" else f" ({t('cumulative')})")
                if long_:  # its period runs past the period shown: lighter, and said so
                    name = f"{name}: {t('over a longer period')}"
                name = _named(name, area, names)
                dash = dash_of(measure, a_i, mine[0])
                width = (3 if measure == "period" else 2.5) if not long_ else 2
                data.append(segments(mine, name, org.colour, dash, width, org.symbol, opacity=0.55 if long_ else 1.0,
                                     legendgroup=group, group_title=group_title if first else None, yaxis=yaxis,
                                     running=measure == "cumulative" and rate == "published" and not long_))
                first = False
                extra = ranges(mine, name, org.colour, legendgroup=group, yaxis=yaxis)
                if extra:
                    data.append(extra)
                label = _line_label(mine, end, t, rate, org.colour, yaxis)
                if label:
                    labels.append(label)
                drawn += len(mine)
        if parts:
            name = _named(f"{esc(org.short(t.lang))}{suffix}: {t('places within the area')}", area, names)
            visible = "legendonly" if wholes else True
            data.append(segments(parts, name, org.colour, dash_of("cumulative" if all(
                r.get("measure") == "cumulative" for r in parts) else "period", a_i, parts[0]), 1.5, org.symbol,
                visible=visible, opacity=0.6, legendgroup=group, group_title=group_title if first else None,
                yaxis=yaxis))
            first = False
            extra = ranges(parts, name, org.colour, visible=visible, legendgroup=group, yaxis=yaxis)
            if extra:
                data.append(extra)
            if not wholes:
                label = _line_label(parts, end, t, rate, org.colour, yaxis)
                if label:
                    labels.append(label)
            drawn += len(parts)
    return drawn


def _displacement_dash(measure: str, a_i: int, r: dict) -> str:
    return "dot" if measure == "cumulative" else AREA_DASHES[a_i % 4]


def displacement_figure(displacement, sources, timeline, start, end, t: Translate, flows: pd.DataFrame | None = None,
                        areas: tuple[str, ...] = (), names: dict | None = None, rate: str = "published",
                        names_en: dict | None = None, orgs: dict | None = None) -> dict:
    """Published displacement figures, one panel per unit (and per compared area, its own dash),
    each organisation in its colour and labelled at its line's end; movements from
    origin–destination data per source, bucketed, in the panel of displacements. The figure's
    `layout.meta.window` lists the common-window rows (figures/published.py window_rows)."""
    names = names or {}
    window: list[dict] = []
    per_area = []
    for a_i, (area, rows) in enumerate(area_rows(displacement, areas)):
        frame = sum_communities(rows, names_en, t)
        recs = prepare(records(with_source_names(frame, sources)), "value", start, end, t, rate, area, orgs)
        per_area.append((a_i, area, recs))
    flows = with_source_names(flows, sources) if flows is not None and len(flows) else None
    units = [u for u in DISPLACEMENT_UNITS if any(r["unit"] == u for _, _, recs in per_area for r in recs)]
    if flows is not None and "displacements" not in units:
        units.append("displacements")
        units.sort(key=list(DISPLACEMENT_UNITS).index)
    n = max(1, len(units))
    height = 360 + PANEL_PX * (n - 1) + (80 if n > 1 else 0)
    layout = base_layout(_rate_title(t("Displacement in north-west Syria, by reporting period"), rate, t), "", start,
                         end, t.lang, height=height)
    layout["yaxis"]["title"] = {"text": ""}
    layout["legend"] = {**layout["legend"], "traceorder": "grouped", "groupclick": "toggleitem"}
    # the first unit (people displaced, where most sources report) gets the largest panel
    weights = [1.5 if k == 0 and n > 1 else 1.0 for k in range(n)]
    unit_share = (1.0 - PANEL_GAP * (n - 1)) / sum(weights)
    axes: dict[str, tuple[float, float]] = {}
    top = 1.0
    for k in range(len(units)):
        ref = "y" if k == 0 else f"y{k + 1}"
        axes[ref] = (max(0.0, top - unit_share * weights[k]), top)
        top -= unit_share * weights[k] + PANEL_GAP
    data: list[dict] = []
    labels: list[Label] = []
    drawn = 0
    for unit in units:
        ref = next(r for r, u in zip(axes, units) if u == unit)
        unit_label = t(DISPLACEMENT_UNITS[unit])
        for a_i, area, recs in per_area:
            mine = [r for r in recs if r["unit"] == unit]
            if not mine:
                continue
            drawn += _organisation_lines(mine, unit_label.lower() if t.lang == "en" else unit_label, t, rate, end, ref,
                                         area, names, a_i, _displacement_dash, unit, unit_label, data, labels)
            wholes = [r for r in mine if r["role"] == "whole" and r.get("measure") == "period"]
            _source_bands(data, wholes, ["unit", "period_start", "period_end", "scope", "pcode"], t, ref)
            window += window_rows(mine, start, end, "nw_syria" if area is None else "place", t)
        if unit == "displacements" and flows is not None:
            drawn += _flow_traces(data, labels, flows, areas, names, t, rate, end, ref)
    for k, unit in enumerate(units):
        ref = "y" if k == 0 else f"y{k + 1}"
        key = "yaxis" + ref[1:]
        axis = {**layout["yaxis"], "domain": list(axes[ref]), "anchor": "x", "title": {"text": ""}}
        axis["range"] = [0, _axis_top(data, ref)]
        layout[key] = axis
        layout["annotations"].append({
            "text": f"<b>{t(DISPLACEMENT_UNITS[unit])}</b>" + (f" · {t(RATE_SUFFIX[rate])}" if rate != "published" else ""),
            "xref": "paper", "yref": "paper", "x": 0 if t.lang != "ar" else 1, "xanchor": "left" if t.lang != "ar" else "right",
            "y": axes[ref][1], "yanchor": "bottom", "showarrow": False, "font": {"size": 12, "color": "#333"},
            "name": "panel-title",
        })
    layout["xaxis"]["anchor"] = "y" if n == 1 else f"y{n}"
    layout["meta"] = {"window": window, "strip_px": PANEL_TITLE_PX}
    layout["margin"]["t"] += PANEL_TITLE_PX
    return _finish(data, layout, timeline, drawn, t, above_px=PANEL_TITLE_PX, labels=labels, axes=axes)


def _flow_traces(data: list, labels: list, flows: pd.DataFrame, areas, names: dict, t: Translate, rate: str, end,
                 yaxis: str) -> int:
    """Movements from origin–destination data per source (and compared area), bucketed."""
    agg = flows.attrs.get("agg", "month")
    reg = registry()
    drawn = 0
    for a_i, (area, rows) in enumerate(_by(flows, "area") if areas else [(None, flows)]):
        for org_text, src_rows in _by(rows, "organisation"):
            org = reg.get(attribute(org_text, None, reg), str(org_text))
            what = t("displacements (movements)") + (f" {t('into')} {_area_name(area, names)}" if area else "")
            label = t("Movements, origin–destination data ({org})").format(org=esc(org.short(t.lang)))
            src_rows = _rated(src_rows, "persons", rate)
            trace = bucket_trace(src_rows, "persons", _named(label, area, names), org.colour,
                                 bucket_hovertemplate(what, org.short(t.lang), agg, t), AREA_DASHES[a_i % 4],
                                 table=(esc(org.short(t.lang)), _area_name(area, names)))
            trace["legendgroup"] = "displacements"
            if yaxis != "y":
                trace["yaxis"] = yaxis
            data.append(trace)
            last = src_rows[src_rows["persons"].notna()].tail(1)
            if len(last):
                value = float(last["persons"].iloc[0])
                labels.append(Label(x=iso(min(pd.Timestamp(last["bucket_start"].iloc[0]), pd.Timestamp(end))), y=value,
                                    text=f"{esc(org.short(t.lang))} {value:,.0f}", colour=text_colour(org.colour),
                                    yref=yaxis, priority=value))
            drawn += len(src_rows)
    return drawn


def _rated(frame: pd.DataFrame, column: str, rate: str) -> pd.DataFrame:
    """A bucketed series as its mean per month or per day over each bucket (as published: unchanged)."""
    per = RATE_DAYS.get(rate)
    if not per or not len(frame):
        return frame
    days = (pd.to_datetime(frame["bucket_end"]) - pd.to_datetime(frame["bucket_start"])).dt.days + 1
    return frame.assign(**{column: pd.to_numeric(frame[column], errors="coerce") * per / days})


def _event_series_lists(frame: pd.DataFrame, value_col: str, extra=()) -> dict[str, list]:
    """The columns of a bucketed event series a chart draws, as plain lists (common.column_lists)."""
    return column_lists(frame, dates=("bucket_start",), numbers=(value_col, *extra),
                        others=("area", "dataset", "organisation", "source_id"))


def _dataset_org(organisations: list, dataset, reg):
    """The organisation a dataset's line takes its colour and symbol from, and the names its rows give."""
    org_texts = sorted({str(o) for o in organisations if isinstance(o, str)})
    org = reg.get(attribute(org_texts[0], None, reg), org_texts[0]) if org_texts else reg.get(str(dataset))
    return org, org_texts


def _end_label(x: list, y: list, end_iso: str | None, text: str, colour: str) -> Label | None:
    """The label at the end of a bucketed line: its last value, at the last bucket (or the period's end)."""
    last = max((i for i, v in enumerate(y) if v is not None), default=None)
    if last is None:
        return None
    value = float(y[last])
    return Label(x=min(x[last], end_iso) if end_iso else x[last], y=value, text=f"{text} {value:,.0f}",
                 colour=text_colour(colour), priority=value)


def _event_fatality_traces(data: list, labels: list, events: pd.DataFrame, sources, names: dict, t: Translate,
                           rate: str, end) -> int:
    """Fatalities in conflict events per dataset (and area), with the low–high band where the
    dataset gives one (UCDP), and the range between datasets shaded where both report."""
    frame = with_source_names(events, sources)
    frame = _rated(_rated(_rated(frame, "fatalities", rate), "fatalities_low", rate), "fatalities_high", rate)
    agg = events.attrs.get("agg", "month")
    reg = registry()
    cols = _event_series_lists(frame, "fatalities", ("fatalities_low", "fatalities_high"))
    x, y, low, high, ids = (cols[c] for c in ("bucket_start", "fatalities", "fatalities_low", "fatalities_high",
                                              "source_id"))
    end_iso = iso(end)
    for a_i, (area, area_index) in enumerate(groups_of(cols["area"])):
        for dataset, index in groups_of(cols["dataset"], area_index):
            org, org_texts = _dataset_org(pick(cols["organisation"], index), dataset, reg)
            color = org.colour
            name = _named(t("Fatalities in conflict events ({dataset})").format(dataset=esc(dataset)), area, names)
            given = [low[i] is not None and high[i] is not None for i in index]
            extra, custom = "", None
            if any(given):
                extra = " (" + t("low–high") + " %{customdata[0]:,.0f}–%{customdata[1]:,.0f})"
                custom = [[low[i], high[i]] for i in index]
            xs, ys = pick(x, index), pick(y, index)
            trace = series_trace(xs, ys, pick(ids, index), name, color,
                                 bucket_hovertemplate(t("fatalities"), ", ".join(org_texts), agg, t, extra),
                                 AREA_DASHES[a_i % 4], customdata=custom, table=(esc(org.short(t.lang)), _area_name(area, names)))
            trace["marker"]["symbol"] = org.symbol
            data.append(trace)
            label = _end_label(xs, ys, end_iso, esc(dataset), color)
            if label is not None:
                labels.append(label)
            if any(given):
                band = [i for i, g in zip(index, given) if g]
                data += band_between(pick(x, band), pick(low, band), pick(high, band),
                                     f"{name} — {t('low–high estimate')}", color, plain_ids(pick(ids, band)))
    if len(frame):
        data += range_band([("" if a is None else str(a),) for a in cols["area"]], x, y, ids,
                           t("Range between datasets"), BAND_COLOR)
    return len(frame)


def _casualty_dash(areas: tuple) -> callable:
    def dash(measure: str, a_i: int, r: dict) -> str:
        return AREA_DASHES[a_i % 4] if areas else CASUALTY_DASH.get(r.get("unit"), "solid")
    return dash


def _dotted(measure: str, a_i: int, r: dict) -> str:
    return "dot"


CONFLICT_CAUSES = ("conflict", "chemical_attack")
CAUSE_LABELS = {  # causes other than the conflict are named in the legend: never drawn as conflict deaths
    "earthquake": N_("earthquake"), "other": N_("other causes"), "unknown": N_("cause not stated"),
}


def _cause_of(r: dict) -> str | None:
    """None for the conflict's deaths, else the cause (an earthquake's deaths are drawn apart)."""
    cause = r.get("cause")
    return None if cause is None or cause != cause or cause in CONFLICT_CAUSES else str(cause)


def _cause_suffix(cause: str | None, t: Translate) -> str:
    """What a legend name adds for a cause other than the conflict ('ACU — earthquake')."""
    return "" if cause is None else f" — {t(CAUSE_LABELS.get(cause, cause))}"


def _by_cause(recs: list[dict]) -> list[tuple[str | None, list[dict]]]:
    causes = sorted({_cause_of(r) for r in recs}, key=lambda c: (c is not None, str(c)))
    return [(c, [r for r in recs if _cause_of(r) == c]) for c in causes]


def published_casualty_traces(casualties, sources, t: Translate, areas: tuple[str, ...] = (),
                              names: dict | None = None, start=None, end=None, rate: str = "published",
                              orgs: dict | None = None) -> tuple[list[dict], int, list[Label], list[dict]]:
    """The traces of the published casualty figures (per organisation, unit, cause and compared area;
    the range between sources of the same unit, cause, period and kind of area; war-wide totals apart),
    how many local figures they draw, their direct labels and the common-window rows. Deaths of another
    cause than the conflict (an earthquake's) have traces of their own, named so; injuries, where
    published, are dotted traces of their own."""
    names = names or {}
    data: list[dict] = []
    labels: list[Label] = []
    window: list[dict] = []
    drawn = 0
    start = pd.Timestamp(start) if start is not None else None
    end = pd.Timestamp(end) if end is not None else None
    if "cause" not in casualties:
        casualties = casualties.assign(cause="conflict")
    for a_i, (area, rows) in enumerate(area_rows(casualties, areas)):
        killed = rows[rows["killed"].notna() | rows["low"].notna()] if "killed" in rows else rows
        recs = prepare(records(with_source_names(killed, sources)), "killed", start, end, t, rate, area, orgs)
        local, war_wide = [], []
        for r in recs:
            (war_wide if r["scope"] == "syria" or r["days"] > LONG_SPAN_DAYS else local).append(r)
        present = {r.get("unit") for r in local}
        for unit in [*CASUALTY_UNIT_TITLES, *sorted(present - set(CASUALTY_UNIT_TITLES), key=str)]:
            unit_title = CASUALTY_UNIT_TITLES.get(unit, str(unit))
            unit_label = t(CASUALTY_UNITS.get(unit, str(unit)))
            for cause, mine in _by_cause([r for r in local if r.get("unit") == unit]):
                suffix = _cause_suffix(cause, t)
                drawn += _organisation_lines(mine, unit_label, t, rate, end, "y", area, names, a_i,
                                             _casualty_dash(areas), f"cas-{unit}-{cause or 'conflict'}",
                                             t(unit_title) + suffix, data, labels, suffix=suffix)
        if local:
            _source_bands(data, local, ["unit", "period_start", "period_end", "scope", "pcode", "cause"], t)
        if war_wide:
            for r in war_wide:
                r["hover"] = hover(r, t(CASUALTY_UNITS.get(r.get("unit"), r.get("unit"))), t, rate)
                r["table"] = table_row(r, t)
            data.append(segments(war_wide, _named(t("War-wide and multi-year totals"), area, names), "#777", "dot",
                                 2, "circle", visible="legendonly", legendgroup="war-wide"))
        window += window_rows(recs, start, end, "nw_syria" if area is None else "place", t)
        if "injured" in rows:
            # a published range is of the deaths, never of the injured
            hurt = rows[rows["injured"].notna()].assign(low=None, high=None)
            hurt_recs = [r for r in prepare(records(with_source_names(hurt, sources)), "injured", start, end, t, rate,
                                            area, orgs) if r["scope"] != "syria" and r["days"] <= LONG_SPAN_DAYS]
            for cause, mine in _by_cause(hurt_recs):
                suffix = f"{_cause_suffix(cause, t)}: {t('injured')}"
                drawn += _organisation_lines(mine, t("injured"), t, rate, end, "y", area, names, a_i, _dotted,
                                             f"cas-injured-{cause or 'conflict'}", t("Injured") + _cause_suffix(cause, t),
                                             data, labels, suffix=suffix)
    return data, drawn, labels, window


def casualties_figure(casualties, sources, timeline, start, end, t: Translate, events: pd.DataFrame | None = None,
                      areas: tuple[str, ...] = (), names: dict | None = None, published: tuple | None = None,
                      rate: str = "published", orgs: dict | None = None) -> dict:
    """Published casualty figures (or their traces, already made: `published`) and fatalities in
    conflict events per dataset, labelled at each line's end."""
    names = names or {}
    if published is None:
        published = published_casualty_traces(casualties, sources, t, areas, names, start, end, rate, orgs)
    traces, drawn, labels, window = published
    data: list[dict] = list(traces)
    labels = list(labels)
    if events is not None and len(events):
        drawn += _event_fatality_traces(data, labels, events, sources, names, t, rate, end)
    injured = any(t("injured") in str(trace.get("name", "")) for trace in data)  # injuries are drawn as their own traces
    axis = t("People killed or injured") if injured else t("People killed")
    y_title = axis if rate == "published" else f"{axis}, {t(RATE_SUFFIX[rate])}"
    layout = base_layout(_rate_title(t("Casualties in Idlib and north-west Syria, by source and period"), rate, t),
                         y_title, start, end, t.lang, height=400)
    layout["legend"] = {**layout["legend"], "traceorder": "grouped", "groupclick": "toggleitem"}
    layout["yaxis"]["range"] = [0, _axis_top([tr for tr in data if tr.get("visible", True) is True], "y")]
    layout["meta"] = {"window": window}
    return _finish(data, layout, timeline, drawn, t, labels=labels)


def refugees_figure(refugees, sources, start, end, t: Translate, orgs: dict | None = None) -> dict:
    """Syrians in Türkiye: one line per series (organisation) and population type, never joined;
    the organisation's colour, the population type's line style, a label at each line's end."""
    frame = with_source_names(refugees, sources)
    stock = [r for r in records(frame[["date", "persons", "qualifier", "series", "unit", "asylum_iso3", "source_id",
                                       "organisation", "published"]])
             if r["asylum_iso3"] == "TUR" and r["unit"] != "returns"]
    reg = registry()
    area = t("Area: {area} ({scope})").format(area=t("Türkiye"), scope=t("country of asylum"))
    data: list[dict] = []
    labels: list[Label] = []
    groups: dict[tuple, list[dict]] = {}
    for r in stock:
        r["org"] = reg.get(attribute(r["organisation"], r["series"], reg), str(r["organisation"]))
        if orgs and r["org"].id in orgs:
            r["org"] = orgs[r["org"].id]
        r["org_label"] = r["org"].short(t.lang)
        groups.setdefault((r["series"], r["unit"]), []).append(r)
    keys = sorted(groups, key=lambda k: (list(REFUGEE_UNITS).index(k[1]) if k[1] in REFUGEE_UNITS else 99,
                                         list(REFUGEE_SERIES).index(k[0]) if k[0] in REFUGEE_SERIES else 99, str(k)))
    seen_units: set = set()
    for series, unit in keys:
        # by date; of two figures of one date, the exact one last (it ends the line and is labelled)
        rows = sorted(groups[(series, unit)], key=lambda r: (r["date"], r["qualifier"] == "exact"))
        org = rows[0]["org"]
        short = esc(org.short(t.lang))
        unit_label = t(REFUGEE_UNITS.get(unit, unit))
        values = [ltr(fmt_value(r["persons"], r["qualifier"]), t.lang) for r in rows]
        dates = [fmt_date(r["date"], t.lang) for r in rows]
        hover_ = [f"<b>{v}</b> {unit_label}<br>{d}<br>{area}<br>{t('Source')}: {short} · {esc(r['organisation'])}, "
                  f"{esc(r['published'])}" for v, d, r in zip(values, dates, rows)]
        trace = {
            "type": "scatter", "x": [iso(r["date"]) for r in rows], "y": [r["persons"] for r in rows],
            "mode": "lines+markers", "name": legend_name(t(REFUGEE_SERIES.get(series, series)), unit_label),
            "line": {"color": org.colour, "width": 2, "dash": REFUGEE_DASH.get(unit, "solid")},
            "marker": {"size": 6, "color": org.colour, "symbol": org.symbol}, "hovertext": hover_, "hoverinfo": "text",
            "legendgroup": unit, "meta": {"sources": record_ids(rows), "rows": [
                [d, v, t("Türkiye"), f"{short}, {esc(r['published'])}"] for v, d, r in zip(values, dates, rows)]},
        }
        if unit not in seen_units:
            trace["legendgrouptitle"] = {"text": unit_label[:1].upper() + unit_label[1:]}
            seen_units.add(unit)
        data.append(trace)
        labels.append(Label(x=iso(rows[-1]["date"]), y=float(rows[-1]["persons"]), text=f"{short} {values[-1]}",
                            colour=text_colour(org.colour), priority=float(rows[-1]["persons"])))
    if stock:
        for r in stock:
            r["period_start"] = r["period_end"] = r["date"]
            r["month"] = (r["date"].year, r["date"].month)
        boxes = source_range_boxes(stock, "persons", ["unit", "month"], t)
        if boxes:
            data.append(band_trace(boxes, t("Range between sources"), BAND_COLOR))
    layout = base_layout(t("Syrians under temporary protection in Türkiye"), t("People"), start, end, t.lang, height=400)
    layout["legend"] = {**layout["legend"], "traceorder": "grouped", "groupclick": "toggleitem"}
    layout["yaxis"]["range"] = [0, _axis_top(data, "y")]
    return _finish(data, layout, None, len(stock), t, key_dates=False, labels=labels)


def events_figure(events: pd.DataFrame, sources, timeline, start, end, t: Translate, agg: str = "month",
                  names: dict | None = None) -> dict:
    """Conflict events per bucket, per dataset (and compared area), each in its organisation's
    colour and labelled at its end; the range between datasets shaded where both report."""
    names = names or {}
    data: list[dict] = []
    labels: list[Label] = []
    frame = with_source_names(events, sources) if len(events) else events
    reg = registry()
    if len(frame):
        cols = _event_series_lists(frame, "events")
        x, y, ids = cols["bucket_start"], cols["events"], cols["source_id"]
        end_iso = iso(end)
        for a_i, (area, area_index) in enumerate(groups_of(cols["area"])):
            for dataset, index in groups_of(cols["dataset"], area_index):
                org, org_texts = _dataset_org(pick(cols["organisation"], index), dataset, reg)
                xs, ys = pick(x, index), pick(y, index)
                trace = series_trace(xs, ys, pick(ids, index), _named(esc(dataset), area, names), org.colour,
                                     bucket_hovertemplate(t("events"), ", ".join(org_texts), agg, t), AREA_DASHES[a_i % 4],
                                     table=(esc(org.short(t.lang)), _area_name(area, names)))
                trace["marker"]["symbol"] = org.symbol
                data.append(trace)
                label = _end_label(xs, ys, end_iso, esc(dataset), org.colour)
                if label is not None:
                    labels.append(label)
        data += range_band([("" if a is None else str(a),) for a in cols["area"]], x, y, ids,
                           t("Range between datasets"), BAND_COLOR)
    title = {"day": t("Conflict events per day"), "week": t("Conflict events per week"),
             "month": t("Conflict events per month")}[agg]
    layout = base_layout(title, t("Events"), start, end, t.lang)
    layout["yaxis"]["range"] = [0, _axis_top(data, "y")]
    return _finish(data, layout, timeline, len(frame), t, labels=labels)


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
                entry = registry().get(attribute(org, None), str(org))
                color, short = entry.colour, entry.short(t.lang)  # named as the other charts name it
                i += 1
                what = t("movements") if basis == "flow" else t("IDP arrivals")
                label = _named(f"{esc(short)} ({what})", area, names)
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
                                          f"<br>%{{x|%b %Y}}<br>{t('Source')}: {esc(short)}<extra></extra>"),
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
    elif not any(trace.get("yaxis") == "y2" for trace in data):
        # shares drawn, no distance moved (arrivals give a destination only): the lower plot says why
        # instead of leaving a third of the chart blank (at its foot: the upper plot's month labels,
        # turned in Arabic, reach down into it)
        layout["annotations"].append(_no_distance_note(t))
    return fit_y_margin(figure(data, layout))


NO_DISTANCE_WRAP = 56  # characters per line: the note fits a phone's chart (about 330 px at 12 px)


def _no_distance_note(t: Translate) -> dict:
    text = t("No distance moved toward the border: arrivals give destinations only; origin–destination "
             "data give it.")
    lines = textwrap.wrap(text, NO_DISTANCE_WRAP, break_on_hyphens=False)
    return {"text": "<br>".join(bidi_line(esc(line), t.lang) for line in lines), "showarrow": False,
            "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.0, "xanchor": "center", "yanchor": "bottom",
            "font": {"size": 12, "color": "#555"}, "name": "no-distance"}
