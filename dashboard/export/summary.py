"""The report's short summary, written from the numbers by templates.

Each sentence states one figure from the warehouse with its period, area and organisation, e.g.
"Between 1 and 29 February 2020, 752,131 people were displaced in north-west Syria (OCHA,
published 1 March 2020)." Nothing is summed across sources; a qualifier ("about", "at least") is
kept; where there is no figure, the summary says so.

A sentence cites a figure its chart draws: with areas selected, the figures published for places
inside them (the charts' rule, dashboard.figures.common.area_rows: the P-code starts with the
area's), and the sentence says so ("within the selected areas (Idleb)"); a figure not published
for a place inside them (north-west Syria, Türkiye) is not written. With none, the figures
published for the whole region (no P-code) come first.

A figure is preferably at the map's admin level, and every place is named with its level
("Dana (sub-district)", "Idleb (governorate)", "Dana (community)"): where a source gives the same
place at two levels (HNAP's Dana sub-district, 248,842 arrivals, and Dana town, 71,588), the
sentence gives both and says which is which. The map's sentence lists the areas the map colours,
at its level, inside the selected areas only.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.data import catalog, indicators, series_queries
from dashboard.figures.common import area_rows, area_words
from dashboard.figures.series import CAUSE_LABELS, CONFLICT_CAUSES
from dashboard.i18n import N_, Translate, fmt_date, fmt_published, listed
from dashboard.organisations import COPY_MARKER, attribute, registry
from dashboard.panels.common import published

from .context import Context

UNIT_SENTENCES = {
    "people_displaced": N_("{period}, {value} people were displaced in {area} ({source})."),
    "displacements": N_("{period}, {value} displacements (movements) were recorded in {area} ({source})."),
    "idp_arrivals": N_("{period}, {value} IDP arrivals were recorded in {area} ({source})."),
}
LEVEL_WORDS = {4: N_("governorate"), 6: N_("district"), 8: N_("sub-district")}
COMMUNITY = re.compile(r"\s*\(community\)\s*$")
LEVEL_SUFFIX = re.compile(r"\s+(sub-district|district|governorate)$")
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


def source_org(wh, source_id: str, t: Translate, series=None) -> str | None:
    """'OCHA': a source's organisation by its one name (dashboard/organisations.py), and 'OCHA (copy;
    original not found)' when the facts list read it only on a copy; None for an unknown source."""
    src = wh["sources"].set_index("source_id")
    if source_id not in src.index:
        return None
    cell = str(src.loc[source_id, "organisation"])
    bare = " ".join(COPY_MARKER.sub(" ", cell).split())
    reg = registry()
    org = reg.get(attribute(cell, series, reg), bare).short(t.lang)
    return t("{org} (copy; original not found)").format(org=org) if bare != " ".join(cell.split()) else org


def source_text(wh, source_id: str, t: Translate, series=None) -> str:
    """'OCHA, published 2020-06-09' (`source_org`, then the publication date)."""
    org = source_org(wh, source_id, t, series)
    if org is None:
        return str(source_id)
    published = wh["sources"].set_index("source_id").loc[source_id, "published"]
    return t("{org}, published {date}").format(org=org, date=fmt_published(published, t.lang))


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
    selected, every figure (`_choose` puts the whole region's first)."""
    if not areas:
        return frame
    inside = pd.concat([rows for _, rows in area_rows(frame, areas)])
    return inside[~inside.index.duplicated()]


def _pcode(row) -> str:
    code = row.get("pcode") if hasattr(row, "get") else None
    return code if isinstance(code, str) else ""


def _is_community(row) -> bool:
    return not _pcode(row) and bool(COMMUNITY.search(str(row["area_en"])))


def _base_name(row) -> str:
    """'dana' for 'Dana sub-district' and 'Dana (community)': the place whatever its level."""
    return LEVEL_SUFFIX.sub("", COMMUNITY.sub("", str(row["area_en"]))).strip().casefold()


def place(wh, row, t: Translate) -> str:
    """'Dana (sub-district)', 'Idleb (governorate)', 'Dana (community)', 'north-west Syria': a
    figure's place with its level, so that figures at two levels are never confused."""
    code = _pcode(row)
    if not code:
        return area_words(row, t.lang)
    name = catalog.names(wh, t.lang).get(code)
    if not name and t.lang != "en" and area_words(row, t.lang) != str(row["area_en"]):
        return area_words(row, t.lang)  # its Arabic words name the level already ('ناحية دانا')
    name = name or LEVEL_SUFFIX.sub("", str(row["area_en"]))
    return f"{name} ({t(LEVEL_WORDS.get(len(code), N_('area')))})"


def _choose(rows: pd.DataFrame, value_col: str, width: int, areas: tuple) -> pd.Series | None:
    """The figure a sentence gives. With areas: one at the map's level inside them, else any inside
    them. With none: the whole region's (no P-code, not a community), else one at the map's level,
    else any area's, a community's last."""
    codes = rows["pcode"].astype("string").fillna("")
    community = pd.Series([_is_community(r) for r in rows.to_dict("records")], index=rows.index, dtype=bool)
    at_level = rows[codes.str.len() == width]
    order = [at_level, rows] if areas else [rows[(codes == "") & ~community], at_level, rows[codes != ""], rows]
    for candidates in order:
        best = _best(candidates, value_col)
        if best is not None:
            return best
    return None


def _other_levels(rows: pd.DataFrame, best: pd.Series, value_col: str, wh, t: Translate) -> str:
    """'; Dana (community): 71,588, the town alone, a part of Dana (sub-district)': the same place at
    another level (community or admin level) in the same source and period."""
    same = rows[(rows["period_start"] == best["period_start"]) & (rows["period_end"] == best["period_end"])
                & (rows["source_id"] == best["source_id"]) & rows[value_col].notna()]
    parts = []
    for r in same.to_dict("records"):
        if _base_name(r) != _base_name(best) or place(wh, r, t) == place(wh, best, t):
            continue
        if _is_community(r) and _pcode(best):
            parts.append(t("{place}: {value}, the town alone, a part of {whole}").format(
                place=place(wh, r, t), value=amount(r[value_col], r["qualifier"], t), whole=place(wh, best, t)))
        else:
            parts.append(f"{place(wh, r, t)}: {amount(r[value_col], r['qualifier'], t)}")
    return "".join(listed(["", p], t.lang, strong=True) for p in parts)


def selected(ctx: Context, sel) -> str:
    """', within the selected areas (Idleb)': said by every sentence about areas when areas are
    selected."""
    if not sel.areas:
        return ""
    names = catalog.names(ctx.wh, ctx.lang)
    return ctx.t(", within the selected areas ({names})").format(names=listed((names.get(a, a) for a in sel.areas), ctx.lang))


def _others(rows: pd.DataFrame, best: pd.Series, value_col: str, wh, t: Translate) -> str:
    """'; UN HNAP gives 742,109': other sources' figures for the same period and area."""
    same = rows[(rows["period_start"] == best["period_start"]) & (rows["period_end"] == best["period_end"])
                & (rows["area_en"] == best["area_en"]) & (rows["source_id"] != best["source_id"])
                & rows[value_col].notna()]
    parts = [t("{org} gives {value}").format(org=source_org(wh, r["source_id"], t) or r["source_id"],
                                            value=amount(r[value_col], r["qualifier"], t))
             for _, r in same.drop_duplicates("source_id").iterrows()]
    return "".join(listed(["", p], t.lang, strong=True) for p in parts)


def displacement_sentences(ctx: Context, sel) -> list[str]:
    t, wh = ctx.t, ctx.wh
    frame = published(wh["displacement"], sel)
    frame = _in_range(frame, sel.start, sel.end)
    frame = frame[(frame["measure"] == "period") & frame["location_pcode"].isna()] if "location_pcode" in frame else \
        frame[frame["measure"] == "period"]
    out = []
    for unit, template in UNIT_SENTENCES.items():
        rows = _area_rows(frame[frame["unit"] == unit], sel.areas)
        row = _choose(rows, "value", sel.width, sel.areas)
        if row is None:
            continue
        out.append(t(template).format(period=between(row["period_start"], row["period_end"], t),
                                      value=amount(row["value"], row["qualifier"], t),
                                      area=place(wh, row, t) + selected(ctx, sel),
                                      source=source_text(wh, row["source_id"], t)
                                      + _others(rows, row, "value", wh, t)
                                      + _other_levels(rows, row, "value", wh, t)))
    return out


def casualty_sentences(ctx: Context, sel) -> list[str]:
    t, wh = ctx.t, ctx.wh
    frame = _in_range(published(wh["casualties"], sel), sel.start, sel.end)
    if not sel.areas:  # the whole region's figures; war-wide totals and one town's are not summary figures here
        frame = frame[frame["pcode"].fillna("").astype(str) == ""]
    frame = _area_rows(frame, sel.areas)
    out = []
    for source_id in sorted(frame["source_id"].dropna().unique())[:3]:
        row = _choose(frame[frame["source_id"] == source_id], "killed", sel.width, sel.areas)
        if row is None:
            continue
        unit = t(row["unit"].replace("_", " "))
        cause = row.get("cause")
        if isinstance(cause, str) and cause not in CONFLICT_CAUSES:  # an earthquake's deaths say so
            unit = f"{unit} ({t(CAUSE_LABELS.get(cause, cause))})"
        out.append(t("{period}, {value} {unit} were reported in {area} ({source}).").format(
            period=between(row["period_start"], row["period_end"], t), value=amount(row["killed"], row["qualifier"], t),
            unit=unit, area=place(wh, row, t) + selected(ctx, sel), source=source_text(wh, source_id, t)))
    events = series_queries.event_series(wh, sel)
    for dataset, rows in events.groupby("dataset"):
        out.append(t("{dataset} records {events} conflict events with {fatalities} fatalities {where} in the period.")
                   .format(dataset=dataset, events=f"{int(rows['events'].sum()):,}",
                           fatalities=f"{int(rows['fatalities'].sum()):,}",
                           where=t("in the selected areas") if sel.areas else t("in north-west Syria")))
    return out


def refugee_sentences(ctx: Context, sel) -> list[str]:
    """Syrians under temporary protection in Türkiye: not a figure of any area of Syria, so not
    written when the view is restricted to areas."""
    t, wh = ctx.t, ctx.wh
    if sel.areas:
        return []
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
    values = values[values["value"].notna() & (values["value"] > 0)]
    if sel.areas:  # the areas the map colours inside the selected ones, never their neighbours
        codes = values["pcode"].astype(str)
        # a boolean array, not a list: an empty list would select columns and lose them all
        values = values[np.array([any(c.startswith(a) for a in sel.areas) for c in codes], dtype=bool)]
    values = values.sort_values("value", ascending=False).head(3)
    if values.empty:
        return []
    names = catalog.names(wh, ctx.lang)
    level = t(LEVEL_WORDS.get(sel.width, N_("area")))
    top = listed((f"{names.get(p, p)} ({int(v):,})" for p, v in zip(values["pcode"], values["value"])), ctx.lang)
    if sel.areas:
        chosen = listed((names.get(a, a) for a in sel.areas), ctx.lang)
        return [t("Highest {indicator} by {level} on the map, within the selected areas ({names}): {areas}.").format(
            indicator=t(ind.label), level=level, names=chosen, areas=top)]
    return [t("Highest {indicator} by {level} on the map: {areas}.").format(indicator=t(ind.label), level=level,
                                                                           areas=top)]


def summary(ctx: Context) -> list[str]:
    sel = ctx.request.sel
    sentences = []
    if sel.areas:
        names = catalog.names(ctx.wh, ctx.lang)
        sentences.append(ctx.t("This summary covers the selected areas only: {names}.").format(
            names=listed((names.get(a, a) for a in sel.areas), ctx.lang)))
    for part in (displacement_sentences, map_sentences, border_sentences, casualty_sentences, refugee_sentences):
        sentences += part(ctx, sel)
    if len(sentences) == (1 if sel.areas else 0):
        sentences.append(ctx.t("No published figures for this period and area."))
    return sentences
