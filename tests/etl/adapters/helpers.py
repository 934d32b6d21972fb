"""Shared checks for adapter tests: outputs honour their contract; problems name where they are."""
from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

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


MIXES = [tuple(range(k, k + 40)) for k in range(7)]  # row k takes variant k, k+1, ... of its cells


def damaged_rows(draw, kinds: list[str], valid: dict, broken: dict, garbage: tuple, text) -> list[list[str]]:
    """For hypothesis tests of tabular layouts: 1-6 rows of valid cells (a few mixes of the variants
    in `valid`, by column kind) with 0-3 cells broken, blanked or garbled each; some truncated."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = [valid[kind][k % len(valid[kind])] for kind, k in zip(kinds, draw(st.sampled_from(MIXES)))]
        for _ in range(draw(st.integers(0, 3))):
            i = draw(st.integers(0, len(row) - 1))
            row[i] = draw(st.one_of(st.sampled_from(broken.get(kinds[i], ()) + garbage), text))
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.integers(0, 5)) == 0 else row)
    return rows


def assert_all_conform(collected: dict[str, list], contracts: dict, geometry: bool = False) -> None:
    """Re-validate every example's output at once (validate() is slow per call); on a failure,
    find the example and show its input. `collected`: table -> [(input rows, output frame)];
    with `geometry`, each frame carries a geometry column in EPSG:4326 as well."""
    for table, examples in collected.items():
        if not examples:
            continue
        try:
            assert_conforms(pd.concat([frame for _, frame in examples], ignore_index=True), contracts[table], geometry)
        except AssertionError:
            for rows, frame in examples:
                try:
                    assert_conforms(frame, contracts[table], geometry)
                except AssertionError as exc:
                    raise AssertionError(f"{exc}\ninput rows: {rows!r}") from None
            raise
