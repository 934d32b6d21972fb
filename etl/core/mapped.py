"""Records of mapped fields (etl/core/mapping.py) turned into a canonical table's rows, for any
contract: the fields named as the contract's columns are copied; these are worked out:

- the area: `adm1_pcode` .. `adm3_pcode` (or `pcode`) give the P-code, the finest given;
  `adm4_pcode` a community (its `location_pcode` where the table keeps one); `adm1_name` ..
  `adm4_name` the names, the finest being `area_en` (the P-code when no name is given). Names
  finer than the P-code, and communities, are handed to the pipeline's name matcher
  (etl/core/areas.py). Flows (tables with origin_pcode and dest_pcode) take the same fields with
  `origin_` and `dest_` in front.
- the period: `period_start` / `period_end` (days, or a month or year: its first / last day), or
  `period` (a month such as 'January 2019' or '2019-01', a year, or a day), or `year` with `month`
  (a name or a number), or `year` alone, or `date`; a table dated by one day (`date`) takes the
  day, or the last day of the period given.
- counts: '1,234' and Arabic-Indic digits read as numbers; '*' (suppressed) and blank are no
  figure, never zero; a fractional count (a published estimate such as 16034.6) is rounded, its
  qualifier made 'about' and the published figure kept in the note.

Pure functions.
"""
from __future__ import annotations

import re
from datetime import date

from etl.core.areas import pcode_level
from etl.core.contracts import Contract
from etl.core.dates import MONTHS, day_of, month_of
from etl.core.mapping import Record
from etl.core.names import ascii_digits, clean_name, join_notes
from etl.core.numbers import count_cell

LEVELS = (1, 2, 3, 4)
AREA_FIELDS = tuple(f"adm{lv}_{kind}" for lv in LEVELS for kind in ("pcode", "name"))
PERIOD_FIELDS = ("period", "year", "month", "date", "period_start", "period_end")
SIDES = ("origin", "dest")
AUTO = ("fact_id", "source_id", "area_en")  # never mapped: the adapter makes them
EXACT_COUNTS = ("year", "severity", "level")  # whole numbers that are never estimates
_DECIMAL = re.compile(r"-?\d+\.\d+")


def fields(contract: Contract) -> tuple[str, ...]:
    """The fields a mapping may fill for this table."""
    names = [c for c in contract.names if c not in AUTO]
    if "pcode" in contract.names or "area_en" in contract.names:
        names += AREA_FIELDS
    if {"origin_pcode", "dest_pcode"} <= set(contract.names):
        names += [f"{side}_{f}" for side in SIDES for f in AREA_FIELDS if not f.startswith("adm4")]
    names += [f for f in PERIOD_FIELDS if f not in names]
    return tuple(dict.fromkeys(names))


# ---- the period ---------------------------------------------------------------------------------

def _year(text: str) -> int | None:
    text = ascii_digits(text.strip())
    return int(text[:4]) if re.fullmatch(r"\d{4}(\.0)?", text) and 1900 <= int(text[:4]) <= 2100 else None


def span(text: str) -> tuple[date, date] | None:
    """(first day, last day) of what a cell names: a year, a month or a day."""
    text = text.strip()
    if not text:
        return None
    if (year := _year(text)) is not None:
        return date(year, 1, 1), date(year, 12, 31)
    if (day := day_of(text)) is not None and not re.fullmatch(r"\d{1,2}[-/ ]\d{4}|[A-Za-z]+[-/ ]\d{2,4}", text):
        return day, day
    return month_of(text)


def period_of(f: dict[str, str]) -> tuple[str, str] | None:
    """(start, end) as ISO text from the period fields (unreadable text kept for validation to report)."""
    start, end = f.get("period_start", ""), f.get("period_end", "")
    if start or end:
        first, last = span(start) if start else None, span(end) if end else None
        return (str(first[0]) if first else start or (str(last[0]) if last else end),
                str(last[1]) if last else end or (str(first[1]) if first else start))
    if f.get("period"):
        found = span(f["period"])
        return (str(found[0]), str(found[1])) if found else (f["period"], f["period"])
    if f.get("year") and f.get("month"):
        month = f["month"].strip().casefold()
        number = MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
        found = month_of(f"{_year(f['year'])}-{number:02d}") if number and _year(f["year"]) else None
        return (str(found[0]), str(found[1])) if found else (f"{f['year']} {f['month']}",) * 2
    if f.get("year"):
        found = span(f["year"])
        return (str(found[0]), str(found[1])) if found else (f["year"], f["year"])
    if f.get("date"):
        found = span(f["date"])
        return (str(found[0]), str(found[1])) if found else (f["date"], f["date"])
    return None


def day(f: dict[str, str]) -> tuple[str | None, str | None]:
    """(the day a stock is dated, a note when it was dated by a longer period)."""
    if f.get("date"):
        found = span(f["date"])
        if found and found[0] != found[1]:
            return str(found[1]), f"published for {f['date'].strip()}, dated the period's last day"
        return (str(found[1]) if found else f["date"]), None
    period = period_of(f)
    if period is None:
        return None, None
    return period[1], (f"published for {period[0]} to {period[1]}, dated the period's last day"
                       if period[0] != period[1] else None)


# ---- the area -----------------------------------------------------------------------------------

def _code(text: str | None) -> str | None:
    code = re.sub(r"\s+", "", text or "").upper()
    return code or None


def area(f: dict[str, str], prefix: str = "") -> dict:
    """P-code, community, names and whether names are left to match, for one side of a row."""
    names = {lv: clean_name(f.get(f"{prefix}adm{lv}_name", "")) for lv in LEVELS}
    codes = {lv: _code(f.get(f"{prefix}adm{lv}_pcode")) for lv in LEVELS}
    given = _code(f.get(f"{prefix}pcode"))
    if given:
        codes[max(pcode_level(given), 1)] = codes.get(max(pcode_level(given), 1)) or given
    admin = next((codes[lv] for lv in (3, 2, 1) if codes[lv]), None)
    community = codes[4] if codes[4] and pcode_level(codes[4]) == 4 else None
    finest_name = next((names[lv] for lv in (4, 3, 2, 1) if names[lv]), None)
    coded_level = 4 if community else pcode_level(admin)
    named_level = max((lv for lv in LEVELS if names[lv]), default=0)
    return {
        "pcode": admin, "community": community, "names": names, "name": finest_name or community or admin,
        "match": named_level > coded_level or (community is not None and pcode_level(admin) != 3),
        "within": community or admin,
    }


def pending(table: str, key: str, target: str, place: dict, record: Record, prefix: str, file: str,
            source_id: str) -> dict:
    """The area_names record (etl/core/areas.py) of one side of a row."""
    finest = next((lv for lv in (4, 3, 2, 1) if place["names"][lv]), None)
    column = record.columns.get(f"{prefix}adm{finest}_name") if finest else record.columns.get(f"{prefix}adm4_pcode")
    return {"table": table, "key": key, "target": target, **{f"adm{lv}": place["names"][lv] for lv in LEVELS},
            "within": place["within"], "file": file, "row": record.row, "column": column, "source_id": source_id}


# ---- counts -------------------------------------------------------------------------------------

def count(text: str) -> tuple[str | None, str | None]:
    """(a count as text for validation, or None when blank or suppressed; a note when a fractional
    estimate was rounded)."""
    value = count_cell(text)
    if value is not None and _DECIMAL.fullmatch(value):
        number = float(value)
        if number != int(number):
            return str(round(number)), f"published as {number:,.2f}, rounded"
        return str(int(number)), None
    return value, None


# ---- a row --------------------------------------------------------------------------------------

def build(record: Record, contract: Contract, source_id: str, fact_id: str, file: str) -> tuple[dict, list[dict]]:
    """(the contract record as text, for etl.core.contracts.validate_records; its area_names)."""
    f = record.fields
    kinds = {c.name: c.kind for c in contract.columns}
    out: dict = {"row": record.row, "fact_id": fact_id, "source_id": source_id}
    notes, rounded = [], False
    for name, kind in kinds.items():
        if name in AUTO or name not in f:
            continue
        if kind == "int" and name not in EXACT_COUNTS:
            out[name], note = count(f[name])
            if note:
                notes.append(f"{record.columns.get(name, name)}: {note}")
                rounded = True
        else:
            out[name] = f[name] if f[name] != "" else None
    if rounded and "qualifier" in kinds:
        out["qualifier"] = "about"
    if "period_start" in kinds and "period_end" in kinds and (period := period_of(f)):
        out["period_start"], out["period_end"] = period
    if "date" in kinds:
        out["date"], note = day(f)
        notes.append(note)
    if "year" in kinds and f.get("year"):
        out["year"] = str(_year(f["year"]) or f["year"])
    names_to_match = []
    if {"origin_pcode", "dest_pcode"} <= set(kinds) and any(k.startswith(SIDES) for k in f):
        ends = {}
        for side in SIDES:
            place = area(f, f"{side}_")
            out[f"{side}_pcode"] = place["pcode"]
            ends[side] = place["name"]
            if place["match"]:
                names_to_match.append(pending(contract.table, fact_id, f"{side}_pcode", place, record, f"{side}_", file,
                                              source_id))
        out["area_en"] = f"{ends['origin'] or '?'} → {ends['dest'] or '?'}"
    elif "area_en" in kinds:
        place = area(f)
        out["pcode"], out["area_en"] = place["pcode"], place["name"]
        if place["community"] and "location_pcode" in kinds:
            out["location_pcode"] = place["community"]
        if place["match"]:
            names_to_match.append(pending(contract.table, fact_id, "pcode", place, record, "", file, source_id))
    out["note"] = join_notes(out.get("note"), *notes)
    out["columns"] = {**record.columns, "period_start": record.columns.get("period", record.columns.get("date")),
                      "area_en": next((record.columns[k] for k in ("adm4_name", "adm3_name", "adm2_name", "adm1_name")
                                       if k in record.columns), None)}
    out["columns"] = {k: v for k, v in out["columns"].items() if v}
    return out, names_to_match
