"""The contract of every table the figures files feed, declared once.

Vocabularies keep units apart: "displacements" (movements) are not "people displaced"; a
cumulative figure is not a period figure; a planning scenario or a statement by a party to the
conflict is labelled as such and never drawn as an observation.
"""
from __future__ import annotations

from etl.core.contracts import Column, Contract, RowRule

QUALIFIERS = ("exact", "about", "at_least")
KINDS = ("observation", "scenario", "statement_by_party", "estimate")
DISPLACEMENT_UNITS = ("people_displaced", "displacements", "idp_arrivals", "idp_departures", "idp_returns")
DIRECTIONS = ("total", "arrivals", "departures", "returns")
MEASURES = ("period", "cumulative")
CASUALTY_UNITS = ("civilians_killed", "people_killed", "deaths_all", "identified_killed")
CAUSES = ("conflict", "earthquake", "chemical_attack")
REFUGEE_SERIES = ("DGMM", "UN_AFAD", "UNHCR", "TR_ESTIMATE")
REFUGEE_UNITS = ("syrians_under_tp", "registered_refugees", "refugees_and_asylum_seekers", "returns")
STOCK_UNITS = ("idps", "idps_in_camps", "population", "idp_sites")
PRECISIONS = ("crossing", "nearest_town", "unknown")

PCODE = r"^SY\d{2}(\d{2}(\d{2})?)?$"


def _ordered(first: str, second: str):
    """Rule: first <= second where both are present (a missing one is reported by its column)."""
    return lambda f: f[first].isna() | f[second].isna() | (f[first] <= f[second])


_period_ok = _ordered("period_start", "period_end")
_range_ok = _ordered("low", "high")


def _pcode_ok(column):
    return lambda frame: frame[column].isna() | frame[column].str.fullmatch(PCODE)


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
    ),
    key=("source_id",),
    rules=(
        RowRule("url", lambda f: f["url"].str.match(r"^https?://"), "expected an http(s) URL"),
        RowRule(
            "published",
            lambda f: f["published"].str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?"),
            "expected a publication date as YYYY, YYYY-MM or YYYY-MM-DD",
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
    ),
    key=("period_start", "period_end", "fact_id"),
    rules=(VALUE_RULE, PERIOD_RULE, RANGE_RULE, RowRule("pcode", _pcode_ok("pcode"), "expected an OCHA P-code such as SY07")),
)

CASUALTIES = Contract(
    "casualties",
    (
        Column("fact_id", required=True),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("area_en", required=True),
        Column("pcode"),
        Column("killed", "int", required=True, min=0),
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
    rules=(PERIOD_RULE, RANGE_RULE, RowRule("pcode", _pcode_ok("pcode"), "expected an OCHA P-code such as SY07")),
)

REFUGEES = Contract(
    "refugees",
    (
        Column("fact_id", required=True),
        Column("period_start", "date"),
        Column("date", "date", required=True),
        Column("origin_iso3", required=True, choices=("SYR",)),
        Column("asylum_iso3", required=True, choices=("TUR", "REG")),
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
    ),
)

IDP_STOCK = Contract(
    "idp_stock",
    (
        Column("fact_id", required=True),
        Column("date", "date", required=True),
        Column("area_en", required=True),
        Column("pcode"),
        Column("value", "int", required=True, min=0),
        Column("qualifier", required=True, choices=QUALIFIERS),
        Column("unit", required=True, choices=STOCK_UNITS),
        Column("source_id", required=True),
        Column("note"),
    ),
    key=("date", "fact_id"),
    rules=(RowRule("pcode", _pcode_ok("pcode"), "expected an OCHA P-code such as SY07"),),
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
        Column("name_ar", required=True),
        Column("name_tr", required=True),
        Column("syrian_admin"),
        Column("lat", "float", min=35.0, max=37.5),
        Column("lon", "float", min=35.5, max=42.5),
        Column("precision", required=True, choices=PRECISIONS),
        Column("geonameid", "int"),
        Column("coord_source_id"),
        Column("note"),
    ),
    key=("crossing_id",),
)

FIGURE_TABLES = (DISPLACEMENT, CASUALTIES, REFUGEES, IDP_STOCK, TIMELINE)
