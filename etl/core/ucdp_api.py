"""UCDP's API for GED events (https://ucdp.uu.se/apidocs/): a country's events, page by page,
assembled into the GED CSV layout the `ucdp` adapter reads.

    [[source]]
    name = "ucdp-ged-syria"
    adapter = "ucdp"
    api = "ucdp-ged"
    [source.options]
    version = "25.1"          # the GED release (the API serves each release under its number)
    country = 652             # Gleditsch-Ward code: 652 is Syria

`GET <base>/api/gedevents/<version>?pagesize=1000&Country=<country>` answers a JSON object:
`TotalCount`, `TotalPages`, `PreviousPageUrl`, `NextPageUrl` (empty on the last page) and `Result`,
a list of events whose fields are the GED CSV's columns. Each page is fetched like a file
(etl/core/fetch.py: cached by its URL, retried on 5xx and 429 waiting what Retry-After says,
replayed with --offline). The access token goes in the `x-ucdp-access-token` header, from
UCDP_ACCESS_TOKEN: never in a URL, a cached file or a message. The pages' events are written, as
they arrive, to one CSV in the cache, which the `ucdp` adapter then reads like a downloaded
release (its checks, its rejects).

The base is https://ucdpapi.pcr.uu.se unless IDLIB_UCDP_URL says otherwise.
"""
from __future__ import annotations

from pathlib import Path

from etl.core import paged
from etl.core.fetch import fetch, url_key
from etl.core.issues import SourceError

UCDP_BASE = "https://ucdpapi.pcr.uu.se"
TOKEN_HEADER = "x-ucdp-access-token"
TOKEN_HINT = ("set UCDP_ACCESS_TOKEN to your UCDP API access token (UCDP gives them on request: "
              "https://ucdp.uu.se/apidocs/)")
PAGE_SIZE = 1000


def first_page(base: str, version: str, country: str) -> str:
    return f"{base.rstrip('/')}/api/gedevents/{version}?pagesize={PAGE_SIZE}&Country={country}"


def read_page(path: Path, where: str) -> dict:
    """A page of the API's answer with its fields checked; a missing or changed field is named."""
    page = paged.read_json(path, where, "UCDP's API answer")
    paged.records(page, "Result", where)
    if not isinstance(page.get("TotalCount"), int):
        raise SourceError(where, "expected field 'TotalCount' to be a whole number")
    if page.get("NextPageUrl") is not None and not isinstance(page.get("NextPageUrl"), str):
        raise SourceError(where, "expected field 'NextPageUrl' to be an address or empty")
    return page


def assemble(version: str, country: str, cache_dir: Path, offline: bool, base: str, token: str,
             progress=None) -> tuple[Path, str]:
    """Every page of the country's events, as one GED CSV in the cache: (its path, the first page's
    URL). Online without a token: a SourceError saying which variable to set."""
    if not offline and not token:
        raise SourceError("UCDP API", f"no access token: {TOKEN_HINT}")
    url = first_page(base, version, country)
    headers = {TOKEN_HEADER: token} if token else None
    announced: list[int] = []

    def pages():
        seen: set[str] = set()
        here = url
        while here:
            if here in seen:
                raise SourceError(here, "field 'NextPageUrl' leads back to a page already read")
            seen.add(here)
            got = fetch(here, cache_dir, offline=offline, headers=headers, refused_hint=TOKEN_HINT, progress=progress)
            page = read_page(got.path, here)
            announced.append(page["TotalCount"])
            yield here, "Result", page["Result"]
            here = page.get("NextPageUrl") or ""

    path, written = paged.write_csv(pages(), Path(cache_dir) / url_key(url))
    if written != announced[0]:
        path.unlink(missing_ok=True)
        raise SourceError(url, f"the API announced TotalCount {announced[0]} events, its pages held {written} "
                               "(the release changed while it was read? run again)")
    if written == 0:
        path.unlink(missing_ok=True)
        raise SourceError(url, f"no events for country {country} in GED {version}")
    return path, url
