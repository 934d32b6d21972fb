"""An HDX package named in the sources file (etl/core/ckan.py): resolved through CKAN's
package_show on a replay server started here on 127.0.0.1 (HDX's answer shape, the real COD-AB
shapefiles of ../shared/data as the package's zip), read into the warehouse, and rebuilt with
--offline from the cache alone by the command line with IDLIB_HDX_URL pointing at the replay. OCHA
Türkiye's monthly IDP-flow series is listed through package_search (two monthly packages; the real
January 2019 workbook of ../shared/data is the newest one's file).
data/sources-online.toml as a whole is run here too, with UCDP's, UNHCR's and HDX HAPI's APIs replayed
(tests/etl/conftest.py)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from etl import pipeline, sources
from etl.config import DATA_DIR, ROOT, Settings
from etl.core import ckan
from etl.core.issues import SourceError
from etl.core.warehouse import open_live
from tests.conftest import shared_path
from tests.etl.hapi_replay import IDENTIFIER
from tests.etl.replay import served
from tests.etl.ucdp_replay import TOKEN

ZIP_NAME = "syr_adm_unocha_20201217_SHP.zip"
FLOWS = "syria-idp-flow-data-january-2019"  # the newest of the replayed series
OLDER = "syria-idp-flow-data-december-2018"
HNO = "syrian-arab-republic-humanitarian-needs"
HNO_HEADER = ("Admin 1 PCode,Admin 1 Name,Admin 2 PCode,Admin 2 Name,Admin 3 PCode,Admin 3 Name,Valid Location,Sector,"
              "Category,Population,In Need,Targeted,Affected,Reached\n#adm1+code,#adm1+name,#adm2+code,#adm2+name,"
              "#adm3+code,#adm3+name,#meta+valid_location,#sector+code,#category,#population,#inneed,#targeted,"
              "#affected,#reached\n")


def hno_csv(year: int) -> bytes:
    """A SYNTHETIC HNO file in the layout of OCHA's hpc_needs_api files (header and hashtags as in
    OCHA-DAP/hdx-scraper-hno's fixture, with Syria's admin 3 columns): a national row, and per Idleb
    sub-district and sector the whole population ('total') and a group; arithmetic figures."""
    rows = [",,,,,,Y,Intersectoral,total,23000000,16700000,10000000,,\n"]
    for a3, name3, base in (("SY070301", "Dana", 500_000), ("SY070302", "Salqin", 120_000)):
        for sector, share in (("Intersectoral", 1.0), ("HEA", 0.7)):
            for category, part in (("total", 1.0), ("Children - Female", 0.3)):
                rows.append(f"SY07,Idleb,SY0703,Harim,{a3},{name3},Y,{sector},{category},,"
                            f"{int(base * share * part) + year - 2000},{int(base * share * part * 0.6)},,\n")
    return (HNO_HEADER + "".join(rows)).encode()


def hno_package(base: str) -> dict:
    def resource(name, fmt):
        return {"id": f"r-{name}", "name": name, "format": fmt,
                "url": f"{base}/dataset/{HNO}/resource/r-{name}/download/{name}"}
    return {"success": True, "result": {"name": HNO, "title": "Syrian Arab Republic: Humanitarian Needs",
                                        "resources": [resource("syr_hpc_needs_api_2024.csv", "CSV"),
                                                      resource("syr_hpc_needs_2024.xlsx", "XLSX"),
                                                      resource("syr_hpc_needs_api_2023.csv", "CSV")]}}


def series(base: str) -> dict:
    """package_search's answer for organisation ocha-turkey (fields trimmed): newest created first,
    which here is the older month (re-uploaded), so the month in the name must decide."""
    def flow_package(name, created):
        month = name.removeprefix("syria-idp-flow-data-")
        return {"name": name, "title": f"Syria IDP flow data - {month.replace('-', ' ').title()}",
                "metadata_created": created, "organization": {"name": "ocha-turkey"},
                "resources": [{"id": f"r-{month}", "name": f"IDP_flowData_share_{month}.xlsx", "format": "XLSX",
                               "url": f"{base}/dataset/{name}/resource/r-{month}/download/idp_flowdata_{month}.xlsx"}]}
    packages = [flow_package(OLDER, "2019-03-02T08:00:00"), flow_package(FLOWS, "2019-02-20T08:00:00"),
                {"name": "syria-idp-sites-2019", "metadata_created": "2019-01-01T00:00:00", "resources": []}]
    return {"success": True, "result": {"count": len(packages), "results": packages}}


def package(base: str) -> dict:
    """package_show's answer for cod-ab-syr, in the shape HDX gives it (fields trimmed)."""
    def resource(rid, name, fmt):
        return {"id": rid, "name": name, "format": fmt, "last_modified": "2021-01-11T10:15:22.000000",
                "url": f"{base}/dataset/cod-ab-syr/resource/{rid}/download/{name.lower()}", "size": 1}
    return {"help": f"{base}/api/3/action/help_show?name=package_show", "success": True, "result": {
        "name": "cod-ab-syr", "title": "Syrian Arab Republic - Subnational Administrative Boundaries",
        "license_title": "Creative Commons Attribution for Intergovernmental Organisations",
        "dataset_date": "[2020-12-17T00:00:00 TO 2020-12-17T23:59:59]", "organization": {"title": "OCHA"},
        "resources": [resource("r-xlsx", "syr_adminboundaries_tabulardata.xlsx", "XLSX"),
                      resource("r-emf", "syr_adm_unocha_20201217_EMF.zip", "EMF"),
                      resource("r-shp", ZIP_NAME, "SHP"),
                      resource("r-gdb", "syr_adm_unocha_20201217_GDB.zip", "Geodatabase")]}}


@pytest.fixture
def replay(tmp_path):
    folder = shared_path("syr_cod_ab_uncs_unocha_20201217_shp")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.name != "SOURCE.txt":
                archive.write(path, f"syr_adm_unocha_20201217/{path.name}")
    body = out.getvalue()
    workbook = shared_path("ocha_idp_movements_2019_01", "idp_1.xlsx").read_bytes()
    hits = []

    def answer(request):
        hits.append(request.path)
        url = urlparse(request.path)
        base = f"http://127.0.0.1:{request.server.server_address[1]}"
        asked = parse_qs(url.query)
        if url.path == "/api/3/action/package_search" and asked.get("fq") == ["organization:ocha-turkey"]:
            return 200, {"Content-Type": "application/json"}, json.dumps(series(base)).encode()
        if url.path == "/api/3/action/package_show":
            listed = {p["name"]: p for p in series(base)["result"]["results"]}
            if asked.get("id") == ["cod-ab-syr"]:
                return 200, {"Content-Type": "application/json"}, json.dumps(package(base)).encode()
            if asked.get("id") == [HNO]:
                return 200, {"Content-Type": "application/json"}, json.dumps(hno_package(base)).encode()
            if asked.get("id", [""])[0] in listed:
                return 200, {"Content-Type": "application/json"}, json.dumps(
                    {"success": True, "result": listed[asked["id"][0]]}).encode()
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}).encode()
        if url.path.endswith("/" + ZIP_NAME.lower()):
            return 200, {"Content-Type": "application/zip"}, body
        if url.path.endswith("_hpc_needs_api_2024.csv"):
            return 200, {"Content-Type": "text/csv"}, hno_csv(2024)
        if url.path.endswith("/idp_flowdata_january-2019.xlsx"):
            return 200, {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, workbook
        return 404, {"Content-Type": "text/plain"}, b"not here"

    with served(answer) as base:
        yield base, hits


def test_the_online_sources_load_from_hdx_ucdp_unhcr_and_hapi_and_rebuild_offline(replay, ucdp, unhcr, hapi, tmp_path):
    base, hits = replay
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache", hdx_base=base,
                        ucdp_base=ucdp.base, ucdp_token=TOKEN, unhcr_base=unhcr["base"], hapi_base=hapi["base"],
                        hapi_identifier=IDENTIFIER)
    pipeline.run(settings, config=DATA_DIR / "sources-online.toml")
    live = open_live(settings.warehouse_dir)
    areas = live.read("admin_areas")
    cod = areas[areas["source_id"] == "cod-ab-syr"]
    assert [(cod["level"] == level).sum() for level in (1, 2, 3)] == [14, 62, 272]  # every area of the release, admin 1-3
    assert cod[(cod["level"] == 3) & cod["pcode"].str.startswith("SY07")].shape[0] == 26  # Idleb's
    files = live.manifest["tables"]["admin_areas"]["sources"]
    assert [f["path"] for f in files if f["path"].endswith(ZIP_NAME.lower())] == [f"{base}/dataset/cod-ab-syr/resource/r-shp/download/{ZIP_NAME.lower()}"]
    cited = live.read("sources").set_index("source_id").loc["cod-ab-syr"]
    assert cited["url"] == "https://data.humdata.org/dataset/cod-ab-syr"  # the public page, never the mirror
    assert hits[:2] == ["/api/3/action/package_show?id=cod-ab-syr", f"/dataset/cod-ab-syr/resource/r-shp/download/{ZIP_NAME.lower()}"]
    assert not [h for h in hits if "december-2018" in h]  # the older month of the series is never read
    ucdp_events = live.read("events").query("source_id == 'ucdp-ged-syria'")
    assert len(ucdp_events) == 16_566 and ucdp_events["adm3_pcode"].str.startswith("SY07").any()  # joined to COD-AB
    refugees = live.read("refugees").query("source_id == 'unhcr-syrians' and unit == 'refugees'")
    assert sorted(set(refugees["asylum_iso3"])) == ["EGY", "IRQ", "JOR", "LBN", "TUR"]  # (synthetic replay figures)
    aggregated = live.read("events_aggregated").query("source_id == 'hapi-conflict-events'")
    assert sorted(aggregated["pcode"]) == ["SY0702", "SY0703"]  # (synthetic replay records)
    stock = live.read("idp_stock").query("source_id == 'hapi-idps'")
    assert len(stock) == len(hapi["idps"]) and set(stock["unit"]) == {"idps"}  # (synthetic replay records)
    # needs: people in need of the whole population only (synthetic replay records)
    needs = live.read("needs").query("source_id == 'hapi-needs'")
    whole = [r for r in hapi["needs"] if r["population_status"] == "INN" and r["category"] == "total" and r["admin1_code"]]
    assert len(needs) == len(whole) == 8 and {q["population_status"] for q in hapi["needs_asked"]} == {"INN"}
    assert sorted(needs["people_in_need"]) == sorted(r["population"] for r in whole)
    assert set(needs["pcode"]) == {"SY0703", "SY0700"} and set(needs["sector"]) == {"Intersectoral", "Health"}
    # the HNO's figures from HDX: the latest year's file, sub-district totals only (synthetic replay file)
    hno = live.read("needs").query("source_id == 'hno-syria'")
    assert len(hno) == 4 and set(hno["pcode"]) == {"SY070301", "SY070302"} and set(hno["population_group"]) == {"total"}
    assert set(hno["period_start"]) == {pd.Timestamp("2024-01-01")} and set(hno["sector"]) == {"Intersectoral", "HEA"}
    assert hno.set_index(["pcode", "sector"]).loc[("SY070301", "HEA"), "people_in_need"] == 350_024
    assert not [h for h in hits if "api_2023" in h]
    # flows: the newest month of OCHA Türkiye's series, its origin x arrival matrix (the real January 2019 workbook)
    moves = live.read("displacement")
    flows = moves[moves["source_id"] == "ocha-idp-flows"]
    assert len(flows) == 14 * 14 and set(flows["direction"]) == {"flow"}  # 'Unknown' origin left out (reported)
    assert set(flows["period_start"]) == {pd.Timestamp("2019-01-01")} and flows["origin_pcode"].notna().all()
    assert flows.loc[(flows["origin_pcode"] == "SY05") & (flows["dest_pcode"] == "SY07"), "value"].tolist() == [1537]
    monthly = moves[(moves["source_id"] == "ocha-idp-arrivals-monthly") & (moves["pcode"] == "SY07")]
    assert monthly.set_index("period_start").loc[pd.Timestamp("2018-01-01"), "value"] == 184_104  # SOURCE.txt
    cited = live.read("sources").set_index("source_id")
    assert cited.loc["ocha-idp-flows", "url"] == f"https://data.humdata.org/dataset/{FLOWS}"
    first = live.path.name
    asked_hdx, asked, asked_unhcr = len(hits), len(ucdp.hits), len(unhcr["hits"])
    asked_hapi = len(hapi["hits"]) + len(hapi["idp_hits"]) + len(hapi["needs_asked"])

    # the command line, offline, the base from the environment: the same package from the cache alone
    env = {**os.environ, "IDLIB_WAREHOUSE": str(settings.warehouse_dir), "IDLIB_CACHE": str(settings.cache_dir),
           "IDLIB_HDX_URL": base, "IDLIB_UCDP_URL": ucdp.base, "UCDP_ACCESS_TOKEN": "", "IDLIB_UNHCR_URL": unhcr["base"],
           "IDLIB_HAPI_URL": hapi["base"], "HDX_HAPI_APP_IDENTIFIER": ""}
    done = subprocess.run([sys.executable, "-m", "etl", "run", "--config", str(DATA_DIR / "sources-online.toml"),
                           "--offline"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (len(hits), len(ucdp.hits), len(unhcr["hits"]),
            len(hapi["hits"]) + len(hapi["idp_hits"]) + len(hapi["needs_asked"])) == (
        asked_hdx, asked, asked_unhcr, asked_hapi)
    for path in [*settings.cache_dir.rglob("*"), *settings.warehouse_dir.rglob("*")]:  # no credential written
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes() and IDENTIFIER.encode() not in path.read_bytes(), path
    again = open_live(settings.warehouse_dir)
    assert again.path.name != first
    offline_areas = again.read("admin_areas")
    assert (offline_areas["source_id"] == "cod-ab-syr").sum() == len(cod)
    assert (again.read("events")["source_id"] == "ucdp-ged-syria").sum() == 16_566


def test_a_package_the_portal_does_not_know_fails_that_source_plainly(replay, tmp_path):
    base, _ = replay
    config = tmp_path / "sources.toml"
    config.write_text('extends_default = true\n[[source]]\nname = "nope"\nadapter = "cod_ab"\nhdx = "no-such-package"\n'
                      'hdx_format = "SHP"\n', encoding="utf-8")
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache", hdx_base=base)
    with pytest.raises(SourceError) as caught:
        pipeline.run(settings, config=config)
    assert "package_show?id=no-such-package" in str(caught.value) and "404" in str(caught.value)
    assert not (tmp_path / "wh" / "CURRENT").exists()


# ---- the choice of a resource, and what the sources file may say ---------------------------------

def test_the_resource_is_chosen_by_format_preference_then_name():
    result = package("https://hdx.example")["result"]
    assert ckan.choose(result, ["GeoJSON", "shp"], None, "w").name == ZIP_NAME  # no GeoJSON: the next format
    assert ckan.choose(result, ["Geodatabase", "SHP"], None, "w").format == "Geodatabase"
    assert ckan.choose(result, ["XLSX"], "tabular", "w").url.endswith("syr_adminboundaries_tabulardata.xlsx")
    with pytest.raises(SourceError, match=r"no resource in format CSV .*it has: syr_adminboundaries_tabulardata.xlsx \[XLSX\]"):
        ckan.choose(result, ["CSV"], None, "w")
    with pytest.raises(SourceError, match="named like /adm3/"):
        ckan.choose(result, ["XLSX"], "adm3", "w")


@pytest.mark.parametrize("change, named", [
    (lambda r: r.pop("resources"), "'result.resources' to be a list"),
    (lambda r: r["resources"][2].pop("url"), r"'result.resources\[2\].url' to be text"),
    (lambda r: r["resources"][0].update(format=None), r"'result.resources\[0\].format' to be text"),
    (lambda r: r["resources"].__setitem__(1, "x"), r"'result.resources\[1\]' to be an object"),
])
def test_a_changed_answer_names_the_field(change, named):
    result = package("https://hdx.example")["result"]
    change(result)
    with pytest.raises(SourceError, match=named):
        ckan.choose(result, ["SHP"], None, "w")


@pytest.mark.parametrize("answer, named", [
    (b"<html>maintenance</html>", "expected CKAN's package_show answer as JSON"),
    (b'{"result": {}}', "field 'success'"),
    (b'{"success": false, "error": {"message": "Access denied"}}', "success = false: Access denied"),
    (b'{"success": true, "result": []}', "'result' to be an object"),
])
def test_a_broken_description_is_named(tmp_path, answer, named):
    path = tmp_path / "answer.json"
    path.write_bytes(answer)
    with pytest.raises(SourceError, match=named):
        ckan.read_description(path, "https://hdx.example/api/3/action/package_show?id=x")


@pytest.mark.parametrize("extra, named", [
    ('hdx = "cod-ab-syr"\n', "expected hdx_format"),
    ('hdx = "cod-ab-syr"\nhdx_format = []\n', "expected hdx_format"),
    ('hdx = "Bad Name"\nhdx_format = "SHP"\n', "expected hdx as an HDX package name"),
    ('hdx = "cod-ab-syr"\nhdx_format = "SHP"\nhdx_resource = "("\n', "expected hdx_resource as a regular expression"),
    ('path = "figures"\nhdx = "cod-ab-syr"\nhdx_format = "SHP"\n', "exactly one of path, url, hdx or api"),
    ('path = "figures"\nhdx_format = "SHP"\n', "only go with hdx"),
    ('hdx = "syria-idp-flow-data-*"\nhdx_format = "XLSX"\n', "names a series: expected hdx_organization"),
    ('hdx = "syria-*-flow"\nhdx_format = "XLSX"\nhdx_organization = "ocha-turkey"\n', "expected hdx as an HDX package name"),
])
def test_the_sources_file_checks_an_hdx_entry(tmp_path, extra, named):
    config = tmp_path / "sources.toml"
    (tmp_path / "figures").mkdir()
    config.write_text(f'[[source]]\nname = "x"\nadapter = "cod_ab"\n{extra}', encoding="utf-8")
    with pytest.raises(SourceError, match=named):
        sources.load(config)


def test_an_hdx_entry_cites_the_package_page_unless_it_gives_a_link():
    spec = next(s for s in sources.load(DATA_DIR / "sources-online.toml") if s.name == "cod-ab-syr")
    assert spec.hdx == {"package": "cod-ab-syr", "formats": ["SHP", "Zipped Shapefile", "GeoJSON", "Geopackage"],
                        "resource": None, "organization": None}
    assert spec.options["link"] == "https://data.humdata.org/dataset/cod-ab-syr"
    assert spec.path is None and spec.url is None


# ---- a monthly series: the newest package ------------------------------------------------------

def test_the_newest_package_of_a_series_is_the_latest_month_in_its_name(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(json.dumps(series("https://hdx.example")), encoding="utf-8")
    assert ckan.newest(path, "syria-idp-flow-data-", "w") == FLOWS  # though the December package was created later
    assert [ckan.month_of(n) for n in (FLOWS, OLDER, "syria-idp-sites-2019")] == ["2019-01", "2018-12", None]
    with pytest.raises(SourceError, match=r"no package named syria-returns-\.\.\. among the organisation's 3"):
        ckan.newest(path, "syria-returns-", "w")
    path.write_text('{"success": true, "result": {"count": 1, "results": [{"title": "no name"}]}}', encoding="utf-8")
    with pytest.raises(SourceError, match=r"'result.results\[0\].name' to be text"):
        ckan.newest(path, "syria-", "w")
    path.write_text("<html>busy</html>", encoding="utf-8")
    with pytest.raises(SourceError, match="expected CKAN's package_search answer as JSON"):
        ckan.newest(path, "syria-", "w")


def test_a_series_month_constant_needs_a_month_in_the_package_name(replay, tmp_path):
    base, hits = replay
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache", hdx_base=base)
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "sites"\nadapter = "table"\nhdx = "syria-idp-sites-*"\n'
                      'hdx_organization = "ocha-turkey"\nhdx_format = "XLSX"\n[source.options]\ntable = "displacement"\n'
                      '[source.constants]\nperiod = "hdx:month"\n', encoding="utf-8")
    [spec] = sources.load(config)
    assert spec.options["link"] == "https://data.humdata.org/organization/ocha-turkey"
    with pytest.raises(SourceError, match="the package read, .syria-idp-sites-2019., does not end in a month"):
        pipeline.resolved(spec, tmp_path / "cache", False, settings)
    config.write_text(config.read_text(encoding="utf-8").replace("syria-idp-sites-*", "syria-idp-flow-data-*"),
                      encoding="utf-8")
    [spec] = sources.load(config)
    chosen = pipeline.resolved(spec, tmp_path / "cache", False, settings)
    assert (chosen.hdx["package"], chosen.constants["period"]) == (FLOWS, "2019-01")
    assert chosen.options["link"] == f"https://data.humdata.org/dataset/{FLOWS}"
    offline = pipeline.resolved(spec, tmp_path / "cache", True, settings)
    assert offline == chosen and hits.count("/api/3/action/package_search?fq=organization:ocha-turkey"
                                            "&rows=1000&sort=metadata_created%20desc") == 2  # the offline one from the cache


def test_a_year_constant_is_the_year_in_the_chosen_files_name(replay, tmp_path):
    assert [ckan.year_of(n) for n in ("syr_hpc_needs_api_2024.csv", "hno_2019-2020_v3.xlsx", "needs.csv")] == [
        "2024", "2020", None]
    base, _ = replay
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5, cache_dir=tmp_path / "cache", hdx_base=base)
    spec = next(s for s in sources.load(DATA_DIR / "sources-online.toml") if s.name == "hno-syria")
    assert pipeline.resolved(spec, settings.cache_dir, False, settings).constants["period"] == "2024"
    workbook = replace(spec, hdx={**spec.hdx, "formats": ["XLSX"], "resource": None})
    assert pipeline.resolved(workbook, settings.cache_dir, False, settings).constants["period"] == "2024"
    undated = replace(spec, hdx={**spec.hdx, "package": "cod-ab-syr", "formats": ["XLSX"], "resource": "tabular"})
    with pytest.raises(SourceError, match="period = 'hdx:year': the file read, 'syr_adminboundaries_tabulardata.xlsx', "
                                          "has no year in its name"):
        pipeline.resolved(undated, settings.cache_dir, False, settings)
