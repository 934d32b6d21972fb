"""HDX HAPI, the Humanitarian API (https://hapi.humdata.org/docs): conflict events aggregated by
month and admin area (`api = "hapi-conflict-events"`), written as HAPI's CSV layout that the
`acled` adapter reads, and IOM DTM's IDP counts by admin area (`api = "hapi-idps"`), read by the
`table` adapter through the column mapping the sources file gives (data/sources-online.toml).

    [[source]]
    name = "hapi-conflict-events"
    adapter = "acled"
    api = "hapi-conflict-events"
    [source.options]
    location = "SYR"           # ISO 3166 alpha-3 (default SYR)

`GET <base>/api/v2/coordination-context/conflict-events?location_code=SYR&output_format=json&limit=&offset=`
answers `{"data": [{"location_code", "admin1_code", "admin2_code", "event_type", "events",
"fatalities", "reference_period_start", "reference_period_end", ...}]}`; pages are read by offset,
each from the end of the one before, until one is empty (a server may give fewer than asked). HAPI asks every caller for an app identifier (base64 of
"application:email", made at https://hapi.humdata.org/docs#/Generate%20App%20Identifier), taken from
HDX_HAPI_APP_IDENTIFIER and sent in the X-HDX-HAPI-APP-IDENTIFIER header: never in a URL, a cached
file or a message. Each page is fetched like a file (etl/core/fetch.py: cached by URL, retried on
5xx and 429 with Retry-After, replayed with --offline). The base is https://hapi.humdata.org
unless IDLIB_HAPI_URL says otherwise.
"""
from __future__ import annotations

from pathlib import Path

from etl.core import paged
from etl.core.fetch import fetch, url_key
from etl.core.issues import SourceError

HAPI_BASE = "https://hapi.humdata.org"
IDENTIFIER_HEADER = "X-HDX-HAPI-APP-IDENTIFIER"
IDENTIFIER_HINT = ("set HDX_HAPI_APP_IDENTIFIER to your HDX HAPI app identifier (made in a minute at "
                   "https://hapi.humdata.org/docs#/Generate%20App%20Identifier)")
PAGE_SIZE = 10000
ENDPOINTS = {"hapi-conflict-events": "coordination-context/conflict-events",  # read by the acled adapter
             "hapi-idps": "affected-people/idps"}  # IOM DTM's IDP counts: the table adapter, mapped to idp_stock


def page_url(base: str, endpoint: str, location: str, offset: int) -> str:
    return (f"{base.rstrip('/')}/api/v2/{endpoint}?location_code={location}&output_format=json"
            f"&limit={PAGE_SIZE}&offset={offset}")


def assemble(api: str, options: dict, cache_dir: Path, offline: bool, base: str, identifier: str,
             progress=None) -> tuple[Path, str]:
    """Every page of the endpoint for the location, as one CSV in the cache: (its path, the first URL)."""
    if not offline and not identifier:
        raise SourceError("HDX HAPI", f"no app identifier: {IDENTIFIER_HINT}")
    location = str(options.get("location", "SYR")).upper()
    endpoint = ENDPOINTS[api]
    first = page_url(base, endpoint, location, 0)
    headers = {IDENTIFIER_HEADER: identifier} if identifier else None

    def pages():
        offset = 0
        while True:
            url = page_url(base, endpoint, location, offset)
            got = fetch(url, cache_dir, offline=offline, headers=headers, refused_hint=IDENTIFIER_HINT,
                        progress=progress)
            batch = paged.records(paged.read_json(got.path, url, "HDX HAPI's answer"), "data", url)
            if not batch:
                break
            yield url, "data", batch
            offset += len(batch)

    path, count = paged.write_csv(pages(), Path(cache_dir) / url_key(first))
    if count == 0:
        path.unlink(missing_ok=True)
        raise SourceError(first, f"HDX HAPI has no {endpoint} records for {location}")
    return path, first
