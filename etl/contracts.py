"""The contract of every table the figures files feed, declared once.

Vocabularies keep units apart: "displacements" (movements) are not "people displaced"; a
cumulative figure is not a period figure; a planning scenario or a statement by a party to the
conflict is labelled as such and never drawn as an observation.
"""
from __future__ import annotations

import re

import pandas as pd

from etl.core.contracts import Column, Contract, RowRule

QUALIFIERS = ("exact", "about", "at_least")
KINDS = ("observation", "scenario", "statement_by_party", "estimate")
DISPLACEMENT_UNITS = ("people_displaced", "displacements", "idp_arrivals", "idp_departures", "idp_returns")
DIRECTIONS = ("total", "arrivals", "departures", "returns", "flow")  # flow: origin_pcode -> dest_pcode
MEASURES = ("period", "cumulative")
CASUALTY_UNITS = ("civilians_killed", "people_killed", "deaths_all", "identified_killed")
CAUSES = ("conflict", "earthquake", "chemical_attack", "other", "unknown")  # chemical_attack: a conflict cause, named
REFUGEE_SERIES = ("DGMM", "UN_AFAD", "UNHCR", "TR_ESTIMATE")
REFUGEE_UNITS = (
    "syrians_under_tp", "registered_refugees", "refugees_and_asylum_seekers", "returns",
    "refugees", "asylum_seekers", "others_of_concern",
    # the other population types of UNHCR's Refugee Data Finder, each its own unit
    "idps_of_concern", "returned_idps", "stateless", "other_in_need_of_protection", "host_community",
)
STOCK_UNITS = ("idps", "idps_in_camps", "population", "idp_sites")
# key dates by kind, so that a chart can show some kinds only (dashboard.data.state.KEY_DATE_KINDS)
TIMELINE_KINDS = ("offensive", "agreement", "disaster", "border")
PRECISIONS = ("crossing", "nearest_town", "unknown")
EVENT_DATASETS = ("ACLED", "UCDP", "HXL")
LOCATION_KINDS = ("community", "camp", "site", "reception_centre", "collective_centre", "town",
                  "refugee_camp")  # refugee_camp: a camp of Syrian refugees in a neighbouring country
LOCATION_PRECISIONS = ("exact", "parent_community")
# what a source's link opens (data/figures/README.md): the producer's own page, ReliefWeb or a data
# portal, a news agency's wire, a news outlet or other secondary report, or a copy whose original
# was not found (the facts list's marker "[copy; original not found]")
LINK_KINDS = ("publisher", "reliefweb_or_portal", "news_agency", "news", "copy")
COPY_MARKER = "[copy; original not found]"
PUBLIC_URL = r"^https?://"  # a source's link: a web address, never a local path or a file:// URL


def public_url(value) -> str | None:
    """`value` if it is a web address a reader can open, else None (a source with no public link)."""
    return value if isinstance(value, str) and re.match(PUBLIC_URL, value) else None

PCODE = r"^SY\d{2}(\d{2}(\d{2})?)?$"  # admin 1-3 (SY07, SY0703, SY070301)
SUB_DISTRICT = r"^SY\d{6}$"  # admin 3 (SY070301)
ANY_PCODE = r"^(SY(\d{2}(\d{2}(\d{2})?)?)?|C\d{3,6}|CP\d{6}|TEMP\d{3,6})$"  # plus admin 0, communities, camps (CCCM temporary codes too)
ISO3 = r"^[A-Z]{3}$"
SITE_ID = r"^[A-Z]{2,6}-[a-z0-9-]+$"  # a site a source lists without a P-code: its own id (HIU-aqrabat-sw)
SEVERITY = (1, 5)  # the JIAF severity phases HNOs publish
# the region the dashboard covers: Syria and its neighbours' border areas
LAT_RANGE, LON_RANGE = (32.0, 38.5), (35.0, 42.5)


def _ordered(first: str, second: str):
    """Rule: first <= second where both are present (a missing one is reported by its column)."""
    return lambda f: f[first].isna() | f[second].isna() | (f[first] <= f[second])


_period_ok = _ordered("period_start", "period_end")
_range_ok = _ordered("low", "high")


def _pcode_ok(column, pattern=PCODE):
    return lambda frame: frame[column].isna() | frame[column].str.fullmatch(pattern)


def _parent_prefix_ok(f):
    """A P-code starts with its parent's (SY070301 under SY0703); level 0 has no parent."""
    return pd.Series(
        [pd.isna(level) or level == 0 or pd.isna(parent) or pd.isna(code) or str(code).startswith(str(parent))
         for code, parent, level in zip(f["pcode"], f["parent_pcode"], f["level"], strict=True)],
        index=f.index, dtype="boolean",
    )


def pcode_rule(column: str, pattern: str = PCODE) -> RowRule:
    return RowRule(column, _pcode_ok(column, pattern), "expected an OCHA P-code such as SY07 or SY070301")


VALUE_RULE = RowRule(
    "value",
    lambda f: f["value"].notna() | (f["low"].notna() & f["high"].notna()),
    "expected a value, or a published range in low and high",
)
PERIOD_RULE = RowRule("period_end", _period_ok, "expected period_end on or after period_start")
RANGE_RULE = RowRule("high", _range_ok, "expected high >= low")

SOURCES = Contract(
    "sources",
    (
        Column("source_id", required=True),
        Column("organisation", required=True),
        Column("via"),
        Column("title", required=True),
        Column("url", required=True),
        Column("published", required=True),
        Column("published_approx", "bool", required=True),
        Column("licence"),
        Column("fact_refs"),
        Column("note"),
        Column("link_kind", choices=LINK_KINDS),
        Column("accessed"),
    ),
    key=("source_id",),
    rules=(
        RowRule("url", lambda f: f["url"].str.match(PUBLIC_URL), "expected an http(s) URL"),
        RowRule(
            "published",
            lambda f: f["published"].str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?"),
            "expected a publication date as YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        RowRule(
            "link_kind",
            lambda f: (f["link_kind"] != "copy").fillna(True) | f["organisation"].str.contains(COPY_MARKER, regex=False),
            f"expected the marker {COPY_MARKER!r} in the organisation of a copy",
        ),
        RowRule(
            "accessed",
            lambda f: f["accessed"].isna() | f["accessed"].str.fullmatch(r"\d{4}-\d{2}-\d{2}"),
            "expected the date a page was read as YYYY-MM-DD",
        ),
    ),
)

DISPLACEMENT = Contract(
    "displacement",
    (
        Column("fact_id", required=True),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("area_en", required=True),
        Column("area_ar"),  # the same words in Arabic (data/figures/area_names.csv), when known
        Column("pcode"),
        Column("direction", required=True, choices=DIRECTIONS),
        Column("value", "int", min=0),
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("low", "int", min=0),
        Column("high", "int", min=0),
        Column("unit", required=True, choices=DISPLACEMENT_UNITS),
        Column("measure", required=True, choices=MEASURES),
        Column("kind", required=True, choices=KINDS),
        Column("source_id", required=True),
        Column("note"),
        Column("origin_pcode"),
        Column("dest_pcode"),
        Column("location_pcode"),
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(
        VALUE_RULE, PERIOD_RULE, RANGE_RULE, pcode_rule("pcode"), pcode_rule("origin_pcode"),
        pcode_rule("dest_pcode"), pcode_rule("location_pcode", ANY_PCODE),
        RowRule(
            "dest_pcode",
            lambda f: (f["direction"] != "flow") | (f["origin_pcode"].notna() & f["dest_pcode"].notna()),
            "expected origin_pcode and dest_pcode for a flow",
        ),
    ),
)

CASUALTIES = Contract(
    "casualties",
    (
        Column("fact_id", required=True),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("area_en", required=True),
        Column("area_ar"),  # the same words in Arabic (data/figures/area_names.csv), when known
        Column("pcode"),
        Column("killed", "int", min=0),  # a figure gives deaths, injuries or both (rule below)
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("injured", "int", min=0),
        Column("children_killed", "int", min=0),
        Column("civilians_only", "bool", required=True),
        Column("low", "int", min=0),
        Column("high", "int", min=0),
        Column("unit", required=True, choices=CASUALTY_UNITS),
        Column("cause", required=True, choices=CAUSES),
        Column("kind", required=True, choices=KINDS),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(
        PERIOD_RULE, RANGE_RULE, pcode_rule("pcode"),
        RowRule("killed", lambda f: f["killed"].notna() | f["injured"].notna(), "expected people killed or injured"),
    ),
)

REFUGEES = Contract(
    "refugees",
    (
        Column("fact_id", required=True),
        Column("period_start", "date"),
        Column("date", "date", required=True),
        Column("origin_iso3", required=True),
        Column("asylum_iso3", required=True),
        Column("persons", "int", required=True, min=0),
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("series", required=True, choices=REFUGEE_SERIES),
        Column("unit", required=True, choices=REFUGEE_UNITS),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("date", "fact_id"),
    rules=(
        RowRule(
            "period_start",
            _ordered("period_start", "date"),
            "expected period_start on or before date",
        ),
        RowRule("origin_iso3", lambda f: f["origin_iso3"].str.fullmatch(ISO3), "expected an ISO 3166 alpha-3 code"),
        RowRule(
            "asylum_iso3",
            lambda f: f["asylum_iso3"].str.fullmatch(ISO3),
            "expected an ISO 3166 alpha-3 code (REG for regional totals)",
        ),
    ),
)

IDP_STOCK = Contract(
    "idp_stock",
    (
        Column("fact_id", required=True),
        Column("date", "date", required=True),
        Column("area_en", required=True),
        Column("area_ar"),  # the same words in Arabic (data/figures/area_names.csv), when known
        Column("pcode"),
        Column("value", "int", required=True, min=0),
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("unit", required=True, choices=STOCK_UNITS),
        Column("source_id", required=True),
        Column("note"),
        Column("adm3_pcode"),  # the sub-district of a community row (pcode C1234), when the source names it
    ),
    key=("date", "fact_id"),
    rules=(
        pcode_rule("pcode", ANY_PCODE),
        RowRule(
            "adm3_pcode",
            lambda f: f["adm3_pcode"].isna() | f["adm3_pcode"].str.fullmatch(SUB_DISTRICT),
            "expected a sub-district P-code such as SY070301",
        ),
    ),
)

AREA_NAMES = Contract(
    "area_names",
    (
        Column("area_en", required=True),  # a place or region as a figure row writes it
        Column("area_ar", required=True),  # its Arabic, shown on the Arabic page
    ),
    key=("area_en",),
)

TIMELINE = Contract(
    "timeline",
    (
        Column("fact_id", required=True),
        Column("date", "date", required=True),
        Column("date_end", "date"),
        Column("label_en", required=True),
        Column("label_ar", required=True),
        Column("source_id", required=True),
        Column("note"),
        Column("kind", choices=TIMELINE_KINDS),  # offensives and control changes, ceasefires and agreements, ...
    ),
    key=("date", "fact_id"),
    rules=(
        RowRule(
            "date_end",
            _ordered("date", "date_end"),
            "expected date_end on or after date",
        ),
    ),
)

CROSSINGS = Contract(
    "crossings",
    (
        Column("crossing_id", required=True),
        Column("name_en", required=True),
        Column("name_ar"),
        Column("name_tr"),
        Column("syrian_admin"),
        Column("lat", "float", min=LAT_RANGE[0], max=LAT_RANGE[1]),
        Column("lon", "float", min=LON_RANGE[0], max=LON_RANGE[1]),
        Column("precision", required=True, choices=PRECISIONS),
        Column("geonameid", "int"),
        Column("coord_source_id"),
        Column("note"),
    ),
    key=("crossing_id",),
    rules=(RowRule("lon", lambda f: f["lat"].isna() == f["lon"].isna(), "expected both latitude and longitude, or neither"),),
)

NEEDS = Contract(
    "needs",
    (
        Column("fact_id", required=True),
        Column("period_start", "date", required=True),  # the period the needs figures are for (an HNO year)
        Column("period_end", "date", required=True),
        Column("area_en", required=True),
        Column("pcode"),
        Column("sector", required=True),  # as published ('Health', 'WASH', 'Intersectoral')
        Column("population_group"),  # as published ('IDPs in camps', 'Residents'), when the figures are per group
        Column("people_in_need", "int", min=0),
        Column("severity", "int", min=SEVERITY[0], max=SEVERITY[1]),  # severity phase, 1 (minimal) to 5 (catastrophic)
        Column("population", "int", min=0),  # the population the figures are of, when published with them
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(
        PERIOD_RULE, pcode_rule("pcode"),
        RowRule("people_in_need", lambda f: f["people_in_need"].notna() | f["severity"].notna(),
                "expected people in need or a severity"),
    ),
)

POPULATION = Contract(
    "population",
    (
        Column("fact_id", required=True),
        Column("date", "date", required=True),  # the date (or reference year's 1 July, when only a year is given)
        Column("area_en", required=True),
        Column("pcode"),
        Column("population", "int", required=True, min=0),
        Column("population_group"),  # as published ('total' when not given)
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("date", "fact_id"),
    rules=(pcode_rule("pcode"),),
)

EVENTS_AGGREGATED = Contract(
    "events_aggregated",
    (
        Column("fact_id", required=True),
        Column("dataset", required=True, choices=EVENT_DATASETS),  # whose events were counted
        Column("period_start", "date", required=True),  # a month, as HDX and HAPI publish them
        Column("period_end", "date", required=True),
        Column("area_en", required=True),
        Column("pcode"),
        Column("event_type"),  # as published ('political_violence', 'Battles')
        Column("events", "int", required=True, min=0),
        Column("fatalities", "int", min=0),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(PERIOD_RULE, pcode_rule("pcode")),
)

ASYLUM_MEASURES = (
    "applications", "decisions_recognized", "decisions_complementary", "decisions_rejected", "decisions_closed",
    "decisions_total",
)
ASYLUM_UNITS = ("persons", "cases")
ASYLUM = Contract(
    "asylum",
    (
        Column("fact_id", required=True),
        Column("year", "int", required=True, min=1950, max=2100),
        Column("origin_iso3", required=True),
        Column("asylum_iso3", required=True),
        Column("authority"),  # who decided: G government, U UNHCR, J jointly (as published)
        Column("procedure"),  # application type or stage of procedure (N new, A appeal, FI, AR, ...), as published
        Column("measure", required=True, choices=ASYLUM_MEASURES),
        Column("unit", required=True, choices=ASYLUM_UNITS),  # 'Cases / Persons' (C or P)
        Column("value", "int", min=0),  # empty when suppressed
        Column("suppressed", "bool", required=True),  # '*' in the file: a small number not published, never zero
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("year", "fact_id"),
    rules=(
        RowRule("origin_iso3", lambda f: f["origin_iso3"].str.fullmatch(ISO3), "expected an ISO 3166 alpha-3 code"),
        RowRule("asylum_iso3", lambda f: f["asylum_iso3"].str.fullmatch(ISO3), "expected an ISO 3166 alpha-3 code"),
        RowRule("value", lambda f: f["value"].notna() != f["suppressed"].fillna(False),
                "expected a number, or '*' (suppressed) and no number"),
    ),
)

FIGURE_TABLES = (DISPLACEMENT, CASUALTIES, REFUGEES, IDP_STOCK, TIMELINE)  # the committed figures' files
# what users' files add: people in need and severity, population, monthly event counts, asylum
USER_TABLES = (NEEDS, POPULATION, EVENTS_AGGREGATED, ASYLUM)

# Tables fed by the source adapters (etl/adapters/). Geometry tables: the contract covers the
# attribute columns; the adapter adds `geometry` (EPSG:4326).

ADMIN_AREAS = Contract(
    "admin_areas",
    (
        Column("pcode", required=True),
        Column("level", "int", required=True, min=0, max=3),
        Column("parent_pcode"),
        Column("name_en", required=True),
        Column("name_ar"),
        Column("source_id", required=True),
    ),
    key=("level", "pcode"),
    rules=(
        pcode_rule("pcode", ANY_PCODE),
        pcode_rule("parent_pcode", ANY_PCODE),
        RowRule(
            "parent_pcode",
            _parent_prefix_ok,
            "expected the parent P-code to be the start of the P-code",
        ),
    ),
)

EVENTS = Contract(
    "events",
    (
        Column("event_id", required=True),
        Column("dataset", required=True, choices=EVENT_DATASETS),
        Column("date_start", "date", required=True),
        Column("date_end", "date", required=True),
        Column("event_type"),
        Column("sub_event_type"),
        Column("violence_type", "int", min=1, max=3),  # UCDP type_of_violence
        Column("admin1_name"),
        Column("admin2_name"),
        Column("admin3_name"),
        Column("lat", "float", required=True, min=LAT_RANGE[0], max=LAT_RANGE[1]),
        Column("lon", "float", required=True, min=LON_RANGE[0], max=LON_RANGE[1]),
        Column("geo_precision", "int", min=1, max=7),
        Column("fatalities", "int", required=True, min=0),  # ACLED fatalities, UCDP best
        Column("fatalities_low", "int", min=0),
        Column("fatalities_high", "int", min=0),
        Column("reported_by"),  # ACLED source / UCDP source_office
        Column("notes"),
        Column("source_id", required=True),
    ),
    key=("date_start", "event_id"),
    rules=(
        RowRule("date_end", _ordered("date_start", "date_end"), "expected date_end on or after date_start"),
        RowRule("fatalities_high", _ordered("fatalities_low", "fatalities_high"), "expected high >= low"),
        RowRule("fatalities", _ordered("fatalities_low", "fatalities"), "expected best >= low"),
        RowRule("fatalities_high", _ordered("fatalities", "fatalities_high"), "expected high >= best"),
    ),
)

LOCATIONS = Contract(
    "locations",
    (
        Column("location_pcode", required=True),
        Column("name_en", required=True),
        Column("name_ar"),
        Column("kind", required=True, choices=LOCATION_KINDS),
        Column("adm1_pcode"),
        Column("adm2_pcode"),
        Column("adm3_pcode"),
        Column("parent_pcode"),  # a camp's community (admin 4)
        Column("lat", "float", min=LAT_RANGE[0], max=LAT_RANGE[1]),
        Column("lon", "float", min=LON_RANGE[0], max=LON_RANGE[1]),
        Column("location_precision", choices=LOCATION_PRECISIONS),
        Column("population", "int", min=0),
        Column("source_id", required=True),
    ),
    key=("location_pcode",),
    rules=(
        RowRule("location_pcode", lambda f: f["location_pcode"].str.fullmatch(ANY_PCODE) | f["location_pcode"].str.fullmatch(
            SITE_ID), "expected a P-code (C1234, CP123456) or a source's own site id such as HIU-aqrabat-sw"),
        pcode_rule("adm1_pcode"),
        pcode_rule("adm2_pcode"),
        pcode_rule("adm3_pcode"),
        pcode_rule("parent_pcode", ANY_PCODE),
        RowRule("lon", lambda f: f["lat"].isna() == f["lon"].isna(), "expected both latitude and longitude, or neither"),
    ),
)

EVENT_ATTRIBUTES = Contract(
    "event_attributes",
    (
        Column("event_id", required=True),
        Column("attribute", required=True),  # the column's name in the file ('side_a', 'deaths_civilians')
        Column("value", required=True),  # as published
        Column("source_id", required=True),
    ),
    key=("event_id", "attribute"),
)

GAZETTEER = Contract(
    "gazetteer",
    (
        Column("pcode", required=True),
        Column("level", "int", required=True, min=0, max=4),
        Column("parent_pcode"),
        Column("name_en", required=True),
        Column("name_ar"),
        Column("alt_names"),  # other spellings, separated by '|' (what the name matcher reads in alt_* columns)
        Column("valid_on", "date"),
        Column("source_id", required=True),
    ),
    key=("level", "pcode"),
    rules=(
        pcode_rule("pcode", ANY_PCODE),
        pcode_rule("parent_pcode", ANY_PCODE),
        RowRule("parent_pcode", _parent_prefix_ok, "expected the parent P-code to be the start of the P-code"),
    ),
)

# Tables the ETL derives from the others (etl/derived/), written on every run. Their float
# columns are numpy float64, NaN where a distance or share cannot be computed (see
# etl/derived/schema.py); geometry tables: the contract covers the attribute columns.

MOVE_BASES = ("flow", "arrival")  # flow: origin -> destination; arrival: destination only
AREA_STOCK_UNITS = ("idps", "idps_in_camps", "population")


def _share_ok(column):
    return lambda f: f[column].isna() | ((f[column] >= 0) & (f[column] <= 1))


AREA_METRICS = Contract(
    "area_metrics",
    (
        Column("pcode", required=True),
        Column("level", "int", required=True, min=1, max=3),
        Column("lon", "float"),  # representative point (point_on_surface in the metric CRS)
        Column("lat", "float"),
        Column("border_km", "float", min=0),
        Column("area_km2", "float", min=0),
        Column("source_id", required=True),
    ),
    key=("level", "pcode"),
    rules=(pcode_rule("pcode"),),
)

MOVES = Contract(
    "moves",
    (
        Column("fact_id", required=True),
        Column("basis", required=True, choices=MOVE_BASES),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("origin_pcode"),
        Column("dest_pcode", required=True),
        Column("location_pcode"),
        Column("persons", "int", min=0),
        Column("unit", required=True, choices=DISPLACEMENT_UNITS),
        Column("kind", required=True, choices=tuple(k for k in KINDS if k != "scenario")),
        Column("source_id", required=True),
        Column("origin_lon", "float"),
        Column("origin_lat", "float"),
        Column("dest_lon", "float"),
        Column("dest_lat", "float"),
        Column("origin_border_km", "float", min=0),
        Column("dest_border_km", "float", min=0),
        Column("toward_border_km", "float"),  # origin_border_km - dest_border_km: > 0 moved closer
        Column("distance_km", "float", min=0),
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(
        pcode_rule("origin_pcode"),
        RowRule("dest_pcode", lambda f: f["dest_pcode"].str.fullmatch(SUB_DISTRICT) | ((f["basis"] == "flow") & f[
            "dest_pcode"].str.fullmatch(PCODE)), "expected a sub-district P-code (a flow: an admin P-code)"),
        pcode_rule("location_pcode", ANY_PCODE),
        PERIOD_RULE,
        RowRule(
            "origin_pcode",
            lambda f: (f["basis"] == "flow") == f["origin_pcode"].notna(),
            "expected an origin for a flow and none for an arrival",
        ),
    ),
)

BORDER_MOVEMENT = Contract(
    "border_movement",
    (
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("source_id", required=True),
        Column("unit", required=True, choices=DISPLACEMENT_UNITS),
        Column("basis", required=True, choices=MOVE_BASES),
        Column("persons", "int", required=True, min=0),  # with a known destination distance
        Column("persons_unplaced", "int", required=True, min=0),
        Column("within_10_km", "int", required=True, min=0),
        Column("within_25_km", "int", required=True, min=0),
        Column("within_50_km", "int", required=True, min=0),
        Column("share_10", "float"),
        Column("share_25", "float"),
        Column("share_50", "float"),
        Column("mean_toward_km", "float"),
        Column("mean_dest_border_km", "float", min=0),
    ),
    key=("period_start", "period_end", "source_id", "unit", "basis"),
    rules=(
        PERIOD_RULE,
        *(RowRule(f"share_{d}", _share_ok(f"share_{d}"), "expected a share between 0 and 1") for d in (10, 25, 50)),
    ),
)

BORDER_BANDS = Contract(
    "border_bands",
    (
        Column("distance_km", "int", required=True, min=1),
        Column("source_id", required=True),
    ),
    key=("distance_km",),
)

EVENTS_MONTHLY = Contract(
    "events_monthly",
    (
        Column("month", "date", required=True),
        Column("adm1_pcode"),
        Column("adm2_pcode"),
        Column("adm3_pcode"),
        Column("dataset", required=True, choices=EVENT_DATASETS),
        Column("event_type"),
        Column("source_id", required=True),
        Column("events", "int", required=True, min=1),
        Column("fatalities", "int", required=True, min=0),
        Column("fatalities_low", "int", min=0),
        Column("fatalities_high", "int", min=0),
    ),
    key=("month", "dataset", "source_id", "adm1_pcode", "adm2_pcode", "adm3_pcode", "event_type"),
    rules=(
        pcode_rule("adm1_pcode"),
        pcode_rule("adm2_pcode"),
        pcode_rule("adm3_pcode"),
        RowRule("month", lambda f: f["month"].dt.day == 1, "expected the first day of a month"),
    ),
)

AREA_STOCKS = Contract(
    "area_stocks",
    (
        Column("date", "date", required=True),
        Column("pcode", required=True),
        Column("level", "int", required=True, min=1, max=3),
        Column("unit", required=True, choices=AREA_STOCK_UNITS),
        Column("value", "int", required=True, min=0),
        Column("source_id", required=True),
        Column("parts", "int", required=True, min=1),  # published rows summed; 1: the area as published
    ),
    key=("date", "source_id", "unit", "level", "pcode"),
    rules=(pcode_rule("pcode"),),
)

DERIVED_TABLES = (AREA_METRICS, MOVES, BORDER_MOVEMENT, BORDER_BANDS, EVENTS_MONTHLY, AREA_STOCKS)
