"""Dates, months and numbers as real files write them: one rule each, for a column and a cell alike."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.core.dates import day_of, epoch_day, iso_dates, month_of, month_span
from etl.core.numbers import count_cell, counts, decimal_text, json_integer, suppressed_to_blank

DAYS = {
    "2020-02-01": date(2020, 2, 1),
    "2020-02-01 00:00:00.000": date(2020, 2, 1),
    "43862": date(2020, 2, 1),  # Excel serial
    "43862.4": date(2020, 2, 1),
    "1580515200000": date(2020, 2, 1),  # epoch milliseconds
    "01/02/2020": date(2020, 2, 1),
    "01-02-2020": date(2020, 2, 1),
    "1 February 2020": date(2020, 2, 1),
    "1 Feb 2020": date(2020, 2, 1),
    "February 1, 2020": date(2020, 2, 1),
}


@pytest.mark.parametrize("text, day", DAYS.items())
def test_a_cell_and_a_column_read_a_day_alike(text, day):
    assert day_of(text) == day
    assert iso_dates(pd.Series([text], dtype="string")).iloc[0] == day.isoformat()


@pytest.mark.parametrize("text", ["yesterday", "2020-13", "31/02/2020", "99999", ""])
def test_what_names_no_day_is_none_in_a_cell_and_kept_as_written_in_a_column(text):
    assert day_of(text) is None
    assert iso_dates(pd.Series([text], dtype="string")).iloc[0] == text


@pytest.mark.parametrize("text, first", [
    ("Feb-20", date(2020, 2, 1)), ("February 2020", date(2020, 2, 1)), ("2020-02", date(2020, 2, 1)),
    ("2022 - November", date(2022, 11, 1)), ("02/2020", date(2020, 2, 1)), ("43862", date(2020, 2, 1)),
    ("2020-02-17", date(2020, 2, 1)), ("٢٠٢٠-٠٢", date(2020, 2, 1)),
])
def test_a_month_is_read_as_its_first_and_last_day(text, first):
    start, end = month_of(text)
    assert start == first and end.month == first.month and (end.replace(day=1) == first)


@pytest.mark.parametrize("text", ["Febtember 2020", "2020", "1905-07-12", "2020-13"])
def test_what_names_no_month_is_none(text):
    assert month_of(text) is None


def test_month_span_of_a_column():
    start, end = month_span(pd.Series(["2020-02-17", "bad"], dtype="string"))
    assert list(start) == ["2020-02-01", "bad"] and list(end) == ["2020-02-29", "bad"]


def test_epoch_numbers_from_json_are_milliseconds_from_1e11_and_seconds_below():
    assert epoch_day(1580515200000) == epoch_day(1580515200) == date(2020, 2, 1)
    assert epoch_day(10**30) is None


@pytest.mark.parametrize("text, count", [
    ("1,234", "1234"), ("1 234", "1234"), ("1\u00a0234", "1234"), ("١٬٢٣٤", "1234"), ("0", "0"), (" 7 ", "7"),
    ("*", None), ("", None), ("12 34", "12 34"), ("1.234,5", "1.234,5"),
])
def test_a_count_cell_and_a_count_column_agree(text, count):
    assert count_cell(text) == count
    got = counts(pd.Series([text], dtype="string")).iloc[0]
    assert (pd.isna(got) and count is None) or got == count


def test_suppressed_cells_are_blank_not_zero():
    assert suppressed_to_blank(pd.Series([" * ", "0", "-"], dtype="string"), ("*", "-")).isna().tolist() == [True, False, True]


def test_coordinates_as_text():
    assert decimal_text(pd.Series([" 36,63 ", "-1,5", "35.9"], dtype="string")).tolist() == ["36.63", "-1.5", "35.9"]


@pytest.mark.parametrize("value, number", [
    (7, 7), (7.0, 7), ("7", 7), (" -7 ", -7), ("٧", 7), (7.5, None), (True, None), (None, None), ("7a", None),
    ("1" * 20, None), ([7], None), (float("inf"), None),
])
def test_whole_numbers_from_json(value, number):
    assert json_integer(value) == number
