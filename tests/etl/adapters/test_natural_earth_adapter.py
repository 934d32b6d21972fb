"""The Natural Earth adapter reads the project's own derived GeoJSON (data/geometry/); malformed
copies of those files stop the run with a SourceError naming the file, never a half-read table."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.adapters import natural_earth
from etl.config import ROOT
from etl.contracts import ADMIN_AREAS
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec
from tests.etl.adapters.helpers import assert_conforms

GEOMETRY = ROOT / "data" / "geometry"
SPEC = SourceSpec(name="natural-earth-10m", adapter="natural_earth", path=GEOMETRY)
LAYERS = ("countries", "border", "governorates")


def test_committed_geometry_reads_and_conforms():
    out = natural_earth.read(SPEC, GEOMETRY, Issues())
    assert_conforms(out["admin_areas"], ADMIN_AREAS, geometry=True)
    assert len(out["admin_areas"]) == 15 and set(out["countries"]["iso3"]) == {"SYR", "TUR", "LBN"}


junk = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=6), st.just(""))
square = {"type": "Polygon", "coordinates": [[[36, 35], [37, 35], [37, 36], [36, 36], [36, 35]]]}
bowtie = {"type": "Polygon", "coordinates": [[[36, 35], [37, 36], [37, 35], [36, 36], [36, 35]]]}


@st.composite
def damaged(draw):
    layer = draw(st.sampled_from(LAYERS))
    text = (GEOMETRY / f"{layer}.geojson").read_text(encoding="utf-8")
    doc = json.loads(text)
    kind = draw(st.sampled_from(["property", "geometry", "drop_property", "not_json", "truncate"]))
    if kind == "not_json":
        return layer, draw(st.text(max_size=40))
    if kind == "truncate":
        return layer, text[: draw(st.integers(0, len(text) - 1))]
    feature = doc["features"][draw(st.integers(0, len(doc["features"]) - 1))]
    key = draw(st.sampled_from(sorted(feature["properties"])))
    if kind == "property":
        feature["properties"][key] = draw(junk)
    elif kind == "drop_property":
        for f in doc["features"]:
            f["properties"].pop(key, None)
    else:
        feature["geometry"] = draw(st.sampled_from([None, bowtie, square, {"type": "Point", "coordinates": [36, 35]}]))
    return layer, json.dumps(doc)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=damaged())
def test_malformed_geometry_files_raise_or_conform(case):
    layer, text = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in LAYERS:
            shutil.copy(GEOMETRY / f"{name}.geojson", folder / f"{name}.geojson")
        (folder / f"{layer}.geojson").write_text(text, encoding="utf-8")
        try:
            out = natural_earth.read(SPEC, folder, Issues())
        except SourceError as exc:
            assert f"{layer}.geojson" in str(exc) or folder.name in str(exc)
            return
        assert out["admin_areas"].geometry.is_valid.all()
        assert out["admin_areas"]["pcode"].notna().all()
