# ruff: noqa: F811  (the browser fixtures are imported from tests/test_browser.py and used as arguments)
"""Freshness on the page (issue 19, item 3), in chromium: a warehouse built by the ETL from the
offline default plus two sources fetched from APIs replayed on 127.0.0.1 (UNHCR's population
statistics and HDX HAPI's conflict events, SYNTHETIC figures: tests/etl/unhcr_replay.py,
hapi_replay.py). Every panel on the page says how fresh what it draws is ("Data as of ..."), and
the Sources page, linked from the footer, lists every source with its licence, when it was
downloaded (or that it was read from disk), rows read and rejected, in English and Arabic."""
from __future__ import annotations

import pytest

from etl import pipeline
from etl.config import Settings
from tests.etl import hapi_replay, unhcr_replay
from tests.test_browser import open_page, page, serve, settle  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """(url of the app on that warehouse, the live version's source_stats)."""
    root = tmp_path_factory.mktemp("fetched")
    config = root / "sources.toml"
    config.write_text(
        'extends_default = true\n'
        '[[source]]\nname = "unhcr-syrians"\nadapter = "unhcr"\napi = "unhcr-population"\norganisation = "UNHCR"\n'
        'title = "Refugee population statistics (SYNTHETIC replay)"\nlicence = "CC BY 4.0"\n'
        'link = "https://www.unhcr.org/refugee-statistics/"\n[source.options]\nasylum = ["TUR", "LBN"]\n'
        '[[source]]\nname = "hapi-conflict-events"\nadapter = "acled"\napi = "hapi-conflict-events"\n'
        'organisation = "HDX HAPI"\ntitle = "Conflict events (SYNTHETIC replay)"\nlink = "https://hapi.humdata.org/docs"\n',
        encoding="utf-8")
    with unhcr_replay.served() as unhcr, hapi_replay.served() as hapi:
        settings = Settings(warehouse_dir=root / "wh", keep_versions=2, cache_dir=root / "cache",
                            unhcr_base=unhcr["base"], hapi_base=hapi["base"], hapi_identifier=hapi_replay.IDENTIFIER)
        pipeline.run(settings, config=config)
    from etl.core.warehouse import open_live

    stats = open_live(root / "wh").manifest["source_stats"]
    with serve(root / "wh") as url:
        yield url, stats


def test_every_panel_says_how_fresh_its_data_is(page, fetched):
    url, _ = fetched
    open_page(page, url + "?from=2011-01&to=2024-12")
    settle(page)
    blocks = page.evaluate("""() => Array.from(document.querySelectorAll('[id$="-source-list"]')).filter(b => b.offsetParent !== null)
        .map(b => [b.id, (b.querySelector('.data-as-of') || {}).innerText || ''])""")
    assert len(blocks) >= 5, blocks  # the map and the charts shown
    assert all(text.startswith("Data as of") for _, text in blocks), blocks
    refugees = dict(blocks)["home-refugees-source-list"]
    assert "downloaded 2" in refugees  # a source the ETL fetched: the day it did


@pytest.mark.parametrize("lang, downloaded, from_disk, link, copy", [
    ("en", "Downloaded", "read from disk", "Link", "copy on "),
    ("ar", "تاريخ التنزيل", "قُرئ من القرص", "الرابط", "نسخة على ")])
def test_the_sources_page_lists_every_source_with_when_it_was_downloaded(page, fetched, lang, downloaded, from_disk,
                                                                        link, copy):
    url, stats = fetched
    open_page(page, url + f"?lang={lang}")
    page.click("#home-sources-page")
    page.wait_for_selector("#sources-page table")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")

    def table(box):
        headers = page.eval_on_selector_all(f"{box} th", "hs => hs.map(h => h.innerText)")
        rows = page.eval_on_selector_all(f"{box} tbody tr",
                                         "rs => rs.map(r => Array.from(r.cells).map(c => c.innerText))")
        return headers, rows

    headers, rows = table("#sources-datasets + .table-scroll")  # the datasets the ETL read: when each was downloaded
    column = headers.index(downloaded)
    by_title = {r[1]: r for r in rows}
    for title, name in [("Refugee population statistics (SYNTHETIC replay)", "unhcr-syrians"),
                        ("Conflict events (SYNTHETIC replay)", "hapi-conflict-events")]:
        row = by_title[title]
        assert row[column] not in ("", from_disk) and ("2026" in row[column] or "٢٠٢٦" in row[column]), row
        assert row[column + 1].replace(",", "").replace("٬", "") == str(stats[name]["rows"]), row
    assert sum(1 for r in rows if r[column] == from_disk) == len(rows) - 2  # the rest: committed files
    cited_headers, cited = table("#sources-cited ~ .table-scroll")  # the documents cited: what each link leads to, never a date
    assert downloaded not in cited_headers and link in cited_headers  # never downloaded, and the page says so once:
    assert page.inner_text(".sources-cited-how").startswith("Not downloaded" if lang == "en" else "لم تُنزّلها")
    kinds = [r[cited_headers.index(link)] for r in cited]
    assert all(kinds) and any(k.startswith(copy) for k in kinds), kinds
    rows = rows + cited
    # on a phone the table scrolls inside its box, never the page
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert len(rows) >= 100  # every source of the offline default too
