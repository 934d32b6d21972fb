"""A column mapping from the sources file, checked against a sheet's header before any row is
read, then the sheet's rows as records of fields.

In the sources file (see README "Mapped tables"):

    [source.columns]            # field = the header in the file, or an HXL hashtag
    adm3_pcode = "Sub-district Pcode"
    people_in_need = "#inneed"
    [source.constants]          # what the file does not say
    period = "2023"
    [source.melt]               # a wide layout: one column per month, per destination, ...
    columns = '^(?P<year>\\d{4}) (?P<month>[A-Za-z]+)$'   # which headers are melted (a regular expression)
    value = "value"             # the field each melted cell fills
    header = "dest_adm1_name"   # the field the header fills (else the pattern's named groups do)
    total = "Grand Total"       # optional: the header of each row's published total, checked

and in [source.options]: `header_row` (the header's row number, found automatically otherwise),
`header_rows` (rows the header spans: 2 for a year row above a month row, found automatically),
`skip` (field -> a regular expression: rows whose field matches it are totals or notes, not read).

The header is the row, among the first 30, that holds the most of the mapped headers (names are
compared ignoring case, spaces and punctuation: etl/core/headers.py header_key); a header over two
rows is read with the upper row's merged cells carried right ('2016' over 'January' .. 'December'
gives '2016 January' ..). Without [source.columns], an HXL hashtag row maps the columns by their
hashtags (HXL_FIELDS). A mapping that does not fit is reported before any row is read, naming the
file, the sheet, the header row found and the closest column names.

Pure functions on rows of text cells (etl/core/sheets.py).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from collections.abc import Mapping as Table
from dataclasses import dataclass, field

from etl.core.headers import HEADER_SCAN, clean_header, header_key, is_hashtag_row
from etl.core.issues import SourceError
from etl.core.names import repair_mojibake

# HXL hashtag -> field, for files that carry a hashtag row and no [source.columns] (first match wins)
HXL_FIELDS = (
    ("#adm1+code", "adm1_pcode"), ("#adm2+code", "adm2_pcode"), ("#adm3+code", "adm3_pcode"),
    ("#adm4+code", "adm4_pcode"), ("#loc+code", "adm4_pcode"),
    ("#adm1+name", "adm1_name"), ("#adm2+name", "adm2_name"), ("#adm3+name", "adm3_name"),
    ("#adm4+name", "adm4_name"), ("#loc+name", "adm4_name"),
    ("#date+start", "period_start"), ("#date+end", "period_end"), ("#date+year", "year"),
    ("#date+reported", "date"), ("#date", "date"),
    ("#sector", "sector"), ("#population+group", "population_group"), ("#category", "population_group"),
    ("#inneed", "people_in_need"), ("#affected+inneed", "people_in_need"), ("#severity", "severity"),
    ("#population", "population"), ("#affected+killed", "killed"), ("#affected+injured", "injured"),
    ("#affected+idps", "value"), ("#event+type", "event_type"), ("#indicator+event+num", "events"),
    ("#event+num", "events"),
)
_NOT_TOTALS = ("f", "m", "children", "adults", "elderly", "infants", "hh", "provider", "i_ar")
PERSONAL_OK_KEY = "personal"  # [source.options] personal = ["Focal point"]: personal columns loaded on purpose


@dataclass(frozen=True)
class Melt:
    columns: re.Pattern
    value: str
    header: str | None = None
    total: str | None = None


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]  # field -> header (or '#hashtag')
    constants: dict[str, str]
    melt: Melt | None = None
    header_row: int | None = None
    header_rows: int | None = None
    skip: dict[str, re.Pattern] = field(default_factory=dict)
    sheet_field: str | None = None


def _regex(text, where: str, file: str) -> re.Pattern:
    try:
        return re.compile(str(text))
    except re.error as exc:
        raise SourceError(file, f"{where} = {text!r}: not a regular expression ({exc})") from None


def parse(columns: Table, constants: Table, melt: Table, options: Table, file: str,
          fields: tuple[str, ...]) -> Mapping:
    """The mapping of a source entry, checked: every field one the table knows (`fields`)."""
    known = set(fields)
    for where, given in (("[source.columns]", columns), ("[source.constants]", constants)):
        unknown = sorted(set(given) - known)
        if unknown:
            raise SourceError(file, f"{where}: unknown field(s) {', '.join(unknown)}; the table's fields are "
                                    f"{', '.join(fields)}")
        bad = [k for k, v in given.items() if not isinstance(v, str | int | float) or isinstance(v, bool)]
        if bad:
            raise SourceError(file, f"{where}: expected text for {', '.join(bad)}")
    parsed_melt = None
    if melt:
        extra = sorted(set(melt) - {"columns", "value", "header", "total"})
        if extra or "columns" not in melt or "value" not in melt:
            raise SourceError(file, "[source.melt]: expected columns (a regular expression) and value (a field), "
                                    "with header and total optional" + (f"; unknown key(s) {', '.join(extra)}" if extra else ""))
        pattern = _regex(melt["columns"], "[source.melt] columns", file)
        for key in ("value", "header"):
            if melt.get(key) is not None and melt[key] not in known:
                raise SourceError(file, f"[source.melt] {key} = {melt[key]!r}: expected a field of the table "
                                        f"({', '.join(fields)})")
        groups = set(pattern.groupindex) - {"year", "month"} - known
        if groups:
            raise SourceError(file, f"[source.melt] columns: named group(s) {', '.join(sorted(groups))} are not fields")
        parsed_melt = Melt(pattern, melt["value"], melt.get("header"), melt.get("total"))
    header_row, header_rows = options.get("header_row"), options.get("header_rows")
    for name, value in (("header_row", header_row), ("header_rows", header_rows)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise SourceError(file, f"option {name} = {value!r}: expected a row number from 1")
    skip = options.get("skip", {})
    if not isinstance(skip, Table):
        raise SourceError(file, "option skip: expected a table such as { adm1_name = '^Grand Total$' }")
    sheet_field = options.get("sheet_field")
    if sheet_field is not None and sheet_field not in known:
        raise SourceError(file, f"option sheet_field = {sheet_field!r}: expected a field of the table ({', '.join(fields)})")
    return Mapping(
        columns={k: str(v) for k, v in columns.items()}, constants={k: str(v) for k, v in constants.items()},
        melt=parsed_melt, header_row=header_row, header_rows=header_rows,
        skip={k: _regex(v, f"option skip.{k}", file) for k, v in skip.items()}, sheet_field=sheet_field,
    )


# ---- the header -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    names: list[str]  # one per column, cleaned ('2016 January' for a two-row header)
    hashtags: list[str]  # the HXL hashtag of each column ('' without a hashtag row)
    last_row: int  # the header's last row, 1-based (data start below it, after any hashtag row)
    first_data: int  # 0-based index of the first row under the header (and its hashtag row)
    columns: dict[str, int]  # field -> column position


def _combined(rows: list[list[str]], top: int, span: int) -> list[str]:
    """The header names of rows top-span+1 .. top: upper rows' merged cells carried right."""
    width = max(len(rows[i]) for i in range(top - span + 1, top + 1))
    parts = []
    for i in range(top - span + 1, top + 1):
        row = [clean_header(repair_mojibake(c)) for c in rows[i]] + [""] * (width - len(rows[i]))
        if i < top:  # an upper row: a merged cell shows in its first column only
            carried, filled = "", []
            for cell in row:
                carried = cell or carried
                filled.append(carried)
            row = filled
        parts.append(row)
    return [" ".join(p[c] for p in parts if p[c]).strip() for c in range(width)]


def _wanted(mapping: Mapping) -> list[str]:
    return [h for h in mapping.columns.values() if not h.startswith("#")]


def _score(names: list[str], mapping: Mapping) -> int:
    keys = {header_key(n) for n in names if n}
    found = sum(1 for h in _wanted(mapping) if header_key(h) in keys)
    if mapping.melt is not None and any(mapping.melt.columns.search(n) for n in names if n):
        found += 1
    return found


def _hashtag_row(rows: list[list[str]]) -> int | None:
    return next((i for i, row in enumerate(rows[:HEADER_SCAN]) if is_hashtag_row(row)), None)


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c.strip() and not re.fullmatch(r"[-+\d.,\s%]+", c))


def _where(file: str, sheet: str) -> str:
    return f"{file}, sheet {sheet!r}"


def _closest(name: str, names: list[str]) -> str:
    keyed = {header_key(n): n for n in names if n}
    close = difflib.get_close_matches(header_key(name), list(keyed), n=3, cutoff=0.5)
    return ", ".join(repr(keyed[c]) for c in close) or "none close"


def _summary(names: list[str]) -> str:
    shown = [n for n in names if n][:12]
    more = len([n for n in names if n]) - len(shown)
    return ", ".join(repr(n[:40]) for n in shown) + (f" and {more} more" if more > 0 else "")


def locate(rows: list[list[str]], mapping: Mapping, file: str, sheet: str) -> Header:
    """The header of a sheet for this mapping, or a SourceError naming the file, the sheet, the
    header row found and, for each mapped header missing, the closest column names."""
    tags_at = _hashtag_row(rows)
    if mapping.header_row is not None:
        if mapping.header_row > len(rows):
            raise SourceError(_where(file, sheet), f"option header_row = {mapping.header_row}: the sheet has "
                                                   f"{len(rows)} row(s)")
        top, span = mapping.header_row - 1, mapping.header_rows or 1
        if top - span + 1 < 0:
            raise SourceError(_where(file, sheet), f"option header_rows = {span}: the header would start above row 1")
    elif tags_at is not None and (not mapping.columns or all(h.startswith("#") for h in mapping.columns.values())):
        top, span = (tags_at - 1, 1) if tags_at > 0 and _filled(rows[tags_at - 1]) else (tags_at, 1)
    else:
        best = (0, 0, 1)  # (score, top, span)
        for span in ((mapping.header_rows,) if mapping.header_rows else (1, 2)):
            for top in range(span - 1, min(HEADER_SCAN, len(rows))):
                score = _score(_combined(rows, top, span), mapping)
                if score > best[0]:
                    best = (score, top, span)
        score, top, span = best
        if score == 0:
            fullest = max(range(min(HEADER_SCAN, len(rows))), key=lambda i: _filled(rows[i]), default=None)
            if fullest is None:
                raise SourceError(_where(file, sheet), "expected a header row; the sheet is empty")
            names = _combined(rows, fullest, 1)
            wanted = ", ".join(f"{h!r} (closest: {_closest(h, names)})" for h in _wanted(mapping)) or "the melted columns"
            raise SourceError(_where(file, sheet), f"no row of the first {HEADER_SCAN} holds the mapped headers; the "
                                                   f"header row found is row {fullest + 1}: {_summary(names)}; expected "
                                                   f"{wanted}")
    names = _combined(rows, top, span)
    hashtags = [""] * len(names)
    first_data = top + 1
    if first_data < len(rows) and is_hashtag_row(rows[first_data]):
        hashtags = [c.strip() for c in rows[first_data]] + [""] * (len(names) - len(rows[first_data]))
        first_data += 1
    elif tags_at == top:  # a hashtag row with no text header above it
        hashtags = [c.strip() for c in rows[top]] + [""] * (len(names) - len(rows[top]))
    return Header(names, hashtags[: len(names)], top + 1, first_data, _positions(names, hashtags, mapping, file, sheet, top))


def _tag_matches(pattern: str, tag: str) -> bool:
    """An HXL tag pattern ('#affected+killed') matches a column's hashtag with those attributes (and
    maybe others, except breakdowns such as +f, +children, +hh, which are not totals)."""
    want = [p.strip().lower() for p in pattern.split("+")]
    have = [p.strip().lower() for p in tag.replace(" ", "").split("+")]
    if not have[0] or have[0] != want[0] or not set(want[1:]) <= set(have[1:]):
        return False
    return not (set(have[1:]) - set(want[1:])) & set(_NOT_TOTALS)


def _positions(names: list[str], hashtags: list[str], mapping: Mapping, file: str, sheet: str, top: int) -> dict[str, int]:
    keys = [header_key(n) for n in names]
    positions, missing = {}, []
    columns = dict(mapping.columns)
    if not columns:
        if not any(hashtags):
            raise SourceError(_where(file, sheet), "expected [source.columns] mapping the table's fields to the file's "
                                                   "headers, or an HXL hashtag row under the header")
        for tag, name in HXL_FIELDS:
            if name not in columns and any(_tag_matches(tag, h) for h in hashtags):
                columns[name] = tag
    for name, header in columns.items():
        if header.startswith("#"):
            matches = [i for i, h in enumerate(hashtags) if _tag_matches(header, h)]
            # the column with the fewest attributes: the total, not a breakdown
            at = min(matches, key=lambda i: (hashtags[i].count("+"), i)) if matches else None
        else:
            at = next((i for i, k in enumerate(keys) if k == header_key(header)), None)
        if at is None:
            missing.append(f"{header!r} for {name} (closest: {_closest(header, names) if not header.startswith('#') else ', '.join(sorted({h for h in hashtags if h})) or 'no hashtags'})")
        else:
            positions[name] = at
    if mapping.melt is not None and not any(mapping.melt.columns.search(n) for n in names if n):
        missing.append(f"headers matching [source.melt] columns = {mapping.melt.columns.pattern!r}")
    if missing:
        raise SourceError(_where(file, sheet), f"the header row found is row {top + 1} ({_summary(names)}); expected "
                                               + "; ".join(missing))
    return positions


# ---- the records ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    row: int  # as the spreadsheet shows it
    fields: dict[str, str]  # field -> text ('' when blank)
    columns: dict[str, str]  # field -> the header it came from (for reports)
    melted: str | None = None  # the melted column's header


def records(rows: list[list[str]], header: Header, mapping: Mapping, sheet: str) -> Iterator[Record]:
    """The sheet's data rows as records: the mapped cells, the constants and the sheet name, one
    record per melted cell with a value (blank melted cells give none: blank is not zero); rows
    that are blank in every mapped column, or that a `skip` pattern matches, give none."""
    melted = []
    if mapping.melt is not None:
        taken = set(header.columns.values())
        melted = [(i, n, mapping.melt.columns.search(n)) for i, n in enumerate(header.names)
                  if n and i not in taken and n != mapping.melt.total]
        melted = [(i, n, m) for i, n, m in melted if m]
    for index in range(header.first_data, len(rows)):
        cells = rows[index]

        def cell(i: int, cells=cells) -> str:
            return cells[i].strip() if i < len(cells) else ""
        base = {name: cell(at) for name, at in header.columns.items()}
        if not any(base.values()) and not any(cell(i) for i, _, _ in melted):
            continue
        base = {**mapping.constants, **{k: v for k, v in base.items() if v or k not in mapping.constants}}
        if mapping.sheet_field:
            base[mapping.sheet_field] = sheet
        if any(rx.search(base.get(name, "")) for name, rx in mapping.skip.items()):
            continue
        columns = {name: header.names[at] for name, at in header.columns.items()}
        if not melted:
            yield Record(index + 1, base, columns)
            continue
        for at, name, match in melted:
            value = cell(at)
            if not value:
                continue
            fields = dict(base)
            fields[mapping.melt.value] = value
            if mapping.melt.header:
                fields[mapping.melt.header] = name
            fields.update({k: v for k, v in match.groupdict().items() if v is not None})
            yield Record(index + 1, fields, {**columns, mapping.melt.value: name}, melted=name)


def total_mismatches(rows: list[list[str]], header: Header, mapping: Mapping) -> Iterator[tuple[int, str, float, float]]:
    """(row, header of the total, published total, sum of the melted cells) for each row whose
    published total (the [source.melt] total column) differs from the sum of its melted cells by
    more than rounding."""
    if mapping.melt is None or not mapping.melt.total:
        return
    key = header_key(mapping.melt.total)
    at = next((i for i, n in enumerate(header.names) if header_key(n) == key), None)
    if at is None:
        return
    taken = set(header.columns.values())
    parts = [i for i, n in enumerate(header.names) if n and i not in taken and i != at and mapping.melt.columns.search(n)]
    for index in range(header.first_data, len(rows)):
        cells = rows[index]
        fields = {name: cells[i].strip() if i < len(cells) else "" for name, i in header.columns.items()}
        if any(rx.search(fields.get(name, "")) for name, rx in mapping.skip.items()):
            continue  # a row the sources file says is not read (a total row)
        numbers = []
        for i in parts:
            text = cells[i].strip().replace(",", "") if i < len(cells) else ""
            if re.fullmatch(r"-?\d+(\.\d+)?", text):
                numbers.append(float(text))
        total = cells[at].strip().replace(",", "") if at < len(cells) else ""
        if numbers and re.fullmatch(r"-?\d+(\.\d+)?", total) and abs(float(total) - sum(numbers)) > 0.5:
            yield index + 1, header.names[at], float(total), sum(numbers)
