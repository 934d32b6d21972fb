"""A run-wide collector of problems found in source files.

Each problem names the file, the row (1-based, as a spreadsheet shows it, header = row 1), the
column, the offending value and what was expected. A problem either rejects its row (the row is
left out of the warehouse) or is a note on a row that is kept (`kept=True`: a name repaired, a
point kept without P-codes, an estimate kept out of a band). The reason is the same text for every
row it applies to, so that problems group by reason; what differs per row (the nearest
candidates of a name, the distance a point was moved) goes into `detail`.

Problems are reported grouped by table, reason and whether rows were kept, with the first few
examples, in the style of OCHA's HDX scrapers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

REJECT_COLUMNS = ["table", "file", "row", "column", "value", "reason", "kept", "detail"]


@dataclass(frozen=True)
class Problem:
    table: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    kept: bool = False  # the row is loaded, with this note
    detail: str | None = None  # what differs per row (nearest candidates, a distance)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        more = f": {self.detail}" if self.detail else ""
        return f"{where}: {self.reason}{shown}{more}"


class SourceError(Exception):
    """A source file cannot be read at all; carries the file and what was expected."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file = file


@dataclass
class Issues:
    """Collects rejected rows, and notes on kept rows, across a run."""

    problems: list[Problem] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, reason): sources left out of a run

    def add(self, table: str, file: str, row: int | None, column: str | None, value, reason: str,
            kept: bool = False, detail: str | None = None):
        shown = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        self.problems.append(Problem(table, file, row, column, shown, reason, kept, detail))

    def note(self, table: str, file: str, row: int | None, column: str | None, value, reason: str,
             detail: str | None = None):
        """A note on a row that is kept (loaded)."""
        self.add(table, file, row, column, value, reason, kept=True, detail=detail)

    def _rows(self, table: str | None, kept: bool) -> int:
        """Distinct rows (file and row number) with a problem of this kind; problems without a row
        count one each."""
        seen, loose = set(), 0
        for p in self.problems:
            if p.kept != kept or (table is not None and p.table != table):
                continue
            if p.row is None:
                loose += 1
            else:
                seen.add((p.file, p.row))
        return len(seen) + loose

    def count(self, table: str | None = None) -> int:
        """Rows rejected (left out of the warehouse)."""
        return self._rows(table, kept=False)

    def kept(self, table: str | None = None) -> int:
        """Rows kept with a note, apart from those rejected by another problem; a note without a row
        counts when it names an item (an event id), not when it is on a file or a column."""
        rejected = {(p.file, p.row) for p in self.problems
                    if not p.kept and p.row is not None and (table is None or p.table == table)}
        seen, loose = set(), 0
        for p in self.problems:
            if not p.kept or (table is not None and p.table != table):
                continue
            if p.row is None:
                loose += p.value is not None
            elif (p.file, p.row) not in rejected:
                seen.add((p.file, p.row))
        return len(seen) + loose

    def to_frame(self) -> pd.DataFrame:
        # the fields as they are (asdict deep-copies each problem: a second for thousands of them)
        frame = pd.DataFrame([tuple(getattr(p, c) for c in REJECT_COLUMNS) for p in self.problems],
                             columns=REJECT_COLUMNS)
        return frame.astype({"row": "Int64", "kept": "boolean"})

    def summary(self, first: int = 10) -> str:
        """Problems grouped by table, reason and outcome: '[table] n row(s) rejected: reason. First 10: ...'."""
        groups: dict[tuple[str, bool, str], list[Problem]] = defaultdict(list)
        for p in self.problems:
            groups[(p.table, p.kept, p.reason)].append(p)
        lines = []
        for (table, kept, reason), items in sorted(groups.items()):
            if kept and all(p.row is None for p in items):
                head = f"{len(items)} note(s)"  # on a file or a column, not on rows
            else:
                head = f"{len(items)} row(s) " + ("kept with a note" if kept else "rejected")
            lines.append(f"[{table}] {head}: {reason}. First {min(first, len(items))}:")
            lines.extend(f"    {p}" for p in items[:first])
        return "\n".join(lines)


def report_each(issues: Issues, table: str, found: list[tuple[str, str | None, object]], reason: str, limit: int = 200,
                kept: bool = False):
    """Add one problem per (file, column, value) found, the first `limit` of them, then one line
    saying how many more there are (so a systematic fault does not flood the report)."""
    for file, column, value in found[:limit]:
        issues.add(table, file, None, column, value, reason, kept=kept)
    if len(found) > limit:
        file, column, _ = found[limit]
        issues.add(table, file, None, column, None, reason, kept=kept, detail=f"and {len(found) - limit} more not listed")
