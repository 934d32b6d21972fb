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


def read_description(path: Path, where: str) -> dict:
    """The `result` of a package_show answer saved at `path`, or a SourceError naming what is wrong."""
    try:
        answer = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(where, f"expected CKAN's package_show answer as JSON: {exc}") from None
    if not isinstance(answer, dict) or "success" not in answer:
        raise SourceError(where, "expected CKAN's package_show answer: a JSON object with field 'success'")
    if answer["success"] is not True:
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        message = error.get("message") or error.get("__type") or "no message"
        raise SourceError(where, f"CKAN answered success = false: {message}")
    result = answer.get("result")
    if not isinstance(result, dict):
        raise SourceError(where, "expected field 'result' to be an object (the package)")
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
