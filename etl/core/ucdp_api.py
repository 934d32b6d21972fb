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

import csv
import hashlib
import json
import os
from pathlib import Path

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
    try:
        page = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(where, f"expected UCDP's API answer as JSON: {exc}") from None
    if not isinstance(page, dict):
        raise SourceError(where, "expected UCDP's API answer: a JSON object with TotalCount, NextPageUrl and Result")
    if not isinstance(page.get("Result"), list):
        raise SourceError(where, "expected field 'Result' to be a list of events (the API's answer has changed?)")
    if not isinstance(page.get("TotalCount"), int):
        raise SourceError(where, "expected field 'TotalCount' to be a whole number")
    if page.get("NextPageUrl") is not None and not isinstance(page.get("NextPageUrl"), str):
        raise SourceError(where, "expected field 'NextPageUrl' to be an address or empty")
    for i, event in enumerate(page["Result"]):
        if not isinstance(event, dict):
            raise SourceError(where, f"expected field 'Result[{i}]' to be an event (an object)")
    return page


def assemble(version: str, country: str, cache_dir: Path, offline: bool, base: str, token: str,
             progress=None) -> tuple[Path, str]:
    """Every page of the country's events, as one GED CSV in the cache: (its path, the first page's
    URL). Online without a token: a SourceError saying which variable to set."""
    if not offline and not token:
        raise SourceError("UCDP API", f"no access token: {TOKEN_HINT}")
    url = first_page(base, version, country)
    folder = Path(cache_dir) / url_key(url)
    folder.mkdir(parents=True, exist_ok=True)
    headers = {TOKEN_HEADER: token} if token else None
    part = folder / f"assembled.{os.getpid()}.csv.part"
    seen: set[str] = set()
    columns: list[str] | None = None
    written, announced, here = 0, None, url
    try:
        with open(part, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            while here:
                if here in seen:
                    raise SourceError(here, "field 'NextPageUrl' leads back to a page already read")
                seen.add(here)
                got = fetch(here, cache_dir, offline=offline, headers=headers, refused_hint=TOKEN_HINT,
                            progress=progress)
                page = read_page(got.path, here)
                announced = page["TotalCount"] if announced is None else announced
                for i, event in enumerate(page["Result"]):
                    if columns is None:
                        columns = list(event)
                        writer.writerow(columns)
                    elif list(event) != columns:
                        changed = sorted(set(event) ^ set(columns)) or ["(their order)"]
                        raise SourceError(here, f"field 'Result[{i}]' has other fields than the first event: "
                                                f"{', '.join(changed)}")
                    writer.writerow(["" if v is None else v for v in event.values()])
                written += len(page["Result"])
                here = page.get("NextPageUrl") or ""
        if written != announced:
            raise SourceError(url, f"the API announced TotalCount {announced} events, its pages held {written} "
                                   "(the release changed while it was read? run again)")
        if columns is None:
            raise SourceError(url, f"no events for country {country} in GED {version}")
        digest = hashlib.sha256(part.read_bytes()).hexdigest()
        path = folder / f"assembled-{digest[:16]}.csv"
        os.replace(part, path)
        for older in folder.glob("assembled-*.csv"):
            if older != path:
                older.unlink(missing_ok=True)
        return path, url
    finally:
        part.unlink(missing_ok=True)
