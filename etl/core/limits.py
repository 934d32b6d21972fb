"""Bounds on what one source may be, checked where sources are opened, so that a hostile or broken
input (a zip bomb, a garbage file under a valid header, a server that never stops sending) fails
in seconds with a message naming the file, the limit and the setting that raises it.

The run's limits come from the environment (etl/config.py reads it) and, per source, from
`[source.limits]` in the sources file; the pipeline makes them active around each source with
`applied()`, and the readers below check against `active()`.

    size      bytes of a source on disk (a folder: all its files); also caps a download
    inflated  bytes an archive (zip, and so xlsx) holds once inflated
    ratio     inflated / compressed size of any archive member of 1 MiB or more
    rows      data rows of a table, sheet or layer
    columns   cells of a row (fields of a layer)
    line      characters of one line of a text file
    timeout   seconds to connect, and seconds without data while downloading
    deadline  seconds for a whole download, retries included
"""
from __future__ import annotations

import csv
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from etl.core.issues import SourceError

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
RATIO_FLOOR = MiB  # smaller archive members may compress well beyond any ratio: not a danger

ENV = {
    "size": "IDLIB_MAX_SOURCE_SIZE", "inflated": "IDLIB_MAX_INFLATED_SIZE", "ratio": "IDLIB_MAX_RATIO",
    "rows": "IDLIB_MAX_ROWS", "columns": "IDLIB_MAX_COLUMNS", "line": "IDLIB_MAX_LINE",
    "timeout": "IDLIB_DOWNLOAD_TIMEOUT", "deadline": "IDLIB_DOWNLOAD_DEADLINE",
}
SIZES = ("size", "inflated")
COUNTS = ("rows", "columns", "line")
SECONDS = ("ratio", "timeout", "deadline")  # positive numbers (the ratio is not in seconds)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    size: int = 2 * GiB
    inflated: int = 4 * GiB
    ratio: float = 100.0
    rows: int = 5_000_000
    columns: int = 500
    line: int = MiB
    timeout: float = 30.0
    deadline: float = 3600.0
    source: str = ""  # the source these apply to, named in messages

    def with_values(self, values: Mapping[str, object], where: str) -> Limits:
        """These limits with some replaced by values given as text or numbers ('3G', 10_000_000);
        a ValueError names `where` and what was expected."""
        changes = {}
        for key, value in values.items():
            if key not in ENV:
                raise ValueError(f"{where}: unknown limit {key!r}; expected some of {', '.join(ENV)}")
            changes[key] = parse(key, value, where)
        return replace(self, **changes)

    def hint(self, key: str) -> str:
        scope = f"of source {self.source!r} " if self.source else ""
        return (f"raise it with the environment variable {ENV[key]}, or with `{key} = ...` under "
                f"[source.limits] {scope}in the sources file")

    def beyond(self, what: str, key: str, value: float | None = None) -> str:
        """'<what was found>, beyond the limit of <limit>; <how to raise it>'."""
        value = getattr(self, key) if value is None else value
        return f"{what}, beyond the limit of {shown(key, value)}; {self.hint(key)}"

    def refuse(self, file: str, what: str, key: str) -> SourceError:
        """The error for `file` going beyond limit `key`: what was found, the limit, how to raise it."""
        return SourceError(file, self.beyond(what, key))


def parse(key: str, value: object, where: str) -> int | float:
    text = str(value).strip().replace("_", "")
    if key in SIZES:
        match = _SIZE.fullmatch(text)
        if match and float(match.group(1)) > 0:
            return int(float(match.group(1)) * 1024 ** " kmgt".index(match.group(2).lower() or " "))
        raise ValueError(f"{where}: limit {key} {value!r}: expected a size such as 2G, 500M or 1048576 (bytes)")
    if key in COUNTS:
        if text.isdigit() and int(text) > 0:
            return int(text)
        raise ValueError(f"{where}: limit {key} {value!r}: expected a whole number above 0")
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if number > 0 and number != float("inf"):
        return number
    raise ValueError(f"{where}: limit {key} {value!r}: expected a number above 0")


def human(size: float) -> str:
    for unit, factor in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{int(size)} bytes"


def shown(key: str, value: float) -> str:
    if key in SIZES:
        return human(value)
    if key == "ratio":
        return f"{value:g}x"
    if key in ("timeout", "deadline"):
        return f"{value:g} s"
    return f"{int(value):,} {'characters' if key == 'line' else key}"


DEFAULTS = Limits()
_active: ContextVar[Limits] = ContextVar("etl_limits")


def active() -> Limits:
    """The limits of the source being read (the defaults outside a run)."""
    return _active.get(DEFAULTS)


@contextmanager
def applied(limits: Limits):
    token = _active.set(limits)
    try:
        yield limits
    finally:
        _active.reset(token)


# --- whole files ---------------------------------------------------------------------------------


def check_source(path: Path) -> None:
    """A source file or folder on disk: its size, and what every zip in it inflates to."""
    limits = active()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    total = 0
    for file in files:
        total += file.stat().st_size
        if total > limits.size:
            what = f"{human(total)} on disk" + (f" (so far, in folder {path.name})" if file != path else "")
            raise limits.refuse(path.name, what, "size")
    for file in files:
        check_archive(file)


def check_archive(path: Path) -> None:
    """A zip file (an .xlsx is one) by its directory, before anything is inflated: the total
    inflated size and each large member's compression ratio. Python's zipfile (openpyxl's too)
    never inflates a member past the size its directory declares. A damaged archive is left to
    the adapter to report."""
    limits = active()
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.inflated:
            raise limits.refuse(path.name, f"the archive inflates to at least {human(total)}", "inflated")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_FLOOR and ratio > limits.ratio:
            raise limits.refuse(
                path.name,
                f"member {member.filename!r} inflates {ratio:,.0f}x ({human(member.compress_size)} to "
                f"{human(member.file_size)}), the mark of a zip bomb",
                "ratio",
            )


def check_count(count: int, file: str, what: str = "records") -> None:
    """A table read whole (JSON, a layer) by its number of rows."""
    limits = active()
    if count > limits.rows:
        raise limits.refuse(file, f"{count:,} {what}", "rows")


def check_layer(info: Mapping, file: str) -> None:
    """A vector layer by what GDAL says of it (pyogrio.read_info), before reading its features."""
    limits = active()
    features = int(info.get("features", -1) or -1)
    if features > limits.rows:
        raise limits.refuse(file, f"{features:,} features", "rows")
    fields = len(info.get("fields", ()))
    if fields > limits.columns:
        raise limits.refuse(file, f"{fields:,} fields", "columns")


# --- streaming text ------------------------------------------------------------------------------


def text_lines(handle: TextIO, file: str) -> Iterator[str]:
    """The lines of a text handle, never holding one longer than the limit (named by its number)."""
    limit = active().line
    for number in itertools.count(1):
        line = handle.readline(limit + 2)  # room for '\r\n'
        if not line:
            return
        if len(line.rstrip("\r\n")) > limit:
            raise active().refuse(file, f"line {number:,} is longer than {limit:,} characters", "line")
        yield line


def check_lines(path: Path, file: str, encoding: str = "utf-8-sig") -> None:
    """A pass over a text file that another library will parse: every line within the limit.
    Bytes that do not decode are left for that library to report."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for _ in text_lines(handle, file):
            pass


def bounded_rows(rows: Iterable[Sequence], file: str, header_rows: int = 1,
                 width: Callable[[Sequence], int] = len, line: Callable[[], int] | None = None) -> Iterator[Sequence]:
    """Rows as they are read, stopping at the first beyond the row limit (after `header_rows`) or
    wider than the column limit. `line` gives the current line number for messages."""
    limits = active()
    for number, row in enumerate(rows, start=1):
        where = f"line {line():,}" if line else f"row {number:,}"
        if number > limits.rows + header_rows:
            raise limits.refuse(file, f"more than {limits.rows:,} rows (stopped reading at {where})", "rows")
        cells = width(row)
        if cells > limits.columns:
            raise limits.refuse(file, f"{where} has {cells:,} cells", "columns")
        yield row


def csv_records(handle: TextIO, file: str, sniff: Callable[[str], str] | None = None) -> Iterator[list[str]]:
    """The records of delimited text (the delimiter from the first line by `sniff`, else ','),
    streamed within the line, row and column limits. Undecodable bytes and malformed quoting
    are reported with their line number, never with the line itself."""
    lines = text_lines(handle, file)
    reader = None
    try:
        first = next(lines, "")
        reader = csv.reader(itertools.chain([first], lines), delimiter=sniff(first) if sniff else ",")
        yield from bounded_rows(reader, file, line=lambda: reader.line_num)
    except UnicodeDecodeError:
        near = reader.line_num + 1 if reader else 1
        encoding = getattr(handle, "encoding", "utf-8") or "utf-8"
        name = "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8") else encoding
        raise SourceError(
            file, f"expected {name} text (in Excel: save as 'CSV UTF-8'); bytes near line {near} are not {name}"
        ) from None
    except csv.Error as exc:
        raise SourceError(file, f"line {reader.line_num if reader else 1}: expected delimited text ({exc})") from None


def filled_width(row: Sequence) -> int:
    """Cells up to the last one holding a value (a sheet's styled empty cells do not count)."""
    for i in range(len(row) - 1, -1, -1):
        if row[i] is not None and row[i] != "":
            return i + 1
    return 0


def sheet_rows(ws, file: str) -> Iterator[tuple]:
    """The rows of an openpyxl read-only worksheet, values only, within the row and column limits.
    A sheet that declares more columns than the limit (openpyxl pads every row to it) is read
    with its rows as wide as their own cells."""
    limits = active()
    if (ws.max_column or 0) > limits.columns and hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return bounded_rows(ws.iter_rows(values_only=True), file, width=filled_width)
