"""The whole pipeline on the real files in ../shared/data (skipped when absent): COD-AB, OCHA
communities and CCCM camps, the November 2022 monthly sheet, HIU crossings, all at once."""
import pytest

from etl import pipeline
from etl.config import SHARED_DATA_DIR, Settings
from etl.core.warehouse import open_live
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    cod = shared_path("syr_cod_ab_uncs_unocha_20201217_shp")
    loc = shared_path("syr_ocha_locations_pcodes")
    sheet = shared_path("nws_monthly_displacement_2022_11", "monthly_displacement_northen_syria_november_2022.xlsx")
    hiu = shared_path("hiu_syria_sites_2015", "Syria_BorderCrossings_2015Apr16_HIU_USDoS.zip")
    tmp = tmp_path_factory.mktemp("real")
    config = tmp / "sources.toml"
    config.write_text(f"""extends_default = true
[[source]]
name = "cod-ab-syr"
adapter = "cod_ab"
path = "{cod}"
organisation = "OCHA / UN Cartographic Section"
title = "Syrian Arab Republic - Subnational Administrative Boundaries (COD-AB)"
published = "2020-12-17"
[[source]]
name = "ocha-communities"
adapter = "locations"
path = "{loc / 'Locations.xlsx'}"
organisation = "OCHA"
title = "Syria P-coded locations"
[[source]]
name = "cccm-camps"
adapter = "locations"
path = "{loc / 'camp_pcodes.csv'}"
organisation = "CCCM Cluster"
title = "Camp and site P-codes"
[[source]]
name = "nws-monthly-2022-11"
adapter = "monthly_sheet"
path = "{sheet}"
organisation = "ACU (probable producer)"
title = "Northern Syria monthly displacement, November 2022"
[[source]]
name = "hiu-crossings"
adapter = "hiu"
path = "{hiu}"
organisation = "U.S. Department of State, Humanitarian Information Unit"
title = "Syria border crossings"
published = "2015-04-16"
""", encoding="utf-8")
    settings = Settings(warehouse_dir=tmp / "wh", keep_versions=2, data_dirs=(SHARED_DATA_DIR,))
    _, issues = pipeline.run(settings, config=config)
    return open_live(tmp / "wh"), issues


def test_cod_ab_replaces_natural_earth_governorates(real):
    live, _ = real
    admin = live.read("admin_areas")
    assert admin.groupby("level")["pcode"].nunique().to_dict() == {0: 1, 1: 14, 2: 62, 3: 272}
    assert admin["pcode"].is_unique
    assert set(admin["source_id"]) == {"cod-ab-syr"}
    idleb3 = admin[(admin["level"] == 3) & admin["pcode"].str.startswith("SY07")]
    assert len(idleb3) == 26 and idleb3["name_ar"].notna().all()


def test_every_monthly_sheet_row_is_joined_or_reported(real):
    live, issues = real
    stock = live.read("idp_stock")
    idps = stock[(stock["source_id"] == "nws-monthly-2022-11") & (stock["unit"] == "idps")]
    rows = {int(f.split(":")[1]) for f in idps["fact_id"]}
    reported = {p.row for p in issues.problems if p.file.startswith("monthly_displacement")}
    assert rows | reported == set(range(2, 2776))  # header row 1, 2,774 communities
    disp = live.read("displacement")
    sheet = disp[disp["source_id"] == "nws-monthly-2022-11"]
    assert sheet["pcode"].str.fullmatch(r"SY\d{6}").all()
    assert set(sheet["pcode"].str.slice(0, 4)) <= set(live.read("admin_areas")["pcode"])


def test_hiu_crossings_load_as_crossings(real):
    live, _ = real
    crossings = live.read("crossings")
    hiu = crossings[crossings["source_id"] == "hiu-crossings"]
    assert len(hiu) == 29
    assert {"Bab al-Hawa", "Bab al-Salam", "Jarablus", "Atmeh"} <= set(hiu["name_en"])
    assert (hiu["precision"] == "crossing").all() and hiu.geometry.notna().all()


def test_camps_are_placed_through_their_community_or_reported(real):
    live, issues = real
    locations = live.read("locations")
    camps = locations[locations["source_id"] == "cccm-camps"]
    assert len(camps) > 1300
    placed = camps["location_precision"] == "parent_community"
    assert placed.mean() > 0.9
    unplaced = set(camps.loc[~placed, "location_pcode"])
    reported = {p.value for p in issues.problems if p.table == "locations"} | {
        p.reason.split(":")[0].removeprefix("camp ") for p in issues.problems if p.table == "locations"}
    assert unplaced <= reported
    communities = locations[locations["source_id"] == "ocha-communities"]
    assert len(communities) == 7693 and (communities["adm1_pcode"] == "SY07").sum() == 688
