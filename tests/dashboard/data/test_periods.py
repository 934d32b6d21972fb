"""Periods as users think of them (dashboard/data/periods.py): presets from key dates, the last 12
months and the whole record; the range slider's year labels readable whatever the range. The
timelines here are SYNTHETIC (made up for the test); one test reads the offline default's."""
import pandas as pd
import pytest

from dashboard.data import catalog, periods
from dashboard.data.state import months_between
from dashboard.data.warehouse import warehouse


def timeline(*dates_labels):
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in dates_labels]), "label_en": [x for _, x in dates_labels],
                         "label_ar": [""] * len(dates_labels)})


def test_key_dates_close_together_make_one_episode_and_lone_dates_none():
    runs = periods.episodes(timeline(("2019-12-19", "a"), ("2020-01-30", "b"), ("2020-03-05", "c"),
                                     ("2023-02-06", "lone")))
    assert [list(r["label_en"]) for r in runs] == [["a", "b", "c"]]


@pytest.mark.parametrize("first, last", [("1968-01-01", "2025-10-01"), ("2011-03-01", "2025-10-01"),
                                         ("2019-01-01", "2020-06-01"), ("2000-06-01", "2001-02-01")])
def test_the_sliders_year_labels_are_few_and_evenly_spaced(first, last):
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    n = months_between(first, last)
    marks = periods.year_marks(first, n)
    assert 1 <= len(marks) <= 9 or first.year == last.year
    years = [int(v) for v in marks.values()]
    assert all(0 <= k <= n for k in marks) and years == sorted(years)
    assert len({b - a for a, b in zip(years, years[1:])}) <= 1  # one step: 1, 2, 5, 10... years


def test_the_offline_default_has_presets_for_the_idlib_offensive_and_the_last_12_months(use_warehouse):
    wh = warehouse()
    bounds = catalog.bounds(wh)
    presets = periods.presets(wh, bounds)
    labels = [p.label for p in presets]
    assert any(p.start <= pd.Timestamp("2020-01-01") <= p.end and p.start >= pd.Timestamp("2019-10-01")
               for p in presets), labels  # the Dec 2019 - Mar 2020 offensive
    assert labels[-2].startswith("Last 12 months of data") and labels[-1].startswith("Whole record")
    assert presets[-1].start == bounds.first and presets[-1].end == bounds.last
    assert all(bounds.first <= p.start <= p.end <= bounds.last for p in presets)
