"""What a warehouse version holds, looked up once per version: its extent and choices (`Bounds`),
the areas' names in each language, the organisations of its sources, the areas menu, and how a
source is cited. Cached per version (a Warehouse is hashed by identity); results are shared,
never changed after they are made.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse

import pandas as pd

from dashboard.data import indicators, map_queries
from dashboard.data.state import Bounds, month_start
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import N_, Translate, fmt_published, translator
from dashboard.organisations import COPY_MARKER, as_written, registry
from etl.contracts import public_url


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
    orgs = tuple(organisation_ids(wh))
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
def area_bounds(wh: Warehouse) -> dict:
    """P-code -> (west, south, east, north) of every admin area of levels 1-3 (what the map frames
    when areas are selected)."""
    areas = wh["admin_areas"]
    areas = areas[areas["level"].between(1, 3) & areas.geometry.notna()]
    return {p: tuple(float(v) for v in b) for p, b in zip(areas["pcode"], areas.geometry.bounds.to_numpy())}


def bounds_of(wh: Warehouse, pcodes) -> tuple | None:
    """The box around the areas `pcodes` (None when none of them has a geometry)."""
    boxes = [b for b in (area_bounds(wh).get(p) for p in pcodes) if b]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@lru_cache(maxsize=4)
def parents(wh: Warehouse) -> dict:
    """P-code -> its parent's P-code (admin levels 1-3; a governorate's parent is the country)."""
    areas = wh["admin_areas"]
    return {p: q for p, q in zip(areas["pcode"], areas["parent_pcode"]) if isinstance(q, str) and q}


@lru_cache(maxsize=4)
def organisations(wh: Warehouse) -> dict:
    """source_id -> the organisation as the source names it."""
    src = wh["sources"]
    return dict(zip(src["source_id"], src["organisation"]))


@lru_cache(maxsize=4)
def source_organisations(wh: Warehouse) -> dict[str, tuple[str, ...]]:
    """source_id -> the ids of the organisations it names (dashboard/organisations.py: one id per
    organisation, whatever variant of its name the source uses)."""
    src, reg = wh["sources"], registry()
    return {s: reg.ids(o) for s, o in zip(src["source_id"], src["organisation"])}


def organisation_ids(wh: Warehouse) -> list[str]:
    """The organisations of the version's sources, each once, in the order of their short English
    names (what the source filter lists and the URL's `src` holds)."""
    reg = registry()
    ids = {oid for named in source_organisations(wh).values() for oid in named}
    names = {oid: _text_of(wh, oid) for oid in ids}
    return sorted(ids, key=lambda oid: (reg.get(oid, names[oid]).short_en.casefold(), oid))


def _text_of(wh: Warehouse, oid: str) -> str:
    """The organisation cell a source uses for `oid` (the name of an organisation the registry lacks)."""
    reg = registry()
    for cell in wh["sources"]["organisation"].dropna():
        for org in reg.of_cell(cell):
            if org.id == oid:
                return org.name_en
    return oid


@lru_cache(maxsize=8)
def organisation_options(wh: Warehouse, lang: str = "en") -> list[dict]:
    """The source filter's options: each organisation once, by its name in `lang`."""
    reg = registry()
    return [{"label": reg.get(oid, _text_of(wh, oid)).label(lang), "value": oid} for oid in organisation_ids(wh)]


@lru_cache(maxsize=4)
def organisation_table(wh: Warehouse) -> dict:
    """organisation id -> Organisation, for every organisation of the version's sources (those the
    registry lacks named as their sources write them): what figures and exports are handed."""
    reg = registry()
    out = {}
    for cell in wh["sources"]["organisation"].dropna():
        for org in reg.of_cell(cell):
            out.setdefault(org.id, org)
    return out


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
    every source line writes them (the page's lists and the exports). The facts list's copy marker
    is left out of the organisation: the line says "copy of …, original not found" instead
    (`around_title`)."""
    via = f", {t('via')} {r.via}" if isinstance(r.via, str) and r.via else ""
    url = public_url(r.url)
    if via and getattr(r, "link_kind", None) == "copy" and url and _host(url).split(".")[0] in r.via.casefold() \
            and "(" not in r.via:
        via = ""  # "via pdfslide.net copy": the line says "copy of … on pdfslide.net" already
    approx = f" ({t('approx.')})" if r.published_approx else ""
    organisation = " ".join(COPY_MARKER.sub(" ", str(r.organisation)).split())
    return f"{organisation}{via}", f"{fmt_published(r.published, t.lang)}{approx}"


def published_by(cell, published, t: Translate) -> str:
    """'OCHA, published 20 Feb 2020' (or '…, publication date not given'): a source's organisation
    cell as written (`organisations.as_written`: a copy says so) and its publication date."""
    org = as_written(cell, t)
    if isinstance(published, str) and published:
        return t("{org}, published {date}").format(org=org, date=fmt_published(published, t.lang))
    return t("{org}, publication date not given").format(org=org)


def _host(url: str) -> str:
    return (urlparse(url).hostname or url).removeprefix("www.")


LINK_KIND_LABELS = {
    "publisher": N_("publisher's page"),
    "reliefweb_or_portal": N_("ReliefWeb or data portal"),
    "news_agency": N_("news agency"),
    "news": N_("news or other report"),
}


def link_label(r, t: Translate) -> str:
    """What a source's link leads to, in words: "publisher's page", "ReliefWeb or data portal",
    "copy on docslib.org, original not found", "no public link" (the Sources page's Link column)."""
    url = public_url(r.url)
    if not url:
        return t("no public link")
    kind = getattr(r, "link_kind", None)
    if kind == "copy":
        return t("copy on {host}, original not found").format(host=_host(url))
    label = LINK_KIND_LABELS.get(kind) if isinstance(kind, str) else None
    return t(label) if label else ""


def around_title(r, t: Translate) -> tuple[str, str]:
    """What a source line writes before and after the title, from the source's link kind and access
    date: ('copy of ', ' on docslib.org, original not found, published 2019-01 (approx.)') for a
    copy, ('', ' (ReliefWeb or data portal), published 2020-03-05, accessed 2026-11-30') for the
    others (', downloaded 2026-12-07' after them for a source the ETL fetched); ('', ' (no public link), published …') for a source without a web address (a file read
    from disk: its path never leaves the server)."""
    who_, published = who_and_when(r, t)
    url = public_url(r.url)
    kind = getattr(r, "link_kind", None)
    kind = kind if isinstance(kind, str) else None
    accessed = getattr(r, "accessed", None)
    when = f", {t('published')} {published}" if published.strip() else ""  # a sources file may give no date
    if isinstance(accessed, str) and accessed:
        when += f", {t('accessed')} {fmt_published(accessed, t.lang)}"
    downloaded = getattr(r, "retrieved", None)
    if isinstance(downloaded, str) and downloaded:  # a source the ETL fetched: the day it did
        when += f", {t('downloaded')} {fmt_published(downloaded[:10], t.lang)}"
    if not url:
        return "", f" ({t('no public link')}){when}"
    if kind == "copy":
        return f"{t('copy of')} ", " " + t("on {host}, original not found").format(host=_host(url)) + when
    label = LINK_KIND_LABELS.get(kind)
    return "", (f" ({t(label)})" if label else "") + when
