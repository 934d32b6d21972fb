"""The selected area's figures, beside the map: its names, P-code and parents, and for the map's
period each indicator loaded in the warehouse, source by source (organisation, publication date,
the figure's own period), with the range between sources where they overlap (never their sum).

With no area selected, the areas with the highest value of the map's indicator, each a way to
select it: the panel is the keyboard's and the screen reader's way to the numbers the map colours.

Plain data (no Dash): dashboard/page/side.py renders it. Cached per warehouse version and the view's
period, map step, areas, sources, event types, admin level, indicator and language.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from dashboard.data import catalog, indicators
from dashboard.data.selection import PCODE_LENGTH
from dashboard.figures.common import fmt_period
from dashboard.i18n import N_, Translate
from dashboard.request import Request

FIELDS = ("start", "end", "step", "step_unit", "areas", "sources", "etypes", "level", "indicator")
TOP = 5
LEVEL_OF = {length: level for level, length in PCODE_LENGTH.items()}
LEVEL_NAMES = {1: N_("Governorate"), 2: N_("District"), 3: N_("Sub-district")}


@dataclass(frozen=True)
class Figure:
    label: str  # the indicator
    value: str  # "344,110", "742,109–752,131", or "no data"
    lines: tuple[str, ...] = ()  # per source: "UN HNAP, published 2020-03 · 1–29 Feb 2020: 344,110"
    source_ids: tuple[str, ...] = ()
    shown: bool = False  # the map's indicator


@dataclass(frozen=True)
class AreaFacts:
    pcode: str
    name: str  # in the page's language
    other_name: str  # in the other language ("" when the same or missing)
    level: str  # "Sub-districts" -> its level's name
    parents: tuple[tuple[str, str], ...]  # (name, P-code), nearest first
    period: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Ranked:
    pcode: str
    name: str
    value: str


@dataclass(frozen=True)
class Panel:
    period: str
    areas: tuple[AreaFacts, ...] = ()
    indicator: str = ""  # the map's indicator (for the ranking without a selection)
    top: tuple[Ranked, ...] = ()


def panel(request: Request) -> Panel:
    return _panel(request.only(FIELDS))


@lru_cache(maxsize=128)
def _panel(request: Request) -> Panel:
    sel, t = request.sel, request.t
    period = fmt_period(sel.window_start, sel.window_end, t.lang)
    if request.state.areas:
        return Panel(period=period, areas=tuple(facts(request, p) for p in request.state.areas))
    key = request.state.indicator
    if key not in indicators.INDICATORS:
        return Panel(period=period)
    values = indicators.area_values(request.wh, key, sel, catalog.organisations(request.wh))
    values = values[values["value"].notna() & (values["value"] > 0)].sort_values(["value", "pcode"],
                                                                                 ascending=[False, True])
    names = catalog.names(request.wh, request.lang)
    top = tuple(Ranked(p, str(names.get(p, p)), f"{v:,.0f}") for p, v in zip(values["pcode"].head(TOP),
                                                                          values["value"].head(TOP)))
    return Panel(period=period, indicator=t(indicators.INDICATORS[key].label), top=top)


def _source_line(wh, source_id: str, value: float, first, last, t: Translate) -> str:
    src = wh["sources"]
    row = src[src["source_id"] == source_id]
    who = (catalog.published_by(row["organisation"].iloc[0], row["published"].iloc[0], t) if len(row)
           else t("{org}, publication date not given").format(org=source_id))
    return f"{who} · {fmt_period(first, last, t.lang)}: {value:,.0f}"


def facts(request: Request, pcode: str) -> AreaFacts:
    """An area's names, parents and figures for the map's period."""
    wh, t, sel = request.wh, request.t, request.sel
    level = LEVEL_OF.get(len(pcode), 1)
    here = replace(sel, level=level, areas=())
    names, other = catalog.names(wh, request.lang), catalog.names(wh, "ar" if request.lang == "en" else "en")
    parents, up = [], catalog.parents(wh).get(pcode)
    while up and len(up) >= 4:
        parents.append((str(names.get(up, up)), up))
        up = catalog.parents(wh).get(up)
    figures = []
    for key in catalog.bounds(wh).indicators:
        ind = indicators.INDICATORS[key]
        rows = indicators.source_figures(wh, key, here, pcode)
        if not rows:
            figures.append(Figure(label=t(ind.label), value=t("no data"), shown=key == request.state.indicator))
            continue
        if ind.kind == "stock":  # each source's latest figure: never added
            values = [r[1] for r in rows]
            low, high = min(values), max(values)
        else:
            low, high = indicators.figure_range(rows)
        value = f"{low:,.0f}" if low == high else f"{low:,.0f}–{high:,.0f}"
        figures.append(Figure(
            label=t(ind.label), value=value, lines=tuple(_source_line(wh, *r, t) for r in rows),
            source_ids=tuple(r[0] for r in rows), shown=key == request.state.indicator))
    name, alt = str(names.get(pcode, pcode)), str(other.get(pcode, ""))
    return AreaFacts(
        pcode=pcode, name=name, other_name="" if alt in ("", name) or "(" in alt else alt,
        level=t(LEVEL_NAMES.get(level, "")), parents=tuple(parents),
        period=fmt_period(sel.window_start, sel.window_end, t.lang), figures=tuple(figures))
