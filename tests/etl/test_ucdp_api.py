"""UCDP's GED API (etl/core/ucdp_api.py) against a replay server started here on 127.0.0.1: the
real Syria release of ../shared/data served page by page in the API's documented shape, with
the server's failures users meet (429 with Retry-After, a 5xx, a refused token, a changed field),
then replayed with --offline from the cache; no token is ever written to the cache, the warehouse
or the log."""
from __future__ import annotations

import pytest

from etl import pipeline, sources
from etl.config import Settings
from etl.core.issues import SourceError
from etl.core.warehouse import open_live
from tests.etl.ucdp_replay import TOKEN


def spec(tmp_path):
    [found] = sources.load(config_file(tmp_path))
    return found


def config_file(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "ucdp-ged-syria"\nadapter = "ucdp"\napi = "ucdp-ged"\n'
                      'organisation = "UCDP"\ntitle = "UCDP GED, Syria"\nlicence = "CC BY 4.0"\n'
                      '[source.options]\nversion = "19.1"\ncountry = 652\n', encoding="utf-8")
    return config


def settings(tmp_path, base, token=TOKEN):
    return Settings(warehouse_dir=tmp_path / "wh", keep_versions=2, cache_dir=tmp_path / "cache",
                    ucdp_base=base, ucdp_token=token)


def test_every_page_is_read_into_the_release_and_replays_offline(ucdp, ucdp_events, tmp_path, capfd):
    ucdp.faults = {1: [(429, {"Retry-After": "2", "Content-Type": "text/plain"}, b"slow down")],
                     2: [(503, {"Content-Type": "text/plain"}, b"busy")]}
    run = settings(tmp_path, ucdp.base)
    pipeline.run(run, config=config_file(tmp_path))
    live = open_live(run.warehouse_dir)
    table = live.read("events")
    assert len(table) == len(ucdp_events) == 16_566  # every page, each event once
    assert set(table["event_id"]) == {f"UCDP-{e['id']}" for e in ucdp_events}
    assert table["fatalities"].sum() == sum(e["best"] for e in ucdp_events)
    pages = [p for _, p, _ in ucdp.hits]
    assert pages == [0, 1, 1, 2, 2] + list(range(3, 17))  # 17 pages of 1,000; pages 1 and 2 asked twice
    (_, _, t429), (_, _, t_retry) = [h for h in ucdp.hits if h[1] == 1]
    assert t_retry - t429 >= 1.9  # waited what Retry-After said (the backoff alone: 1 s)
    [cited] = live.manifest["tables"]["events"]["sources"]
    assert cited["path"] == f"{ucdp.base}/api/gedevents/19.1?pagesize=1000&Country=652"

    # offline: the same events from the cached pages, the server never asked
    asked = len(ucdp.hits)
    again, _, _ = pipeline.read_source(spec(tmp_path), settings(tmp_path, ucdp.base, token=""), offline=True)
    assert len(ucdp.hits) == asked
    assert sorted(again["events"]["event_id"]) == sorted(table["event_id"])

    # the token is in no cached file, no file of the warehouse and nothing printed
    for path in [*(tmp_path / "cache").rglob("*"), *(tmp_path / "wh").rglob("*")]:
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    out, err = capfd.readouterr()
    assert TOKEN not in out + err


def test_a_refused_token_says_which_variable_to_set_and_never_shows_the_token(ucdp, tmp_path):
    with pytest.raises(SourceError) as caught:
        pipeline.read_source(spec(tmp_path), settings(tmp_path, ucdp.base, token="expired-0000"), offline=False)
    message = str(caught.value)
    assert "401" in message and "UCDP_ACCESS_TOKEN" in message and "expired-0000" not in message
    assert [p for _, p, _ in ucdp.hits] == [0]  # a refusal is not retried


def test_no_token_online_is_named_before_anything_is_asked(ucdp, tmp_path):
    with pytest.raises(SourceError, match="no access token: set UCDP_ACCESS_TOKEN"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, ucdp.base, token=""), offline=False)
    assert ucdp.hits == []


def test_a_changed_field_is_named(ucdp, tmp_path):
    ucdp.rename_result_on = 3
    with pytest.raises(SourceError, match=r"page=3: expected field 'Result' to be a list"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, ucdp.base), offline=False)


def test_a_server_failing_every_time_is_given_up_with_the_cause(ucdp, tmp_path, monkeypatch):
    monkeypatch.setattr("etl.core.fetch.time.sleep", lambda s: None)
    ucdp.faults = {0: [(500, {}, b"down")] * 10}
    with pytest.raises(SourceError, match=r"gave up after 4 attempt\(s\); last: HTTP 500"):
        pipeline.read_source(spec(tmp_path), settings(tmp_path, ucdp.base), offline=False)


@pytest.mark.parametrize("options, named", [
    ('version = "19.1"', "needs \\[source.options\\] country"),
    ('country = 652', "needs \\[source.options\\] version"),
])
def test_the_sources_file_checks_an_api_entry(tmp_path, options, named):
    config = tmp_path / "sources.toml"
    config.write_text(f'[[source]]\nname = "u"\nadapter = "ucdp"\napi = "ucdp-ged"\n[source.options]\n{options}\n',
                      encoding="utf-8")
    with pytest.raises(SourceError, match=named):
        sources.load(config)
    config.write_text('[[source]]\nname = "u"\nadapter = "acled"\napi = "ucdp-ged"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="read by adapter 'ucdp'"):
        sources.load(config)
