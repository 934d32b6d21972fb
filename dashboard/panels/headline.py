"""The headline figures above the map: for the view's period and areas, people displaced, IDPs
present, arrivals within 25 km of the Turkish border, conflict fatalities and Syrians in Türkiye.

Each card holds one published figure (or, for counts made from records, the chart's own totals)
with its period or date, its area and its source with its publication date. Sources are never
added to each other: where several report the same quantity for the same period (or month), the
card shows the range between them and names them all; where none does, it says "No data". The
figures are those the charts draw (the same queries and the same area rule: with areas selected,
the figures published for places inside them; with none, those for the whole region), so a card
leads to its chart (`target`).

Plain data (no Dash): dashboard/page/side.py renders it. Cached per warehouse version and the
view's period, areas, sources, event types and language.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from dashboard import organisations
from dashboard.data import catalog, series_queries
from dashboard.figures.common import area_rows, area_words, fmt_date, fmt_period, fmt_value
from dashboard.figures.series import CASUALTY_UNITS
from dashboard.i18n import N_, Translate, listed
from dashboard.panels.common import event_totals, published
from dashboard.request import Request

FIELDS = ("start", "end", "areas", "sources", "etypes")  # what the cards depend on (and the language)
BORDER_KM = 25


@dataclass(frozen=True)
class Card:
    key: str  # displaced | idps | border | fatalities | refugees
    title: str
    value: str  # "742,109–752,131", "~2,800,000", or "No data"
    when: str = ""  # the figure's period or date
    what: str = ""  # its unit, area or basis
    sources: tuple[str, ...] = ()  # "OCHA, published 2020-03-01", one per source
    source_ids: tuple[str, ...] = ()
    target: str = ""  # the id of the chart or map it leads to
    empty: bool = False
    sentence: bool = False  # `what` is a sentence in the page's language (its direction), not a name as published


TITLES = {
    "displaced": N_("People displaced"), "idps": N_("IDPs present"),
    "border": N_("Arrivals within 25 km of the border"), "fatalities": N_("Conflict fatalities"),
    "refugees": N_("Syrians in Türkiye"),
}
TARGETS = {"displaced": "home-displacement-block", "idps": "home-map-block", "border": "home-border-block",
           "fatalities": "home-casualties-block", "refugees": "home-refugees-block"}


def cards(request: Request) -> tuple[Card, ...]:
    """The five headline cards of a request, each cached per the fields it depends on: only the
    conflict fatalities follow the event types, so a change of event types recomputes that card alone."""
    return tuple(_card(name, request.only(CARD_FIELDS.get(name, FIELDS))) for name in CARDS)


@lru_cache(maxsize=5 * 128)
def _card(name: str, request: Request) -> Card:
    return CARDS[name](request)


# ---- helpers ----------------------------------------------------------------------------------------

def _source_line(wh, source_id, t: Translate) -> str:
    src = _sources(wh)
    row = src.get(str(source_id))
    if row is None:
        return str(source_id)
    return catalog.published_by(row[0], row[1], t)


@lru_cache(maxsize=4)
def _sources(wh) -> dict:
    frame = wh["sources"]
    return {str(s): (o, str(p) if isinstance(p, str) and p else "")
            for s, o, p in zip(frame["source_id"], frame["organisation"], frame["published"])}


def _value_range(values, qualifiers) -> str:
    """One figure as published ('~752,131'), or the range between several ('742,109–752,131')."""
    numbers = [float(v) for v in values]
    if len(set(numbers)) == 1:
        return fmt_value(numbers[0], qualifiers[0])
    return f"{int(min(numbers)):,}–{int(max(numbers)):,}"


def _no_data(key: str, t: Translate, why: str = "") -> Card:
    return Card(key=key, title=t(TITLES[key]), value=t("No data"), what=why, target=TARGETS[key], empty=True)


def _scope(frame: pd.DataFrame, areas: tuple, column: str = "pcode") -> pd.DataFrame:
    """The figures the charts draw for the view: those published for places inside the selected
    areas, or with none selected, those for the whole region (no P-code)."""
    if not areas:
        return frame[frame[column].fillna("").astype(str) == ""]
    inside = pd.concat([rows for _, rows in area_rows(frame, areas, column)])
    return inside[~inside.index.duplicated()]


def _part_of(best, areas: tuple, t: Translate, wh) -> str:
    """'Dana sub-district only, a part of Idleb': a figure published for a place inside the selected
    areas but not for one of them whole, so that a sub-district's figure is never read as its
    governorate's. Empty when the figure is a selected area's own."""
    code = best.get("pcode")
    if not areas or not isinstance(code, str) or code in areas:
        return ""
    names = catalog.names(wh, t.lang)
    within = listed((names.get(a, a) for a in areas if code.startswith(a)), t.lang)
    return t("{place} only, a part of {area}").format(place=_place(best, t, wh), area=within)


def _place(row, t: Translate, wh) -> str:
    """Where a figure was published for: the source's own words ("Dana sub-district"), or in Arabic
    the area's Arabic name and P-code ("دانا (SY070301)") when the figure has a P-code the loaded
    boundaries name."""
    code = row.get("pcode")
    if t.lang != "en" and isinstance(code, str) and code:
        name, english = catalog.names(wh, t.lang).get(code), catalog.names(wh, "en").get(code)
        if name and english and name != t("{name} (English name)").format(name=english):  # not the marked fallback
            return f"{name} ({code})"
    return area_words(row, t.lang)


def _wider(frame: pd.DataFrame, value_col: str, areas: tuple, key: str, t: Translate) -> Card:
    """"No data" for the selected areas; where the period has figures for wider regions only (no
    P-code: north-west Syria, southern Idleb), the card says so and names one."""
    if areas and len(frame):
        regions = frame[(frame["pcode"].fillna("").astype(str) == "") & frame[value_col].notna()]
        if len(regions):
            region = area_words(regions.sort_values(value_col, ascending=False).iloc[0], t.lang)
            return replace(
                _no_data(key, t, t("Published for a wider region only: {region}").format(region=region)), sentence=True)
    return _no_data(key, t)


def _best_period(frame: pd.DataFrame, value_col: str, key: str, t: Translate, wh, what: str = "",
                 areas: tuple = ()) -> Card | None:
    """The figure covering the longest part of the range (then the largest), with the figures other
    sources publish for the same period and area: one card, their range. With areas selected, a
    figure for a place inside one of them says that it is that place's only (`_part_of`)."""
    frame = frame[frame[value_col].notna()]
    if frame.empty:
        return None
    span = (pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])).dt.days
    best = frame.assign(span=span).sort_values(["span", value_col], ascending=False).iloc[0]
    same = frame[(frame["period_start"] == best["period_start"]) & (frame["period_end"] == best["period_end"])
                 & (frame["area_en"].astype(str) == str(best["area_en"]))]
    same = same.sort_values(value_col).drop_duplicates("source_id")
    part = "" if what else _part_of(best, areas, t, wh)
    return Card(
        key=key, title=t(TITLES[key]), value=_value_range(same[value_col], list(same["qualifier"])),
        when=fmt_period(best["period_start"], best["period_end"], t.lang), sentence=bool(part),
        what=what or part or _place(best, t, wh),
        sources=tuple(_source_line(wh, s, t) for s in same["source_id"]),
        source_ids=tuple(str(s) for s in same["source_id"]), target=TARGETS[key],
    )


def _in_range(frame: pd.DataFrame, sel) -> pd.DataFrame:
    """The figures whose period lies in the range; when none does, those overlapping it most (a
    figure of 6 February - 6 March for February): the card shows the figure's own period."""
    start, end = pd.to_datetime(frame["period_start"]), pd.to_datetime(frame["period_end"])
    inside = frame[(start >= sel.start) & (end <= sel.end)]
    if len(inside) or frame.empty:
        return inside
    overlap = (end.clip(upper=sel.end) - start.clip(lower=sel.start)).dt.days + 1
    if overlap.max() <= 0:
        return frame.iloc[0:0]
    return frame[overlap == overlap.max()]


def _latest(dates: pd.Series, sel, months: int = 6) -> tuple[pd.Series, bool]:
    """Which figures of a stock to show: those of the latest month in the range, or else of the latest
    month in the `months` before it (then True: the card says the figure predates the period)."""
    month = pd.to_datetime(dates).dt.to_period("M")
    inside = (dates >= sel.start) & (dates <= sel.end)
    if inside.any():
        return inside & (month == month[inside].max()), False
    before = (dates < sel.start) & (dates >= sel.start - pd.DateOffset(months=months))
    if before.any():
        return before & (month == month[before].max()), True
    return inside, False


def _when(dates, earlier: bool, t: Translate) -> str:
    dates = sorted({pd.Timestamp(d) for d in dates})
    text = fmt_date(dates[0], t.lang) if len(dates) == 1 else fmt_period(dates[0], dates[-1], t.lang)
    return t("{date} (latest before the period)").format(date=text) if earlier else text


# ---- the five cards ------------------------------------------------------------------------------

def displaced(request: Request) -> Card:
    """People displaced: the published figure (for a period, or since a period's start) covering the
    longest part of the range; other sources' figures for the same period and area as a range."""
    wh, sel, t = request.wh, request.sel, request.t
    frame = _in_range(published(wh["displacement"], sel), sel)
    frame = frame[(frame["unit"] == "people_displaced") & frame["measure"].isin(["period", "cumulative"])]
    if "location_pcode" in frame:
        frame = frame[frame["location_pcode"].isna()]
    card = _best_period(_scope(frame, sel.areas), "value", "displaced", t, wh, areas=sel.areas)
    return card or _wider(frame, "value", sel.areas, "displaced", t)


def idps(request: Request) -> Card:
    """IDPs present: the latest figure in the period (a published total, or one source's communities
    added up); several sources for the same month as a range."""
    wh, sel, t = request.wh, request.sel, request.t
    stock = wh["idp_stock"]
    stock = stock[(stock["unit"] == "idps") & stock["value"].notna()]
    keep, earlier = _latest(stock["date"], sel)
    stock = stock[keep]
    if sel.source_ids is not None:
        stock = stock[stock["source_id"].isin(sel.source_ids)]
    code = stock["pcode"].fillna("").astype(str)
    community = ~code.str.startswith("SY") & (code != "")  # a community's or site's own code
    rows = []
    published_rows = _scope(stock[~community], sel.areas)
    for r in published_rows.itertuples():
        rows.append((r.date, r.source_id, float(r.value), r.qualifier, area_words(r._asdict(), t.lang)))
    parts = stock[community]
    if sel.areas:
        parts = pd.concat([g for _, g in area_rows(parts, sel.areas, "adm3_pcode")])
        parts = parts[~parts.index.duplicated()]
    for (date, source), group in parts.groupby(["date", "source_id"]):
        rows.append((date, source, float(group["value"].sum()), "exact",
                     t("{n} communities (sum)").format(n=f"{len(group):,}")))
    if not rows:
        return _wider(stock[~community], "value", sel.areas, "idps", t)
    latest = max(pd.Timestamp(r[0]).to_period("M") for r in rows)
    same = [r for r in rows if pd.Timestamp(r[0]).to_period("M") == latest]
    by_source = {}
    for r in sorted(same, key=lambda r: (r[0], r[2])):
        by_source[r[1]] = r  # one figure per source: its latest (then largest) that month
    chosen = sorted(by_source.values(), key=lambda r: r[2])
    when = _when([r[0] for r in chosen], earlier, t)
    return Card(key="idps", title=t(TITLES["idps"]), value=_value_range([r[2] for r in chosen], [r[3] for r in chosen]),
                when=when, what=listed(dict.fromkeys(r[4] for r in chosen), t.lang, strong=True),
                sources=tuple(_source_line(wh, r[1], t) for r in chosen), source_ids=tuple(str(r[1]) for r in chosen),
                target=TARGETS["idps"])


def border(request: Request) -> Card:
    """Arrivals within 25 km of the border: per source, the people (or movements) whose destination
    lies within 25 km, over the range (the border chart's series, added up over its buckets); the
    range between sources, never their sum."""
    wh, sel, t = request.wh, request.sel, request.t
    totals = series_queries.border_series_totals(wh, sel, BORDER_KM)  # the chart's series, summed in one query
    totals = totals[totals["persons"] > 0]
    if totals.empty:
        return _no_data("border", t)
    # one figure per source: the basis with most people (movements and arrivals are not the same count);
    # the source with most people, and those covering part of its period beside it (a range)
    totals = totals.sort_values("persons", ascending=False).drop_duplicates("source_id")
    lead = totals.iloc[0]
    totals = totals[(totals["first"] <= lead["last"]) & (totals["last"] >= lead["first"])].sort_values("within")
    shares = [f"{w / p:.0%}" for w, p in zip(totals["within"], totals["persons"])]
    basis = set(totals["basis"])
    what = (t("movements (origin–destination data)") if basis == {"flow"} else t("IDP arrivals with a known destination")
            if "flow" not in basis else t("arrivals and movements"))
    share = shares[0] if len(set(shares)) == 1 else f"{shares[0]}–{shares[-1]}"
    return Card(
        key="border", title=t(TITLES["border"]), value=_value_range(totals["within"], ["exact"] * len(totals)),
        when=fmt_period(totals["first"].min(), totals["last"].max(), t.lang),
        what=t("{share} of {what}").format(share=share, what=what),
        sources=tuple(_source_line(wh, s, t) for s in totals["source_id"]),
        source_ids=tuple(str(s) for s in totals["source_id"]), target=TARGETS["border"])


def _per_dataset(events: pd.DataFrame) -> pd.DataFrame:
    """fatalities (a missing count as 0, as the chart's sum), first and last per dataset, fewest
    fatalities first: a loop over the few rows of `event_totals` (pandas' groupby cost 12 ms here)."""
    per: dict[str, list] = {}
    for dataset, fatalities, first, last in zip(events["dataset"], events["fatalities"], events["first"],
                                                events["last"]):
        row = per.setdefault(str(dataset), [0, first, last])
        row[0] += 0 if pd.isna(fatalities) else int(fatalities)
        row[1], row[2] = min(row[1], first), max(row[2], last)
    return pd.DataFrame.from_dict(per, orient="index", columns=["fatalities", "first", "last"])


def fatalities(request: Request) -> Card:
    """Conflict fatalities: per dataset of conflict events (ACLED, UCDP), its fatalities over the
    range (the casualties chart's series); the range between datasets. Without events, the
    published casualty figure covering the longest part of the range."""
    wh, sel, t = request.wh, request.sel, request.t
    events = event_totals(request)  # the chart's series summed (one aggregate, not a row per day)
    if len(events):
        per = _per_dataset(events)
        per = per.sort_values("fatalities")
        ids = sorted({str(s) for s in events["source_id"].dropna()})
        orgs = sorted({organisations.as_written(o, t) for o in events["organisation"].dropna()})
        return Card(
            key="fatalities", title=t(TITLES["fatalities"]), value=_value_range(per["fatalities"], ["exact"] * len(per)),
            when=fmt_period(per["first"].min(), per["last"].max(), t.lang),
            what=t("in conflict events ({datasets})").format(datasets=listed(per.index, t.lang)),
            sources=tuple(orgs), source_ids=tuple(ids), target=TARGETS["fatalities"])
    frame = published(wh["casualties"], sel)
    # the figures the chart draws as lines (war-wide and multi-year totals are apart, off by default)
    frame = frame[(frame["area_en"].astype(str) != "Syria")
                  & ((pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])).dt.days <= 400)]
    in_range = _in_range(frame, sel)
    frame = _scope(in_range, sel.areas)
    if frame.empty:
        return _wider(in_range, "killed", sel.areas, "fatalities", t)
    units = frame["unit"].astype(str)
    frame = frame[units == units.value_counts().index[0]] if len(frame) else frame  # one unit: never mixed
    card = _best_period(frame, "killed", "fatalities", t, wh, areas=sel.areas)
    if card is None:
        return _no_data("fatalities", t)
    unit = CASUALTY_UNITS.get(str(frame["unit"].iloc[0]), str(frame["unit"].iloc[0]).replace("_", " "))
    return Card(**{**card.__dict__, "what": t("{unit}, published figures ({area})").format(unit=t(unit), area=card.what)})


def refugees(request: Request) -> Card:
    """Syrians under temporary protection in Türkiye: the latest figure in the range; other series
    for the same month as a range."""
    wh, sel, t = request.wh, request.sel, request.t
    frame = wh["refugees"]
    frame = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns") & frame["persons"].notna()]
    if sel.source_ids is not None:
        frame = frame[frame["source_id"].isin(sel.source_ids)]
    keep, earlier = _latest(frame["date"], sel)
    frame = frame[keep]
    if frame.empty:
        return _no_data("refugees", t)
    latest = frame.sort_values(["date", "persons"]).drop_duplicates("series", keep="last")
    latest = latest.sort_values("persons")
    when = _when(latest["date"], earlier, t)
    return Card(key="refugees", title=t(TITLES["refugees"]),
                value=_value_range(latest["persons"], list(latest["qualifier"])), when=when,
                what=t("under temporary protection"),
                sources=tuple(_source_line(wh, s, t) for s in latest["source_id"]),
                source_ids=tuple(str(s) for s in latest["source_id"]), target=TARGETS["refugees"])


CARDS = {"displaced": displaced, "idps": idps, "border": border, "fatalities": fatalities, "refugees": refugees}
CARD_FIELDS = {name: tuple(f for f in FIELDS if f != "etypes") for name in CARDS if name != "fatalities"}
