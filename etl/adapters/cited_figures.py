"""Published figures with their sources: the committed files in data/figures/, each row taken
from the project's verified facts list (see data/figures/README.md).

Reads: a directory with sources.csv, displacement.csv, casualties.csv, refugees.csv,
idp_stock.csv and timeline.csv, and optionally area_names.csv (area_en, area_ar: the Arabic of the
places and regions the rows name, for the Arabic page; a row's own area_ar comes first).
Writes: sources, displacement, casualties, refugees, idp_stock, timeline. A figure row whose
source_id is not in sources.csv is rejected, never loaded.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.contracts import AREA_NAMES, FIGURE_TABLES, SOURCES
from etl.core.contracts import Contract, reject_duplicates, validate
from etl.core.issues import Issues, SourceError
from etl.core.readers import read_csv_text
from etl.core.spec import SourceSpec

TABLES = ("sources",) + tuple(c.table for c in FIGURE_TABLES)


def load(path: Path, contract: Contract, issues: Issues) -> pd.DataFrame:
    return validate(read_csv_text(path), contract, path.name, issues)


def check_sources(frame: pd.DataFrame, known: set[str], table: str, file: str, issues: Issues) -> pd.DataFrame:
    """Reject rows whose source_id is not in the sources table."""
    unknown = ~frame["source_id"].isin(known)
    for row, value in frame.loc[unknown, "source_id"].items():
        issues.add(table, file, int(row), "source_id", value, "expected a source_id listed in sources.csv")
    return frame[~unknown]


def area_names(path: Path, issues: Issues) -> dict[str, str]:
    """area_en -> area_ar from the folder's area_names.csv ({} without one); a repeated area_en
    is rejected (the first kept)."""
    file = path / "area_names.csv"
    if not file.is_file():
        return {}
    frame = reject_duplicates(load(file, AREA_NAMES, issues), "area_en", "area_names", file.name, issues)
    return dict(zip(frame["area_en"], frame["area_ar"]))


def with_arabic(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """area_ar filled from `names` where the row does not give its own."""
    if "area_ar" not in frame.columns or not names:
        return frame
    return frame.assign(area_ar=frame["area_ar"].fillna(frame["area_en"].map(names)))


def movement_pcodes(displacement: pd.DataFrame) -> pd.DataFrame:
    """origin_pcode for departures, dest_pcode for arrivals (the design's movement columns)."""
    out = displacement.copy()
    out["origin_pcode"] = out["origin_pcode"].fillna(out["pcode"].where(out["direction"] == "departures"))
    out["dest_pcode"] = out["dest_pcode"].fillna(out["pcode"].where(out["direction"] == "arrivals"))
    return out


def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, pd.DataFrame]:
    if not path.is_dir():
        files = ", ".join(["sources.csv"] + [f"{c.table}.csv" for c in FIGURE_TABLES])
        raise SourceError(path.name, f"expected a folder holding {files}")
    sources = load(path / "sources.csv", SOURCES, issues)
    duplicated = sources["source_id"].duplicated(keep="first")
    for row, value in sources.loc[duplicated, "source_id"].items():
        issues.add("sources", "sources.csv", int(row), "source_id", value, "expected a unique source_id")
    out = {"sources": sources[~duplicated].reset_index(drop=True)}
    known = set(out["sources"]["source_id"])
    arabic = area_names(path, issues)
    for contract in FIGURE_TABLES:
        file = f"{contract.table}.csv"
        frame = check_sources(load(path / file, contract, issues), known, contract.table, file, issues)
        frame = with_arabic(reject_duplicates(frame, "fact_id", contract.table, file, issues), arabic)
        if contract.table == "displacement":
            frame = movement_pcodes(frame)
        out[contract.table] = frame.reset_index(drop=True)
    return out
