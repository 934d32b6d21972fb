"""Classed legends: missing data apart from zero, classes that cover every value."""
import numpy as np
import pandas as pd

from dashboard.figures.classes import class_index, classify, stepped_colorscale


def test_missing_zero_and_positive_values_fall_in_different_classes():
    classes = classify([0, 5, 10, 20, 40, 80, 160, 320], k=5)
    idx = class_index(pd.Series([None, 0, 5, 320, 10_000]), classes)
    assert idx[0] == 0 and idx[1] == 1  # "No data", "0"
    assert idx[2] == 2 and idx[3] == idx[4] == classes.count - 1  # above the top bound: the top class
    assert classes.labels[:2] == ("No data", "0")


def test_every_value_lies_within_its_class_label():
    rng = np.random.default_rng(3)
    values = np.round(rng.gamma(0.6, 800, 500))
    classes = classify(values, k=5)
    idx = class_index(pd.Series(values), classes)
    for v, i in zip(values, idx):
        if v == 0:
            assert classes.labels[i] == "0"
            continue
        lo, _, hi = classes.labels[i].replace(",", "").partition("–")
        assert float(lo) <= v <= float(hi or lo)


def test_few_distinct_values_give_one_class_each():
    classes = classify([3, 3, 7], k=5)
    assert classes.labels == ("No data", "0", "1–3", "4–7")
    assert len(classes.colors) == classes.count


def test_no_positive_value_gives_only_no_data_and_zero():
    classes = classify([0, 0, np.nan])
    assert classes.labels == ("No data", "0")


def test_stepped_colorscale_has_one_flat_band_per_class():
    scale = stepped_colorscale(("#a", "#b", "#c"))
    assert scale[0] == [0, "#a"] and scale[1] == [1 / 3, "#a"] and scale[-1] == [1, "#c"]
