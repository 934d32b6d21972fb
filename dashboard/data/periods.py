"""Periods as users think of them: presets made from the warehouse's key dates (the timeline), the
last 12 months of data and the whole record, and the time slider's labels.

An episode is a run of key dates each within EPISODE_GAP_DAYS of the one before (the Idlib offensive:
fighting resumes 19 December 2019, ... the Moscow protocol 5 March 2020); episodes of two key dates
or more become presets from the month of the first to the month of the last, named by their first
and last events. Pure functions of the timeline and the warehouse's bounds; cached per version.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard.data.state import Bounds, month_start, months_between
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import fmt_date, translator

EPISODE_GAP_DAYS = 60
NICE_YEARS = (1, 2, 5, 10, 20, 25, 50)


@dataclass(frozen=True)
class Preset:
    label: str
    start: pd.Timestamp  # first day of the first month
    end: pd.Timestamp  # first day of the last month

    @property
    def value(self) -> str:
        return f"{self.start:%Y-%m}/{self.end:%Y-%m}"


def episodes(timeline: pd.DataFrame, gap_days: int = EPISODE_GAP_DAYS) -> list[pd.DataFrame]:
    """Runs of key dates, each within `gap_days` of the previous one, of two dates or more."""
    if timeline is None or timeline.empty:
        return []
    rows = timeline.dropna(subset=["date"]).sort_values("date")
    runs, current, last = [], [], None
    for i, date in zip(rows.index, pd.to_datetime(rows["date"])):
        if last is not None and (date - last).days > gap_days:
            runs.append(current)
            current = []
        current.append(i)
        last = date
    if current:
        runs.append(current)
    return [rows.loc[run] for run in runs if len(run) >= 2]


def _label(rows: pd.DataFrame, lang: str) -> str:
    column = "label_ar" if lang == "ar" and "label_ar" in rows else "label_en"

    def text(r):
        value = r.get(column)
        return str(value) if isinstance(value, str) and value else str(r["label_en"])
    first, last = rows.iloc[0], rows.iloc[-1]
    start, end = month_start(first["date"]), month_start(last["date"])
    span = (fmt_date(start, "MMM y", lang=lang) if start == end
            else f"{fmt_date(start, 'MMM y', lang=lang)} – {fmt_date(end, 'MMM y', lang=lang)}")
    return f"{span}: {text(first)} … {text(last)}"


def presets_of(timeline: pd.DataFrame, bounds: Bounds, lang: str = "en") -> list[Preset]:
    """The presets of a warehouse: its episodes of key dates (latest first) within its months, the
    last 12 months of data and the whole record."""
    t = translator(lang)
    out = []
    for rows in reversed(episodes(timeline)):
        start, end = month_start(rows["date"].min()), month_start(rows["date"].max())
        start, end = max(start, bounds.first), min(end, bounds.last)
        if start <= end:
            out.append(Preset(_label(rows, lang), start, end))
    last12 = max(bounds.first, bounds.last - pd.DateOffset(months=11))
    out.append(Preset(t("Last 12 months of data ({start} – {end})").format(
        start=fmt_date(last12, "MMM y", lang=lang), end=fmt_date(bounds.last, "MMM y", lang=lang)), last12, bounds.last))
    out.append(Preset(t("Whole record ({start} – {end})").format(
        start=fmt_date(bounds.first, "MMM y", lang=lang), end=fmt_date(bounds.last, "MMM y", lang=lang)),
        bounds.first, bounds.last))
    return out


@lru_cache(maxsize=8)
def presets(wh: Warehouse, bounds: Bounds, lang: str = "en") -> tuple[Preset, ...]:
    return tuple(presets_of(wh["timeline"], bounds, lang))


def year_marks(first: pd.Timestamp, n_months: int, most: int = 9) -> dict[int, str]:
    """The range slider's labels: the Januaries of every 1, 2, 5, 10... years, as few as keep them at
    most `most` (readable from 2011, and from 1968 when old refugee data are loaded)."""
    last = first + pd.DateOffset(months=n_months)
    years = list(range(first.year + (first.month > 1), last.year + 1))
    step = next((n for n in NICE_YEARS if len([y for y in years if y % n == 0]) <= most), NICE_YEARS[-1])
    return {months_between(first, pd.Timestamp(year=y, month=1, day=1)): str(y) for y in years if y % step == 0}
