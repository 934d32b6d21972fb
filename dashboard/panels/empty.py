"""Why a chart has nothing to draw, said on the chart: no rows in the period, a filter that excludes
everything, or a kind of data the warehouse does not hold (then which source formats fill it, with
a link to the README's section on them, served by the app: /help/data).

`explained(panel, figure, request)` replaces a chart's empty note ("No figures in the selected
period", named "empty" by dashboard/figures/common.py) with the reason, and takes the key dates off an
empty chart: a chart that draws nothing cites no source. The page (dashboard/panels/views.py) and the
exports (dashboard/export/files.py) both call it, so a printed chart says the same. A chart a later
issue adds is explained by its filters and period even when its kind of data is not listed here.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from dashboard.figures.common import esc, fmt_date
from dashboard.i18n import N_, Translate, bidi_line, listed
from dashboard.request import Request

HELP_URL = "/help/data"


@dataclass(frozen=True)
class Kind:
    what: str  # N_: "conflict events"
    formats: str  # N_: the source formats (adapters) that fill it


KINDS = {
    "displacement": Kind(N_("displacement figures"), N_(
        "published figures (cited_figures), HXL tables with #affected+idps (hxl), monthly community sheets "
        "(monthly_sheet) or IDP movement sheets (movements)")),
    "events": Kind(N_("conflict events"), N_(
        "ACLED exports (acled) or the UCDP Georeferenced Event Dataset (ucdp)")),
    "casualties": Kind(N_("casualty figures"), N_(
        "published figures (cited_figures), HXL tables with #affected+killed (hxl), or conflict events from "
        "ACLED (acled) or UCDP (ucdp)")),
    "refugees": Kind(N_("figures of Syrians in Türkiye"), N_(
        "UNHCR population data (unhcr) or published figures (cited_figures)")),
    "moves": Kind(N_("movements with a known destination"), N_(
        "IDP movement sheets with origin and destination sub-districts (movements), or arrivals per sub-district "
        "(hxl, monthly_sheet) with COD-AB boundaries (cod_ab) to place them")),
    "needs": Kind(N_("people-in-need and severity figures"), N_(
        "HNO workbooks of people in need and severity by area, read with the table adapter (table)")),
    "asylum": Kind(N_("asylum applications and decisions"), N_(
        "UNHCR asylum applications and decisions (unhcr)")),
}
# what each chart is drawn from (a chart not listed is explained by its filters and period only)
PANEL_KINDS = {"displacement": ("displacement",), "casualties": ("casualties", "events"), "refugees": ("refugees",),
               "events": ("events",), "border": ("moves",), "needs": ("needs",), "asylum": ("asylum",)}
FILTERS = (("sources", N_("source")), ("areas", N_("area")), ("etypes", N_("event type")))
WRAP = 40  # characters per line of the note: it fits a phone's chart (about 300 px at 13 px)
EMPTY_HEIGHT_PX = 300  # an empty chart's height: its note, without the room its axes and legend took


@lru_cache(maxsize=16)
def extent(wh, kind: str) -> tuple | None:
    """(first, last) day of a kind of data in the warehouse; None when none is loaded."""
    if kind == "events":
        lo, hi = wh.db.cursor().execute("SELECT min(date_start), max(date_start) FROM events").fetchone()
    elif kind == "moves":
        lo, hi = wh.db.cursor().execute(  # (arrivals not placed in a sub-district have no destination)
            "SELECT min(period_start), max(period_end) FROM border_movement WHERE persons > 0").fetchone()
    elif kind == "displacement":
        frame = wh["displacement"]
        frame = frame[frame["kind"] != "scenario"]
        flows = wh.db.cursor().execute(
            "SELECT min(period_start), max(period_end) FROM moves WHERE basis = 'flow'").fetchone()
        dates = [d for d in (frame["period_start"].min(), frame["period_end"].max(), *flows)
                 if d is not None and not pd.isna(d)]
        lo, hi = (min(dates), max(dates)) if dates else (None, None)
    elif kind == "casualties":
        frame = wh["casualties"]
        lo, hi = frame["period_start"].min(), frame["period_end"].max()
    elif kind == "refugees":
        frame = wh["refugees"]
        frame = frame[(frame["asylum_iso3"] == "TUR") & (frame["unit"] != "returns")]
        lo, hi = frame["date"].min(), frame["date"].max()
    elif kind == "needs":  # (a warehouse from before issue 13 has no such table)
        frame = wh.frames.get("needs")
        lo, hi = (None, None) if frame is None or not len(frame) else (frame["period_start"].min(), frame["period_end"].max())
    elif kind == "asylum":
        frame = wh.frames.get("asylum")
        lo, hi = ((None, None) if frame is None or not len(frame)
                  else (f"{int(frame['year'].min())}-01-01", f"{int(frame['year'].max())}-12-31"))
    else:
        return None
    if lo is None or pd.isna(lo):
        return None
    return pd.Timestamp(lo), pd.Timestamp(hi)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_empty(fig: dict) -> bool:
    """The chart says it has nothing to draw (its builder put the named empty note on it)."""
    return any(a.get("name") == "empty" for a in (fig.get("layout") or {}).get("annotations") or [])


def excluding(panel, request: Request) -> str | None:
    """The filter (source, area, event type, or "filters" together) without which the chart would
    draw something in the period; None when the period itself has nothing."""
    state = request.state
    set_fields = [(field, label) for field, label in FILTERS if getattr(state, field)]
    if not set_fields:
        return None

    def draws(**relaxed) -> bool:
        return _draws(panel, Request(request.wh, replace(state, **relaxed), request.bounds))
    for field, label in set_fields:
        if draws(**{field: ()}):
            return label
    if len(set_fields) > 1 and draws(**{field: () for field, _ in set_fields}):
        return N_("filters")
    return None


@lru_cache(maxsize=256)
def _draws(panel, request: Request) -> bool:
    """Whether `panel` draws something for `request`: memoised per warehouse version, panel and view
    state, since the same filters left out are tried for every export of a view (the page, an image,
    the report) and many views share them (every state with one source chosen, without it)."""
    return not is_empty(panel.figure(panel.load(request), request))


def cache_clear() -> None:
    _draws.cache_clear()


def reason(panel, request: Request) -> list[str]:
    """The sentences that say why `panel` draws nothing for `request`."""
    t, wh = request.t, request.wh
    kinds = PANEL_KINDS.get(panel.name, ())
    extents = {k: extent(wh, k) for k in kinds}
    missing = [k for k in kinds if extents[k] is None]
    lines: list[str] = []
    if kinds and len(missing) == len(kinds):
        for k in missing:
            lines.append(t("No {what} are loaded.").format(what=t(KINDS[k].what)))
        lines.append(t("They come from: {formats}.").format(formats=listed((t(KINDS[k].formats) for k in missing), t.lang, strong=True)))
        return lines
    label = excluding(panel, request)
    if label == N_("filters"):
        lines.append(t("The filters exclude every figure of this chart in the selected period."))
    elif label:
        lines.append(t("The {filter} filter excludes every figure of this chart in the selected period.")
                     .format(filter=t(label)))
    else:
        lines.append(t("No figures in the selected period."))
        for k in kinds:
            if extents[k] is not None:
                lines.append(t("{what} are loaded for {start} – {end}.").format(
                    what=_capital(t(KINDS[k].what)), start=fmt_date(extents[k][0], t.lang),
                    end=fmt_date(extents[k][1], t.lang)))
    for k in missing:
        lines.append(t("No {what} are loaded ({formats}).").format(what=t(KINDS[k].what), formats=t(KINDS[k].formats)))
    return lines


def note_text(lines: list[str], t: Translate, link: bool) -> str:
    """The note as plotly text: wrapped lines (escaped), and the link to the README's section."""
    out = [bidi_line(esc(part), t.lang) for line in lines for part in textwrap.wrap(line, WRAP, break_on_hyphens=False)]
    if link:
        out.append(f'<a href="{HELP_URL}#sources-the-etl-reads">{esc(t("How to load them: README, Sources the ETL reads"))}</a>')
    return "<br>".join(out)


def explained(panel, fig: dict, request: Request) -> dict:
    """The chart with its empty note saying why (see the module); the figure as it is when it draws."""
    if not is_empty(fig):
        return fig
    lines = reason(panel, request)
    kinds = PANEL_KINDS.get(panel.name, ())
    link = any(extent(request.wh, k) is None for k in kinds)
    layout = dict(fig["layout"])
    layout["annotations"] = [{**a, "text": note_text(lines, request.t, link), "font": {"size": 13, "color": "#444"}}
                             for a in layout.get("annotations") or [] if a.get("name") == "empty"]
    layout["shapes"] = []  # the key dates' lines
    # no axes: an empty chart's ticks (0, 0, 0 or 0 %–100 %) would read as figures, and its axis titles
    # run into the note on a phone; the note takes the whole width instead, the chart less height
    for key in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        layout[key] = {**layout[key], "visible": False}
    layout["height"] = min(layout.get("height") or EMPTY_HEIGHT_PX, EMPTY_HEIGHT_PX)
    layout["showlegend"] = False
    layout["margin"] = {**(layout.get("margin") or {}), "l": 10, "r": 10, "b": 10}
    # nor the key dates' list and the side-by-side figures under the chart (issue 16): it draws nothing
    layout["meta"] = {k: v for k, v in (layout.get("meta") or {}).items() if k not in ("key_dates", "window")}
    data = [tr for tr in fig["data"] if (tr.get("meta") or {}).get("table") is not False]
    return {**fig, "data": data, "layout": layout}
