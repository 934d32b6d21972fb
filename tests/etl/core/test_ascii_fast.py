"""The column rules with a pyarrow fast path give what their Python and pandas definitions give,
cell for cell (etl/core/ascii_fast.py and its users)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.core.ascii_fast import PY_SPACE, days, numbers
from etl.core.dates import _iso_dates, iso_dates
from etl.core.names import repair_mojibake, repaired
from etl.core.numbers import _decimal_text, decimal_text

MOJIBAKE = "إدلب".encode().decode("cp1252")
CELLS = st.lists(st.one_of(st.none(), st.text(st.sampled_from(" \t\x0b\x1c\xa0\u2003,.-+eE0123456789١٢aé:/TZ"), max_size=12),
                           st.sampled_from([MOJIBAKE, "Ã©", "2020-02-10", "43871", "15 March 2020", "1581292800000",
                                            "2020-02-30", "inf", "-0", "1e400", " 36,63 ", "", "nan",
                                            "18446744073709551615", "99999999999999999999"])), max_size=30)


def column(cells) -> pd.Series:
    return pd.Series(cells, dtype="string", index=np.arange(len(cells)) * 3 + 2)  # row numbers, not positions


def same(a: pd.Series, b: pd.Series) -> bool:
    return a.dtype == b.dtype and a.index.equals(b.index) and a.isna().equals(b.isna()) and bool((a[a.notna()] == b[b.notna()]).all())


def test_py_space_is_pythons_whitespace_on_ascii():
    assert [c for c in map(chr, range(128)) if re.fullmatch(PY_SPACE, c)] == [c for c in map(chr, range(128)) if re.match(r"\s", c)]


@settings(deadline=None)
@given(CELLS)
def test_decimal_text_and_repaired_as_their_python_rules(cells):
    text = column(cells)
    assert same(decimal_text(text), _decimal_text(text))
    assert same(repaired(text), text.map(repair_mojibake, na_action="ignore").astype("string"))


@settings(deadline=None)
@given(CELLS)
def test_iso_dates_as_its_rules(cells):
    text = column(cells)
    assert same(iso_dates(text), _iso_dates(text.str.strip()))


@settings(deadline=None)
@given(CELLS)
def test_numbers_and_days_as_pandas(cells):
    text = column(cells)
    expected = pd.to_numeric(text, errors="coerce").astype("Float64")
    got = numbers(text)
    assert same(got, expected)
    assert np.array_equal(np.signbit(got.to_numpy(float, na_value=np.nan)), np.signbit(expected.to_numpy(float, na_value=np.nan)))
    assert days(text).equals(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]"))


def test_every_day_of_a_millennium_and_days_that_do_not_exist():
    cells = pd.date_range("1000-01-01", "2999-12-31", freq="D", unit="s").strftime("%Y-%m-%d").tolist()
    cells += [f"{y:04d}-{m:02d}-{d:02d}" for y in (999, 1000, 2019, 2020, 2999, 3000) for m in range(14) for d in (0, 29, 30, 31, 32)]
    text = pd.Series(cells, dtype="string")
    assert days(text).equals(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]"))
