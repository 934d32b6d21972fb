"""The sources file and the pipeline around the adapters: config errors, merge order, and a
failure in any adapter leaving the previous warehouse version live."""
import pkgutil

import pandas as pd
import pytest

import etl.adapters
from etl import pipeline, sources
from etl.config import Settings
from etl.core.issues import SourceError
from etl.core.warehouse import live_version, open_live

ADAPTERS = sorted(m.name for m in pkgutil.iter_modules(etl.adapters.__path__) if m.name != "base")


def write(tmp_path, text, name="sources.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_sources_file_lists_the_offline_default():
    specs = sources.load()
    assert [s.adapter for s in specs] == ["natural_earth", "geonames", "crossings", "cited_figures"]
    assert all(s.path is not None and s.url is None for s in specs)


@pytest.mark.parametrize("entry, expected", [
    ('name = "x"\nadapter = "nope"\npath = "a"', "unknown adapter 'nope'"),
    ('name = "x"\nadapter = "acled"', "exactly one of path, url, hdx or api"),
    ('name = "x"\nadapter = "acled"\nurl = "ftp://a"', "expected an http(s) URL"),
    ('name = "X Y"\nadapter = "acled"\npath = "a"', "expected a name of lower-case"),
    ('name = "x"\nadapter = "acled"\npath = "a"\npublished = "March 2020"', "expected published as YYYY"),
    ('name = "x"\nadapter = "acled"\npath = "a"\ncolour = "red"', "unknown key(s) colour"),
])
def test_bad_sources_entries_are_named(tmp_path, entry, expected):
    config = write(tmp_path, f"[[source]]\n{entry}\n")
    with pytest.raises(SourceError, match=expected.replace("(", r"\(").replace(")", r"\)")) as err:
        sources.load(config)
    assert str(config) in str(err.value)


def test_user_file_extends_the_default_and_resolves_relative_paths(tmp_path):
    (tmp_path / "acled.csv").write_text("x\n", encoding="utf-8")
    config = write(tmp_path, 'extends_default = true\n[[source]]\nname = "acled-nws"\nadapter = "acled"\n'
                             'path = "acled.csv"\norganisation = "ACLED"\ntitle = "ACLED export"\n')
    specs = sources.load(config)
    assert [s.name for s in specs][-1] == "acled-nws" and len(specs) == 5
    assert specs[-1].path == tmp_path / "acled.csv"


def test_duplicate_names_refused(tmp_path):
    config = write(tmp_path, 'extends_default = true\n[[source]]\nname = "geonames"\nadapter = "geonames"\npath = "x"\n')
    with pytest.raises(SourceError, match="repeated: geonames"):
        sources.load(config)


def test_later_sources_win_on_the_same_key():
    a = pd.DataFrame({"source_id": ["a", "b"], "title": ["old", "keep"]})
    b = pd.DataFrame({"source_id": ["a"], "title": ["new"]})
    merged = pipeline.merge([a, b], "sources").set_index("source_id")
    assert merged.loc["a", "title"] == "new" and merged.loc["b", "title"] == "keep"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_any_adapter_failing_leaves_the_previous_version_live(adapter, tmp_path, monkeypatch, built_warehouse):
    settings = Settings(warehouse_dir=tmp_path / "wh", keep_versions=5)
    good, _ = pipeline.run(settings)
    module = sources.adapter_module(adapter)

    def failing(spec, path, issues):
        issues.add("x", path.name, 2, "y", "z", "half read")
        raise SourceError(path.name, "unexpected end of file (simulated)")

    monkeypatch.setattr(module, "read", failing)
    extra = tmp_path / "input.dat"
    extra.write_text("x", encoding="utf-8")
    config = write(tmp_path, f'extends_default = true\n[[source]]\nname = "failing"\nadapter = "{adapter}"\npath = "{extra}"\n')
    if adapter in {s.adapter for s in sources.load()}:
        config = None  # a default source's own adapter fails
    with pytest.raises(SourceError, match="simulated"):
        pipeline.run(settings, config=config)
    assert live_version(settings.warehouse_dir) == good
    assert len(open_live(settings.warehouse_dir).read("displacement")) > 50
    assert not list(settings.warehouse_dir.glob(".staging-*"))



def test_points_outside_every_area_are_reported_with_their_nearest_areas():
    import geopandas as gpd
    from shapely.geometry import Point, box

    from etl.core.issues import Issues
    from etl.transforms import with_admin_pcodes

    admin = gpd.GeoDataFrame({"pcode": ["SY07", "SY02"], "level": [1, 1], "name_en": ["Idleb", "Aleppo"]},
                             geometry=[box(36.0, 35.5, 36.9, 36.3), box(36.9, 35.5, 38.0, 36.8)], crs="EPSG:4326")
    events = gpd.GeoDataFrame({"event_id": ["in", "out"], "source_id": ["acled-x", "acled-x"]},
                              geometry=[Point(36.63, 35.93), Point(37.3, 37.5)], crs="EPSG:4326")
    issues = Issues()
    out = with_admin_pcodes(events, admin, "events", issues).set_index("event_id")
    assert out.loc["in", "adm1_pcode"] == "SY07" and pd.isna(out.loc["out", "adm1_pcode"])
    [problem] = issues.problems
    assert problem.value == "out" and problem.column == "geometry" and "nearest: SY02 Aleppo" in problem.detail
    assert problem.kept and problem.reason == "point outside every admin area; kept without P-codes"


def test_points_the_snap_moves_across_the_border_are_reported():
    import geopandas as gpd
    from shapely.geometry import Point, box

    from etl.core.issues import Issues
    from etl.transforms import SNAPPED, with_admin_pcodes

    admin = gpd.GeoDataFrame({"pcode": ["SY07"], "level": [1], "name_en": ["Idleb"]},
                             geometry=[box(36.0, 35.5, 36.9, 36.3)], crs="EPSG:4326")
    events = gpd.GeoDataFrame({"event_id": ["inside", "just-across"], "source_id": ["ucdp-x", "ucdp-x"]},
                              geometry=[Point(36.5, 36.0), Point(36.5, 36.305)], crs="EPSG:4326")  # 0.005° north of the box
    issues = Issues()
    out = with_admin_pcodes(events, admin, "events", issues).set_index("event_id")
    assert out.loc["just-across", "adm1_pcode"] == "SY07"
    [problem] = issues.problems
    assert (problem.value, problem.reason, problem.kept) == ("just-across", SNAPPED, True)
    assert problem.detail == "moved 462 m into SY07"  # measured in UTM 37N


def test_refugee_camps_across_the_border_are_never_snapped_into_syria():
    """HIU's refugee sites lie in Türkiye, Jordan and Iraq: a camp a few hundred metres across the
    border line (Kilis-Elbeyli, 851 m) keeps no Syrian P-code, and is not reported as outside Syria."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from etl.core.issues import Issues
    from etl.transforms import with_admin_pcodes

    admin = gpd.GeoDataFrame({"pcode": ["SY07"], "level": [1], "name_en": ["Idleb"]},
                             geometry=[box(36.0, 35.5, 36.9, 36.3)], crs="EPSG:4326")
    near = Point(36.5, 36.305)  # 462 m north of the box: within the snap's tolerance
    places = gpd.GeoDataFrame({"location_pcode": ["site", "camp"], "kind": ["site", "refugee_camp"],
                               "source_id": ["hiu-x", "hiu-x"]}, geometry=[near, near], crs="EPSG:4326")
    issues = Issues()
    out = with_admin_pcodes(places, admin, "locations", issues).set_index("location_pcode")
    assert out.loc["site", "adm1_pcode"] == "SY07" and pd.isna(out.loc["camp", "adm1_pcode"])
    assert [p.value for p in issues.problems] == ["site"]
