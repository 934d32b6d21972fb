"""The report's short summary, written from the numbers by templates.

Each sentence states one figure from the warehouse with its period, area and organisation, e.g.
"Between 1 and 29 February 2020, 752,131 people were displaced in north-west Syria (OCHA,
published 1 March 2020)." Nothing is summed across sources; a qualifier ("about", "at least") is
kept; where there is no figure, the summary says so.

A sentence cites a figure its chart draws: with areas selected, the figures published for places
inside them (the charts' rule, dashboard.figures.common.area_rows: the P-code starts with the
area's); with none, the figures published for the whole region (no P-code).
"""
from __future__ import annotations

import pandas as pd

from dashboard.data import catalog, indicators, series_queries
from dashboard.figures.common import area_rows
from dashboard.figures.series import CAUSE_LABELS, CONFLICT_CAUSES
from dashboard.i18n import N_, Translate, fmt_date
from dashboard.organisations import attribute, registry
from dashboard.panels.common import published

from .context import Context

UNIT_SENTENCES = {
    "people_displaced": N_("{period}, {value} people were displaced in {area} ({source})."),
    "displacements": N_("{period}, {value} displacements (movements) were recorded in {area} ({source})."),
    "idp_arrivals": N_("{period}, {value} IDP arrivals were recorded in {area} ({source})."),
}
QUALIFIER_WORDS = {"about": N_("about {n}"), "at_least": N_("at least {n}"), "exact": N_("{n}")}


def between(start, end, t: Translate) -> str:
    """'Between 1 and 29 February 2020', 'Between 1 January and 29 February 2020', 'On 3 May 2020'."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.normalize() == end.normalize():
        return t("On {date}").format(date=fmt_date(start, "d MMMM y", lang=t.lang))
    if (start.year, start.month) == (end.year, end.month):
        first = fmt_date(start, "d", lang=t.lang)
    elif start.year == end.year:
        first = fmt_date(start, "d MMMM", lang=t.lang)
    else:
        first = fmt_date(start, "d MMMM y", lang=t.lang)
    return t("Between {first} and {last}").format(first=first, last=fmt_date(end, "d MMMM y", lang=t.lang))


def amount(value, qualifier, t: Translate) -> str:
    return t(QUALIFIER_WORDS.get(qualifier or "exact", "{n}")).format(n=f"{int(value):,}")


def source_text(wh, source_id: str, t: Translate, series=None) -> str:
    """'OCHA, published 2020-06-09': the organisation by its one name (dashboard/organisations.py)."""
    src = wh["sources"].set_index("source_id")
    if source_id not in src.index:
        return str(source_id)
    row = src.loc[source_id]
    reg = registry()
    org = reg.get(attribute(row["organisation"], series, reg), str(row["organisation"])).short(t.lang)
    return t("{org}, published {date}").format(org=org, date=row["published"])


def _in_range(frame: pd.DataFrame, start, end) -> pd.DataFrame:
    return frame[(frame["period_start"] >= start) & (frame["period_end"] <= end)]


def _best(rows: pd.DataFrame, value_col: str) -> pd.Series | None:
    """The figure covering the longest part of the range (then the largest)."""
    rows = rows[rows[value_col].notna()]
    if rows.empty:
        return None
    span = (rows["period_end"] - rows["period_start"]).dt.days
    return rows.assign(_span=span).sort_values(["_span", value_col], ascending=False).iloc[0]


def _area_rows(frame: pd.DataFrame, areas: tuple) -> pd.DataFrame:
    """The figures the charts draw for the selected areas: those published for places inside them
    (area_rows, the charts' rule; a figure lying in two selected areas once). With no area
    selected, the figures published for the whole region (no P-code)."""
    if not areas:
        return frame[frame["pcode"].fillna("").astype(str) == ""]
    inside = pd.concat([rows for _, rows in area_rows(frame, areas)])
    return inside[~inside.index.duplicated()]


def _others(rows: pd.DataFrame, best: pd.Series, value_col: str, wh, t: Translate) -> str:
    """'; UN HNAP gives 742,109': other sources' figures for the same period and area."""
    same = rows[(rows["period_start"] == best["period_start"]) & (rows["period_end"] == best["period_end"])
                & (rows["area_en"] == best["area_en"]) & (rows["source_id"] != best["source_id"])
                & rows[value_col].notna()]
    parts = [t("{org} gives {value}").format(org=source_text(wh, r["source_id"], t).split(",")[0],
                                            value=amount(r[value_col], r["qualifier"], t))
             for _, r in same.drop_duplicates("source_id").iterrows()]
    return "".join("; " + p for p in parts)


def displacement_sentences(ctx: Context, sel) -> list[str]:
    t, wh = ctx.t, ctx.wh
    frame = published(wh["displacement"], sel)
    frame = _in_range(frame, sel.start, sel.end)
    frame = frame[(frame["measure"] == "period") & frame["location_pcode"].isna()] if "location_pcode" in frame else \
        frame[frame["measure"] == "period"]
    out = []
    for unit, template in UNIT_SENTENCES.items():
        rows = _area_rows(frame[frame["unit"] == unit], sel.areas)
        row = _best(rows, "value")
        if row is None:
            continue
        out.append(t(template).format(period=between(row["period_start"], row["period_end"], t),
                                      value=amount(row["value"], row["qualifier"], t), area=row["area_en"],
                                      source=source_text(wh, row["source_id"], t)
                                      + _others(rows, row, "value", wh, t)))
    return out


def casualty_sentences(ctx: Context, sel) -> list[str]:
    t, wh = ctx.t, ctx.wh
    frame = _area_rows(_in_range(published(wh["casualties"], sel), sel.start, sel.end), sel.areas)
    out = []
    for source_id in sorted(frame["source_id"].dropna().unique())[:3]:
        row = _best(frame[frame["source_id"] == source_id], "killed")
        if row is None:
            continue
        unit = t(row["unit"].replace("_", " "))
        cause = row.get("cause")
        if isinstance(cause, str) and cause not in CONFLICT_CAUSES:  # an earthquake's deaths say so
            unit = f"{unit} ({t(CAUSE_LABELS.get(cause, cause))})"
        out.append(t("{period}, {value} {unit} were reported in {area} ({source}).").format(
            period=between(row["period_start"], row["period_end"], t), value=amount(row["killed"], row["qualifier"], t),
            unit=unit, area=row["area_en"], source=source_text(wh, source_id, t)))
    events = series_queries.event_series(wh, sel)
    for dataset, rows in events.groupby("dataset"):
        out.append(t("{dataset} records {events} conflict events with {fatalities} fatalities {where} in the period.")
                   .format(dataset=dataset, events=f"{int(rows['events'].sum()):,}",
                           fatalities=f"{int(rows['fatalities'].sum()):,}",
                           where=t("in the selected areas") if sel.areas else t("in north-west Syria")))
    return out


def refugee_sentences(ctx: Context, sel) -> list[str]:
    t, wh = ctx.t, ctx.wh
    frame = wh["refugees"]
    frame = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns") & (frame["date"] >= sel.start)
                  & (frame["date"] <= sel.end)]
    if sel.source_ids is not None:
        frame = frame[frame["source_id"].isin(sel.source_ids)]
    if frame.empty:
        return []
    row = frame.sort_values(["date", "persons"]).iloc[-1]
    return [t("On {date}, {value} Syrians were under temporary protection in Türkiye ({source}).").format(
        date=fmt_date(row["date"], "d MMMM y", lang=t.lang), value=amount(row["persons"], row["qualifier"], t),
        source=source_text(wh, row["source_id"], t, row["series"]))]


def border_sentences(ctx: Context, sel) -> list[str]:
    totals = series_queries.border_totals(ctx.wh, sel)
    if not totals:
        return []
    source_id, _, persons, within = totals[0]
    return [ctx.t("Of {n} people with a known destination, {share} went to within 25 km of the Turkish border ({source}).")
            .format(n=f"{int(persons):,}", share=f"{within / persons:.0%}", source=source_text(ctx.wh, source_id, ctx.t))]


def map_sentences(ctx: Context, sel) -> list[str]:
    t, wh, state = ctx.t, ctx.wh, ctx.state
    ind = indicators.INDICATORS.get(state.indicator)
    if ind is None:
        return []
    values = indicators.area_values(wh, state.indicator, sel, catalog.organisations(wh))
    values = values[values["value"].notna() & (values["value"] > 0)].sort_values("value", ascending=False).head(3)
    if values.empty:
        return []
    names = catalog.names(wh, ctx.lang)
    listed = ", ".join(f"{names.get(p, p)} ({int(v):,})" for p, v in zip(values["pcode"], values["value"]))
    return [t("Highest {indicator} by area: {areas}.").format(indicator=t(ind.label), areas=listed)]


def summary(ctx: Context) -> list[str]:
    sel = ctx.request.sel
    sentences = []
    for part in (displacement_sentences, map_sentences, border_sentences, casualty_sentences, refugee_sentences):
        sentences += part(ctx, sel)
    return sentences or [ctx.t("No published figures for this period and area.")]
