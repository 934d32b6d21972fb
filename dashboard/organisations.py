"""The organisations behind the figures, one name each: the registry in data/organisations.csv.

A source names its organisation as the document did ("DGMM", "Göç İdaresi Başkanlığı (PMM)",
"Turkish Interior Ministry (Minister Ali Yerlikaya)", "IOM (citing DGMM)"...). The registry maps
every variant found in the data to one organisation, with its English and Arabic names, a short
name for legends and labels, and its colour and marker symbol, so that an organisation looks the
same in every chart, filter state, language and export. The filters, legends, direct labels,
data exports and the report use it; source lines keep the organisation as the document names it.

Rules:
- A variant is matched after `normalise`: case, spacing and the facts list's marker
  "[copy; original not found]" are ignored.
- A figure is the organisation's that produced the number: "IOM (citing DGMM)" is the Turkish
  migration authority's figure, published in an IOM document (the document stays IOM's in the
  source line).
- An organisation cell naming two bodies ("UNHCR; Turkish President") names each of them (`ids`);
  a row of such a source is attributed by its own series where it has one (see `attribute`), else
  to the first.
- An organisation the registry does not know (a user's own file) is its own organisation, named as
  written, its id a slug of the name, its colour and symbol picked from the palette by a hash of
  the id (so they too are the same everywhere).

Colours are Okabe–Ito (colour-blind safe), grey for the news agencies and reference sources that
figures rarely come from; with more organisations than colours, organisations that share a
colour rarely appear in one chart and always differ by marker symbol.
"""
from __future__ import annotations

import csv
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

REGISTRY_FILE = Path(__file__).resolve().parents[1] / "data" / "organisations.csv"
COPY_MARKER = re.compile(r"\s*\[copy; original not found\]\s*", re.IGNORECASE)
JOINT = re.compile(r"\s*;\s*")
# Okabe–Ito: distinguishable with the common colour-vision deficiencies (yellow left out: too pale
# for a line on white)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "x", "cross", "star")
# a refugees row's series -> the organisation it belongs to, for sources naming two bodies
SERIES_ORGANISATION = {"DGMM": "tr-pmm", "UNHCR": "unhcr", "UN_AFAD": "tr-gov", "TR_ESTIMATE": "tr-gov"}


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", " ".join(COPY_MARKER.sub(" ", text).split()).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("ı", "i")


def normalise(text) -> str:
    """A variant as it is matched: the copy marker dropped, spacing collapsed, case and accents
    folded ('Göç İdaresi' = 'Goc Idaresi')."""
    return _normalise(str(text))


def as_written(cell, t) -> str:
    """A source's organisation cell as a source line writes it: the facts list's copy marker
    ("OCHA [copy; original not found]") said in the page's language by `t` ("OCHA (copy; original
    not found)"), the rest as published."""
    text = "" if cell is None or (isinstance(cell, float) and cell != cell) else " ".join(str(cell).split())
    bare = " ".join(COPY_MARKER.sub(" ", text).split())
    return t("{org} (copy; original not found)").format(org=bare) if bare != text else bare


def slug(text) -> str:
    return re.sub(r"[^0-9a-z]+", "-", normalise(text)).strip("-") or "unknown"


@dataclass(frozen=True)
class Organisation:
    id: str
    short_en: str
    short_ar: str
    name_en: str
    name_ar: str
    colour: str
    symbol: str
    variants: tuple[str, ...] = field(default=(), compare=False)
    known: bool = True  # listed in the registry (else named as the data writes it)

    def short(self, lang: str) -> str:
        """The name in legends and direct labels ('OCHA', 'أوتشا')."""
        return self.short_ar if lang == "ar" and self.short_ar else self.short_en

    def name(self, lang: str) -> str:
        """The full name (filters, exports)."""
        return self.name_ar if lang == "ar" and self.name_ar else self.name_en

    def label(self, lang: str) -> str:
        """'OCHA: UN Office for the Coordination of Humanitarian Affairs (OCHA)', or the name alone
        when it already is the short name: what the source filter lists."""
        short, name = self.short(lang), self.name(lang)
        return name if short == name or short in name else f"{short}: {name}"


def _unknown(text: str) -> Organisation:
    oid = slug(text)
    h = zlib.crc32(oid.encode("utf-8"))
    name = " ".join(str(text).split()) or oid
    return Organisation(oid, name, name, name, name, PALETTE[h % len(PALETTE)], SYMBOLS[(h // 7) % len(SYMBOLS)],
                        (name,), known=False)


class Registry:
    """The organisations by id and by variant (read once from REGISTRY_FILE: `registry()`)."""

    def __init__(self, organisations: list[Organisation]):
        self._ids: dict = {}  # organisation cell -> ids (a memo: a chart asks for the same few cells)
        self.by_id = {o.id: o for o in organisations}
        self.by_variant: dict[str, list[str]] = {}
        for o in organisations:
            for variant in o.variants:
                ids = self.by_variant.setdefault(normalise(variant), [])
                if o.id not in ids:
                    ids.append(o.id)

    def matches(self, text) -> list[str]:
        """The registry entries listing `text` (one organisation's name) as a variant."""
        return list(self.by_variant.get(normalise(text), []))

    def ids(self, cell) -> tuple[str, ...]:
        """The organisations an organisation cell names (two for 'UNHCR; Turkish President')."""
        if cell is None or (isinstance(cell, float) and cell != cell):
            return ()
        known = self._ids.get(cell)
        if known is not None:
            return known
        text = COPY_MARKER.sub(" ", str(cell))
        out: list[str] = []
        for part in JOINT.split(text):
            if not part.strip():
                continue
            found = self.matches(part) or [self.resolve_id(part)]
            for oid in found[:1]:
                if oid not in out:
                    out.append(oid)
        if len(self._ids) < 10_000:
            self._ids[cell] = tuple(out)
        return tuple(out)

    def resolve_id(self, text) -> str:
        found = self.matches(text)
        return found[0] if found else slug(text)

    def get(self, oid: str, text: str | None = None) -> Organisation:
        """The organisation of an id (or, for one the registry does not know, of its name `text`,
        without the facts list's copy marker: one organisation whether read on a copy or not)."""
        if oid in self.by_id:
            return self.by_id[oid]
        name = " ".join(COPY_MARKER.sub(" ", str(text)).split()) if text else ""
        return _unknown(name or oid)

    def of_cell(self, cell) -> list[Organisation]:
        """The organisations of an organisation cell, unknown ones named as written."""
        text = COPY_MARKER.sub(" ", str(cell or ""))
        parts = [p for p in JOINT.split(text) if p.strip()]
        out: dict[str, Organisation] = {}
        for part in parts:
            oid = self.resolve_id(part)
            out.setdefault(oid, self.get(oid, part))
        return list(out.values())


def read_registry(path: Path = REGISTRY_FILE) -> Registry:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return Registry([
        Organisation(r["id"], r["short_en"], r["short_ar"], r["name_en"], r["name_ar"], r["colour"], r["symbol"],
                     tuple(v.strip() for v in r["variants"].split("|") if v.strip()))
        for r in rows
    ])


@cache
def registry() -> Registry:
    """The committed registry, read once per process (never changed after)."""
    return read_registry()


def attribute(cell, series=None, reg: Registry | None = None) -> str:
    """The organisation one figure row belongs to: its source's, or, where the source names several
    bodies, the one its series names (refugees), else the first."""
    reg = reg or registry()
    ids = reg.ids(cell)
    if not ids:
        return slug(cell) if cell else "unknown"
    if len(ids) > 1 and series in SERIES_ORGANISATION and SERIES_ORGANISATION[series] in ids:
        return SERIES_ORGANISATION[series]
    return ids[0]
