"""One ETL run: read every source of the sources file with its adapter, merge, transform, and
publish the result as a new warehouse version (atomically: see etl/core/warehouse.py).
"""
from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from etl import contracts, sources, transforms
from etl.config import ROOT, Settings
from etl.core import apis, ckan, limits, timing
from etl.core.issues import Issues, SourceError
from etl.core.memory import release_arrow
from etl.core.progress import DownloadProgress, Progress
from etl.core.readers import resolve_package_path
from etl.core.spec import SourceSpec
from etl.core.warehouse import SourceFile, WarehouseError, build_version, sha256_file
from etl.derived import tables as derived

# rows with the same key from a later source replace earlier ones (COD-AB over Natural Earth)
MERGE_KEYS = {
    "admin_areas": ["pcode"], "admin_areas_web": ["pcode"], "countries": ["iso3"], "places": ["geonameid"],
    "crossings": ["crossing_id"], "sources": ["source_id"], "events": ["event_id"], "locations": ["location_pcode"],
    "displacement": ["fact_id"], "casualties": ["fact_id"], "refugees": ["fact_id"], "idp_stock": ["fact_id"],
    "timeline": ["fact_id"], "needs": ["fact_id"], "population": ["fact_id"], "events_aggregated": ["fact_id"],
    "asylum": ["fact_id"], "gazetteer": ["level", "pcode"], "event_attributes": ["event_id", "attribute"],
}
GEO_TABLES = ("admin_areas", "admin_areas_web", "countries", "border", "crossings", "places", "events", "locations")
CONTRACTS = {
    "admin_areas": contracts.ADMIN_AREAS, "admin_areas_web": contracts.ADMIN_AREAS, "events": contracts.EVENTS,
    "locations": contracts.LOCATIONS, "sources": contracts.SOURCES, "crossings": contracts.CROSSINGS,
    **{c.table: c for c in contracts.FIGURE_TABLES + contracts.USER_TABLES}, "gazetteer": contracts.GAZETTEER,
    "event_attributes": contracts.EVENT_ATTRIBUTES,
}
# every version has these tables, empty when no source fills them
SOURCE_TABLES = (
    "admin_areas", "countries", "border", "crossings", "places", "events", "locations", "sources",
    "displacement", "casualties", "refugees", "idp_stock", "timeline",
    "needs", "population", "events_aggregated", "asylum", "gazetteer", "event_attributes",
)
ALWAYS = SOURCE_TABLES + derived.TABLES  # the derived ones are computed in transform()


def locate(spec: SourceSpec, cache_dir: Path, offline: bool, hashing: Executor | None = None,
           settings: Settings | None = None) -> tuple[Path, list[SourceFile | Future]]:
    """The local path of a source (fetched into the cache if it is a URL) and its checksums, once
    it is known to be within the active limits (size on disk, inflated size of archives). With
    `hashing`, the checksums of files on disk are computed there (Futures), while the adapter
    reads them. An HDX package is looked up on `settings.hdx_base` (its description fetched and
    cached like a file, so --offline resolves it again from the cache) and its chosen file fetched;
    an API's pages are fetched (cached likewise) and assembled into the file its adapter reads."""
    if spec.api:
        path, first = apis.assemble(spec, cache_dir, offline, settings, DownloadProgress(spec.name))
        limits.check_source(path)
        return path, [SourceFile(first, sha256_file(path), spec.licence)]
    if spec.hdx:
        from etl.core.fetch import fetch

        described = ckan.package_show_url(settings.hdx_base if settings else ckan.HDX_BASE, spec.hdx["package"])
        answer = fetch(described, cache_dir, offline=offline, progress=DownloadProgress(spec.name))
        chosen = ckan.choose(ckan.read_description(answer.path, described), spec.hdx["formats"],
                             spec.hdx.get("resource"), described)
        got = fetch(chosen.url, cache_dir, offline=offline, expected_sha256=spec.options.get("sha256"),
                    progress=DownloadProgress(spec.name))
        limits.check_source(got.path)
        return got.path, [SourceFile(chosen.url, got.sha256, spec.licence)]
    if spec.url:
        from etl.core.fetch import fetch

        got = fetch(spec.url, cache_dir, offline=offline, expected_sha256=spec.options.get("sha256"),
                    progress=DownloadProgress(spec.name))
        limits.check_source(got.path)
        return got.path, [SourceFile(spec.url, got.sha256, spec.licence)]
    path = resolve_package_path(spec.path) if str(spec.path).startswith("package:") else Path(spec.path)
    if not path.exists():
        raise SourceError(str(path), f"source {spec.name!r}: file or folder not found")
    limits.check_source(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    if str(spec.path).startswith("package:") and not path.is_dir():
        # named as the sources file names it: where the package is installed differs between machines
        return path, [SourceFile(str(spec.path), sha256_file(path), spec.licence)]
    if hashing is not None:
        return path, [hashing.submit(SourceFile.of, p, spec.licence, relative_to=ROOT) for p in files]
    return path, [SourceFile.of(p, spec.licence, relative_to=ROOT) for p in files]


def resolved(spec: SourceSpec, cache_dir: Path, offline: bool, settings: Settings | None = None) -> SourceSpec:
    """`spec` with an HDX series (hdx = "name-*") replaced by its newest package (the organisation's
    packages listed, cached like a file, so --offline finds the same one; the chosen package's page
    as the citation link unless the entry gave one) and the constants "hdx:month" (the month the
    package is for) and "hdx:year" (the year in the chosen file's name) replaced by their values.
    Any other spec is returned as it is."""
    if not spec.hdx:
        return spec
    series = spec.hdx["package"].endswith("*")
    wanted = {ckan.MONTH_CONSTANT, ckan.YEAR_CONSTANT} & set(map(str, spec.constants.values()))
    if not series and not wanted:
        return spec
    from etl.core.fetch import fetch

    base = settings.hdx_base if settings else ckan.HDX_BASE
    package, options = spec.hdx["package"], dict(spec.options)
    if series:
        organization = spec.hdx["organization"]
        listed = ckan.package_search_url(base, organization)
        answer = fetch(listed, cache_dir, offline=offline, progress=DownloadProgress(spec.name))
        package = ckan.newest(answer.path, package.removesuffix("*"), listed)
        if options.get("link") == ckan.organization_page(organization):
            options["link"] = ckan.dataset_page(package)
    values = {}
    if ckan.MONTH_CONSTANT in wanted:
        values[ckan.MONTH_CONSTANT] = ckan.month_of(package) or _no_value(
            spec, ckan.MONTH_CONSTANT, f"the package read, {package!r}, does not end in a month such as '-january-2019'")
    if ckan.YEAR_CONSTANT in wanted:
        described = ckan.package_show_url(base, package)
        answer = fetch(described, cache_dir, offline=offline, progress=DownloadProgress(spec.name))
        chosen = ckan.choose(ckan.read_description(answer.path, described), spec.hdx["formats"],
                             spec.hdx.get("resource"), described)
        values[ckan.YEAR_CONSTANT] = ckan.year_of(chosen.name) or _no_value(
            spec, ckan.YEAR_CONSTANT, f"the file read, {chosen.name!r}, has no year in its name")
    constants = {k: values.get(str(v), v) for k, v in spec.constants.items()}
    return replace(spec, hdx={**spec.hdx, "package": package}, constants=constants, options=options)


def _no_value(spec: SourceSpec, constant: str, why: str):
    field = next(k for k, v in spec.constants.items() if v == constant)
    raise SourceError(f"source {spec.name!r}", f"[source.constants] {field} = {constant!r}: {why}")


def citation(spec: SourceSpec) -> dict | None:
    """The sources-table row citing a dataset named in the sources file. Its url is the entry's link
    or the URL it was fetched from; a file read from disk without a link has none (its path is
    never published: the page and the exports say "no public link")."""
    if not spec.organisation:
        return None
    url = contracts.public_url(spec.options.get("link") or spec.url)
    return {
        "source_id": spec.name, "organisation": spec.organisation, "via": pd.NA, "title": spec.title or spec.name,
        "url": url or pd.NA, "published": spec.published or pd.NA,
        "published_approx": bool(spec.options.get("published_approx", False)), "licence": spec.licence or pd.NA,
        "fact_refs": pd.NA, "note": pd.NA,
        "link_kind": spec.options.get("link_kind") or ("publisher" if url else pd.NA), "accessed": pd.NA,
    }


def empty(table: str) -> pd.DataFrame:
    if table in derived.TABLES:
        return derived.empty_table(table)
    frame = CONTRACTS[table].empty() if table in CONTRACTS else pd.DataFrame()
    if table in GEO_TABLES:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    return frame


def merge(frames: list[pd.DataFrame], table: str) -> pd.DataFrame:
    """Concatenate in sources-file order; a later row with the same key replaces an earlier one."""
    frames = [f for f in frames if len(f)] or frames[:1]
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    if table in GEO_TABLES and not isinstance(merged, gpd.GeoDataFrame):
        merged = gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")
    key = MERGE_KEYS.get(table)
    if key and len(merged):
        repeated = merged.duplicated(subset=key, keep="last").to_numpy()
        if repeated.any():  # else the table as it is, not a copy of a million rows
            merged = merged[~repeated].reset_index(drop=True)
    return merged


def transform(tables: dict[str, pd.DataFrame], issues: Issues, files: dict[str, str]) -> dict[str, pd.DataFrame]:
    out = dict(tables)
    admin = out["admin_areas"]
    matched = transforms.match_movements(out.pop("unmatched_movements", empty("displacement")), admin, files, issues)
    if len(matched):
        out["displacement"] = merge([out["displacement"], matched], "displacement")
    out.update(transforms.match_area_names(out, out.pop("area_names", None), files, issues))
    out["locations"] = transforms.place_unplaced_camps(out["locations"], issues, files)
    for table in ("events", "locations", "places"):
        with timing.step(f"admin joins: {table}"):
            out[table] = transforms.with_admin_pcodes(out[table], admin, table, issues)
    out["places"] = transforms.select_places(out["places"], out["border"])
    with timing.step("derived tables"):
        out.update(derived.build(out, issues))
    return out


def derived_files(files: dict[str, list[SourceFile]]) -> dict[str, list[SourceFile]]:
    """The source files of each derived table: those of the tables it is computed from."""
    return {
        table: list(dict.fromkeys(f for source in derived.INPUTS[table] for f in files.get(source, [])))
        for table in derived.TABLES
    }


class SourceFailed(SourceError):
    """A source of the sources file could not be read (a run without --keep-going stops here)."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"source {source!r}", reason)
        self.source = source
        self.reason = reason


def read_source(spec: SourceSpec, settings: Settings, offline: bool) -> tuple[dict, list[SourceFile], Issues]:
    """One source read with its adapter within its limits: (tables, files, its problems)."""
    module = sources.adapter_module(spec.adapter)
    bound = settings.limits.with_values(spec.limits, f"source {spec.name!r}, [source.limits]")
    found = Issues()
    # a 400 MB export's checksum (half a second of reading and hashing) is computed in a thread while the
    # adapter reads it: hashlib and pyarrow's parser both work without Python's lock
    with limits.applied(replace(bound, source=spec.name)), ThreadPoolExecutor(1) as hashing:
        path, source_files = locate(spec, settings.cache_dir, offline, hashing, settings)
        try:
            read = module.read(apis.for_adapter(spec), path, found)
        finally:  # a file that cannot be hashed fails the source as before the adapter read it
            source_files = [f.result() if isinstance(f, Future) else f for f in source_files]
    release_arrow()  # what the adapter read and let go of
    return read, source_files, found


def retrieved(spec: SourceSpec, cache_dir: Path, files: list[SourceFile]) -> str | None:
    """When a downloaded source (a URL, an HDX package's file, an API's first page) was fetched, as
    its cache records it (ISO 8601, UTC); None for a file read from disk."""
    if not (spec.url or spec.hdx or spec.api) or not files:
        return None
    from etl.core.fetch import read_meta, url_key

    meta = read_meta(Path(cache_dir) / url_key(files[0].path))
    return meta.get("retrieved_at") if meta else None


def inputs_of(files: list[SourceFile]) -> list[list[str]]:
    return sorted([f.path, f.sha256] for f in files)


class Unchanged(NamedTuple):
    version: str


def refresh(settings: Settings, config: Path | None = None, keep_going: bool = False,
            progress: Progress | None = None) -> tuple[str, Issues] | Unchanged:
    """Fetch again what the sources name (conditional requests: a file the server says is unchanged
    is not downloaded again), then build and publish a new version only when an input or the ETL's
    code differs from the live version's; else Unchanged(live version). The build reads the cache
    only, so nothing is downloaded twice. A source that cannot be fetched fails the refresh (or,
    with `keep_going`, is left to the build, which lists it)."""
    from etl.core.warehouse import code_version, open_live

    specs = sources.load(config, data_dirs=settings.data_dirs)
    now: dict[str, list[list[str]]] = {}
    failed: dict[str, str] = {}  # with keep_going: left out of the build (never read from an older cached copy)
    for spec in specs:
        bound = settings.limits.with_values(spec.limits, f"source {spec.name!r}, [source.limits]")
        try:
            with limits.applied(replace(bound, source=spec.name)):
                _, files = locate(resolved(spec, settings.cache_dir, False, settings), settings.cache_dir, False, None,
                                  settings)
        except SourceError as exc:
            if not keep_going:
                raise SourceFailed(spec.name, str(exc)) from None
            failed[spec.name] = str(exc)
            continue
        now[spec.name] = inputs_of(files)
    try:
        live = open_live(settings.warehouse_dir)
    except WarehouseError:
        live = None
    if live is not None and live.manifest.get("inputs") == now and live.manifest.get("code_version") == code_version():
        return Unchanged(live.manifest["version"])
    return run(settings, config=config, offline=True, progress=progress, keep_going=keep_going, left_out=failed)


def failure(exc: Exception) -> str:
    """The reason a source failed, as the run lists it."""
    if isinstance(exc, SourceError):
        return str(exc)
    return (f"unexpected {type(exc).__name__}: {exc} (a bug in the adapter: run without --keep-going and with "
            "ETL_DEBUG=1 to see its traceback, and report it)")


def run(
    settings: Settings, config: Path | None = None, offline: bool = False, progress: Progress | None = None,
    keep_going: bool = False, left_out: dict[str, str] | None = None,
) -> tuple[str, Issues]:
    """Build and publish a new version from the sources file; returns its name and the problems.

    A source that cannot be read stops the run and nothing is published (SourceFailed), unless
    `keep_going`: then the run publishes what the other sources gave and lists each failed source
    with its reason in `issues.failures` and in the manifest."""
    specs = sources.load(config, data_dirs=settings.data_dirs)
    issues = Issues()
    progress = progress or Progress(len(specs) + 2)
    from etl.core.fetch import remove_stale_parts

    remove_stale_parts(settings.cache_dir)
    with timing.Tail("publish: manifest and switch") as switch, \
            build_version(settings.warehouse_dir, keep=settings.keep_versions) as writer:
        frames: dict[str, list[pd.DataFrame]] = defaultdict(list)
        files: dict[str, list[SourceFile]] = defaultdict(list)
        citations = []
        for spec in specs:
            if left_out and spec.name in left_out:  # failed before the build (etl refresh --keep-going)
                issues.failures.append((spec.name, left_out[spec.name]))
                progress.step(f"{spec.name} ({spec.adapter}) failed, left out")
                continue
            try:
                with timing.step(f"source {spec.name} ({spec.adapter})"):
                    spec = resolved(spec, settings.cache_dir, offline, settings)
                    read, source_files, found = read_source(spec, settings, offline)
            except Exception as exc:
                if not keep_going:
                    if isinstance(exc, SourceError):
                        raise SourceFailed(spec.name, str(exc)) from None
                    raise
                issues.failures.append((spec.name, failure(exc)))
                progress.step(f"{spec.name} ({spec.adapter}) failed, left out")
                continue
            issues.problems += found.problems
            writer.inputs[spec.name] = inputs_of(source_files)
            writer.source_stats[spec.name] = {
                "rows": int(sum(len(frame) for frame in read.values())), "rejected": found.count(),
                "kept": found.kept(), "retrieved": retrieved(spec, settings.cache_dir, source_files)}
            for table, frame in read.items():
                frames[table].append(frame)
                files[table] += source_files
            if (row := citation(spec)) is not None:
                citations.append(row)
            progress.step(f"{spec.name} ({spec.adapter})")
        if citations:
            frames["sources"].insert(0, pd.DataFrame(citations).astype(contracts.SOURCES.empty().dtypes.to_dict()))
        with timing.step("merge sources"):
            tables = {t: merge(frames[t], t) if frames.get(t) else empty(t) for t in set(SOURCE_TABLES) | set(frames)}
        tables = transform(tables, issues, {s.name: Path(s.location).name for s in specs})
        files |= derived_files(files)
        progress.step("joins and transforms")
        with timing.step("publish: write tables"):
            for name in sorted(tables):
                writer.write_table(name, tables[name], files.get(name, []), rejected=issues.count(name),
                                   kept=issues.kept(name))
            writer.failed = [{"source": name, "reason": reason} for name, reason in issues.failures]
            writer.write_table("rejects", issues.to_frame(), [])
        switch.start()
        version = writer.version
    progress.step("published")
    return version, issues
