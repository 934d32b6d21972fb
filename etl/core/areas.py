"""Area names waiting for their P-codes: rows of a source that name their areas (governorate,
district, sub-district, community) without P-codes, or with P-codes for coarser levels only.

An adapter cannot match names itself: the admin areas (COD-AB), gazetteers and communities a
name is matched against come from other sources of the run. So it fills what the file gives and
hands the names over in an `area_names` frame, one row per P-code column to fill; the pipeline
matches them level by level (etl/transforms.py `match_area_names`) once every source is read,
and reports each name that matches nothing, with its nearest candidates.

Columns of an `area_names` frame:
    table, key, target   the table, the row's fact_id, and the column to fill (pcode,
                         origin_pcode, dest_pcode)
    adm1 .. adm4         the names the row gives per level (governorate .. community), or <NA>
    within               a P-code the row gives for a coarser level (the match stays inside it)
    file, row, column    where the finest name is, for the report
    source_id

`chain_match` matches one such chain top down with etl.core.names.NameMatcher: each level's name
among the areas inside the P-code found for the level above. Pure functions.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.core.names import Match, NameMatcher

LEVELS = (1, 2, 3, 4)
NAME_COLUMNS = tuple(f"adm{level}" for level in LEVELS)
COLUMNS = ["table", "key", "target", *NAME_COLUMNS, "within", "file", "row", "column", "source_id"]
LEVEL_NAMES = {1: "governorate", 2: "district", 3: "sub-district", 4: "community"}


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "string") for c in COLUMNS})


def frame(records: list[dict]) -> pd.DataFrame:
    """An area_names frame from records holding some of COLUMNS (the others left empty)."""
    if not records:
        return empty()
    out = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in records])
    return out.astype({c: "Int64" if c == "row" else "string" for c in COLUMNS})


def needs_matching(names: dict[int, str | None], pcode: str | None) -> bool:
    """Whether a row's names go further than its P-code: a name at a level finer than the P-code."""
    finest = max((level for level, name in names.items() if name), default=0)
    return finest > pcode_level(pcode)


def pcode_level(pcode: str | None) -> int:
    """1-3 for an admin P-code (SY07, SY0702, SY070201), 4 for a community (C1234), 0 otherwise."""
    if not pcode or not isinstance(pcode, str):
        return 0
    if pcode.startswith("SY") and pcode[2:].isdigit():
        return {2: 1, 4: 2, 6: 3}.get(len(pcode) - 2, 0)
    return 4 if pcode[:1] == "C" and pcode[1:].isdigit() else 0


@dataclass(frozen=True)
class ChainResult:
    pcode: str | None  # the finest P-code found (the `within` P-code when no name matched)
    level: int  # its level (0: none)
    miss: tuple[int, Match] | None  # the first level whose name matched nothing, and the match's report


def chain_match(matchers: dict[int, NameMatcher], community_matcher, names: dict[int, str | None],
                within: str | None) -> ChainResult:
    """Match names level by level, each inside the P-code found above it (or `within`).

    `matchers[level]` matches admin levels 1-3 (P-codes nest by prefix); `community_matcher(name,
    sub_district)` matches a community inside its sub-district (community P-codes do not start
    with their sub-district's), or is None when no communities are loaded."""
    code = within if within else None
    level = pcode_level(code)
    for lv in LEVELS:
        name = names.get(lv)
        if not name or lv <= level:
            continue
        if lv == 4:
            if community_matcher is None or pcode_level(code) != 3:
                return ChainResult(code, level, (4, Match(None, 0.0, "unmatched", [], name)))
            match = community_matcher(name, code)
        else:
            matcher = matchers.get(lv)
            if matcher is None:
                return ChainResult(code, level, (lv, Match(None, 0.0, "unmatched", [], name)))
            match = matcher.match(name, level=lv, within=code)
        if match.pcode is None:
            return ChainResult(code, level, (lv, match))
        code, level = match.pcode, lv
    return ChainResult(code, level, None)
