"""Organisations as one name each: the registry (data/organisations.csv) against the committed
sources, and the source filter built from it."""
from __future__ import annotations

import csv
import re
import tomllib

import pytest

from dashboard.data import catalog
from dashboard.data.warehouse import warehouse
from dashboard.organisations import COPY_MARKER, JOINT, PALETTE, normalise, read_registry, registry
from etl.config import DATA_DIR

# every way the committed sources name the Turkish migration authority and UNHCR (issue 16's list)
TURKISH_MIGRATION = ("DGMM", "DGMM (Turkish Interior Ministry)", "Göç İdaresi Başkanlığı (PMM)",
                     "Turkish Presidency of Migration Management (PMM)", "Turkish migration authority",
                     "Turkish Interior Ministry", "Turkish Interior Ministry (Minister Ali Yerlikaya)")
UNHCR = ("UNHCR", "UNHCR Turkey", "UNHCR Operational Data Portal")


def committed_organisations() -> set[str]:
    """Every organisation cell of the committed sources: data/figures/sources.csv and the sources
    file (data/sources.toml)."""
    with (DATA_DIR / "figures" / "sources.csv").open(encoding="utf-8", newline="") as f:
        cells = {row["organisation"] for row in csv.DictReader(f)}
    config = tomllib.loads((DATA_DIR / "sources.toml").read_text(encoding="utf-8"))
    cells |= {s["organisation"] for s in config["source"] if s.get("organisation")}
    return cells


def names_in(cell: str) -> list[str]:
    """The organisations one cell names ('UNHCR; Turkish President' names two)."""
    return [part for part in JOINT.split(COPY_MARKER.sub(" ", cell)) if part.strip()]


def test_every_organisation_of_the_committed_sources_maps_to_exactly_one_registry_entry():
    reg = read_registry()
    cells = committed_organisations()
    assert len(cells) > 40
    for cell in sorted(cells):
        for name in names_in(cell):
            assert len(reg.matches(name)) == 1, f"{name!r} (from {cell!r}) matches {reg.matches(name)}"


def test_no_variant_is_listed_by_two_organisations_and_every_entry_is_complete():
    reg = read_registry()
    for variant, ids in reg.by_variant.items():
        assert len(ids) == 1, f"{variant!r} is listed by {ids}"
    for org in reg.by_id.values():
        assert re.fullmatch(r"[a-z0-9-]+", org.id)
        assert org.short_en and org.name_en and org.variants
        assert re.search(r"[\u0600-\u06FF]", org.name_ar) or org.name_ar == org.name_en, org.id  # Arabic, or a Latin brand
        assert re.fullmatch(r"#[0-9A-F]{6}", org.colour), org.id
    # the organisations figures come from are drawn in the colour-blind-safe palette (grey: news and references)
    assert {o.colour for o in reg.by_id.values()} <= set(PALETTE) | {"#777777"}


def test_the_turkish_migration_authority_and_unhcr_are_one_organisation_each():
    reg = registry()
    assert {reg.resolve_id(n) for n in TURKISH_MIGRATION} == {"tr-pmm"}
    assert {reg.resolve_id(n) for n in UNHCR} == {"unhcr"}
    assert reg.ids("UNHCR; Turkish President") == ("unhcr", "tr-gov")
    assert reg.ids("Turkish Interior Ministry (Minister Ali Yerlikaya); UNHCR") == ("tr-pmm", "unhcr")
    # the facts list's copy marker and spacing do not make another organisation
    assert reg.ids("OCHA  [copy; original not found]") == ("ocha",)
    assert normalise(" Göç  İdaresi Başkanlığı (PMM) ") == normalise("Goc Idaresi Baskanligi (PMM)")


def test_an_organisation_the_registry_does_not_know_is_its_own_with_a_stable_style():
    reg = registry()
    first, second = reg.get(reg.resolve_id("Local NGO <b>x</b>"), "Local NGO <b>x</b>"), reg.get("local-ngo-b-x-b")
    assert first.short_en == "Local NGO <b>x</b>" and not first.known
    assert (first.colour, first.symbol) == (second.colour, second.symbol)
    assert first.colour in PALETTE


def test_an_unknown_organisation_read_on_a_copy_is_the_same_organisation():
    """The facts list's copy marker is not part of a name: an organisation the registry does not know,
    with and without "[copy; original not found]", has one id, one name and one style, whether asked
    by its cell (`of_cell`) or by the id `attribute` gives and the cell (the charts' way)."""
    from dashboard.organisations import attribute

    reg = registry()
    plain, copied = "Local Relief Committee", "Local Relief Committee [copy; original not found]"
    by_cell = reg.of_cell(copied)[0]
    by_chart = reg.get(attribute(copied, None), copied)
    bare = reg.get(attribute(plain, None), plain)
    assert by_chart.short_en == by_cell.short_en == bare.short_en == plain
    assert by_chart.id == by_cell.id == bare.id == attribute(copied, None)
    assert (by_chart.colour, by_chart.symbol) == (bare.colour, bare.symbol)


@pytest.fixture
def wh(use_warehouse):
    return warehouse()


def test_the_source_filter_lists_each_organisation_once(wh):
    """The source filter against the committed figures: one option per organisation, whichever name
    its sources use; the seven names of the Turkish migration authority and UNHCR's three are one
    option each, and choosing it selects every source that names it."""
    from dashboard.page.layout import filters_section
    from dashboard.request import Request

    request = Request.from_query(wh, "")
    dropdown = next(c for c in _walk(filters_section(request)) if getattr(c, "id", None) == "home-sources")
    options = dropdown.options
    values = [o["value"] for o in options]
    labels = [o["label"] for o in options]
    assert len(values) == len(set(values)) and len(labels) == len(set(labels))
    reg = registry()
    organisations = {oid for cell in wh["sources"]["organisation"] for oid in reg.ids(cell)}
    assert set(values) == organisations  # each organisation of the sources, once
    assert len(values) < len(set(wh["sources"]["organisation"]))  # fewer options than ways of naming them
    assert [v for v in values if v == "tr-pmm"] == ["tr-pmm"] and [v for v in values if v == "unhcr"] == ["unhcr"]
    assert not any(name in labels for name in TURKISH_MIGRATION[1:] + UNHCR[1:])
    chosen = Request.from_query(wh, "?src=tr-pmm").sel.source_ids
    named = set(wh["sources"].loc[wh["sources"]["organisation"].isin(TURKISH_MIGRATION), "source_id"])
    assert named <= set(chosen)
    # a link made before the registry (src=DGMM) selects the same organisation
    assert Request.from_query(wh, "?src=DGMM").state.sources == ("tr-pmm",)
    arabic = {o["value"]: o["label"] for o in catalog.organisation_options(wh, "ar")}
    assert re.search(r"[\u0600-\u06FF]", arabic["tr-pmm"]) and re.search(r"[\u0600-\u06FF]", arabic["unhcr"])


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)
