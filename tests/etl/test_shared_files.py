"""Every real file in ../shared/data, read as README's worked example reads it
(docs/shared-data-sources.toml), one test per file: the rows loaded, the rows rejected with their
reasons, and five values checked against the file itself, read here with plain readers (openpyxl,
csv, pyogrio) rather than the project's adapters. Figures quoted from the files' SOURCE.txt are
checked too. Skipped when ../shared/data is absent (it is only on project machines)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest

from etl import pipeline, sources
from etl.config import ROOT, SHARED_DATA_DIR, Settings
from etl.core.warehouse import open_live
from tests.conftest import shared_path

pytestmark = pytest.mark.shared
CONFIG = ROOT / "docs" / "shared-data-sources.toml"
COD_AB = "syr_cod_ab_uncs_unocha_20201217_shp"
NOT_DATA = {"README.md", "SOURCE.txt", "ged191.pdf"}  # descriptions and UCDP's codebook
OUT_OF_REGION = {("lat", "expected a value >= 32"), ("lat", "expected a value <= 38.5"),
                 ("lon", "expected a value >= 35"), ("lon", "expected a value <= 42.5")}


@pytest.fixture(scope="module")
def specs():
    shared_path()
    return {s.name: s for s in sources.load(CONFIG, data_dirs=(SHARED_DATA_DIR,))}


_READS: dict = {}


@pytest.fixture(scope="module")
def read(specs, tmp_path_factory):
    """One source of the worked example read by its adapter: (tables, issues)."""
    settings = Settings(warehouse_dir=tmp_path_factory.mktemp("unused"), keep_versions=1, data_dirs=(SHARED_DATA_DIR,))

    def go(name: str):
        if name not in _READS:
            tables, _, issues = pipeline.read_source(specs[name], settings, offline=True)
            _READS[name] = (tables, issues)
        return _READS[name]
    return go


def rejected(issues) -> dict[int, set]:
    """row -> {(column, reason)} of the rows rejected."""
    out: dict[int, set] = {}
    for p in issues.problems:
        if not p.kept:
            out.setdefault(p.row, set()).add((p.column, p.reason))
    return out


def kept_with_note(issues) -> dict[int, set]:
    out: dict[int, set] = {}
    for p in issues.problems:
        if p.kept:
            out.setdefault(p.row, set()).add((p.column, p.reason))
    return out


def sheet_rows(path: Path, sheet: str | int = 0) -> list[tuple]:
    """Every row of a sheet as published (row n of the file is item n - 1)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def records(rows: list[tuple], header_row: int = 1) -> dict[int, dict]:
    """file row number -> {header: value} for the rows below the header."""
    header = [str(h) if h is not None else "" for h in rows[header_row - 1]]
    return {n: dict(zip(header, r)) for n, r in enumerate(rows[header_row:], start=header_row + 1)
            if any(v not in (None, "") for v in r)}


def csv_records(path: Path) -> dict[int, dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return dict(enumerate(csv.DictReader(f), start=2))


def by(frame: pd.DataFrame, column: str) -> dict:
    return {k: r for k, r in zip(frame[column], frame.to_dict("records"))}


def test_every_data_file_in_shared_data_is_in_the_worked_example_and_tested(specs):
    named = [Path(s.path).resolve() for s in specs.values() if s.path and not str(s.path).startswith("package:")]
    files = [p for p in SHARED_DATA_DIR.rglob("*") if p.is_file() and p.name not in NOT_DATA]
    missing = [str(p.relative_to(SHARED_DATA_DIR)) for p in files
               if not any(p.resolve() == n or n in p.resolve().parents for n in named)]
    assert not missing, f"files in ../shared/data that docs/shared-data-sources.toml does not load: {missing}"
    tested = {COD_AB, "Locations.xlsx", "locations_aoc.csv", "camp_pcodes.csv", "idp_1.xlsx", "ged_syria.csv.zip",
              "monthly_displacement_northen_syria_november_2022.xlsx", "ged191-sample-download.zip",
              "conflict_data_BGD.csv", "Syria_BorderCrossings_2015Apr16_HIU_USDoS.zip",
              "Syria_IDPSites_2015Apr16_HIU_USDoS.zip", "Syria_RefugeeSites_2015Apr16_HIU_USDoS.zip"}
    assert {p.name if COD_AB not in p.parts else COD_AB for p in files} == tested  # a new file needs its test below


# ---- boundaries, P-codes, places ---------------------------------------------------------------------

def test_cod_ab_boundaries(read):
    folder = shared_path(COD_AB)
    tables, issues = read("cod-ab-syr")
    admin = tables["admin_areas"]
    layers = {n: pyogrio.read_dataframe(folder / f"syr_admbnda_adm{n}_uncs_unocha_20201217.shp", read_geometry=False)
              for n in range(4)}
    assert len(admin) == sum(len(f) for f in layers.values()) == 1 + 14 + 62 + 272  # every feature of adm0-3
    assert issues.problems == []  # none rejected
    got = by(admin, "pcode")
    for level, pcode in [(0, "SY"), (1, "SY07"), (2, "SY0702"), (3, "SY070301"), (3, "SY070302")]:
        layer = layers[level]
        row = layer[layer[f"ADM{level}_PCODE"] == pcode].iloc[0]
        assert (got[pcode]["name_en"], got[pcode]["name_ar"]) == (row[f"ADM{level}_EN"], row[f"ADM{level}_AR"])
        assert got[pcode]["parent_pcode"] == (row[f"ADM{level - 1}_PCODE"] if level else None)
    assert got["SY070301"]["name_en"] == "Dana" and got["SY0702"]["name_en"] == "Al Ma'ra"  # SOURCE.txt


@pytest.mark.parametrize(("source", "name", "columns"), [
    ("ocha-communities", "Locations.xlsx",
     ("Location_Pcode", "LocationName_en", "LocationName_ar", "admin3Pcode", "Latitude_y", "Longitude_x")),
    ("ocha-communities-aoc", "locations_aoc.csv",
     ("location_pcode", "location_name_en", "location_name_ar", "admin3pcode", "latitude_y", "longitude_x")),
])
def test_ocha_communities(read, source, name, columns):
    path = shared_path("syr_ocha_locations_pcodes", name)
    rows = records(sheet_rows(path)) if name.endswith(".xlsx") else csv_records(path)
    tables, issues = read(source)
    loc = tables["locations"]
    assert len(loc) == len(rows) == 7693 and issues.problems == []
    assert (loc["kind"] == "community").all()
    code, en, ar, adm3, lat, lon = columns
    in_file = {r[code]: r for r in rows.values()}
    got = by(loc, "location_pcode")
    idleb = sorted(p for p, r in in_file.items() if str(r[adm3]).startswith("SY07"))
    assert len(idleb) == 688  # SOURCE.txt: 688 Idleb communities
    for pcode in ["C1001", "C4127", "C6069", idleb[0], idleb[-1]]:
        r, g = in_file[pcode], got[pcode]
        assert (g["name_en"], g["name_ar"], g["adm3_pcode"]) == (r[en], r[ar], r[adm3])
        assert g["lat"] == pytest.approx(float(r[lat]), abs=1e-6) and g["lon"] == pytest.approx(float(r[lon]), abs=1e-6)


def test_cccm_camp_pcodes(read):
    rows = csv_records(shared_path("syr_ocha_locations_pcodes", "camp_pcodes.csv"))
    tables, issues = read("cccm-camps")
    loc = tables["locations"]
    not_coded = {n for n, r in rows.items() if r["Location_Pcode"].strip() in ("", "N/A")}
    assert len(rows) == 1491 and len(loc) == len(rows) - len(not_coded) == 1485
    assert rejected(issues) == {n: {("location_pcode", "expected a P-code (C1234, CP123456) or a source's own site id "
                                     "such as HIU-aqrabat-sw")} for n in not_coded}
    assert {p.value for p in issues.problems} == {"N/A"}
    got = by(loc, "location_pcode")
    in_file = {r["Location_Pcode"]: r for r in rows.values()}
    for pcode in ["CP000003", "CP000004", "CP000005", "CP000613", sorted(got)[-1]]:
        r, g = in_file[pcode], got[pcode]
        assert g["parent_pcode"] == r["admin4Pcode"] and g["kind"] == "site"
        assert g["name_en"] == re.split(r"\s*/\s*", r["LocationName_en"])[0].strip()  # 'English / Arabic' in one
    assert (got["CP000613"]["name_en"], got["CP000613"]["name_ar"]) == ("Al Ezza", "العزة")


def hiu(name: str):
    return pyogrio.read_dataframe(f"zip://{shared_path('hiu_syria_sites_2015', name)}")


def test_hiu_border_crossings(read):
    layer = hiu("Syria_BorderCrossings_2015Apr16_HIU_USDoS.zip")
    tables, issues = read("hiu-crossings")
    crossings = tables["crossings"]
    assert len(crossings) == len(layer) == 29 and issues.problems == []
    got = {r["name_en"]: r for r in crossings.to_dict("records")}
    for name in ["Bab al-Hawa", "Bab al-Salam", "Atmeh", "Jarablus", "Tal Abyad"]:
        r = layer[layer["NAME"].str.casefold() == name.casefold()].iloc[0]
        g = got[r["NAME"]]
        assert (g["geometry"].x, g["geometry"].y) == pytest.approx((r["LONG_DD"], r["LAT_DD"]), abs=1e-6)


def test_hiu_idp_sites(read):
    layer = hiu("Syria_IDPSites_2015Apr16_HIU_USDoS.zip")
    tables, issues = read("hiu-idp-sites")
    loc = tables["locations"]
    assert len(loc) == len(layer) == 42 and rejected(issues) == {}
    assert set(loc["kind"]) == {"site"}
    idleb = layer[layer["PCODE"].fillna("").str.startswith("SY07")]
    assert len(idleb) == 21  # SOURCE.txt
    for r in idleb.head(5).itertuples():
        g = loc[(loc["lat"] - r.LAT_DD).abs().lt(1e-6) & (loc["lon"] - r.LONG_DD).abs().lt(1e-6)].iloc[0]
        assert (g["adm3_pcode"], g["parent_pcode"]) == (r.PCODE[:8], r.PCODE[8:])  # SY070301C4127
        assert g["name_en"].casefold() == r.NAME.strip().casefold()


def test_hiu_refugee_sites(read, shared_warehouse):
    layer = hiu("Syria_RefugeeSites_2015Apr16_HIU_USDoS.zip")
    tables, issues = read("hiu-refugee-sites")
    loc = tables["locations"]
    assert len(layer) == 41 and layer["COUNTRY"].value_counts().to_dict() == {"Turkey": 25, "Iraq": 10, "Jordan": 6}
    # a feature's row is its position in the layer from 1 (the shapefile's FID + 1), as the adapter says
    outside = {n: r for n, r in enumerate(layer.itertuples(), start=1)
               if not (32 <= r.LAT <= 38.5 and 35 <= r.LONG <= 42.5)}  # beyond the region the dashboard covers
    assert len(loc) == len(layer) - len(outside) == 31
    reasons = rejected(issues)
    assert set(reasons) == set(outside) and all(r <= OUT_OF_REGION for r in reasons.values())
    assert outside[2].NAME == "Arbat Camp"  # Iraq, east of the region
    assert {p.value for p in issues.problems if p.row == 2 and p.column == "lon"} == {f"{outside[2].LONG:.6f}"}
    assert set(loc["kind"]) == {"refugee_camp"}
    for r in [r for n, r in enumerate(layer.itertuples(), start=1) if n not in outside][:5]:
        g = loc[(loc["lat"] - r.LAT).abs().lt(1e-6) & (loc["lon"] - r.LONG).abs().lt(1e-6)]
        assert len(g) == 1, r.NAME
    # camps in the neighbouring countries: none given a Syrian P-code (Kilis-Elbeyli lies 851 m inside Türkiye)
    published = open_live(shared_warehouse[0]).read("locations")
    camps = published[published["source_id"] == "hiu-refugee-sites"]
    assert len(camps) == 31 and camps["adm1_pcode"].isna().all() and "HIU-kilis-elbeyli" in set(camps["location_pcode"])


# ---- displacement ------------------------------------------------------------------------------------

def test_nws_monthly_displacement_november_2022(read):
    path = shared_path("nws_monthly_displacement_2022_11", "monthly_displacement_northen_syria_november_2022.xlsx")
    rows = records(sheet_rows(path))
    tables, issues = read("nws-monthly-2022-11")
    stock, moves = tables["idp_stock"], tables["displacement"]
    assert len(rows) == 2774 and issues.problems == []
    assert len(stock) == 2 * len(rows) and len(moves) == 3 * len(rows)  # population and IDPs; in, out, returns
    facts = {(f.split(":")[1], f.split(":")[2]): v for f, v in zip([*stock["fact_id"], *moves["fact_id"]],
                                                                   [*stock["value"], *moves["value"]])}
    idps, arrived = " IDPs (Individuals)", " New IDPs arrived last 30 days(Individuals)"
    idleb = [n for n, r in rows.items() if r["Admin1"] == "SY07"]
    assert len(idleb) == 312  # SOURCE.txt
    assert sum(facts[(str(n), "idps")] for n in idleb) == sum(rows[n][idps] for n in idleb) == 1_662_153
    for n in [2, 3, idleb[0], idleb[-1], max(rows)]:
        r = rows[n]
        assert facts[(str(n), "idps")] == r[idps]
        assert facts[(str(n), "population")] == r[" Population (Individuals)"]
        assert facts[(str(n), "arrivals")] == r[arrived]
    assert set(stock.loc[stock["fact_id"] == "nws-monthly-2022-11:2:idps", "pcode"]) == {rows[2]["Admin4"]}


IDP_1 = ("ocha_idp_movements_2019_01", "idp_1.xlsx")


def test_ocha_idp_arrivals_by_community_january_2019(read):
    rows = records(sheet_rows(shared_path(*IDP_1), "December_IDPflow"))
    tables, issues = read("ocha-idp-arrivals-2019-01")
    arrivals = tables["displacement"]
    assert len(arrivals) == len(rows) == 541 and issues.problems == []
    got = {int(f.split(":")[1]): r for f, r in zip(arrivals["fact_id"], arrivals.to_dict("records"))}
    totals = Counter()
    for r in rows.values():
        totals[r["Mohafaza PCODE"]] += r["IDP_Flow_Estimation"]
    assert round(totals["SY07"]) == 32_057 and round(sum(totals.values())) == 110_925  # SOURCE.txt
    assert arrivals.loc[arrivals["pcode"].str.startswith("SY07"), "value"].sum() == 32_057
    idleb = [n for n, r in rows.items() if r["Mohafaza PCODE"] == "SY07"]
    for n in [2, 3, idleb[0], idleb[-1], max(rows)]:
        r, g = rows[n], got[n]
        assert g["value"] == round(r["IDP_Flow_Estimation"])
        assert (g["location_pcode"], g["pcode"]) == (r["Community PCODE"], r["Nahya PCODE"])
        assert (g["period_start"], g["direction"]) == (pd.Timestamp("2019-01-01"), "arrivals")


def test_ocha_idp_origin_by_arrival_matrix_january_2019(read, shared_warehouse):
    rows = sheet_rows(shared_path(*IDP_1), "Table-Origin_vs_Departure")
    header = list(rows[0])
    governorates = header[1:-1]
    origins = {n: r for n, r in enumerate(rows[1:], start=2) if r[0] not in (None, "Grand Total")}
    tables, issues = read("ocha-idp-flows-2019-01")
    flows = tables["displacement"]
    assert len(flows) == len(origins) * len(governorates) == 15 * 14  # 'Unknown' origin included
    assert rejected(issues) == {}
    # Aleppo's published total was edited to 3 in this copy (SOURCE.txt): kept with a note
    assert kept_with_note(issues) == {2: {("Grand Total", "published total differs from the sum of the row's "
                                                          "figures; figures kept as published")}}
    value = {(f.split(":")[1], f.split(":")[2]): v for f, v in zip(flows["fact_id"], flows["value"])}
    cell = {(str(n), g): r[header.index(g)] for n, r in origins.items() for g in governorates}
    named = {r[0]: str(n) for n, r in origins.items()}
    for origin, dest, published in [("Hama", "Idleb", 1537), ("Aleppo", "Idleb", 2273), ("Idleb", "Aleppo", 6366),
                                    ("Idleb", "Idleb", 28246), ("Deir-ez-Zor", "Deir-ez-Zor", None)]:
        key = (named[origin], dest)
        assert value[key] == round(cell[key] or 0)
        assert published is None or value[key] == published
    # through the run: the 'Unknown' origin cannot be placed, so its row is left out and reported
    root, run_issues = shared_warehouse
    moves = open_live(root).read("displacement")
    published_flows = moves[moves["source_id"] == "ocha-idp-flows-2019-01"]
    assert len(published_flows) == len(flows) - len(governorates)
    [unknown] = [p for p in run_issues.problems if "a flow needs both" in p.reason]
    assert (unknown.file, unknown.row, unknown.column, unknown.value) == (
        "idp_1.xlsx, sheet 'Table-Origin_vs_Departure'", int(named["Unknown"]), "Origin", "Unknown")
    assert published_flows["origin_pcode"].notna().all() and published_flows["dest_pcode"].notna().all()


def test_ocha_idp_monthly_arrivals_since_2016(read):
    rows = sheet_rows(shared_path(*IDP_1), "IDPFlow_Summarysince2016")
    years, months = rows[0], rows[1]
    columns, year = {}, None
    for i, (y, m) in enumerate(zip(years, months)):
        year = y if y is not None else year
        if i and m and not str(m).startswith("Total"):
            columns[f"{year} {m}"] = i
    governorates = {n: r for n, r in enumerate(rows[2:], start=3)
                    if r[0] and r[0] != "Grand Total" and not str(r[0]).startswith("Average")}
    blank = [n for n, r in enumerate(rows[2:], start=3) if r[0] is None and any(v is not None for v in r[1:])]
    tables, issues = read("ocha-idp-monthly-2016-2019")
    monthly = tables["displacement"]
    published = [m for m, i in columns.items() if any(r[i] not in (None, "") for r in governorates.values())]
    assert published[0] == "2016 January" and published[-1] == "2019 January" and len(published) == 37
    filled = sum(1 for r in governorates.values() for i in columns.values() if r[i] not in (None, ""))
    assert len(monthly) == filled == 465
    assert rejected(issues) == {n: {("Governorate", "required value is empty")} for n in blank} and len(blank) == 1
    value = {(f.split(":")[1], f.split(":")[2]): v for f, v in zip(monthly["fact_id"], monthly["value"])}
    row = {r[0]: str(n) for n, r in governorates.items()}
    for gov, month, published in [("Idleb", "2018 January", 184_104), ("Idleb", "2017 December", 142_544),
                                  ("Idleb", "2019 January", 32_057), ("Aleppo", "2016 January", 134_951),
                                  ("Hama", "2016 May", 5_182)]:
        assert value[(row[gov], month)] == round(governorates[int(row[gov])][columns[month]]) == published


# ---- conflict events ---------------------------------------------------------------------------------

def ucdp_rows(path: Path) -> dict[int, dict]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            [name] = [n for n in z.namelist() if n.endswith(".csv")]
            text = z.read(name).decode("utf-8-sig")
    else:
        text = path.read_text(encoding="utf-8-sig")
    rows = dict(enumerate(csv.DictReader(io.StringIO(text)), start=2))
    if rows and str(rows[2].get("year", "")).startswith("#"):  # HDX's hashtag row
        rows = {n: r for n, r in rows.items() if n > 2}
    return rows


def test_ucdp_ged_syria_release(read):
    rows = ucdp_rows(shared_path("ucdp_ged_syria", "ged_syria.csv.zip"))
    tables, issues = read("ucdp-ged-syria")
    events = tables["events"]
    assert len(rows) == len(events) == 16_566 and rejected(issues) == {}
    out_of_order = {n for n, r in rows.items()
                    if not int(r["low"]) <= int(r["best"]) <= int(r["high"])}
    assert set(kept_with_note(issues)) == out_of_order and len(out_of_order) == 101  # issue 13
    got = by(events, "event_id")
    first_idleb = next(r["id"] for r in rows.values() if r["adm_1"].startswith("Idlib"))
    for event in ["219459", rows[2]["id"], first_idleb, rows[max(rows)]["id"], rows[8000]["id"]]:
        r = next(x for x in rows.values() if x["id"] == event)
        g = got[f"UCDP-{event}"]
        assert g["fatalities"] == int(r["best"])
        assert (g["lat"], g["lon"]) == pytest.approx((float(r["latitude"]), float(r["longitude"])), abs=1e-6)
        assert g["date_start"] == pd.Timestamp(r["date_start"][:10])
    weird = got["UCDP-219459"]  # low 177, best 142, high 177 as published
    assert (weird["fatalities"], weird["fatalities_low"], weird["fatalities_high"]) == (142, None, None)
    attributes = tables["event_attributes"]
    conflict = attributes[(attributes["event_id"] == "UCDP-219459") & (attributes["attribute"] == "conflict_name")]
    assert list(conflict["value"]) == [next(x for x in rows.values() if x["id"] == "219459")["conflict_name"]]


@pytest.mark.parametrize(("source", "name"), [
    ("ucdp-ged191-sample", "ged191-sample-download.zip"),
    ("ucdp-hdx-bgd", "conflict_data_BGD.csv"),
])
def test_ucdp_samples_without_syria_are_rejected_for_their_coordinates(read, source, name):
    rows = ucdp_rows(shared_path("ucdp_format_fixtures_no_syria", name))
    tables, issues = read(source)
    assert tables["events"].empty
    reasons = rejected(issues)
    assert set(reasons) == set(rows) and len(rows) in (3194, 601)  # every row, numbered as in the file
    assert all(r <= OUT_OF_REGION for r in reasons.values())
    lat = {p.row: p.value for p in issues.problems if p.column == "lat"}
    for n in sorted(rows)[:3] + sorted(rows)[-2:]:
        assert float(lat[n]) == pytest.approx(float(rows[n]["latitude"]), abs=1e-6)
