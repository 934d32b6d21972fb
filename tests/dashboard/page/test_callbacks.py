"""Callbacks called as functions (no browser): a URL is parsed once on its way to the page."""
from __future__ import annotations


def test_the_url_is_parsed_once_per_page(use_warehouse, monkeypatch):
    """render_page builds one Request from the query string; the page's parts are looked up by it,
    not by a query string made from the state and parsed again."""
    from dashboard import request as request_module
    from dashboard.data import state as state_module
    from dashboard.page import callbacks, layout

    real, calls = state_module.parse_query, []

    def counted(*args):
        calls.append(args[0])
        return real(*args)

    def never(*args):
        raise AssertionError("the state was written back to a query string")

    monkeypatch.setattr(state_module, "parse_query", counted)
    monkeypatch.setattr(request_module, "parse_query", counted)
    monkeypatch.setattr(state_module, "to_query", never)
    monkeypatch.setattr(callbacks, "to_query", never)
    search = "?from=2020-02&to=2020-02&area=SY07&lang=ar"
    page, pushed = callbacks.render_page(search, None)
    assert calls == [search] and pushed == search
    assert page.lang == "ar" and page.dir == "rtl"
    assert layout.graph_ids()[0] == "home-map"
