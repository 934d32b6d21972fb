"""What a warehouse version holds, looked up once per version: its extent and choices (`Bounds`),
the areas' names in each language, the organisations of its sources, the areas menu, and how a
source is cited. Cached per version (a Warehouse is hashed by identity); results are shared,
never changed after they are made.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from dashboard.data import indicators, map_queries
from dashboard.data.state import Bounds, month_start
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import Translate, translator


@lru_cache(maxsize=4)
def bounds(wh: Warehouse) -> Bounds:
    dates = [wh["displacement"]["period_start"], wh["displacement"]["period_end"], wh["casualties"]["period_start"],
             wh["casualties"]["period_end"], wh["refugees"]["date"], wh["timeline"]["date"]]
    for table, cols in (("needs", ("period_start", "period_end")), ("events_aggregated", ("period_start", "period_end")),
                        ("population", ("date",))):  # the tables of users' files (issue 13), when loaded
        frame = wh.frames.get(table)
        if frame is not None and len(frame):
            dates += [frame[c] for c in cols]
    for table, col in (("events", "date_start"), ("moves", "period_start")):
        ext = wh.query(f"SELECT min({col}) AS lo, max({col}) AS hi FROM {table}")
        dates.append(pd.Series(pd.to_datetime([ext["lo"].iloc[0], ext["hi"].iloc[0]])))
    stacked = pd.concat([pd.to_datetime(d).dropna() for d in dates])
    first, last = month_start(stacked.min()), month_start(stacked.max())
    disp = wh["displacement"]["period_start"].dropna()
    default_start = month_start(disp.min()) if len(disp) else first
    areas = wh["admin_areas"]
    levels = tuple(sorted(int(v) for v in areas["level"].dropna().unique() if 1 <= int(v) <= 3)) or (1,)
    available = tuple(indicators.available(wh))
    orgs = tuple(sorted(wh["sources"]["organisation"].dropna().unique()))
    return Bounds(
        first=first, last=last, default_start=default_start, levels=levels, indicators=available,
        default_indicator=available[0] if available else None, organisations=orgs,
        event_types=tuple(map_queries.event_types(wh)),
        pcodes=frozenset(areas.loc[areas["level"].between(1, 3), "pcode"].dropna()),
    )


@lru_cache(maxsize=8)
def names(wh: Warehouse, lang: str = "en") -> dict:
    """P-code -> the area's name in `lang`: in Arabic, COD-AB's ADMx_AR (or Natural Earth's Arabic
    name); where there is none, the English name marked as such."""
    areas = wh["admin_areas"]
    if lang != "ar":
        return dict(zip(areas["pcode"], areas["name_en"]))
    t = translator(lang)
    return {p: ar if isinstance(ar, str) and ar else t("{name} (English name)").format(name=en)
            for p, en, ar in zip(areas["pcode"], areas["name_en"], areas["name_ar"])}


@lru_cache(maxsize=4)
def both_names(wh: Warehouse) -> dict:
    """P-code -> 'English · Arabic' (English alone where the Arabic name is missing)."""
    areas = wh["admin_areas"]
    return {p: f"{en} · {ar}" if isinstance(ar, str) and ar else str(en)
            for p, en, ar in zip(areas["pcode"], areas["name_en"], areas["name_ar"])}


@lru_cache(maxsize=4)
def organisations(wh: Warehouse) -> dict:
    src = wh["sources"]
    return dict(zip(src["source_id"], src["organisation"]))


@lru_cache(maxsize=8)
def area_options(wh: Warehouse, lang: str = "en") -> list[dict]:
    """Areas for the searchable selector: English and Arabic names and the P-code in each label,
    the page's language first."""
    areas = wh["admin_areas"]
    areas = areas[areas["level"].between(1, 3)].sort_values(["level", "pcode"])
    out = []
    for r in areas.itertuples():
        both = [r.name_en] + ([r.name_ar] if isinstance(r.name_ar, str) and r.name_ar else [])
        if lang == "ar":
            both.reverse()
        out.append({"label": f"{' · '.join(both)} ({r.pcode})", "value": r.pcode})
    return out


def area_label(wh: Warehouse, pcode: str, lang: str = "en") -> str:
    """'Idleb (SY07)': an area's name in `lang` and its P-code."""
    return f"{names(wh, lang).get(pcode, pcode)} ({pcode})"


def who_and_when(r, t: Translate) -> tuple[str, str]:
    """('OCHA, via Reuters', '2020-03 (approx.)'): a source's organisation and publication date, as
    every source line writes them (the page's lists and the exports)."""
    via = f", {t('via')} {r.via}" if isinstance(r.via, str) and r.via else ""
    approx = f" ({t('approx.')})" if r.published_approx else ""
    return f"{r.organisation}{via}", f"{r.published}{approx}"
