"""Shared checks for adapter tests: outputs honour their contract; problems name where they are."""
from __future__ import annotations

import pandas as pd

from etl.core.contracts import Contract, validate
from etl.core.issues import Issues


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed output back to text cells, the way validate() reads a file."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column == "geometry":
            continue
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d").astype("string")
        elif pd.api.types.is_bool_dtype(series):
            out[column] = series.map({True: "true", False: "false"}).astype("string")
        else:
            out[column] = series.astype("string")
    return out.reset_index(drop=True)


def assert_conforms(frame: pd.DataFrame, contract: Contract, geometry: bool = False) -> None:
    """Exactly the contract's columns (plus geometry), and every row passes the contract again."""
    expected = contract.names + (["geometry"] if geometry else [])
    assert list(frame.columns) == expected, f"{contract.table}: columns {list(frame.columns)} != {expected}"
    assert isinstance(frame.index, pd.RangeIndex)
    issues = Issues()
    again = validate(as_text(frame), contract, "output", issues)
    assert not issues.problems, f"{contract.table}: output rows break the contract: {issues.summary()}"
    assert len(again) == len(frame)
    if geometry:
        assert frame.crs is not None and frame.crs.to_epsg() == 4326


def assert_located(issues: Issues, file: str) -> None:
    """Every problem names the file, a row number (>= 1) and a column."""
    for p in issues.problems:
        assert p.file == file, p
        assert isinstance(p.row, int) and p.row >= 1, p
        assert p.column, p
