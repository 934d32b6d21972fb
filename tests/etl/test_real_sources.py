"""The whole pipeline on the real files in ../shared/data (skipped when absent), all at once (the
README's worked example, docs/shared-data-sources.toml): COD-AB, OCHA communities and CCCM camps,
the November 2022 monthly sheet, HIU crossings and sites, OCHA's IDP movements, UCDP."""
import pytest

from etl.core.warehouse import open_live

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def real(shared_warehouse):
    """(live warehouse, the run's issues) of the session's warehouse from every real file in
    ../shared/data (tests/conftest.py; skipped when absent), built once for this module and the
    browser tests instead of once each."""
    root, issues = shared_warehouse
    return open_live(root), issues


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
    # OCHA's communities; in the worked example its derivative with areas of control (the same
    # 7,693 P-codes, a later source) carries them
    communities = locations[locations["source_id"].isin(["ocha-communities", "ocha-communities-aoc"])]
    assert len(communities) == 7693 and (communities["adm1_pcode"] == "SY07").sum() == 688
