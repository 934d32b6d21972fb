"""The whole view state of the page, and its URL query string.

A copied link restores the same view: every control's value is written to the query string
(`?from=2019-12&to=2020-03&level=3&ind=idp_arrivals&area=SY070301`) and read back from it.
Parsing never fails: a value that does not fit the warehouse (an unknown level, a month outside
the data, a misspelt indicator) falls back to its default, so an old or damaged link still opens.

Pure functions only; the warehouse's extent comes in as a `Bounds`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import parse_qs, urlencode

import pandas as pd

from dashboard.i18n import LANGUAGES, N_
from dashboard.organisations import registry

AGGREGATIONS = ("day", "week", "month")
STEP_UNITS = ("month", "week")
LAYERS = ("border", "bands", "crossings", "towns", "camps", "events", "flows")
DEFAULT_LAYERS = ("border", "crossings", "towns", "events", "flows")
TOP_N = (10, 25, 50, 100)
MAX_AREAS = 4
# a map frame (`bbox`: west, south, east, north in degrees) must lie in this box and be at least
# this wide and tall: anything else in a link is dropped (the map opens on its default frame)
FRAME_LIMITS = (30.0, 30.0, 46.0, 40.0)
FRAME_MIN_DEGREES = 0.02
LEVEL_LABELS = {1: N_("Governorates"), 2: N_("Districts"), 3: N_("Sub-districts")}
# published figures cover periods of different lengths: drawn as published, or as their mean rate
# per month or per day over their own period (dashboard/figures/published.py)
RATES = ("published", "month", "day")
RATE_LABELS = {"published": N_("As published"), "month": N_("Per month"), "day": N_("Per day")}
# the kinds of key dates (the timeline's `kind`, etl/contracts.py TIMELINE_KINDS): each can be hidden
KEY_DATE_KINDS = ("offensive", "agreement", "disaster", "border")
KEY_DATE_LABELS = {"offensive": N_("Offensives and control"), "agreement": N_("Ceasefires and agreements"),
                   "disaster": N_("Disasters"), "border": N_("Border and cross-border aid")}


@dataclass(frozen=True)
class Bounds:
    """What the live warehouse allows: months with data, admin levels, indicators, choices."""

    first: pd.Timestamp  # first month with any dated figure (first day)
    last: pd.Timestamp  # last month
    default_start: pd.Timestamp
    levels: tuple[int, ...] = (1,)
    indicators: tuple[str, ...] = ()
    default_indicator: str | None = None
    organisations: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    pcodes: frozenset = field(default_factory=frozenset)
    weekly: tuple[str, ...] = ("events", "fatalities")  # indicators counted from dated events

    @property
    def n_months(self) -> int:
        return months_between(self.first, self.last)


@dataclass(frozen=True)
class ViewState:
    start: pd.Timestamp  # first day of the first month
    end: pd.Timestamp  # first day of the last month (the range includes the whole month)
    level: int = 1
    indicator: str | None = None
    per10k: bool = False
    areas: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    etypes: tuple[str, ...] = ()
    agg: str = "month"
    layers: tuple[str, ...] = DEFAULT_LAYERS
    topn: int = 25
    step: int = 0  # 0: the whole range; k: the k-th month (or week) of the range
    step_unit: str = "month"
    lang: str = "en"  # the page's language: en or ar (dashboard.i18n.LANGUAGES)
    rate: str = "published"  # published figures as published, or per month / per day (RATES)
    keydates: tuple[str, ...] = KEY_DATE_KINDS  # the kinds of key dates drawn on the charts
    frame: tuple[float, float, float, float] | None = None  # the map's extent set by a pan or zoom (west,
    # south, east, north); None: framed on the selected areas, or on Idleb and the border

    @property
    def end_day(self) -> pd.Timestamp:
        """The last day of the range."""
        return self.end + pd.DateOffset(months=1) - pd.Timedelta(days=1)


def month_start(ts) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + (last.month - first.month)


def default_state(bounds: Bounds) -> ViewState:
    return ViewState(start=bounds.default_start, end=bounds.last, indicator=bounds.default_indicator)


def step_starts(state: ViewState) -> list[pd.Timestamp]:
    """The first day of each step of the map's time slider over the range (months, or weeks
    starting on Monday that begin inside the range)."""
    return list(_step_starts(state.start, state.end, state.end_day, state.step_unit))


@lru_cache(maxsize=256)
def _step_starts(start: pd.Timestamp, end: pd.Timestamp, end_day: pd.Timestamp, unit: str) -> tuple:
    if unit == "week":
        first = start - pd.Timedelta(days=start.weekday())
        weeks = pd.date_range(first, end_day, freq="7D")
        return tuple(w for w in weeks if w + pd.Timedelta(days=6) >= start)
    return tuple(pd.date_range(start, end, freq="MS"))


def step_window(state: ViewState) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day the map shows: the whole range, or one step of it."""
    starts = step_starts(state)
    if state.step <= 0 or state.step > len(starts):
        return state.start, state.end_day
    begin = starts[state.step - 1]
    if state.step_unit == "week":
        return max(begin, state.start), min(begin + pd.Timedelta(days=6), state.end_day)
    return begin, begin + pd.DateOffset(months=1) - pd.Timedelta(days=1)


def _month(text: str | None) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        ts = pd.Timestamp(text)
        return None if pd.isna(ts) else month_start(ts)
    except (ValueError, TypeError, OverflowError):  # not a date, or one pandas cannot hold ('-1')
        return None


def _list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))


def parse_frame(text: str | None) -> tuple[float, float, float, float] | None:
    """'36.1,35.3,37.2,36.4' as (west, south, east, north), rounded to 3 decimals (about 100 m);
    None for anything else (not four numbers, empty, inverted or outside FRAME_LIMITS)."""
    parts = (text or "").split(",")
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (round(float(v), 3) for v in parts)
    except ValueError:
        return None
    lo_lon, lo_lat, hi_lon, hi_lat = FRAME_LIMITS
    if not (lo_lon <= west and east <= hi_lon and lo_lat <= south and north <= hi_lat):  # (NaN fails too)
        return None
    if east - west < FRAME_MIN_DEGREES or north - south < FRAME_MIN_DEGREES:
        return None
    return west, south, east, north


def frame_text(frame) -> str:
    return "" if not frame else ",".join(f"{v:.3f}" for v in frame)


def _first(query: dict, key: str) -> str | None:
    values = query.get(key)
    if isinstance(values, list):
        return values[0] if values else None
    return values


def parse_query(search: str | dict | None, bounds: Bounds) -> ViewState:
    """The state a URL query string asks for, within what the warehouse allows."""
    query = parse_qs((search or "").lstrip("?")) if not isinstance(search, dict) else search
    base = default_state(bounds)
    start = _month(_first(query, "from")) or base.start
    end = _month(_first(query, "to")) or base.end
    start = min(max(start, bounds.first), bounds.last)
    end = min(max(end, bounds.first), bounds.last)
    if end < start:
        start, end = end, start
    level = _first(query, "level")
    level = int(level) if level and level.isdigit() and int(level) in bounds.levels else base.level
    indicator = _first(query, "ind")
    if indicator == "none":
        indicator = None
    elif indicator not in bounds.indicators:
        indicator = base.indicator
    areas = tuple(a for a in _list(_first(query, "area")) if a in bounds.pcodes)[:MAX_AREAS]
    sources = _organisations(_list(_first(query, "src")), bounds)
    etypes = tuple(e for e in _list(_first(query, "etype")) if e in bounds.event_types)
    agg = _first(query, "agg") if _first(query, "agg") in AGGREGATIONS else base.agg
    layers_text = _first(query, "layers")
    layers = base.layers if layers_text is None else tuple(x for x in _list(layers_text) if x in LAYERS)
    top = _first(query, "top")
    topn = int(top) if top and top.isdigit() and int(top) in TOP_N else base.topn
    unit = _first(query, "unit") if _first(query, "unit") in STEP_UNITS else base.step_unit
    if unit == "week" and indicator is not None and indicator not in bounds.weekly:
        unit = "month"  # monthly figures step by month
    lang = _first(query, "lang") if _first(query, "lang") in LANGUAGES else base.lang
    rate = _first(query, "rate") if _first(query, "rate") in RATES else base.rate
    kd_text = _first(query, "kd")
    keydates = base.keydates if kd_text is None else tuple(k for k in KEY_DATE_KINDS if k in _list(kd_text))
    state = replace(
        base, lang=lang, frame=parse_frame(_first(query, "bbox")), start=start, end=end, level=level,
        indicator=indicator, per10k=_first(query, "per10k") == "1",
        areas=areas, sources=sources, etypes=etypes, agg=agg, layers=layers, topn=topn, step_unit=unit, rate=rate,
        keydates=keydates,
    )
    at = _first(query, "at")
    if at:
        try:
            when = pd.Timestamp(at)
        except (ValueError, TypeError, OverflowError):
            when = None
        starts = step_starts(state)
        if when is not None and not pd.isna(when) and when in starts:
            state = replace(state, step=starts.index(when) + 1)
    return state


def _organisations(values, bounds: Bounds) -> tuple[str, ...]:
    """Organisation ids of the warehouse, each once: an id, or a name the registry knows (links
    made before the registry named organisations as their sources wrote them: src=DGMM)."""
    reg, out = registry(), []
    for value in values:
        oid = value if value in bounds.organisations else reg.resolve_id(value)
        if oid in bounds.organisations and oid not in out:
            out.append(oid)
    return tuple(out)


def to_query(state: ViewState, bounds: Bounds) -> str:
    """The query string of a state ('?from=...'); values at their default are left out, so the
    default view is a bare URL."""
    base = default_state(bounds)
    params: dict[str, str] = {}
    if state.start != base.start:
        params["from"] = f"{state.start:%Y-%m}"
    if state.end != base.end:
        params["to"] = f"{state.end:%Y-%m}"
    if state.level != base.level:
        params["level"] = str(state.level)
    if state.indicator != base.indicator:
        params["ind"] = state.indicator or "none"
    if state.per10k:
        params["per10k"] = "1"
    for key, values in (("area", state.areas), ("src", state.sources), ("etype", state.etypes)):
        if values:
            params[key] = ",".join(values)
    if state.agg != base.agg:
        params["agg"] = state.agg
    if tuple(state.layers) != tuple(base.layers):
        params["layers"] = ",".join(state.layers)
    if state.topn != base.topn:
        params["top"] = str(state.topn)
    if state.step_unit != base.step_unit:
        params["unit"] = state.step_unit
    starts = step_starts(state)
    if 0 < state.step <= len(starts):
        params["at"] = f"{starts[state.step - 1]:%Y-%m-%d}"
    if state.lang != base.lang:
        params["lang"] = state.lang
    if state.rate != base.rate:
        params["rate"] = state.rate
    if tuple(state.keydates) != tuple(base.keydates):
        params["kd"] = ",".join(state.keydates) or "none"
    if state.frame:
        params["bbox"] = frame_text(state.frame)
    return "?" + urlencode(params, safe=",") if params else ""


# ---- controls <-> state ------------------------------------------------------------------------

def range_value(state: ViewState, bounds: Bounds) -> list[int]:
    return [months_between(bounds.first, state.start), months_between(bounds.first, state.end)]


def controls(state: ViewState, bounds: Bounds) -> dict:
    """The value of each control for a state (component id -> value)."""
    return {
        "home-range": range_value(state, bounds),
        "home-level": state.level,
        "home-indicator": state.indicator,
        "home-per10k": ["per10k"] if state.per10k else [],
        "home-areas": list(state.areas),
        "home-sources": list(state.sources),
        "home-etypes": list(state.etypes),
        "home-agg": state.agg,
        "home-layers": list(state.layers),
        "home-topn": state.topn,
        "home-step": state.step,
        "home-step-unit": state.step_unit,
        "home-lang": state.lang,
        "home-rate": state.rate,
        "home-keydates": list(state.keydates),
        "home-frame": frame_text(state.frame),
    }


CONTROL_IDS = (
    "home-range", "home-level", "home-indicator", "home-per10k", "home-areas", "home-sources", "home-etypes",
    "home-agg", "home-layers", "home-topn", "home-step", "home-step-unit", "home-lang", "home-rate", "home-keydates",
    "home-frame",
)


# the fields of the view state each control sets (what a panel is drawn from follows from the
# controls that redraw it: dashboard.panels.Panel.fields)
CONTROL_FIELDS = {
    "home-range": ("start", "end"), "home-level": ("level",), "home-indicator": ("indicator",),
    "home-per10k": ("per10k",), "home-areas": ("areas",), "home-sources": ("sources",), "home-etypes": ("etypes",),
    "home-agg": ("agg",), "home-layers": ("layers",), "home-topn": ("topn",), "home-step": ("step",),
    "home-step-unit": ("step_unit",), "home-lang": ("lang",), "home-rate": ("rate",), "home-keydates": ("keydates",),
    "home-frame": ("frame",),
}


def from_controls(values: dict, bounds: Bounds) -> ViewState:
    """The state the controls show; values out of bounds fall back as in `parse_query`."""
    lo, hi = sorted(int(v) for v in (values.get("home-range") or range_value(default_state(bounds), bounds)))
    first = bounds.first
    query = {
        "from": f"{first + pd.DateOffset(months=lo):%Y-%m}",
        "to": f"{first + pd.DateOffset(months=hi):%Y-%m}",
        "level": str(values.get("home-level") or 1),
        "ind": values.get("home-indicator") or "none",
        "per10k": "1" if "per10k" in (values.get("home-per10k") or []) else "0",
        "area": ",".join(values.get("home-areas") or []),
        "src": ",".join(values.get("home-sources") or []),
        "etype": ",".join(values.get("home-etypes") or []),
        "agg": values.get("home-agg") or "month",
        "layers": ",".join(values.get("home-layers") or []),
        "top": str(values.get("home-topn") or 25),
        "unit": values.get("home-step-unit") or "month",
        "lang": values.get("home-lang") or "en",
        "rate": values.get("home-rate") or "published",
        "bbox": values.get("home-frame") or "",
    }
    keydates = values.get("home-keydates")
    if keydates is not None:  # an empty checklist hides every kind; a missing one keeps the default
        query["kd"] = ",".join(k for k in keydates if isinstance(k, str)) or "none"
    state = parse_query({k: [v] for k, v in query.items()}, bounds)
    step = int(values.get("home-step") or 0)
    return replace(state, step=step if 0 <= step <= len(step_starts(state)) else 0)
