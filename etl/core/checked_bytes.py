"""A text file's bytes checked in one pass before another library parses them: each line within
the run's line limit (etl/core/limits.py) and the whole in UTF-8, lines counted as
etl.core.limits.text_lines counts them (a line ends at '\\n', '\\r' or '\\r\\n'; its length in
characters, without the line end and without a leading byte-order mark). The checks are
vectorised over each block (numpy): a 400 MB export takes a few tenths of a second.

`scan` returns the first problem with its line number rather than raising it, so that the caller
can tell which comes first in the file: it or the row limit.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from etl.core import limits
from etl.core.issues import SourceError

BOM = b"\xef\xbb\xbf"
CR, LF = 13, 10


BLOCK = 16 << 20


@dataclass(frozen=True)
class Problem:
    line: int
    error: SourceError


@dataclass(frozen=True)
class Scan:
    problem: Problem | None  # the first line beyond the limit, or bytes that are not UTF-8
    lines: int  # lines read (all of them when there is no problem)


def scan(stream: BinaryIO, file: str, copy: BinaryIO | None = None) -> Scan:
    """`stream` read to its end or to its first problem; each block is also written to `copy`
    when given."""
    checker = _Checker(file)
    while data := stream.read(BLOCK):
        if (problem := checker.feed(data)) is not None:
            return Scan(problem, checker.line)
        if copy is not None:
            copy.write(data)
    return Scan(checker.finish(), checker.line - (0 if checker.tail else 1))


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.limit = limits.active().line
        self.line = 1  # number of the line being read
        self.chars = 0  # characters of that line so far
        self.after_cr = False  # the last block ended with '\r': a '\n' starting the next one ends no line
        self.start = True
        self.tail = False  # characters after the last line end (a last line without one)
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, data: bytes) -> Problem | None:
        byte = np.frombuffer(data, np.uint8)
        if not data.isascii() or self.decoder.getstate()[0]:
            pending = len(self.decoder.getstate()[0])
            try:
                self.decoder.decode(data)
            except UnicodeDecodeError as exc:
                return self._not_utf8(self.line + _line_ends(byte[: max(0, exc.start - pending)], self.after_cr).size)
        if self.start:
            self.start = False
            self.chars = -1 if data.startswith(BOM) else 0  # the mark is no character of the line
        ends = _line_ends(byte, self.after_cr, b"\r" in data)
        self.after_cr = bool(byte[-1] == CR)
        if ends.size:
            # bytes up to each line end bound its characters; count exactly only the lines they do not clear
            spans = np.diff(ends, prepend=-1)
            spans[0] += max(self.chars, 0)
            for i in np.flatnonzero(spans > self.limit):
                begin = int(ends[i - 1]) + 1 if i else 0
                if _chars(byte[begin:ends[i]]) + (self.chars if i == 0 else 0) > self.limit:
                    return self._too_long(self.line + int(i))
            self.chars = 0
            byte = byte[int(ends[-1]) + 1:]
        self.chars += _chars(byte)
        self.tail = self.chars > 0
        self.line += ends.size
        return self._too_long(self.line) if self.chars > self.limit else None

    def finish(self) -> Problem | None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return self._not_utf8(self.line)
        return None

    def _too_long(self, line: int) -> Problem:
        bound = limits.active()
        return Problem(line, bound.refuse(self.file, f"line {line:,} is longer than {self.limit:,} characters", "line"))

    def _not_utf8(self, line: int) -> Problem:
        return Problem(line, SourceError(
            self.file, f"expected UTF-8 text (in Excel: save as 'CSV UTF-8'); bytes near line {line} are not UTF-8"))


def _chars(byte: np.ndarray) -> int:
    """Characters in UTF-8 bytes, line ends left out."""
    return int(np.count_nonzero((byte & 0xC0) != 0x80) - np.count_nonzero(byte == CR) - np.count_nonzero(byte == LF))


def _line_ends(byte: np.ndarray, after_cr: bool, has_cr: bool = True) -> np.ndarray:
    """Positions of the bytes that end a line: '\\n' (unless it follows the '\\r' that ended the
    previous block), and '\\r' not followed by '\\n'. A '\\r' at the very end ends its line."""
    lf = byte == LF
    if after_cr and byte.size and lf[0]:
        lf[0] = False
    if not has_cr:
        return np.flatnonzero(lf)
    lone_cr = byte == CR
    lone_cr[:-1] &= ~(byte[1:] == LF)
    return np.flatnonzero(lf | lone_cr)
