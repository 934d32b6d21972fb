"""What the benchmark does to each app, as data: which control changes and to which values.

A scenario names a component id and prop (the real app's ids, which the baseline shares) and how
to pick its successive values from the control's own props in the served layout, so that the
scenarios follow the app as it changes:
- "option-subsets": distinct non-empty subsets of the control's options (a filter change);
- "slider-steps": k = 1, 2, ... up to the slider's max, then around again (a time-slider step);
- "range-windows": a window a quarter of the RangeSlider's span, moved one step each time.
Every action differs from the one before, so no action repeats the previous view.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    component: str
    prop: str
    values: str  # one of VALUE_RULES
    targeted: bool = True  # the targets apply to it


SCENARIOS = (
    Scenario("filter", "filter change (event types)", "home-etypes", "value", "option-subsets"),
    Scenario("step", "slider step (time slider)", "home-step", "value", "slider-steps"),
    Scenario("range", "date range change", "home-range", "value", "range-windows", targeted=False),
)


def option_values(props: dict) -> list:
    out = []
    for option in props.get("options") or []:
        out.append(option.get("value") if isinstance(option, dict) else option)
    return out


def cycle_distinct(candidates: list, n: int, current=None) -> list:
    """`n` values taken round the candidates, none equal to the one before it (the first not
    equal to `current`), unless there is only one candidate."""
    if not candidates:
        raise ValueError("no value to choose from")
    out, previous = [], current
    for value in itertools.cycle(candidates):
        if len(out) == n:
            break
        if value == previous and len(candidates) > 1:
            continue
        out.append(value)
        previous = value
    return out


def option_subsets(props: dict, n: int, seed: int = 0) -> list[list]:
    """Non-empty subsets of the options in a seeded random order (options keep their order
    inside a subset); all different while there are enough of them."""
    options = option_values(props)
    if not options:
        raise ValueError("the control has no options to choose from")
    subsets = [list(c) for r in range(1, len(options) + 1) for c in itertools.combinations(options, r)]
    order = np.random.default_rng(seed).permutation(len(subsets))
    return cycle_distinct([subsets[i] for i in order], n, props.get("value"))


def slider_steps(props: dict, n: int, seed: int = 0) -> list[int]:
    """k = 1, 2, ... up to the slider's max (from its min when that is above 1), then around."""
    lo, hi = int(props.get("min") or 0), int(props.get("max") or 0)
    first = max(lo, 1)
    if hi < first:
        raise ValueError(f"the slider has no step to take (min {lo}, max {hi})")
    return cycle_distinct(list(range(first, hi + 1)), n, props.get("value"))


def range_windows(props: dict, n: int, seed: int = 0) -> list[list[int]]:
    """A window a quarter of the span wide, moved one step each time."""
    lo, hi = int(props.get("min") or 0), int(props.get("max") or 0)
    if hi <= lo:
        raise ValueError(f"the range slider has no span (min {lo}, max {hi})")
    width = max(1, (hi - lo) // 4)
    return cycle_distinct([[a, a + width] for a in range(lo, hi - width + 1)], n, props.get("value"))


VALUE_RULES = {"option-subsets": option_subsets, "slider-steps": slider_steps, "range-windows": range_windows}


def values_for(scenario: Scenario, props: dict, n: int, seed: int = 0) -> list:
    """`n` successive values for the scenario's control, from its props in the layout."""
    return VALUE_RULES[scenario.values](props, n, seed)
