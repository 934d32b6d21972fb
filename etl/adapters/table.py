"""Any table a user downloads (CSV, Excel .xlsx, OpenDocument .ods), read through a column mapping
written in the sources file, so that a new layout needs no code: an HNO people-in-need and
severity workbook with one sheet per sector, an earthquake impact workbook by community, a
population table, a monthly summary with a column per month, an origin x destination matrix.
Licence: the dataset's own (record it in the sources file).

    [[source]]
    name = "hno-2023"
    adapter = "table"
    path = "syr_hno_2023_pin_severity.xlsx"
    [source.options]
    table = "needs"            # the canonical table: needs, population, casualties, displacement,
                               # idp_stock, events_aggregated
    sheets = "^(?!Read me)"    # every sheet whose name matches (or sheet = "Health" / sheet = 2)
    sheet_field = "sector"     # the sheet's name fills this field
    [source.columns]           # field = header in the file (or an HXL hashtag such as "#inneed")
    adm3_pcode = "Sub-district Pcode"
    people_in_need = "PiN"
    [source.constants]         # what the file does not say
    period = "2023"

Fields: the table's columns (etl/contracts.py) except fact_id, source_id and area_en, plus the
area (`adm1_pcode` .. `adm4_pcode`, `adm1_name` .. `adm4_name`; for flows the same with `origin_`
and `dest_` in front) and the period (`period`, `year`, `month`, `date`, `period_start`,
`period_end`): see etl/core/mapped.py for how they become the table's columns, and
etl/core/mapping.py for [source.melt] (a column per month, per destination, ...) and the options
header_row, header_rows and skip. Without [source.columns], an HXL hashtag row maps the columns.

The mapping is checked against the header before any row is read; a wrong one stops the source
with the file, the sheet, the header row found and the closest column names. Names without
P-codes are matched by the pipeline (etl/core/areas.py) and each miss reported with its nearest
candidates. Columns holding personal data (phone numbers, e-mail addresses, contact persons' or
key informants' names) are not read; each is reported, unless option `personal` lists it as
mapped on purpose. A published total column ([source.melt] total) that differs from the sum of
its row is reported (the row is kept as published).

Writes: the table named by option `table`, with fact_id '<source>:<row>' (':<sheet>' when several
sheets are read, ':<melted header>' for a melted cell); `area_names` for the pipeline's matcher.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contracts import CASUALTIES, DISPLACEMENT, EVENTS_AGGREGATED, IDP_STOCK, NEEDS, POPULATION
from etl.core import areas
from etl.core.contracts import Contract, validate_records
from etl.core.issues import Issues, SourceError
from etl.core.mapped import build, fields
from etl.core.mapping import Mapping, locate, parse, records, total_mismatches
from etl.core.privacy import personal_columns
from etl.core.sheets import read_sheets
from etl.core.spec import SourceSpec

TABLES = ("needs", "population", "casualties", "displacement", "idp_stock", "events_aggregated", "area_names")
CONTRACTS = {c.table: c for c in (NEEDS, POPULATION, CASUALTIES, DISPLACEMENT, IDP_STOCK, EVENTS_AGGREGATED)}
# what a table may take for granted when the file and the sources file are silent
DEFAULTS = {"qualifier": "exact", "kind": "observation"}
FLOW_RULE = "expected origin_pcode and dest_pcode for a flow"
# columns the adapter works out (the area from its P-codes or names, the period from its fields)
WORKED_OUT = {"fact_id", "source_id", "area_en", "pcode", "origin_pcode", "dest_pcode", "location_pcode", "period_start",
              "period_end", "date", "year"}
PERIODS = {"period", "year", "month", "date", "period_start", "period_end"}
OPTIONS = {"table", "sheet", "sheets", "sheet_field", "header_row", "header_rows", "skip", "personal", "encoding",
           "link", "sha256"}


def _contract(spec: SourceSpec, file: str) -> Contract:
    table = spec.options.get("table")
    if table not in CONTRACTS:
        raise SourceError(file, f"option table = {table!r}: expected one of {', '.join(CONTRACTS)}")
    contract = CONTRACTS[table]
    if table == "displacement":  # flows named but not P-coded wait for the name matcher (the pipeline checks after)
        contract = Contract(contract.table, contract.columns, contract.key,
                            tuple(r for r in contract.rules if r.reason != FLOW_RULE))
    return contract


def _check_required(contract: Contract, mapping: Mapping, file: str) -> None:
    """Every required column is mapped, a constant, or worked out (area, period): else stop now."""
    if not mapping.columns and not mapping.melt:
        return  # mapped by the file's hashtags: checked once the header is read
    given = set(mapping.columns) | set(mapping.constants) | {mapping.sheet_field}
    if mapping.melt:
        given |= {mapping.melt.value, mapping.melt.header} | set(mapping.melt.columns.groupindex)
    missing = [c.name for c in contract.columns if c.required and c.name not in given | WORKED_OUT]
    if missing:
        raise SourceError(file, f"table {contract.table}: expected {', '.join(missing)} in [source.columns] (a header of "
                                "the file) or [source.constants] (a value for every row)")
    if {"period_start", "date", "year"} & set(contract.names) and not PERIODS & given:
        raise SourceError(file, f"table {contract.table}: expected its period in [source.columns] or [source.constants] "
                                "(period, year and month, date, or period_start and period_end)")


def _report_personal(names: list[str], rows: list[list[str]], header_columns: dict, spec: SourceSpec, table: str,
                     where: str, issues: Issues) -> None:
    allowed = {str(c) for c in spec.options.get("personal", [])}
    taken = set(header_columns.values())
    for position, name, what in personal_columns(names, rows):
        if position in taken and name in allowed:
            continue
        if position in taken:
            raise SourceError(where, f"column {name!r} holds {what} (personal data): it is mapped, so list it in "
                                     "option personal = [...] to load it on purpose, or map another column")
        issues.note(table, where, None, name, None, f"column holds personal data ({what}): not loaded")


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    file = path.name
    unknown = sorted(set(spec.options) - OPTIONS)
    if unknown:
        raise SourceError(file, f"unknown option(s) {', '.join(unknown)}; expected some of {', '.join(sorted(OPTIONS - {'link', 'sha256'}))}")
    contract = _contract(spec, file)
    defaults = {k: v for k, v in DEFAULTS.items() if k in contract.names}
    mapping = parse(spec.columns, {**defaults, **spec.constants}, spec.melt, spec.options, file, fields(contract))
    _check_required(contract, mapping, file)
    sheets = read_sheets(path, spec.options.get("sheet"), spec.options.get("sheets"),
                         spec.options.get("encoding", "utf-8-sig"))
    several = len(sheets) > 1
    headers = [(name, rows, locate(rows, mapping, file, name)) for name, rows in sheets]  # every sheet checked first
    built, names = [], []
    for sheet, rows, header in headers:
        where = f"{file}, sheet {sheet!r}" if several or spec.options.get("sheet") is not None else file
        _report_personal(header.names, rows[header.first_data:], header.columns, spec, contract.table, where, issues)
        for row, total_name, total, summed in total_mismatches(rows, header, mapping):
            issues.note(contract.table, where, row, total_name, f"{total:g}",
                        "published total differs from the sum of the row's figures; figures kept as published",
                        detail=f"the figures sum to {summed:,.2f}")
        for record in records(rows, header, mapping, sheet):
            fact_id = f"{spec.name}:{record.row}" + (f":{sheet}" if several else "") + (
                f":{record.melted}" if record.melted else "")
            out, pending = build(record, contract, spec.name, fact_id, where)
            out["file"] = where
            built.append(out)
            names += pending
    table = _validated(built, contract, issues)
    return {contract.table: table, "area_names": areas.frame(names)}


def _validated(built: list[dict], contract: Contract, issues: Issues) -> pd.DataFrame:
    """Validate per file part (a sheet is named in problems as the file)."""
    parts = []
    for where in dict.fromkeys(r["file"] for r in built):
        mine = [r for r in built if r["file"] == where]
        parts.append(validate_records(mine, contract, where, issues))
    if not parts:
        return contract.empty()
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
