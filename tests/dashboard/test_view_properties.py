"""Every combination of the page's controls draws (property-based, hypothesis).

View states are generated the two ways the page makes them: from a URL's query string (a shared
link, possibly damaged) and from the controls' values (what the callbacks receive). Each state
is drawn as the page draws it (the map, its partial updates, every chart and source list, the
page's layout) and as the exports draw it (printed figures, data files, the report's pages and
summary), on the warehouse built from the committed data and on the tests' SYNTHETIC warehouse
with admin levels 1-3, events and flows. Every figure must be valid for plotly, and every chart
with nothing to draw must say so.

The number of states per warehouse is 150 in `make test` (the `ci` profile of tests/conftest.py:
300 in all per run, issue 11's minimum), the profile's 1,000 in `deep`, or VIEW_STATES when set.
"""
from __future__ import annotations

import hashlib
import os
import random
from urllib.parse import urlencode

import orjson
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plotly.io.json import to_json_plotly
from plotly.validator_cache import ValidatorCache

from dashboard import panels
from dashboard.data import catalog
from dashboard.data.state import (
    AGGREGATIONS,
    CONTROL_IDS,
    KEY_DATE_KINDS,
    LAYERS,
    RATES,
    STEP_UNITS,
    TOP_N,
    parse_query,
    step_starts,
)
from dashboard.data.warehouse import warehouse
from dashboard.export import files, report, summary
from dashboard.i18n import LANGUAGES
from dashboard.page import layout
from dashboard.page.callbacks import patch_from
from dashboard.page.parts import page_parts
from dashboard.panels import map as map_panel
from dashboard.panels.map_parts import parts_for
from dashboard.request import Request

# states per warehouse: VIEW_STATES when set; in `make test` (the `ci` profile's 200 examples) 150,
# 300 in all (issue 11's minimum; each state is about a second of a core); in the `deep` profile its own
CI_STATES = 150
STATES = ({"max_examples": int(os.environ["VIEW_STATES"])} if os.environ.get("VIEW_STATES")
          else {"max_examples": CI_STATES} if settings.default.max_examples <= 200 else {})
DAMAGED = st.sampled_from(["", " ", "0", "-1", "99", "2020-13", "abc", "SY", "SY99", "<b>x</b>", "a,b,,c", "%00",
                           "1e9", "None", "null", "2011-02-30", "9999-12", "ÿ" * 40, "'\";--", "2020-02-01T00:00"])


def maybe(strategy):
    """A parameter left out, set to a value the warehouse allows, or damaged."""
    return st.one_of(st.none(), strategy, DAMAGED)


def some(values, limit=4):
    values = sorted(values)
    return st.lists(st.sampled_from(values), max_size=limit).map(",".join) if values else st.just("")


@st.composite
def queries(draw, wh) -> str:
    """A URL query string made of the page's own parameters, their allowed values and damaged ones."""
    bounds = catalog.bounds(wh)
    months = [f"{m:%Y-%m}" for m in pd.date_range(bounds.first, bounds.last, freq="MS")]
    pcodes = sorted(bounds.pcodes)
    params = {
        "from": draw(maybe(st.sampled_from(months))),
        "to": draw(maybe(st.sampled_from(months))),
        "level": draw(maybe(st.sampled_from([str(level) for level in (1, 2, 3)]))),
        "ind": draw(maybe(st.sampled_from([*bounds.indicators, "none"]))),
        "per10k": draw(maybe(st.just("1"))),
        "area": draw(maybe(some(pcodes))),
        "src": draw(maybe(some(bounds.organisations, 3))),
        "etype": draw(maybe(some(bounds.event_types, 3))),
        "agg": draw(maybe(st.sampled_from(AGGREGATIONS))),
        "layers": draw(maybe(some(LAYERS, len(LAYERS)))),
        "top": draw(maybe(st.sampled_from([str(n) for n in TOP_N]))),
        "unit": draw(maybe(st.sampled_from(STEP_UNITS))),
        "lang": draw(maybe(st.sampled_from(LANGUAGES))),
        "rate": draw(maybe(st.sampled_from(RATES))),
        "kd": draw(maybe(st.one_of(some(KEY_DATE_KINDS, len(KEY_DATE_KINDS)), st.just("none")))),
    }
    params = {k: v for k, v in params.items() if v is not None}
    state = parse_query(urlencode(params), bounds)
    starts = step_starts(state)
    if starts and draw(st.booleans()):  # a step of the time slider, or a damaged one
        params["at"] = draw(st.one_of(st.sampled_from([f"{s:%Y-%m-%d}" for s in starts]), DAMAGED))
    return urlencode(params, safe=",")


@st.composite
def control_values(draw, wh) -> dict:
    """The controls' values as a callback receives them (the slider's ints may be out of range)."""
    bounds = catalog.bounds(wh)
    n = bounds.n_months
    lo, hi = draw(st.integers(-2, n + 2)), draw(st.integers(-2, n + 2))
    return {
        "home-range": [lo, hi],
        "home-level": draw(st.sampled_from([1, 2, 3, None])),
        "home-indicator": draw(st.sampled_from([*bounds.indicators, None, "bogus"])),
        "home-per10k": draw(st.sampled_from([[], ["per10k"]])),
        "home-areas": draw(st.lists(st.sampled_from(sorted(bounds.pcodes)), max_size=4)),
        "home-sources": draw(st.lists(st.sampled_from(bounds.organisations), max_size=3)),
        "home-etypes": draw(st.lists(st.sampled_from(bounds.event_types), max_size=3)) if bounds.event_types else [],
        "home-agg": draw(st.sampled_from([*AGGREGATIONS, None])),
        "home-layers": draw(st.lists(st.sampled_from(LAYERS), max_size=len(LAYERS), unique=True)),
        "home-topn": draw(st.sampled_from([*TOP_N, None])),
        "home-step": draw(st.integers(-1, 60)),
        "home-step-unit": draw(st.sampled_from([*STEP_UNITS, None])),
        "home-lang": draw(st.sampled_from([*LANGUAGES, None])),
        "home-rate": draw(st.sampled_from([*RATES, None, "bogus"])),
        "home-keydates": draw(st.one_of(st.none(), st.lists(st.sampled_from(KEY_DATE_KINDS), unique=True))),
    }


_VALIDATED: set[str] = set()  # digests of the pieces plotly validated already
_DATA = ValidatorCache.get_validator("", "data")
_ITEMS = {"annotations": go.layout.Annotation, "shapes": go.layout.Shape, "images": go.layout.Image}


def _plain(value):
    """What orjson cannot write itself: arrays and series as lists (never a repr, which numpy and
    pandas shorten with '...'), anything else by its repr."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


def _json(value) -> bytes:
    """The exact JSON of a piece, as its key: orjson directly (numpy arrays and scalars, datetimes;
    anything else by its repr), about 10x faster than plotly's `to_json_plotly`, which first walks
    the piece in Python to clean it (a tenth of this test's time)."""
    try:
        return orjson.dumps(value, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # e.g. a non-contiguous numpy array
        return to_json_plotly(value).encode()


def _piece(kind: str, value, check) -> None:
    key = hashlib.sha1(kind.encode() + b":" + _json(value)).hexdigest()
    if key not in _VALIDATED:
        check(value)
        _VALIDATED.add(key)


def valid(fig: dict, what: str) -> dict:
    """plotly's own validation of the figure: each trace (by its type's class), each property of the
    layout and each of its annotations, shapes and images, as building a go.Figure checks them. Many
    states share most of a figure (a trace the changed control does not touch, the key dates, the
    page's chart cache): a piece whose exact JSON was validated already is not validated again
    (plotly's validation was 40 % of this test's time with whole figures as the unit)."""
    try:
        for trace in fig.get("data") or []:
            _piece("trace", trace, lambda t: _DATA.validate_coerce([t]))
        for name, value in (fig.get("layout") or {}).items():
            if name in _ITEMS and isinstance(value, (list, tuple)):
                for item in value:
                    _piece(f"layout.{name}[]", item, _ITEMS[name])
            else:
                _piece(f"layout.{name}", {name: value}, go.Layout)
        unknown = set(fig) - {"data", "layout"}
        assert not unknown, f"unknown top-level keys {sorted(unknown)}"
    except Exception as exc:  # noqa: BLE001  (the message says which property plotly refused)
        raise AssertionError(f"{what}: not a valid plotly figure: {exc}") from exc
    return fig


def drawn(fig: dict) -> bool:
    """Whether a chart draws anything besides its key-date markers."""
    for trace in fig.get("data") or []:
        if trace.get("visible") is False or (trace.get("meta") or {}).get("table") is False:
            continue
        if any(v is not None for v in (trace.get("y") if trace.get("y") is not None else ())):
            return True
    return False


def says_empty(fig: dict) -> bool:
    notes = (fig.get("layout") or {}).get("annotations") or []
    return any(str(a.get("text") or "").startswith(("No ", "لا ")) for a in notes) or bool(
        [a for a in notes if a.get("xref") == "paper" and a.get("x") == 0.5 and a.get("y") in (0.5, 0.7)])


def check_state(request: Request, rng) -> None:
    state = request.state
    where = f"state {state}"
    parts = page_parts(request)
    valid(parts["map"], f"map, {where}")
    for panel in panels.charts():
        fig = valid(parts[panel.name], f"{panel.name} chart, {where}")
        assert drawn(fig) or says_empty(fig), f"{panel.name} chart draws nothing and does not say so, {where}"
    layout.page(request, parts).to_plotly_json()
    # a partial update of the map, as one control's change sends it
    changed = {rng.choice(CONTROL_IDS)}
    update = map_panel.update(request, parts_for(changed, state))
    patch_from(update["dyn"]).to_plotly_json()
    # the exports of the same view
    ctx = files.context_of(request)
    name = rng.choice(files.names())
    fig, height = files.printed_figure(name, ctx, rng.choice(files.WIDTHS))
    valid(fig, f"printed {name}, {where}")
    assert height > 0
    data = files.chart_data(name, ctx, rng.choice(files.DATA_FORMATS))
    assert data
    if rng.random() < 0.25:  # the report's pages (all six figures) for a quarter of the states
        for page in report.report_pages(ctx):
            valid(page, f"report page, {where}")
    else:
        assert all(isinstance(s, str) for s in summary.summary(ctx))


def run_property(wh) -> None:
    @settings(**STATES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(how=st.sampled_from(["url", "controls"]), data=st.data(), rng=st.randoms(use_true_random=False))
    def check(how, data, rng):
        if how == "url":
            request = Request.from_query(wh, data.draw(queries(wh), label="query"))
        else:
            request = Request.from_controls(wh, data.draw(control_values(wh), label="controls"))
        check_state(request, rng)

    check()


def test_every_state_draws_on_the_committed_data(use_warehouse):
    run_property(warehouse())


def test_every_state_draws_on_the_synthetic_warehouse(use_synthetic):
    run_property(warehouse())


@pytest.mark.parametrize("query", ["src=UNHCR&area=SY07", "src=GeoNames&area=SY02"])
def test_one_source_and_one_area(use_warehouse, query):
    """The two links of the issue: one organisation and one area, on the offline default."""
    check_state(Request.from_query(warehouse(), query), random.Random(0))
