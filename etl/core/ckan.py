"""A dataset on HDX (a CKAN portal) named by its package, resolved to one of its files.

A sources-file entry may name an HDX package instead of a file address:

    hdx = "cod-ab-syr"                 # the package (the last part of data.humdata.org/dataset/...)
    hdx_format = ["SHP", "GeoJSON"]    # the resource formats wanted, in order of preference
    hdx_resource = "adm"               # optional: a regular expression the resource's name must match

The package's description comes from CKAN's action API (`GET <base>/api/3/action/package_show?id=`,
documented at https://docs.ckan.org/en/latest/api/): a JSON object `{"success": true, "result":
{..., "resources": [{"name", "format", "url", "last_modified", ...}]}}`. The resource is chosen by
its format, not by a file address written into the sources file, so a new release of the same
package is found without editing anything. The description is fetched like any source file
(etl/core/fetch.py: cached by URL, replayed with --offline), so an offline run resolves the same
resource from the cached description and then reads the cached file.

A series published as one package a month (OCHA Türkiye's "Syria IDP flow data - January 2018",
"... - February 2018": packages syria-idp-flow-data-january-2018, ...) is named by the packages'
common beginning and the organisation that publishes them:

    hdx = "syria-idp-flow-data-*"      # the newest package whose name begins so
    hdx_organization = "ocha-turkey"

The organisation's packages are listed through `GET <base>/api/3/action/package_search?fq=organization:`
(answer `{"success": true, "result": {"count", "results": [{"name", "metadata_created", ...}]}}`);
the newest is the one whose name ends in the latest month ("...-january-2019"), or, when no name
ends in a month, the one created last. A constant "hdx:month" in [source.constants] stands for that
month, so a sheet that does not say its own period (an origin x arrival matrix) takes the month of
the package it comes from. Likewise "hdx:year" stands for the year in the chosen file's name
(OCHA's HNO packages, "<country>-humanitarian-needs", hold one file a year, syr_hpc_needs_api_2024.csv,
the latest first, and the figures in it do not repeat their year).

The base is https://data.humdata.org unless IDLIB_HDX_URL says otherwise (a mirror, or the replay
server of the tests).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from etl.core.issues import SourceError

HDX_BASE = "https://data.humdata.org"
MONTH_CONSTANT = "hdx:month"  # in [source.constants]: the month a series' chosen package is for
YEAR_CONSTANT = "hdx:year"  # ... the year in the chosen file's name
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
NAME_MONTH = re.compile(rf"({'|'.join(MONTHS)})-(\d{{4}})$")


@dataclass(frozen=True)
class Resource:
    package: str
    name: str
    format: str
    url: str
    last_modified: str  # the resource's own date as CKAN gives it ("" when absent)


def package_show_url(base: str, package: str) -> str:
    return f"{base.rstrip('/')}/api/3/action/package_show?id={quote(package, safe='')}"


def dataset_page(package: str) -> str:
    """The public page of a package on HDX (the citation link; never the mirror's)."""
    return f"{HDX_BASE}/dataset/{quote(package, safe='')}"


def package_search_url(base: str, organization: str) -> str:
    """Every package of an organisation (CKAN answers at most 1,000 rows a page; a monthly series
    reaches that in 83 years)."""
    return (f"{base.rstrip('/')}/api/3/action/package_search?fq=organization:{quote(organization, safe='')}"
            f"&rows=1000&sort=metadata_created%20desc")


def organization_page(organization: str) -> str:
    return f"{HDX_BASE}/organization/{quote(organization, safe='')}"


def month_of(package: str) -> str | None:
    """'2019-01' for a package named '...-january-2019', else None."""
    found = NAME_MONTH.search(package)
    return f"{found.group(2)}-{MONTHS.index(found.group(1)) + 1:02d}" if found else None


def year_of(resource: str) -> str | None:
    """'2024' for a file named 'syr_hpc_needs_api_2024.csv' (the last year-like number), else None."""
    found = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", resource)
    return found[-1] if found else None


def newest(path: Path, prefix: str, where: str) -> str:
    """The name of the newest package beginning with `prefix` in a package_search answer saved at
    `path`: the latest month its name ends in, else the first listed (the answer is sorted newest
    first)."""
    result = read_description(path, where, "package_search")
    packages = result.get("results")
    if not isinstance(packages, list):
        raise SourceError(where, "expected field 'result.results' to be a list (the organisation's packages)")
    names = []
    for i, package in enumerate(packages):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            raise SourceError(where, f"expected field 'result.results[{i}].name' to be text")
        if package["name"].startswith(prefix):
            names.append(package["name"])
    if not names:
        raise SourceError(where, f"no package named {prefix}... among the organisation's {len(packages)} packages")
    dated = [name for name in names if month_of(name)]
    return max(dated, key=month_of) if dated else names[0]


def read_description(path: Path, where: str, action: str = "package_show") -> dict:
    """The `result` of a CKAN action's answer saved at `path`, or a SourceError naming what is wrong."""
    try:
        answer = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(where, f"expected CKAN's {action} answer as JSON: {exc}") from None
    if not isinstance(answer, dict) or "success" not in answer:
        raise SourceError(where, f"expected CKAN's {action} answer: a JSON object with field 'success'")
    if answer["success"] is not True:
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        message = error.get("message") or error.get("__type") or "no message"
        raise SourceError(where, f"CKAN answered success = false: {message}")
    result = answer.get("result")
    if not isinstance(result, dict):
        raise SourceError(where, "expected field 'result' to be an object")
    return result


def choose(result: dict, formats: list[str], name_pattern: str | None, where: str) -> Resource:
    """The first resource, in the package's order, of the most preferred format in `formats` whose
    name matches `name_pattern` (when given). A field missing or of the wrong kind is named."""
    resources = result.get("resources")
    if not isinstance(resources, list):
        raise SourceError(where, "expected field 'result.resources' to be a list (the package's files)")
    package = str(result.get("name") or "")
    seen = []
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            raise SourceError(where, f"expected field 'result.resources[{i}]' to be an object")
        for key in ("format", "url"):
            if not isinstance(res.get(key), str):
                raise SourceError(where, f"expected field 'result.resources[{i}].{key}' to be text, "
                                         f"got {type(res.get(key)).__name__}")
        seen.append(f"{res.get('name') or '(no name)'} [{res['format']}]")
    pattern = re.compile(name_pattern, re.IGNORECASE) if name_pattern else None
    for wanted in formats:
        for res in resources:
            if res["format"].strip().casefold() != wanted.strip().casefold():
                continue
            if pattern and not pattern.search(str(res.get("name") or "")):
                continue
            if not re.match(r"^https?://", res["url"]):
                raise SourceError(where, f"resource {res.get('name')!r}: expected an http(s) url, got {res['url']!r}")
            return Resource(package, str(res.get("name") or ""), res["format"], res["url"],
                            str(res.get("last_modified") or res.get("metadata_modified") or ""))
    named = f" named like /{name_pattern}/" if name_pattern else ""
    raise SourceError(where, f"no resource in format {' or '.join(formats)}{named} in HDX package {package!r}; "
                             f"it has: {'; '.join(seen) or 'no resources'}")
