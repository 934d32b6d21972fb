"""A column checked once per distinct value (etl.core.cells.by_distinct, taken for large columns
that repeat their values) gives what checking every cell gives (each_cell): the same typed
values and the same failed cells for every check, in the same order; and validate takes that
way for a large column without changing what it returns or reports."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.core import cells
from etl.core.contracts import Column, Contract, validate
from etl.core.issues import Issues

VALUES = st.one_of(
    st.none(),
    st.text(st.sampled_from(" \t\xa0,.-+e0123456789١aéTrueFalse"), max_size=8),
    st.sampled_from(["2020-02-10", " 2020-02-10", "2020-02-30", "43871", "15 March 2020", "", " ", "1", "0", "-0",
                     "3", "7", "1,000", "2.5", "yes", "NO", "true", " ACLED ", "ACLED", "UCDP", "x" * 40]),
)
COLUMNS = st.sampled_from([
    Column("a"), Column("a", required=True), Column("a", choices=("ACLED", "UCDP")),
    Column("a", "int", required=True, min=0, max=5), Column("a", "int"), Column("a", "date", required=True),
    Column("a", "date"), Column("a", "bool"), Column("a", "bool", required=True),
])


def _same(one: cells.Checked, other: cells.Checked) -> None:
    a, b = one.typed, other.typed
    assert a.dtype == b.dtype and a.index.equals(b.index)
    assert a.isna().equals(b.isna())
    assert (a[a.notna()] == b[b.notna()]).all()
    assert [reason for _, reason in one.failed] == [reason for _, reason in other.failed]
    for (mask, _), (expected, _) in zip(one.failed, other.failed, strict=True):
        assert np.array_equal(mask, expected)


@settings(deadline=None)
@given(st.lists(VALUES, max_size=40), COLUMNS, st.integers(0, 3))
def test_checked_per_distinct_value_as_cell_by_cell(values, column, repeat):
    text = pd.Series(values * (repeat + 1), dtype="string", index=np.arange(len(values) * (repeat + 1)) * 2 + 5)
    _same(cells.by_distinct(text, column), cells.each_cell(text, column))


@pytest.mark.parametrize("threads", [False, True])
def test_validate_of_a_large_repetitive_column_as_of_a_small_one(monkeypatch, threads):
    """Above 2 x SAMPLE rows validate checks repeating columns per distinct value (and from
    PARALLEL_ROWS, columns in threads): the rows kept, their typed values and every problem
    reported are those of the same rows checked one by one."""
    monkeypatch.setattr(cells, "PARALLEL_ROWS", 1000 if threads else 10**9)
    contract = Contract("t", (Column("id", required=True), Column("day", "date", required=True),
                              Column("n", "int", min=0), Column("kind", choices=("a", "b"))), key=("id",))
    days = ["2020-01-01", "2020-02-30", "", " 2021-03-04", "x"]
    rows = 2 * cells.SAMPLE + 7
    raw = pd.DataFrame({"id": [f"e{i:06d}" for i in range(rows)], "day": [days[i % 5] for i in range(rows)],
                        "n": [["1", "-2", "", "a", "3"][i % 5] for i in range(rows)],
                        "kind": [["a", "b", "c", None, " a"][i % 5] for i in range(rows)]}, dtype="string")
    assert cells.repeats(raw["day"]) and not cells.repeats(raw["id"])
    fast_issues, slow_issues = Issues(), Issues()
    fast = validate(raw, contract, "f.csv", fast_issues)
    slow = pd.concat([validate(raw.iloc[i:i + 1000], contract, "f.csv", slow_issues, first_row=2 + i)
                      for i in range(0, rows, 1000)])  # small frames: checked cell by cell
    pd.testing.assert_frame_equal(fast, slow.sort_values("id", kind="stable"))
    key = lambda p: (p.row, p.column, p.reason)  # noqa: E731
    assert sorted(fast_issues.problems, key=key) == sorted(slow_issues.problems, key=key)
    assert len(fast_issues.problems) > 0
