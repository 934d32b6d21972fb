"""The Sources page (dashboard/page/sources_page.py) on the warehouse built from the committed data:
the datasets the ETL read first, with their row counts, then the documents whose figures are cited,
with how many each organisation published; every source listed once. (In the browser, with sources
fetched from replayed APIs: tests/test_browser_sources.py.)"""
from __future__ import annotations

import html
import re

import pytest

from dashboard.data.warehouse import warehouse
from dashboard.page import sources_page


def _tables(page: str) -> list[list[list[str]]]:
    """Each table's body rows as lists of cell texts (tags taken out)."""
    return [[[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
             for row in re.findall(r"<tr>(.*?)</tr>", body)]
            for body in re.findall(r"<tbody>(.*?)</tbody>", page)]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_datasets_first_then_cited_documents_by_organisation(use_warehouse, lang):
    wh = warehouse()
    sources = wh["sources"]
    page = sources_page.page(lang)
    datasets, cited = _tables(page)
    loaded = sources[sources["rows_read"].notna()]
    assert len(datasets) == len(loaded) >= 2 and len(cited) == len(sources) - len(loaded) >= 100
    assert all(len(row) == 8 and row[5].replace(",", "") == str(int(n))
               for row, n in zip(datasets, loaded.sort_values(["organisation", "published", "source_id"])["rows_read"]))
    assert all(len(row) == 5 for row in cited)  # no empty row counts for documents the ETL never read
    assert re.search(r'<h2 id="sources-cited">[^<]*</h2><p class="sources-cited-how">[^<]+</p>', page)  # why no dates
    links = [row[4] for row in cited]  # what each link leads to, never a constant "cited, not downloaded"
    if lang == "en":
        assert all(links) and len(set(links)) >= 4, sorted(set(links))
        assert "publisher's page" in links and any(k.startswith("copy on ") and k.endswith(", original not found")
                                                   for k in links)
    counts = re.search(r'<p class="sources-by-org">[^:]+: (.*?)</p>', page).group(1)
    numbers = [int(n) for n in re.findall(r"\((\d+)\)(?:, |، |$)", counts)]
    assert sum(numbers) == len(cited) and numbers == sorted(numbers, reverse=True), counts
    if lang == "en":
        assert counts.startswith("OCHA (") and "[copy" not in counts  # one name per organisation, copies with it
    else:
        assert counts.count("، ") == len(numbers) - 1  # the Arabic list's comma between organisations
