"""A chart the page hides for a warehouse (a table no source fills) is neither computed nor sent:
its graph gets an empty figure (plotly.js drew every hidden chart on the first view, about 0.35 s of
the browser's time on two cores), the shown ones are what `views.charts` draws."""
from __future__ import annotations

import pytest

from dashboard import panels
from dashboard.data.warehouse import warehouse
from dashboard.panels import views
from dashboard.request import Request


@pytest.fixture
def request_(use_warehouse):
    return Request.from_query(warehouse(), "from=2019-12&to=2020-03")


def test_hidden_charts_are_not_drawn_and_shown_ones_are(request_, monkeypatch):
    names = tuple(panel.name for panel in panels.charts())
    hidden = [name for name in names if not panels.get(name).shown(request_.wh)]
    assert hidden, "the offline default fills every chart: nothing to test here"
    asked = []
    real_chart = views._chart.__wrapped__
    views.cache_clear()
    monkeypatch.setattr(views, "_chart", lambda name, request: asked.append(name) or real_chart(name, request))
    got = dict(zip(names, views.page_charts(names, request_)))
    assert not set(hidden) & set(asked)
    for name in hidden:
        assert got[name] == (views.HIDDEN, [])
    shown = [name for name in names if name not in hidden]
    assert shown and set(shown) <= set(asked)
    monkeypatch.undo()
    views.cache_clear()
    for name, drawn in zip(shown, views.charts(shown, request_)):
        assert got[name] == drawn and drawn[0]["data"] is not None
