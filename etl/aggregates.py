"""Tables aggregated for the map and the charts:

- `events_monthly`: conflict events per month, admin area (adm1-3 P-codes), dataset, event type
  and source, with event counts and fatalities (best, and low / high where the source gives them);
- `area_stocks`: IDP and population stocks per admin area of levels 1-3, from idp_stock. A row
  with an admin P-code counts for its own area and each coarser one; a community row (or camp,
  site) counts for its sub-district (idp_stock.adm3_pcode, else locations.adm3_pcode) and up.
  Sums stay within one (date, source_id, unit). Where the source published an area itself, that
  figure wins over the sum of its parts, at every level (no double counting).

Pure functions; groupby and merges only (the bench feeds a million events).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.contracts import AREA_STOCK_UNITS, AREA_STOCKS, EVENTS_MONTHLY, PCODE, SUB_DISTRICT
from etl.core.issues import Issues, report_each
from etl.derived_schema import conform, empty

EVENT_KEYS = ["month", "adm1_pcode", "adm2_pcode", "adm3_pcode", "dataset", "event_type", "source_id"]
STOCK_KEYS = ["date", "source_id", "unit"]
LOCATION_PCODE = r"^(C\d{3,6}|CP\d{6}|TEMP\d{3,6})$"  # communities, camps, CCCM temporary codes
DUPLICATE = ("expected one figure per area, date, source and unit; the first by fact_id is used, "
             "the others left out of area_stocks")
NO_SUB_DISTRICT = ("expected the sub-district of this location (idp_stock.adm3_pcode or locations.adm3_pcode); "
                   "left out of area_stocks")


def _column(frame: pd.DataFrame, name: str, dtype: str = "string") -> pd.Series:
    """frame[name], or an all-NA column when the frame lacks it (raw, unjoined events)."""
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=dtype)


def month_start(dates: pd.Series) -> np.ndarray:
    """The first day of each date's month, as datetime64[s]."""
    return dates.to_numpy("datetime64[s]").astype("datetime64[M]").astype("datetime64[s]")


def events_monthly(events: pd.DataFrame) -> pd.DataFrame:
    """Events per month (of date_start), adm1-3 P-codes, dataset, event type and source: events
    (count), fatalities (sum of best), fatalities_low / fatalities_high (sums over the events
    that give them; NA when none does). Sorted by month, then the other keys."""
    if events.empty:
        return empty(EVENTS_MONTHLY)
    events = events.reset_index(drop=True)
    keys = {"month": pd.Series(month_start(events["date_start"]))}
    keys |= {k: _column(events, k).astype("string") for k in EVENT_KEYS[1:]}
    # group on integer codes (NA a code of its own): much faster than on a million strings
    codes = {k: pd.factorize(v, use_na_sentinel=False) for k, v in keys.items()}
    coded = pd.DataFrame({k: c for k, (c, _) in codes.items()}).assign(
        events=1,
        fatalities=events["fatalities"].astype("Int64"),
        fatalities_low=_column(events, "fatalities_low", "Int64").astype("Int64"),
        fatalities_high=_column(events, "fatalities_high", "Int64").astype("Int64"),
    )
    grouped = coded.groupby(EVENT_KEYS, sort=False)
    sums = grouped[["events", "fatalities"]].sum()
    sums[["fatalities_low", "fatalities_high"]] = grouped[["fatalities_low", "fatalities_high"]].sum(min_count=1)
    sums = sums.reset_index()
    for k, (_, uniques) in codes.items():
        sums[k] = uniques.take(sums[k].to_numpy())
    sums = sums.sort_values(EVENT_KEYS, kind="stable", na_position="last")
    return conform(sums, EVENTS_MONTHLY)


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
    sub_district = _column(rows, "adm3_pcode").astype("string")
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
