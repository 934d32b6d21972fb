"""The area_stocks table: IDP and population stocks per admin area of levels 1-3, from idp_stock.
A row with an admin P-code counts for its own area and each coarser one; a community row (or
camp, site) counts for its sub-district (idp_stock.adm3_pcode, else locations.adm3_pcode) and up.
Sums stay within one (date, source_id, unit). Where the source published an area itself, that
figure wins over the sum of its parts, at every level (no double counting).

Pure functions; groupby and merges only.
"""
from __future__ import annotations

import pandas as pd

from etl.contracts import AREA_STOCK_UNITS, AREA_STOCKS, PCODE, SUB_DISTRICT
from etl.core.issues import Issues, report_each
from etl.derived.schema import column_or_na, conform, empty

STOCK_KEYS = ["date", "source_id", "unit"]
LOCATION_PCODE = r"^(C\d{3,6}|CP\d{6}|TEMP\d{3,6})$"  # communities, camps, CCCM temporary codes
DUPLICATE = ("expected one figure per area, date, source and unit; the first by fact_id is used, "
             "the others left out of area_stocks")
NO_SUB_DISTRICT = ("expected the sub-district of this location (idp_stock.adm3_pcode or locations.adm3_pcode); "
                   "left out of area_stocks")


def _level(pcodes: pd.Series) -> pd.Series:
    """Admin level (1-3) of an admin P-code, NA otherwise."""
    admin = pcodes.str.fullmatch(PCODE).fillna(False).astype(bool)
    return ((pcodes.str.len() - 2) // 2).where(admin).astype("Int64")


def _first_per_area(rows: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """One row per (date, source_id, unit, pcode): the first by fact_id; the others reported."""
    ordered = rows.sort_values([*STOCK_KEYS, "pcode", "fact_id"], kind="stable")
    repeated = ordered.duplicated([*STOCK_KEYS, "pcode"], keep="first")
    dropped = ordered[repeated]
    report_each(issues, "area_stocks", list(zip(dropped["source_id"], ["fact_id"] * len(dropped), dropped["fact_id"])),
                DUPLICATE)
    return ordered[~repeated]


def _published_wins(published: pd.DataFrame, summed: pd.DataFrame) -> pd.DataFrame:
    """Published areas, plus summed areas the source did not publish itself."""
    if published.empty or summed.empty:
        return summed if published.empty else published
    keys = [*STOCK_KEYS, "pcode"]
    taken = pd.MultiIndex.from_frame(summed[keys]).isin(pd.MultiIndex.from_frame(published[keys]))
    return pd.concat([published, summed[~taken]], ignore_index=True)


def _sum_up(children: pd.DataFrame, parent_length: int) -> pd.DataFrame:
    """Children's values and parts summed per parent P-code (its first `parent_length` characters)."""
    parents = children.assign(pcode=children["pcode"].str[:parent_length])
    return parents.groupby([*STOCK_KEYS, "pcode"], sort=False)[["value", "parts"]].sum().reset_index()


def area_stocks(idp_stock: pd.DataFrame, locations: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """The area_stocks table (see the module docstring), sorted by date, source, unit, level, pcode."""
    if idp_stock.empty:
        return empty(AREA_STOCKS)
    rows = idp_stock[idp_stock["unit"].isin(AREA_STOCK_UNITS).fillna(False).astype(bool) & idp_stock["value"].notna()]
    rows = rows.reset_index(drop=True).assign(level=lambda f: _level(f["pcode"].astype("string")), parts=1)
    # location rows (communities, camps, or the producer's own codes with a sub-district): their sub-district
    sub_district = column_or_na(rows, "adm3_pcode").astype("string")
    sub_district = sub_district.where(sub_district.str.fullmatch(SUB_DISTRICT).fillna(False).astype(bool))
    if locations is not None and {"location_pcode", "adm3_pcode"} <= set(locations.columns):
        known = locations.dropna(subset=["adm3_pcode"]).drop_duplicates("location_pcode")
        listed = rows["pcode"].map(known.set_index("location_pcode")["adm3_pcode"]).astype("string")
        sub_district = sub_district.fillna(listed)
    coded_location = rows["pcode"].str.fullmatch(LOCATION_PCODE).fillna(False).astype(bool)
    lost = rows[coded_location & sub_district.isna()].drop_duplicates(["source_id", "pcode"])
    report_each(issues, "area_stocks", list(zip(lost["source_id"], ["pcode"] * len(lost), lost["pcode"])), NO_SUB_DISTRICT)
    located = rows[rows["level"].isna() & sub_district.notna()]
    coded, uncoded = located[located["pcode"].notna()], located[located["pcode"].isna()]  # uncoded: producer's codes
    located = pd.concat([_first_per_area(coded, issues), uncoded])
    published = _first_per_area(rows[rows["level"].notna()], issues)

    levels = []
    children = located.assign(pcode=sub_district[located.index])[[*STOCK_KEYS, "pcode", "value", "parts"]]
    for level in (3, 2, 1):
        summed = _sum_up(children, 2 + 2 * level) if len(children) else children
        own = published.loc[published["level"] == level, [*STOCK_KEYS, "pcode", "value", "parts"]]
        stock = _published_wins(own, summed).assign(level=level)
        levels.append(stock)
        children = stock.drop(columns="level")
    out = pd.concat(levels, ignore_index=True)
    out = out.sort_values(["date", "source_id", "unit", "level", "pcode"], kind="stable")
    return conform(out, AREA_STOCKS)
