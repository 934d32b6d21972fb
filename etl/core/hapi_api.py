"""HDX HAPI, the Humanitarian API (https://hapi.humdata.org/docs): conflict events aggregated by
month and admin area (`api = "hapi-conflict-events"`), written as HAPI's CSV layout that the
`acled` adapter reads; IOM DTM's IDP counts by admin area (`api = "hapi-idps"`) and the HNO's
people in need by sector and admin area (`api = "hapi-needs"`), read by the `table` adapter through
the column mapping the sources file gives (data/sources-online.toml).

Humanitarian needs come as one record per area, sector, category (the whole population or an age,
gender or disability group) and population status (AFF affected, INN in need, TGT targeted, REA
reached). Only one status is read, option `population_status` (default "INN"), asked of the server
and checked again on each record; and only the whole population's figures, so that groups are never
added to their own total: records whose category is empty or "total" (the HNO's own word for it), or
the categories option `category` lists. An answer with none of those names the categories it has.
National records (no admin 1 code) are left out: the page adds up the finest areas a source gives.

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
             "hapi-idps": "affected-people/idps",  # IOM DTM's IDP counts: the table adapter, mapped to idp_stock
             "hapi-needs": "affected-people/humanitarian-needs"}  # the HNO's figures: the table adapter, to needs
OPTIONS = ("location", "population_status", "category")  # the APIs' own options (etl/core/apis.py)
WHOLE_POPULATION = ("", "total")  # a needs record's category when it is of everyone in the area


def page_url(base: str, endpoint: str, location: str, offset: int, status: str | None = None) -> str:
    asked = f"&population_status={status}" if status else ""
    return (f"{base.rstrip('/')}/api/v2/{endpoint}?location_code={location}{asked}&output_format=json"
            f"&limit={PAGE_SIZE}&offset={offset}")


def needs_kept(batch: list[dict], status: str, categories: tuple[str, ...], seen: set) -> list[dict]:
    """The records of one population status and of the whole population (see the module's text)."""
    kept = []
    for record in batch:
        category = str(record.get("category") or "").strip()
        seen.add(category)
        national = not str(record.get("admin1_code") or "").strip()
        if str(record.get("population_status") or "").upper() == status and category.casefold() in categories \
                and not national:
            kept.append(record)
    return kept


def assemble(api: str, options: dict, cache_dir: Path, offline: bool, base: str, identifier: str,
             progress=None) -> tuple[Path, str]:
    """Every page of the endpoint for the location, as one CSV in the cache: (its path, the first URL)."""
    if not offline and not identifier:
        raise SourceError("HDX HAPI", f"no app identifier: {IDENTIFIER_HINT}")
    location = str(options.get("location", "SYR")).upper()
    endpoint = ENDPOINTS[api]
    status = str(options.get("population_status", "INN")).upper() if api == "hapi-needs" else None
    listed = options.get("category", [])
    categories = WHOLE_POPULATION + tuple(str(c).strip().casefold() for c in
                                          ([listed] if isinstance(listed, str) else listed))
    seen: set[str] = set()
    first = page_url(base, endpoint, location, 0, status)
    headers = {IDENTIFIER_HEADER: identifier} if identifier else None

    def pages():
        offset = 0
        while True:
            url = page_url(base, endpoint, location, offset, status)
            got = fetch(url, cache_dir, offline=offline, headers=headers, refused_hint=IDENTIFIER_HINT,
                        progress=progress)
            batch = paged.records(paged.read_json(got.path, url, "HDX HAPI's answer"), "data", url)
            if not batch:
                break
            yield url, "data", needs_kept(batch, status, categories, seen) if status else batch
            offset += len(batch)

    path, count = paged.write_csv(pages(), Path(cache_dir) / url_key(first))
    if count == 0:
        path.unlink(missing_ok=True)
        if status and seen:
            raise SourceError(first, f"HDX HAPI has no {status} records of the whole population for {location}; "
                                     f"its categories: {', '.join(sorted(c or '(empty)' for c in seen))} (option "
                                     f"category may name the one holding the whole population)")
        raise SourceError(first, f"HDX HAPI has no {endpoint} records for {location}")
    return path, first
