"""The headline figures (dashboard/panels/headline.py) as plain functions, on the warehouse built from
the committed data: each figure with its source and date, "No data" when none, a range (never a sum)
when sources disagree, and the cache keyed only on what each card depends on."""
import dataclasses

import pytest

from dashboard.data.warehouse import warehouse
from dashboard.panels import headline
from dashboard.request import Request


@pytest.fixture
def wh(use_warehouse):
    headline._card.cache_clear()
    return warehouse()


def test_each_card_has_its_source_and_date_or_says_no_data(wh):
    cards = headline.cards(Request.from_query(wh, ""))
    assert [c.key for c in cards] == ["displaced", "idps", "border", "fatalities", "refugees"]
    known = set(wh["sources"]["source_id"].astype(str))
    drawn = [c for c in cards if not c.empty]
    assert len(drawn) >= 3  # the offline default publishes displacement, IDPs, casualties and refugees
    for card in drawn:
        assert any(ch.isdigit() for ch in card.value) and card.when, card
        assert card.sources and len(card.sources) == len(card.source_ids), card
        assert set(card.source_ids) <= known, card
        assert all("published" in s or "publication date not given" in s for s in card.sources), card
    for card in cards:
        if card.empty:
            assert card.value == "No data" and not card.source_ids


def test_a_period_without_figures_says_no_data(wh):
    cards = headline.cards(Request.from_query(wh, "?from=2011-03&to=2011-03"))
    by_key = {c.key: c for c in cards}
    assert by_key["displaced"].empty and by_key["displaced"].value == "No data"


def test_sources_that_disagree_give_a_range_never_a_sum():
    assert headline._value_range([742_109, 752_131], ["", ""]) == "742,109–752,131"
    assert headline._value_range([900, 900], ["~", "~"]) == headline._value_range([900], ["~"])


def test_changing_event_types_recomputes_only_the_fatalities(wh):
    request = Request.from_query(wh, "")
    headline.cards(request)
    before = headline._card.cache_info()
    other = Request(wh, dataclasses.replace(request.state, etypes=("Battles",)), request.bounds)
    headline.cards(other)
    after = headline._card.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 4
