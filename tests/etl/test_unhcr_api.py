"""UNHCR's population statistics API (etl/core/unhcr_api.py) against a replay server started here
on 127.0.0.1, answering in the API's documented shape (`page`, `maxPages`, `items` with the
Refugee Data Finder's field names). The figures are SYNTHETIC (made up below, no real count):
what is tested is the paging, the failures and the replay, not UNHCR's numbers."""
from __future__ import annotations

import pytest

from etl import pipeline, sources
from etl.config import Settings
from etl.core.issues import SourceError
from tests.etl.unhcr_replay import YEARS


def spec(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "unhcr-syrians"\nadapter = "unhcr"\napi = "unhcr-population"\n'
                      'organisation = "UNHCR"\ntitle = "Refugee population statistics (synthetic replay)"\n'
                      '[source.options]\nasylum = ["TUR", "LBN"]\nyear_from = 2011\n', encoding="utf-8")
    [found] = sources.load(config)
    return found


def settings(tmp_path, base):
    return Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, cache_dir=tmp_path / "cache", unhcr_base=base)


def test_every_page_of_every_country_of_asylum_is_read_and_replays_offline(unhcr, tmp_path, monkeypatch):
    monkeypatch.setattr("etl.core.fetch.time.sleep", lambda s: None)
    unhcr["faults"] = {("LBN", 2): [(502, b"bad gateway")]}
    got, files, _ = pipeline.read_source(spec(tmp_path), settings(tmp_path, unhcr["base"]), offline=False)
    refugees = got["refugees"]
    assert unhcr["hits"] == [("TUR", 1), ("TUR", 2), ("TUR", 3), ("LBN", 1), ("LBN", 2), ("LBN", 2), ("LBN", 3)]
    counted = refugees[refugees["unit"] == "refugees"]
    assert len(counted) == 2 * len(YEARS)  # each year, each country of asylum, once
    by = {(r.asylum_iso3, r.date.year): r.persons for r in counted.itertuples()}
    assert by[("TUR", 2024)] == 24003 and by[("LBN", 2011)] == 11007
    assert files[0].path.endswith("page=1&yearFrom=2011&coo=SYR&coa=TUR&cf_type=ISO")

    asked = len(unhcr["hits"])
    again, _, _ = pipeline.read_source(spec(tmp_path), settings(tmp_path, unhcr["base"]), offline=True)
    assert len(unhcr["hits"]) == asked
    assert len(again["refugees"]) == len(refugees)


def test_a_changed_field_is_named(unhcr, tmp_path):
    unhcr["rename"] = ("TUR", 2)
    with pytest.raises(SourceError, match=r"page=2.*expected field 'items' to be a list"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, unhcr["base"]), offline=False)


def test_offline_without_the_pages_cached_says_so(unhcr, tmp_path):
    with pytest.raises(SourceError, match="(?i)cache"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, unhcr["base"]), offline=True)
    assert unhcr["hits"] == []
