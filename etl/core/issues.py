"""A run-wide collector of problems found in source files.

Each problem names the file, the row (1-based, as a spreadsheet shows it, header = row 1), the
column, the offending value and what was expected. Problems are reported grouped by reason, with
the first few examples, in the style of OCHA's HDX scrapers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pandas as pd

REJECT_COLUMNS = ["table", "file", "row", "column", "value", "reason"]


@dataclass(frozen=True)
class Problem:
    table: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.reason}{shown}"


class SourceError(Exception):
    """A source file cannot be read at all; carries the file and what was expected."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file = file


@dataclass
class Issues:
    """Collects rejected rows across a run."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, table: str, file: str, row: int | None, column: str | None, value, reason: str):
        shown = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        self.problems.append(Problem(table, file, row, column, shown, reason))

    def count(self, table: str | None = None) -> int:
        return sum(1 for p in self.problems if table is None or p.table == table)

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([asdict(p) for p in self.problems], columns=REJECT_COLUMNS)
        return frame.astype({"row": "Int64"})

    def summary(self, first: int = 10) -> str:
        """Problems grouped by table and reason: 'n rows: reason. First 10: ...'."""
        groups: dict[tuple[str, str], list[Problem]] = defaultdict(list)
        for p in self.problems:
            groups[(p.table, p.reason)].append(p)
        lines = []
        for (table, reason), items in sorted(groups.items()):
            lines.append(f"[{table}] {len(items)} row(s): {reason}. First {min(first, len(items))}:")
            lines.extend(f"    {p}" for p in items[:first])
        return "\n".join(lines)


def report_each(issues: Issues, table: str, found: list[tuple[str, str | None, object]], reason: str, limit: int = 200):
    """Add one problem per (file, column, value) found, the first `limit` of them, then one line
    saying how many more there are (so a systematic fault does not flood the report)."""
    for file, column, value in found[:limit]:
        issues.add(table, file, None, column, value, reason)
    if len(found) > limit:
        file, column, _ = found[limit]
        issues.add(table, file, None, column, None, f"{len(found) - limit} more not listed: {reason}")
