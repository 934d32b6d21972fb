"""The headline figures (dashboard/panels/headline.py) as plain functions, on the warehouse built from
the committed data: each figure with its source and date, "No data" when none, a range (never a sum)
when sources disagree, and the cache keyed only on what each card depends on."""
import dataclasses

import pandas as pd
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


@pytest.mark.parametrize("query", [
    "", "agg=day", "agg=week&from=2019-12&to=2020-03", "area=SY07,SY02&agg=week",
    "area=SY0700&etype=Battles,Explosions/Remote%20violence&agg=day", "from=2016-01&to=2016-12&agg=month",
])
def test_the_fatalities_totals_are_the_event_series_summed(use_synthetic, query):
    """The conflict-fatalities card reads one aggregate (`event_totals`), the casualties chart the
    series per bucket (`_event_series`): per dataset, the same sum, first start and last end, on the
    SYNTHETIC warehouse with events at admin levels 1-3."""
    same_totals(query)


def test_the_fatalities_totals_count_users_monthly_counts_too(layouts_warehouse, monkeypatch):
    """With monthly counts of events by area loaded (HDX's ACLED aggregates, in the layouts warehouse)."""
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(layouts_warehouse))
    series = same_totals("agg=month&from=2019-04&to=2019-07")
    assert series["dataset"].str.endswith("(monthly counts)").any()


def same_totals(query: str):
    from dashboard.panels import common

    request = Request.from_query(warehouse(), query)
    series = common._event_series(request)
    totals = common.event_totals(request)
    assert len(series) > 0, query  # the synthetic events fall in every one of these views
    want = series.groupby("dataset").agg(fatalities=("fatalities", "sum"), first=("bucket_start", "min"),
                                         last=("bucket_end", "max"), sources=("source_id", lambda v: sorted(set(v))))
    got = totals.groupby("dataset").agg(fatalities=("fatalities", "sum"), first=("first", "min"),
                                        last=("last", "max"), sources=("source_id", lambda v: sorted(set(v))))
    assert got.to_dict() == want.to_dict(), query
    assert set(totals["organisation"]) == set(series["organisation"])
    return series


BORDER_VIEWS = ["", "agg=day", "agg=week&from=2019-12&to=2020-03", "area=SY07,SY02&agg=week",
                "area=SY0700&agg=day", "from=2016-01&to=2016-12&agg=month", "area=SY07&from=2019-12&to=2020-03",
                "src=UNHCR,OCHA&area=SY07"]


def same_border_totals(query: str) -> int:
    """The border card's one aggregate (`border_series_totals`) against the border chart's series
    (`border_series`) summed as the card summed it before: per source and basis, the same persons,
    persons within 25 km, first bucket start and last bucket end. The number of sources compared."""
    from dashboard.data import series_queries

    request = Request.from_query(warehouse(), query)
    series = series_queries.border_series(request.wh, request.sel)
    want = series.groupby(["source_id", "basis"], dropna=False).agg(
        persons=("persons", "sum"), within=("within_25_km", "sum"),
        first=("bucket_start", "min"), last=("bucket_end", "max")).reset_index()
    want = want[want["persons"] > 0].reset_index(drop=True)
    got = series_queries.border_series_totals(request.wh, request.sel, 25)
    got = got[got["persons"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[list(want.columns)], want, check_dtype=False, check_exact=False, rtol=1e-12,
                                  obj=query)
    return len(want)


@pytest.mark.parametrize("query", BORDER_VIEWS)
def test_the_border_totals_are_the_border_series_summed(use_synthetic, query):
    """The arrivals-near-the-border card reads one aggregate, the border chart the series per bucket:
    the same totals on the SYNTHETIC warehouse with movements at admin levels 1-3."""
    same_border_totals(query)
    assert same_border_totals("") > 0  # the synthetic movements are in the whole range


def test_the_border_totals_are_the_series_summed_on_the_shared_files(shared_warehouse, backend, monkeypatch):
    """The same on the warehouse of the real files in ../shared/data (OCHA's IDP-movement workbook,
    HIU sites, the monthly sheet): arrivals by destination, not flows."""
    from tests.conftest import point_app_at

    point_app_at(shared_warehouse[0], backend, monkeypatch)
    assert sum(same_border_totals(query) for query in BORDER_VIEWS) > 0


def test_a_figure_for_a_place_inside_the_selected_area_is_never_read_as_the_areas(wh):
    """Idleb (SY07) in Dec 2019 - Mar 2020 on the committed data: the longest displacement figure
    inside it is OCHA's ~267,000 for Dana sub-district (SY070301); the card says it is Dana's only.
    IDPs and fatalities were published for north-west Syria only: the cards say so, never a number."""
    by_key = {c.key: c for c in headline.cards(Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07"))}
    displaced = by_key["displaced"]
    assert displaced.value == "~267,000" and displaced.what == "Dana sub-district only, a part of Idleb"
    for key in ("idps", "fatalities"):
        card = by_key[key]
        assert card.empty and card.value == "No data" and not card.source_ids, card
        assert card.what == "Published for a wider region only: north-west Syria", card
    arabic = {c.key: c for c in headline.cards(Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07&lang=ar"))}
    # in Arabic, the source's words in Arabic (data/figures/area_names.csv), never the English
    assert arabic["displaced"].what == "ناحية دانا فقط، وهي جزء من إدلب"
    for key in ("idps", "fatalities"):
        assert arabic[key].what == "نُشر لمنطقة أوسع فقط: شمال غرب سوريا", arabic[key]
    whole = {c.key: c for c in headline.cards(Request.from_query(wh, "?from=2019-12&to=2020-03"))}
    assert "a part of" not in whole["displaced"].what and not whole["idps"].empty  # no area chosen: the region's own


def test_in_arabic_a_p_coded_place_is_named_from_the_loaded_boundaries(shared_warehouse, backend, monkeypatch):
    """With COD-AB loaded (the real files in ../shared/data), the Arabic card names Dana by its
    Arabic name and P-code; without a name for the P-code (the offline default above) the source's
    words in Arabic stay."""
    from dashboard.data import catalog
    from tests.conftest import point_app_at

    point_app_at(shared_warehouse[0], backend, monkeypatch)
    headline._card.cache_clear()
    wh = warehouse()
    dana = catalog.names(wh, "ar")["SY070301"]
    assert dana and dana != "SY070301" and "English name" not in dana
    arabic = {c.key: c for c in headline.cards(Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07&lang=ar"))}
    assert arabic["displaced"].value == "~267,000"
    assert arabic["displaced"].what.startswith(f"{dana} (SY070301) فقط، وهي جزء من "), arabic["displaced"].what
    english = {c.key: c for c in headline.cards(Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07"))}
    assert english["displaced"].what.startswith("Dana sub-district only, a part of ")


def test_the_report_key_figures_say_the_same(wh):
    from dashboard.export import report
    from dashboard.export.context import Context

    request = Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07")
    lines = report.key_figures(Context(request, pd.Timestamp("2026-12-07", tz="UTC")))
    assert any(line.startswith("People displaced: ~267,000 (") and "Dana sub-district only, a part of Idleb" in line
               for line in lines), lines
    assert any(line.startswith("IDPs present: No data (Published for a wider region only: north-west Syria") for line in lines), lines


def test_a_card_saying_why_it_is_empty_reads_in_the_pages_direction(wh):
    from dashboard.page import side

    request = Request.from_query(wh, "?from=2019-12&to=2020-03&area=SY07&lang=ar")
    drawn = {c.id: c for c in side.headline_cards(headline.cards(request), request.t)}
    for key in ("idps", "displaced"):
        spans = drawn[f"home-card-{key}"].children
        why = [s for s in spans if getattr(s, "className", "") == "card-when" and "فقط" in str(s.children)]
        assert len(why) == 1 and getattr(why[0], "dir", None) is None, spans  # not dir=auto: "Dana ..." set it LTR
    assert not [s for s in drawn["home-card-idps"].children if getattr(s, "className", "") == "card-source"]


def test_a_source_read_on_a_copy_says_so_in_the_pages_language(wh):
    """A source the facts list read only on a copy ("… [copy; original not found]") is named on the
    cards and the area panel with the marker said in the page's language, never the raw marker."""
    from dashboard.organisations import as_written
    from dashboard.panels import area

    english, arabic = (Request.from_query(wh, f"?lang={lang}").t for lang in ("en", "ar"))
    assert as_written("OCHA [copy; original not found]", english) == "OCHA (copy; original not found)"
    assert as_written("OCHA [copy; original not found]", arabic) == "OCHA (نسخة، ولم يُعثر على الأصل)"
    assert as_written("UNHCR", arabic) == "UNHCR"
    for lang in ("en", "ar"):
        request = Request.from_query(wh, f"?from=2019-12&to=2020-03&area=SY07&lang={lang}")
        lines = [line for fig in area.facts(request, "SY07").figures for line in fig.lines]
        lines += [line for card in headline.cards(request) for line in card.sources]
        assert lines and not [line for line in lines if "[copy" in line], lines
        copies = [line for line in lines if request.t("{org} (copy; original not found)").format(org="") in line]
        assert copies, lines  # the offline default's HNAP figures were read on a copy


def test_a_cards_sources_are_listed_as_the_page_lists_them(wh):
    """Two sources on one card (Syrians in Türkiye, February 2020: IOM citing DGMM and UNHCR) are
    separated by '؛ ' on the Arabic page ('; ' before, in Arabic too) and by '; ' in English."""
    from dashboard.page import side

    for lang, separator in (("ar", "؛ "), ("en", "; ")):
        request = Request.from_query(wh, f"?from=2020-02&to=2020-02&lang={lang}")
        drawn = {c.id: c for c in side.headline_cards(headline.cards(request), request.t)}
        line, = [s.children for s in drawn["home-card-refugees"].children if getattr(s, "className", "") == "card-source"]
        assert line.count(separator) == 1 and "UNHCR" in line, line
        assert lang == "en" or "; " not in line, line
