"""Every source line says what its link opens (the source's link kind): the page's lists, the
exports' source lines and the report's sources page, the data export's sources sheet."""
from __future__ import annotations

import json

import pandas as pd

COPY = "hnap-2020-02"  # facts 1.39: HNAP, read on pdfslide.net [copy; original not found]
PORTAL = "wfp-sitrep14-2020-03-03"  # facts 1.45: WFP on ReliefWeb
PUBLISHER = "ohchr-oral-update-2021-09-24"  # facts 2.24: OHCHR's own page


def test_export_source_lines_name_the_link_kind(use_warehouse):
    from dashboard.data.warehouse import warehouse
    from dashboard.export.context import source_lines
    from dashboard.i18n import translator

    lines = "\n".join(source_lines(warehouse(), [COPY, PORTAL, PUBLISHER], translator("en")))
    assert ("UN HNAP (Humanitarian Needs Assessment Programme): copy of Mobility and Needs Monitoring, Syrian Arab "
            "Republic, February 2020 on pdfslide.net, original not found, published 2020-03 (approx.). "
            "https://pdfslide.net/") in lines
    assert "[copy; original not found]" not in lines  # said in words, not as the facts list's marker
    assert "03 March 2020 (ReliefWeb or data portal), published 2020-03-03." in lines
    assert "Syrian Arab Republic (publisher's page), published 2021-09-24." in lines
    arabic = "\n".join(source_lines(warehouse(), [COPY], translator("ar")))
    assert "نسخة من" in arabic and "ولم يُعثر على الأصل" in arabic


def test_the_page_list_and_the_sources_sheet_carry_the_link_kind(use_warehouse):
    from dashboard.data.warehouse import warehouse
    from dashboard.export.tables import SOURCE_COLUMNS
    from dashboard.page.components import sources_block

    block = sources_block(warehouse(), [COPY, PORTAL], "x", "en")
    items = json.loads(block.to_plotly_json()["props"]["data-sources"])  # written into the list by the browser
    text = json.dumps(items, ensure_ascii=False)
    assert "copy of " in text and "on pdfslide.net, original not found" in text
    assert sorted(item[4] for item in items) == ["copy", "reliefweb_or_portal"]  # each line's data-link-kind
    assert "(ReliefWeb or data portal)" in text
    assert "link_kind" in SOURCE_COLUMNS and "accessed" in SOURCE_COLUMNS


def test_an_access_date_is_shown_where_known():
    from dashboard.data.catalog import around_title
    from dashboard.i18n import translator

    row = pd.DataFrame([{"source_id": "s", "organisation": "OCHA", "via": None, "title": "T", "url": "https://reliefweb.int/x",
                         "published": "2020-03", "published_approx": True, "link_kind": "reliefweb_or_portal",
                         "accessed": "2026-11-30"}])
    before, after = around_title(next(row.itertuples()), translator("en"))
    assert (before, after) == ("", " (ReliefWeb or data portal), published 2020-03 (approx.), accessed 2026-11-30")
    linkless = next(row.assign(url=None, link_kind=None).itertuples())
    assert around_title(linkless, translator("en"))[1].startswith(" (no public link), published")


def test_a_download_date_is_shown_for_a_fetched_source_and_no_empty_publication_date():
    from dashboard.data.catalog import around_title
    from dashboard.i18n import translator

    row = pd.DataFrame([{"source_id": "s", "organisation": "UNHCR", "via": None, "title": "T",
                         "url": "https://www.unhcr.org/refugee-statistics/", "published": None, "published_approx": False,
                         "link_kind": "publisher", "accessed": None, "retrieved": "2026-12-07T04:56:45+00:00"}])
    before, after = around_title(next(row.itertuples()), translator("en"))
    assert (before, after) == ("", " (publisher's page), downloaded 2026-12-07")
    dated = next(row.assign(published="2025-06").itertuples())
    assert around_title(dated, translator("en"))[1] == " (publisher's page), published 2025-06, downloaded 2026-12-07"
    arabic = around_title(dated, translator("ar"))[1]
    assert "نُزِّل في 7 كانون الأول 2026" in arabic
