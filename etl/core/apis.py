"""The publishers' APIs a sources file may name (`api = ...`), each read page by page into the
file layout of the adapter that reads it: UCDP's GED events (etl/core/ucdp_api.py), UNHCR's
population statistics (unhcr_api.py) and HDX HAPI (hapi_api.py). Bases and credentials come from
the run's Settings (etl/config.py: the environment, read once)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from etl.core import hapi_api, ucdp_api, unhcr_api
from etl.core.spec import SourceSpec


class Api(NamedTuple):
    adapter: str  # the adapter that reads the assembled file
    options: tuple[str, ...]  # the API's own options (its adapter never sees them)
    required: tuple[str, ...] = ()  # those the sources file must give


APIS = {"ucdp-ged": Api("ucdp", ("version", "country"), ("version", "country")),
        "unhcr-population": Api("unhcr", ("origin", "asylum", "year_from")),
        "hapi-conflict-events": Api("acled", ("location",)),
        "hapi-idps": Api("table", ("location",)),
        "hapi-needs": Api("table", hapi_api.OPTIONS)}


def for_adapter(spec: SourceSpec) -> SourceSpec:
    """`spec` as its adapter reads the assembled file: without the API's own options."""
    if not spec.api:
        return spec
    return replace(spec, options={k: v for k, v in spec.options.items() if k not in APIS[spec.api].options})


def assemble(spec: SourceSpec, cache_dir: Path, offline: bool, settings, progress=None) -> tuple[Path, str]:
    """The API's pages for `spec` as one file in the cache: (its path, the first page's URL)."""
    options = dict(spec.options)
    if spec.api == "ucdp-ged":
        return ucdp_api.assemble(str(options["version"]), str(options["country"]), cache_dir, offline,
                                 getattr(settings, "ucdp_base", ucdp_api.UCDP_BASE),
                                 getattr(settings, "ucdp_token", ""), progress)
    if spec.api == "unhcr-population":
        return unhcr_api.assemble(options, cache_dir, offline, getattr(settings, "unhcr_base", unhcr_api.UNHCR_BASE),
                                  progress)
    if spec.api in hapi_api.ENDPOINTS:
        return hapi_api.assemble(spec.api, options, cache_dir, offline, getattr(settings, "hapi_base", hapi_api.HAPI_BASE),
                                 getattr(settings, "hapi_identifier", ""), progress)
    raise ValueError(f"unknown api {spec.api!r}")  # sources.load admits only the APIs above
