"""UNHCR's refugee population statistics API (https://api.unhcr.org/docs/refugee-statistics.html):
people from one country of origin in each country of asylum, year by year, page by page, written
as the Refugee Data Finder's CSV layout (the API's field names) that the `unhcr` adapter reads.

    [[source]]
    name = "unhcr-syrians"
    adapter = "unhcr"
    api = "unhcr-population"
    [source.options]
    origin = "SYR"                      # ISO 3166 alpha-3 (default SYR)
    asylum = ["TUR", "LBN", "JOR"]      # one query per country of asylum (default TUR)
    year_from = 2011                    # default 2011

`GET <base>/population/v1/population/?limit=&page=&yearFrom=&coo=&coa=&cf_type=ISO` answers
`{"page", "maxPages", "total", "items": [{"year", "coo_iso", "coa_iso", "refugees",
"asylum_seekers", ...}]}`; pages are numbered from 1 and followed up to `maxPages`. The API needs
no key. Each page is fetched like a file (etl/core/fetch.py: cached by URL, retried on 5xx and
429 with Retry-After, replayed with --offline). The base is https://api.unhcr.org unless
IDLIB_UNHCR_URL says otherwise.
"""
from __future__ import annotations

from pathlib import Path

from etl.core import paged
from etl.core.fetch import fetch, url_key
from etl.core.issues import SourceError

UNHCR_BASE = "https://api.unhcr.org"
PAGE_SIZE = 100


def page_url(base: str, origin: str, asylum: str, year_from: int, page: int) -> str:
    return (f"{base.rstrip('/')}/population/v1/population/?limit={PAGE_SIZE}&page={page}&yearFrom={year_from}"
            f"&coo={origin}&coa={asylum}&cf_type=ISO")


def read_page(path: Path, where: str) -> dict:
    page = paged.read_json(path, where, "UNHCR's API answer")
    paged.records(page, "items", where)
    for field in ("page", "maxPages"):
        if not isinstance(page.get(field), int) or isinstance(page.get(field), bool):
            raise SourceError(where, f"expected field '{field}' to be a whole number (the API's answer has changed?)")
    return page


def assemble(options: dict, cache_dir: Path, offline: bool, base: str, progress=None) -> tuple[Path, str]:
    """Every page for every country of asylum, as one CSV in the cache: (its path, the first URL)."""
    origin = str(options.get("origin", "SYR")).upper()
    asylums = options.get("asylum", ["TUR"])
    asylums = [asylums] if isinstance(asylums, str) else list(asylums)
    year_from = int(options.get("year_from", 2011))
    first = page_url(base, origin, asylums[0].upper(), year_from, 1)

    def pages():
        for asylum in asylums:
            number = 1
            while True:
                url = page_url(base, origin, str(asylum).upper(), year_from, number)
                page = read_page(fetch(url, cache_dir, offline=offline, progress=progress).path, url)
                yield url, "items", page["items"]
                if number >= page["maxPages"]:
                    break
                number += 1

    path, count = paged.write_csv(pages(), Path(cache_dir) / url_key(first))
    if count == 0:
        path.unlink(missing_ok=True)
        raise SourceError(first, f"no figures for origin {origin} in {', '.join(asylums)} from {year_from}")
    return path, first
