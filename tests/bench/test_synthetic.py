"""bench.synthetic at a small size: counts, labels, geometry, contracts, provenance."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from bench import synthetic
from etl import contracts
from etl.core.contracts import Contract
from etl.core.issues import Issues
from tests.bench.conftest import EVENTS, MOVES, SEED, YEARS
from tests.conftest import shared_path
from tests.etl.adapters.helpers import assert_conforms as conforms

SYNTHETIC_IDS = set(synthetic.SOURCE_IDS.values())


def assert_conforms(frame: pd.DataFrame, contract: Contract) -> None:
    """The contract's columns pass the contract again, as the adapters' outputs must."""
    conforms(pd.DataFrame(frame[contract.names]).reset_index(drop=True), contract)


@pytest.fixture(scope="module")
def tables(small_synthetic):
    _, version = small_synthetic
    return {name: version.read(name) for name in version.manifest["tables"]}


def test_row_counts_and_admin_levels(tables):
    assert len(tables["events"]) == EVENTS
    flows = tables["displacement"][tables["displacement"]["direction"] == "flow"]
    assert len(flows[flows["source_id"] == synthetic.SOURCE_IDS["moves"]]) == MOVES
    levels = tables["admin_areas"].groupby("level").size().to_dict()
    assert levels == {0: 1, 1: 14, 2: 62, 3: 272}
    assert len(tables["admin_areas_web"]) == len(tables["admin_areas"])


def test_every_synthetic_row_cites_a_loudly_synthetic_source(tables):
    sources = tables["sources"].set_index("source_id")
    synthetic_rows = [
        tables["events"]["source_id"],
        tables["displacement"].loc[tables["displacement"]["fact_id"].str.startswith("SYNTHETIC"), "source_id"],
        tables["admin_areas"].loc[tables["admin_areas"]["level"] >= 2, "source_id"],
    ]
    for ids in synthetic_rows:
        assert set(ids) <= SYNTHETIC_IDS
    for sid in SYNTHETIC_IDS:
        row = sources.loc[sid]
        assert row["organisation"] == "SYNTHETIC DATA (benchmark, not real)"
        assert "SYNTHETIC" in row["title"] and "not real" in row["title"]
        assert row["url"].startswith("https://example.invalid/")
    assert (tables["events"]["notes"].str.contains("SYNTHETIC")).all()
    assert tables["admin_areas"].loc[tables["admin_areas"]["level"] == 3, "name_en"].str.startswith("Synthetic").all()


def test_real_rows_keep_their_real_sources_and_every_cited_source_is_listed(tables):
    sources = tables["sources"].set_index("source_id")
    cited = set()
    for name in ("countries", "border", "crossings", "places", "timeline", "casualties", "refugees", "idp_stock",
                 "displacement", "events", "admin_areas"):
        cited |= set(tables[name]["source_id"].dropna())
    assert cited <= set(sources.index)
    for name in ("casualties", "refugees", "timeline", "idp_stock"):
        orgs = sources.loc[sorted(set(tables[name]["source_id"])), "organisation"]
        assert len(orgs) and not orgs.str.contains("SYNTHETIC").any(), name
    assert_conforms(tables["sources"], contracts.SOURCES)


def test_events_conform_to_the_events_contract(tables):
    events = tables["events"]
    assert list(events.columns) == [*contracts.EVENTS.names, "geometry", "adm1_pcode", "adm2_pcode", "adm3_pcode"]
    assert_conforms(events, contracts.EVENTS)
    assert events["event_id"].is_unique
    keys = events[["date_start", "event_id"]]
    assert keys.equals(keys.sort_values(["date_start", "event_id"]).reset_index(drop=True))
    assert set(events["dataset"]) == {"ACLED", "UCDP"}
    acled = events[events["dataset"] == "ACLED"]
    assert set(acled["event_type"]) <= set(synthetic.ACLED_TYPES)
    assert events["date_start"].min() >= pd.Timestamp("2024-12-31") - pd.DateOffset(years=YEARS)
    assert events["date_end"].max() <= pd.Timestamp("2024-12-31") + pd.Timedelta(days=3)


def test_points_lie_inside_their_sub_district(tables):
    events, admin = tables["events"], tables["admin_areas"]
    polygons = admin[admin["level"] == 3].set_index("pcode").geometry
    inside = shapely.contains(polygons.loc[events["adm3_pcode"]].to_numpy(), events.geometry.to_numpy())
    assert inside.all()
    assert np.allclose(events.geometry.x, events["lon"].astype(float)) and np.allclose(events.geometry.y, events["lat"].astype(float))
    assert (events["adm2_pcode"] == events["adm3_pcode"].str.slice(0, 6)).all()
    assert (events["adm1_pcode"] == events["adm3_pcode"].str.slice(0, 4)).all()
    per_governorate = events["adm1_pcode"].value_counts()
    assert per_governorate.index[0] == "SY07"  # Idleb weighs most


def test_ucdp_rows_have_low_best_high_in_order(tables):
    events = tables["events"]
    ucdp, acled = events[events["dataset"] == "UCDP"], events[events["dataset"] == "ACLED"]
    assert len(ucdp) > 0
    assert ucdp[["fatalities_low", "fatalities", "fatalities_high"]].notna().all().all()
    assert (ucdp["fatalities_low"] <= ucdp["fatalities"]).all() and (ucdp["fatalities"] <= ucdp["fatalities_high"]).all()
    assert ucdp["violence_type"].isin([1, 2, 3]).all()
    assert acled["fatalities_low"].isna().all() and acled["violence_type"].isna().all()


def test_moves_are_monthly_flows_between_existing_sub_districts(tables):
    displacement = tables["displacement"]
    assert_conforms(displacement, contracts.DISPLACEMENT)
    flows = displacement[displacement["source_id"] == synthetic.SOURCE_IDS["moves"]]
    sub_districts = set(tables["admin_areas"].loc[tables["admin_areas"]["level"] == 3, "pcode"])
    assert set(flows["origin_pcode"]) <= sub_districts and set(flows["dest_pcode"]) <= sub_districts
    assert (flows["origin_pcode"] != flows["dest_pcode"]).all()
    assert (flows[["direction", "unit", "measure", "kind"]] == ["flow", "displacements", "period", "observation"]).all().all()
    assert (flows["period_start"].dt.day == 1).all()
    assert (flows["period_end"] == flows["period_start"] + pd.offsets.MonthEnd(0)).all()
    assert (flows["value"] >= 1).all() and flows["fact_id"].is_unique


def test_destinations_lean_toward_the_border(tables):
    admin = tables["admin_areas"]
    sub = admin[admin["level"] == 3].sort_values("pcode").reset_index(drop=True)
    km = pd.Series(synthetic.border_km(sub, tables["border"]), index=sub["pcode"])
    flows = tables["displacement"][tables["displacement"]["source_id"] == synthetic.SOURCE_IDS["moves"]]
    assert km.loc[flows["dest_pcode"]].median() < km.loc[flows["origin_pcode"]].median()


def test_manifest_names_the_generator_and_the_real_files(small_synthetic):
    _, version = small_synthetic
    tables = version.manifest["tables"]
    assert any("bench/synthetic.py" in s["path"] for s in tables["events"]["sources"])
    assert any("figures" in s["path"] for s in tables["casualties"]["sources"])


def test_same_seed_gives_the_same_events(tables):
    admin = tables["admin_areas"]
    sub, names = admin[admin["level"] == 3], dict(zip(admin["pcode"], admin["name_en"]))
    a = synthetic.synthetic_events(sub, names, 300, 2, np.random.default_rng(SEED))
    b = synthetic.synthetic_events(sub, names, 300, 2, np.random.default_rng(SEED))
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))


def test_allocate_keeps_the_total_and_the_minimum():
    counts = synthetic.allocate(np.array([1.0, 5.0, 0.1, 20.0]), 30, minimum=2)
    assert counts.sum() == 30 and counts.min() >= 2
    with pytest.raises(ValueError, match="at least 2"):
        synthetic.allocate(np.ones(4), 5, minimum=2)


def test_bad_sizes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="expected events >= 0"):
        synthetic.generate(tmp_path, events=-1)


@pytest.mark.shared
def test_cod_ab_areas_are_read_when_present():
    path = shared_path("syr_cod_ab_uncs_unocha_20201217_shp")
    admin, web, source, files = synthetic.cod_ab_areas(path, Issues())
    assert admin.groupby("level").size().to_dict() == {0: 1, 1: 14, 2: 62, 3: 272}
    assert source["organisation"].iloc[0].startswith("OCHA") and len(files) > 0
    assert len(web) == len(admin)
