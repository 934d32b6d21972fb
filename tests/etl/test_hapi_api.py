"""HDX HAPI's conflict events (etl/core/hapi_api.py) against a replay on 127.0.0.1 of SYNTHETIC
records (tests/etl/hapi_replay.py): paged by offset, read by the `acled` adapter into
events_aggregated, replayed offline; the app identifier is sent as a header and written nowhere."""
from __future__ import annotations

import pytest

from etl import pipeline, sources
from etl.config import DATA_DIR, Settings
from etl.core.issues import SourceError
from tests.etl.hapi_replay import IDENTIFIER, PAGE_CAP


def spec(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "hapi-conflict"\nadapter = "acled"\napi = "hapi-conflict-events"\n'
                      'organisation = "HDX HAPI"\ntitle = "Conflict events (synthetic replay)"\n', encoding="utf-8")
    [found] = sources.load(config)
    return found


def settings(tmp_path, base, identifier=IDENTIFIER):
    return Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, cache_dir=tmp_path / "cache", hapi_base=base,
                    hapi_identifier=identifier)


def test_pages_by_offset_into_the_aggregated_events_and_offline(hapi, tmp_path, capfd):
    got, _, _ = pipeline.read_source(spec(tmp_path), settings(tmp_path, hapi["base"]), offline=False)
    table = got["events_aggregated"]
    n = len(hapi["records"])
    assert n > PAGE_CAP  # more than one page
    assert hapi["hits"] == list(range(0, n, PAGE_CAP)) + [n]  # each page from the last one's end, then an empty one
    # the same rows as the adapter reads from HAPI's CSV download (tests/etl/test_layouts.py)
    assert table[["pcode", "event_type", "events"]].values.tolist() == [
        ["SY0702", "political_violence", 112], ["SY0703", "civilian_targeting", 7]]
    asked = len(hapi["hits"])
    again, _, _ = pipeline.read_source(spec(tmp_path), settings(tmp_path, hapi["base"], identifier=""), offline=True)
    assert len(hapi["hits"]) == asked and len(again["events_aggregated"]) == len(table)
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert IDENTIFIER.encode() not in path.read_bytes(), path
    out, err = capfd.readouterr()
    assert IDENTIFIER not in out + err


def test_a_refused_identifier_names_the_variable(hapi, tmp_path):
    with pytest.raises(SourceError) as caught:
        pipeline.read_source(spec(tmp_path), settings(tmp_path, hapi["base"], identifier="bm9wZQ=="), offline=False)
    assert "403" in str(caught.value) and "HDX_HAPI_APP_IDENTIFIER" in str(caught.value)
    assert "bm9wZQ==" not in str(caught.value)


def test_no_identifier_online_is_named_before_anything_is_asked(hapi, tmp_path):
    with pytest.raises(SourceError, match="no app identifier: set HDX_HAPI_APP_IDENTIFIER"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, hapi["base"], identifier=""), offline=False)
    assert hapi["hits"] == []


def test_idps_are_read_through_the_online_files_mapping_into_idp_stock(hapi, tmp_path):
    """HAPI's IDPs endpoint, mapped as data/sources-online.toml maps it (the table adapter): one stock
    per area and round, dated the round's last day, admin 1 rows without an admin 2 code kept at admin 1."""
    spec = next(s for s in sources.load(DATA_DIR / "sources-online.toml") if s.name == "hapi-idps")
    got, _, issues = pipeline.read_source(spec, settings(tmp_path, hapi["base"]), offline=False)
    stock = got["idp_stock"]
    assert len(stock) == len(hapi["idps"]) == 9 and not issues.problems
    assert set(stock["unit"]) == {"idps"}
    by = {(r.pcode, str(r.date)[:10]): r.value for r in stock.itertuples()}
    assert by[("SY0703", "2024-03-31")] == 103_000 and by[("SY07", "2024-02-29")] == 252_000
    assert hapi["idp_hits"] == [0, 2, 4, 6, 8, 9]  # two a page, then the empty page


def test_every_hapi_endpoint_is_a_known_api_of_the_sources_file():
    from etl.core.apis import APIS
    from etl.core.hapi_api import ENDPOINTS

    assert set(ENDPOINTS) <= set(APIS) and all("location" in APIS[api].options for api in ENDPOINTS)


def test_needs_keep_the_people_in_need_of_the_whole_population(hapi, tmp_path):
    """HAPI's humanitarian needs mapped as data/sources-online.toml maps them: the replay answers every
    status and category; only INN of the whole population reach the needs table, one row per HNO
    year, district and sector, never a group added to its own total."""
    spec = next(s for s in sources.load(DATA_DIR / "sources-online.toml") if s.name == "hapi-needs")
    got, _, issues = pipeline.read_source(spec, settings(tmp_path, hapi["base"]), offline=False)
    needs = got["needs"]
    assert len(needs) == 8 and not issues.problems
    by = {(r.pcode, r.sector, str(r.period_start)[:4]): r.people_in_need for r in needs.itertuples()}
    assert by[("SY0703", "Intersectoral", "2024")] == 400_024 and by[("SY0700", "Health", "2023")] == 240_023
    assert all("population_status=INN" in "&".join(f"{k}={v}" for k, v in q.items()) for q in hapi["needs_asked"])


def test_needs_without_a_whole_population_category_name_the_categories_seen(hapi, tmp_path):
    for record in hapi["needs"]:
        record["category"] = "Adults" if record["category"] == "total" else record["category"]
    spec = next(s for s in sources.load(DATA_DIR / "sources-online.toml") if s.name == "hapi-needs")
    with pytest.raises(SourceError, match=r"no INN records of the whole population for SYR; its categories: "
                                          r"Adults, Children - Female \(option category may name"):
        pipeline.read_source(spec, settings(tmp_path, hapi["base"]), offline=False)
