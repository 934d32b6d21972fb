"""The two readers of large exports give the same rows: pyarrow's (etl/core/csv_arrow.py, used
whenever it can be) and Python's csv module line by line (the reference), on generated files that
are well or badly formed, within low limits or beyond them."""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.core import csv_arrow, limits
from etl.core.csv_columns import TextRows, read_line_by_line, read_text_rows
from etl.core.issues import SourceError
from etl.core.limits import Limits

REQUIRED = ("id", "date")
OPTIONAL = ("note",)
CELL = st.text(st.sampled_from('ab ,;\t"\r\n#+é\u00a0إ'), max_size=6)
NAMES = st.sampled_from(["note", " Note ", "other", "#x", "", "date"])


def outcome(read, path: Path) -> tuple:
    try:
        rows: TextRows = read(path, REQUIRED, OPTIONAL)
    except SourceError as exc:
        return ("refused", str(exc))
    frame = rows.frame
    return ("read", rows.first_row, rows.beyond_header, list(frame.index), {c: frame[c].tolist() for c in frame.columns},
            {c: str(frame[c].dtype) for c in frame.columns})


@st.composite
def delimited(draw) -> bytes:
    """A header with the required columns (or not), then records: written by csv.writer, or
    joined by hand (quotes left open, rows shorter or longer than the header, blank lines)."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 4)):
        header = draw(st.permutations(["id", "date", *header]))
    records = [header]
    if draw(st.integers(0, 4)) == 0:
        records.append([draw(st.sampled_from(["#id", "#date+start", "#x +y"])) for _ in header])
    for _ in range(draw(st.integers(0, 12))):
        width = len(header) + (draw(st.integers(-len(header), 2)) if draw(st.integers(0, 3)) == 0 else 0)
        records.append([draw(CELL) for _ in range(width)])
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(records)
        text = buffer.getvalue()
    else:
        text = "\n".join(delimiter.join(cells) for cells in records) + draw(st.sampled_from(["", "\n", "\n\n", "\r\n"]))
    data = text.encode()
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 6)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


LIMITS = st.one_of(
    st.just(Limits()),
    st.builds(Limits, rows=st.integers(1, 12), columns=st.integers(2, 9), line=st.integers(8, 120)),
)


def test_the_fast_reader_reads_every_file_as_the_line_by_line_reader():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(delimited(), LIMITS)
        def check(data, bound):
            path.write_bytes(data)
            with limits.applied(bound):
                assert outcome(read_text_rows, path) == outcome(read_line_by_line, path)

        check()


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def test_the_fast_reader_takes_shifted_short_and_blank_rows(tmp_path, monkeypatch):
    rows = [["id", "date", "note"], ["1", "2020-01-01", "a\nb"], ["2", "2020-01-02"], [],
            ["3", "2020-01-03", "c", "past the header"], ["4", "2020-01-04", ""], [], [" "]]
    path = write_rows(tmp_path / "a.csv", rows)
    used = []
    monkeypatch.setattr(csv_arrow, "_records", lambda *a, _r=csv_arrow._records: used.append(1) or _r(*a))
    fast = outcome(read_text_rows, path)
    assert used, "the fast reader was not used"
    assert fast == outcome(read_line_by_line, path)
    assert fast[2] == {5: (4, "past the header")} and fast[3] == [2, 3, 4, 5, 6]


def test_a_zipped_export_reads_the_same(tmp_path):
    rows = [["id", "date", "note"]] + [[str(i), "2020-01-01", f"note {i}"] for i in range(500)]
    plain = write_rows(tmp_path / "a.csv", rows)
    zipped = tmp_path / "a.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "export.csv")
    assert outcome(read_text_rows, zipped)[1:] == outcome(read_text_rows, plain)[1:] == outcome(read_line_by_line, plain)[1:]


@pytest.mark.parametrize("rows_limit", [3, 4])
def test_the_row_limit_names_the_line_it_stopped_at_across_multi_line_cells(tmp_path, rows_limit):
    rows = [["id", "date", "note"], ["1", "d", "two\nlines"], ["2", "d", "three\r\nli\rnes"], ["3", "d", "x"],
            ["4", "d", "y"], ["5", "d", "z"]]
    path = write_rows(tmp_path / "a.csv", rows)
    with limits.applied(Limits(rows=rows_limit)):
        fast, slow = outcome(read_text_rows, path), outcome(read_line_by_line, path)
    assert fast == slow and fast[0] == "refused"
    assert f"stopped reading at line {rows_limit + 2 + 3:,}" in fast[1]


def test_a_line_beyond_the_limit_after_the_row_limit_gives_way_to_it(tmp_path):
    rows = [["id", "date", "note"]] + [[str(i), "d", "x"] for i in range(10)] + [["11", "d", "x" * 100]]
    path = write_rows(tmp_path / "a.csv", rows)
    for bound in (Limits(rows=5, line=50), Limits(rows=50, line=50)):
        with limits.applied(bound):
            assert outcome(read_text_rows, path) == outcome(read_line_by_line, path)


def test_columns_are_arrow_backed_text(tmp_path):
    path = write_rows(tmp_path / "a.csv", [["id", "date"], ["1", "2020-01-01"]])
    frame = read_text_rows(path, REQUIRED, OPTIONAL).frame
    assert all(isinstance(frame[c].array, pd.arrays.ArrowStringArray) for c in frame.columns)
