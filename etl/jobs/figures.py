"""Published figures with their sources, from the committed files in data/figures/ (each row
taken from the project's verified facts list; see data/figures/README.md) and the dataset
citations in data/datasets.csv.

Writes: sources, displacement, casualties, refugees, idp_stock, timeline. Every figure row must
name a source present in `sources`; rows that do not are rejected, never loaded.
"""
from __future__ import annotations

import pandas as pd

from etl.config import DATA_DIR, FIGURES_DIR
from etl.contracts import FIGURE_TABLES, SOURCES
from etl.core.contracts import Contract, validate
from etl.core.issues import Issues
from etl.core.readers import read_csv_text
from etl.core.warehouse import SourceFile

TABLES = ("sources",) + tuple(c.table for c in FIGURE_TABLES)
DATASETS = DATA_DIR / "datasets.csv"


def load(path, contract: Contract, issues: Issues) -> pd.DataFrame:
    return validate(read_csv_text(path), contract, path.name, issues)


def check_sources(frame: pd.DataFrame, known: set[str], table: str, file: str, issues: Issues) -> pd.DataFrame:
    """Reject rows whose source_id is not in the sources table."""
    unknown = ~frame["source_id"].isin(known)
    for row, value in frame.loc[unknown, "source_id"].items():
        issues.add(table, file, int(row), "source_id", value, "expected a source_id listed in sources.csv")
    return frame[~unknown]


def movement_pcodes(displacement: pd.DataFrame) -> pd.DataFrame:
    """origin_pcode for departures, dest_pcode for arrivals (the design's movement columns)."""
    out = displacement.copy()
    out["origin_pcode"] = out["pcode"].where(out["direction"] == "departures")
    out["dest_pcode"] = out["pcode"].where(out["direction"] == "arrivals")
    return out


def run(ctx) -> None:
    issues = ctx.issues
    source_files = [FIGURES_DIR / "sources.csv", DATASETS]
    sources = pd.concat([load(p, SOURCES, issues) for p in source_files])
    duplicated = sources["source_id"].duplicated(keep="first")
    for row, value in sources.loc[duplicated, "source_id"].items():
        issues.add("sources", "sources", int(row), "source_id", value, "expected a unique source_id")
    sources = sources[~duplicated].sort_values("source_id").reset_index(drop=True)
    ctx.write("sources", sources, [SourceFile.of(p) for p in source_files])
    known = set(sources["source_id"])
    for contract in FIGURE_TABLES:
        path = FIGURES_DIR / f"{contract.table}.csv"
        frame = check_sources(load(path, contract, issues), known, contract.table, path.name, issues)
        if contract.table == "displacement":
            frame = movement_pcodes(frame)
        ctx.write(contract.table, frame.reset_index(drop=True), [SourceFile.of(path)])
