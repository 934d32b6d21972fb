"""OCHA P-code gazetteers: the admin areas' P-codes and names (English, Arabic, alternative
spellings) as a table without geometry, one sheet per admin level, as OCHA and ITOS publish them
beside the COD-AB boundaries (HDX "Syrian Arab Republic - Subnational Administrative Boundaries":
the 'tabular data' xlsx; ITOS's ArcGIS services exported as CSV or xlsx). Licence CC BY-IGO
(attribute UNCS / OCHA).

Reads: an .xlsx / .ods workbook (every sheet that has P-code columns) or a CSV, in any of the three
schemas, header names matched ignoring case, spaces and punctuation:
- COD classic / ITOS: ADM3_EN, ADM3_AR, ADM3_PCODE, ADM3_REF, ADM3ALT1EN, ADM3ALT2EN, ADM3ALT1AR,
  ADM3ALT2AR, ADM2_PCODE, ..., date, validOn, validTo;
- OCHA tabular: admin3Name_en, admin3Name_ar, admin3Pcode, admin3RefName, admin3AltName1_en, ...;
- HDX lower case: adm3_name, adm3_name1, adm3_pcode, ..., valid_on.
A sheet's level is its deepest P-code column (1-3, or 4 for communities); its parent is the level
above's P-code on the same row. Dates (validOn, valid_on, else date) in any of the real forms:
epoch milliseconds as ArcGIS exports them (1607990400000), Excel dates, ISO text, dd/mm/yyyy.

Writes `gazetteer` (pcode, level, parent_pcode, name_en, name_ar, alt_names joined by '|',
valid_on): a lookup the pipeline's name matcher reads beside the admin areas (its P-codes and
spellings add candidates; it draws nothing). A repeated P-code is reported and the first kept.
Options: sheet (one sheet by name or position).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contracts import GAZETTEER
from etl.core.areas import pcode_level
from etl.core.contracts import reject_duplicates, validate_records
from etl.core.dates import day_of
from etl.core.headers import header_key, unique_headers
from etl.core.issues import Issues, SourceError
from etl.core.names import clean_name
from etl.core.sheets import read_sheets
from etl.core.spec import SourceSpec

TABLES = ("gazetteer",)
LEVELS = (1, 2, 3, 4)
HEADER_SCAN = 30
EXAMPLES = {1: "SY07", 2: "SY0703", 3: "SY070301", 4: "C4130"}


def _aliases(level: int) -> dict[str, tuple[str, ...]]:
    n = level
    return {
        "pcode": (f"adm{n}pcode", f"admin{n}pcode"),
        "name_en": (f"adm{n}en", f"admin{n}nameen", f"adm{n}nameen", f"adm{n}name"),
        "name_ar": (f"adm{n}ar", f"admin{n}namear", f"adm{n}namear", f"adm{n}name1"),
        "alt": (f"adm{n}alt1en", f"adm{n}alt2en", f"adm{n}alt1ar", f"adm{n}alt2ar", f"admin{n}altname1en",
                f"admin{n}altname2en", f"admin{n}altname1ar", f"admin{n}altname2ar", f"adm{n}ref", f"admin{n}refname"),
    }


DATES = ("validon", "date")


def _level_of(keys: list[str]) -> int | None:
    found = [lv for lv in LEVELS if set(_aliases(lv)["pcode"]) & set(keys)]
    return max(found) if found else None


def _header(rows: list[list[str]]) -> int | None:
    return next((i for i, row in enumerate(rows[:HEADER_SCAN]) if _level_of([header_key(c) for c in row])), None)


def _column(keys: list[str], names: tuple[str, ...]) -> int | None:
    return next((keys.index(k) for k in names if k in keys), None)


def sheet_records(rows: list[list[str]], sheet: str, where: str, source_id: str) -> list[dict]:
    top = _header(rows)
    if top is None:
        return []
    header = unique_headers(rows[top])
    keys = [header_key(h) for h in header]
    level = _level_of(keys)
    mine = _aliases(level)
    at = {field: _column(keys, names) for field, names in mine.items() if field != "alt"}
    alts = [keys.index(k) for k in mine["alt"] if k in keys]
    parent = _column(keys, _aliases(level - 1)["pcode"]) if level > 1 else None
    dated = _column(keys, DATES)
    out = []
    for index in range(top + 1, len(rows)):
        cells = rows[index] + [""] * (len(header) - len(rows[index]))
        if not any(c.strip() for c in cells):
            continue

        def cell(i, cells=cells):
            return cells[i].strip() if i is not None else ""
        code = re.sub(r"\s+", "", cell(at["pcode"])).upper()
        names = [clean_name(cell(i)) for i in alts]
        day = day_of(cell(dated)) if cell(dated) else None
        out.append({
            "row": index + 1, "pcode": code, "level": str(level),
            "parent_pcode": re.sub(r"\s+", "", cell(parent)).upper() or None,
            "name_en": clean_name(cell(at["name_en"])) if at["name_en"] is not None else None,
            "name_ar": clean_name(cell(at["name_ar"])) if at["name_ar"] is not None else None,
            "alt_names": "|".join(dict.fromkeys(n for n in names if n)) or None,
            "valid_on": str(day) if day else (cell(dated) or None), "source_id": source_id,
            "columns": {f: header[i] for f, i in {**at, "parent_pcode": parent, "valid_on": dated}.items() if i is not None},
            "_where": where,
        })
    return out


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    sheets = read_sheets(path, spec.options.get("sheet"), None if spec.options.get("sheet") is not None else ".*")
    records = []
    for sheet, rows in sheets:
        where = f"{file}, sheet {sheet!r}" if len(sheets) > 1 else file
        records += sheet_records(rows, sheet, where, spec.name)
    if not records:
        raise SourceError(file, "expected a gazetteer: a header with P-code columns such as ADM3_PCODE, admin3Pcode or "
                                f"adm3_pcode in the first {HEADER_SCAN} rows of a sheet; none has one")
    wrong = [r for r in records if r["pcode"] and pcode_level(r["pcode"]) != int(r["level"])]
    for r in wrong:
        issues.add("gazetteer", r["_where"], r["row"], r["columns"].get("pcode", "pcode"), r["pcode"],
                   f"expected an admin-{r['level']} P-code such as {EXAMPLES[int(r['level'])]}")
    records = [r for r in records if not (r["pcode"] and pcode_level(r["pcode"]) != int(r["level"]))]
    out = []
    for where in dict.fromkeys(r["_where"] for r in records):
        good = validate_records([r for r in records if r["_where"] == where], GAZETTEER, where, issues)
        good = good.set_axis(pd.Index(_rows_of(good, records, where)))
        out.append(reject_duplicates(good, "pcode", "gazetteer", where, issues))
    table = pd.concat(out).sort_values(["level", "pcode"]).reset_index(drop=True)
    return {"gazetteer": table}


def _rows_of(good: pd.DataFrame, records: list[dict], where: str) -> list[int]:
    """The file rows of validated records (matched by P-code and level, in file order)."""
    rows: dict[tuple, list[int]] = {}
    for r in records:
        if r["_where"] == where:
            rows.setdefault((r["pcode"], int(r["level"])), []).append(r["row"])
    taken: dict[tuple, int] = {}
    out = []
    for pcode, level in zip(good["pcode"], good["level"]):
        key = (pcode, int(level))
        out.append(rows[key][taken.get(key, 0)])
        taken[key] = taken.get(key, 0) + 1
    return out
