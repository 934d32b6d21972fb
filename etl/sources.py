"""The sources file: which inputs a run reads, with which adapter, and how to cite them.

    [[source]]
    name = "cod-ab-syr"                 # unique; the source_id of every row read from it
    adapter = "cod_ab"                  # a module in etl/adapters/
    path = "~/Downloads/syr_adm.zip"    # a local file or folder (relative to this file), or
    url = "https://data.humdata.org/..."# a URL fetched into the cache (see --offline), or
    hdx = "cod-ab-syr"                  # an HDX package: its file of the first format found of
    hdx_format = ["SHP", "GeoJSON"]     # these, named like hdx_resource (optional regular
    hdx_resource = "adm"                # expression); see etl/core/ckan.py; "name-*" with
    hdx_organization = "ocha-turkey"    # its publisher names a monthly series (the newest package)
    sha256 = "..."                      # optional: the expected content of the URL
    organisation = "OCHA"               # citation: shown under every chart using these rows
    title = "Syrian Arab Republic - Subnational Administrative Boundaries"
    published = "2020-12-17"            # YYYY, YYYY-MM or YYYY-MM-DD
    licence = "CC BY-IGO"
    link = "https://data.humdata.org/dataset/cod-ab-syr"   # citation link (default: url)
    allow_outside = true                # optional: read a path outside the allowed folders
    [source.options]                    # adapter options, see each adapter's docstring
    [source.limits]                     # optional: this source's limits (etl/core/limits.py)
    size = "3G"                         # e.g. rows = 10_000_000, deadline = 7200
    [source.columns]                    # a mapped table (adapter "table"): field = header in the file
    [source.constants]                  # ... field = a value for every row
    [source.melt]                       # ... a wide layout's columns (etl/core/mapping.py)

A path must lie inside the sources file's folder or a folder of IDLIB_DATA_DIRS (after following
symbolic links), unless the source says allow_outside = true.

A top-level `extends_default = true` reads data/sources.toml first, so a user's file only lists
what it adds. Later sources win over earlier ones for rows with the same key (a COD-AB
governorate replaces the Natural Earth one with the same P-code).
"""
from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

from etl.config import DATA_DIR
from etl.core.apis import APIS
from etl.core.ckan import dataset_page, organization_page
from etl.core.issues import SourceError
from etl.core.limits import DEFAULTS
from etl.core.spec import SourceSpec

DEFAULT_CONFIG = DATA_DIR / "sources.toml"
KNOWN_KEYS = {
    "name", "adapter", "path", "url", "sha256", "organisation", "title", "published", "licence", "link", "options",
    "limits", "allow_outside", "columns", "constants", "melt", "hdx", "hdx_format", "hdx_resource", "hdx_organization", "api",
}
MAPPING_KEYS = ("columns", "constants", "melt")  # tables: a mapped source's fields (etl/adapters/table.py)
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def adapter_module(name: str):
    """The adapter module etl.adapters.<name>, with a clear error for unknown names."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name or ""):
        raise SourceError("sources", f"adapter {name!r} is not an adapter name")
    try:
        module = importlib.import_module(f"etl.adapters.{name}")
    except ModuleNotFoundError:
        raise SourceError("sources", f"unknown adapter {name!r}; see etl/adapters/ for the list") from None
    if not hasattr(module, "read") or not hasattr(module, "TABLES"):
        raise SourceError("sources", f"etl.adapters.{name} is not an adapter (expected TABLES and read())")
    return module


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


def _local_path(path: str, entry: dict, where: str, config: Path, data_dirs: tuple[Path, ...]) -> str | Path:
    """The path resolved against the sources file's folder, refused outside the allowed folders."""
    if str(path).startswith("package:"):
        return path
    resolved = (config.parent / Path(path).expanduser()).resolve()
    allowed = [config.parent.resolve(), *(Path(d).expanduser().resolve() for d in data_dirs)]
    if entry.get("allow_outside") is True or _inside(resolved, allowed):
        return resolved
    raise SourceError(
        where,
        f"path {path!r} leads to {resolved}, outside the folder of the sources file ({allowed[0]})"
        + (f" and of IDLIB_DATA_DIRS ({', '.join(map(str, allowed[1:]))})" if data_dirs else "")
        + "; move the file there, add its folder to IDLIB_DATA_DIRS, or set allow_outside = true on this source",
    )


def _limits(entry: dict, where: str) -> dict:
    """The source's [source.limits], checked (the values as given; the pipeline applies them)."""
    given = entry.get("limits", {})
    if not isinstance(given, dict):
        raise SourceError(where, "expected [source.limits] to be a table such as size = \"3G\"")
    try:
        DEFAULTS.with_values(given, "[source.limits]")
    except ValueError as exc:
        raise SourceError(where, str(exc)) from None
    return dict(given)


def _spec(entry: dict, index: int, config: Path, data_dirs: tuple[Path, ...] = ()) -> SourceSpec:
    where = f"{config}, [[source]] #{index}"
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        raise SourceError(where, f"unknown key(s) {', '.join(sorted(unknown))}; expected some of {', '.join(sorted(KNOWN_KEYS))}")
    name = entry.get("name", "")
    if not NAME.fullmatch(str(name)):
        raise SourceError(where, f"expected a name of lower-case letters, digits, '.', '_' or '-', got {name!r}")
    if "adapter" not in entry:
        raise SourceError(where, "expected an adapter")
    try:
        adapter_module(entry["adapter"])
    except SourceError as exc:
        raise SourceError(where, str(exc).removeprefix("sources: ")) from None
    path, url = entry.get("path"), entry.get("url")
    if sum(bool(entry.get(key)) for key in ("path", "url", "hdx", "api")) != 1:
        raise SourceError(where, "expected exactly one of path, url, hdx or api")
    _api(entry, where)
    hdx = _hdx(entry, where)
    if url and not re.match(r"^https?://", url):
        raise SourceError(where, f"expected an http(s) URL, got {url!r}")
    link = entry.get("link")
    if link and not re.match(r"^https?://", str(link)):
        raise SourceError(where, f"expected link as an http(s) URL (a local path is never published; without a link "
                                 f"the source is shown with no public link), got {link!r}")
    if "allow_outside" in entry and not isinstance(entry["allow_outside"], bool):
        raise SourceError(where, f"expected allow_outside = true or false, got {entry['allow_outside']!r}")
    resolved = _local_path(path, entry, where, config, data_dirs) if path else None
    limits = _limits(entry, where)
    published = str(entry.get("published", ""))
    if published and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", published):
        raise SourceError(where, f"expected published as YYYY, YYYY-MM or YYYY-MM-DD, got {published!r}")
    options = dict(entry.get("options", {}))
    if entry.get("sha256"):
        options["sha256"] = entry["sha256"]
    if entry.get("link"):
        options["link"] = entry["link"]
    elif hdx:  # a series is cited by the package chosen (etl/pipeline.py, resolved)
        options["link"] = (organization_page(hdx["organization"]) if hdx["package"].endswith("*")
                           else dataset_page(hdx["package"]))
    for key in MAPPING_KEYS:
        if not isinstance(entry.get(key, {}), dict):
            raise SourceError(where, f"expected [source.{key}] to be a table of field = value")
    return SourceSpec(
        name=name, adapter=entry["adapter"], path=resolved, url=url, hdx=hdx, api=entry.get("api"),
        organisation=entry.get("organisation", ""), title=entry.get("title", ""), published=published,
        licence=entry.get("licence", ""), options=options, limits=limits,
        **{key: dict(entry.get(key, {})) for key in MAPPING_KEYS},
    )


def _api(entry: dict, where: str) -> None:
    """An `api` entry checked: a known API, read by its adapter, with the options it needs."""
    if not entry.get("api"):
        return
    if entry["api"] not in APIS:
        raise SourceError(where, f"expected api as one of {', '.join(sorted(APIS))}, got {entry['api']!r}")
    adapter, _, needed = APIS[entry["api"]]
    if entry["adapter"] != adapter:
        raise SourceError(where, f"api {entry['api']!r} is read by adapter {adapter!r}, not {entry['adapter']!r}")
    options = entry.get("options", {})
    missing = [key for key in needed if not str(options.get(key, "")).strip()]
    if missing:
        raise SourceError(where, f"api {entry['api']!r} needs [source.options] {', '.join(missing)}")


def _hdx(entry: dict, where: str) -> dict | None:
    """An HDX package entry checked: {"package", "formats", "resource", "organization"}, or None. A
    package name ending in '*' names a monthly series (the newest package of the organisation whose
    name begins so: etl/core/ckan.py)."""
    extra = [key for key in ("hdx_format", "hdx_resource", "hdx_organization") if key in entry]
    if not entry.get("hdx"):
        if extra:
            raise SourceError(where, f"{', '.join(extra)} only go with hdx = \"<package>\"")
        return None
    package = entry["hdx"]
    if not isinstance(package, str) or not NAME.fullmatch(package.removesuffix("*")):
        raise SourceError(where, f"expected hdx as an HDX package name (lower-case letters, digits, '-', '_'), got {package!r}")
    organization = entry.get("hdx_organization")
    if package.endswith("*") and not (isinstance(organization, str) and NAME.fullmatch(organization)):
        raise SourceError(where, f"hdx = {package!r} names a series: expected hdx_organization, the HDX organisation "
                                 f"publishing it (e.g. \"ocha-turkey\")")
    formats = entry.get("hdx_format")
    formats = [formats] if isinstance(formats, str) else formats
    if not formats or not isinstance(formats, list) or not all(isinstance(f, str) and f.strip() for f in formats):
        raise SourceError(where, "expected hdx_format: a resource format (e.g. \"SHP\") or a list of them, most wanted first")
    resource = entry.get("hdx_resource")
    if resource is not None:
        try:
            re.compile(str(resource))
        except re.error as exc:
            raise SourceError(where, f"expected hdx_resource as a regular expression: {exc}") from None
    return {"package": package, "formats": list(formats), "resource": resource, "organization": organization}


def load(config: Path | None = None, data_dirs: tuple[Path, ...] = ()) -> list[SourceSpec]:
    """Read a sources file (default data/sources.toml) into SourceSpecs, checking everything;
    local paths must lie in its folder or one of `data_dirs` (Settings.data_dirs)."""
    config = (config or DEFAULT_CONFIG).resolve()
    try:
        document = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(str(config), "sources file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(str(config), f"expected TOML: {exc}") from None
    specs = load(DEFAULT_CONFIG) if document.get("extends_default") and config != DEFAULT_CONFIG.resolve() else []
    entries = document.get("source", [])
    if not isinstance(entries, list) or not entries and not specs:
        raise SourceError(str(config), "expected at least one [[source]] table")
    specs += [_spec(entry, i + 1, config, data_dirs) for i, entry in enumerate(entries)]
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourceError(str(config), f"source names must be unique; repeated: {', '.join(duplicates)}")
    return specs
