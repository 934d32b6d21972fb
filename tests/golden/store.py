"""Write a warehouse snapshot (tests/golden/snapshot.py) under a folder, and compare one with what
is stored there, saying which table, which columns and which rows differ."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

from tests.golden.snapshot import ROWS_FILE_LIMIT, TableText, digest, sample

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "warehouse"
REGENERATE = ("If the change is deliberate, regenerate the expected output with `make golden` (or "
              "`python -m tests.golden.update`), check `git diff tests/golden/` shows only what you meant "
              "to change, and commit it with the change.")
SHOWN = 10  # differences listed per table


def write(folder: Path, manifest: dict, texts: dict[str, TableText]) -> list[Path]:
    """Replace the snapshot in `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    written = [folder / "manifest.json"]
    written[0].write_text(json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    for table, text in texts.items():
        full = text.csv()
        if len(full.encode("utf-8")) <= ROWS_FILE_LIMIT:
            written.append(folder / f"{table}.csv")
            written[-1].write_text(full, encoding="utf-8")
            continue
        digests = TableText(["key", "row_sha256"], ["key"], [[text.key_of(r), digest(r)] for r in text.rows])
        written.append(folder / f"{table}.digest.csv")
        written[-1].write_text(digests.csv(), encoding="utf-8")
        written.append(folder / f"{table}.sample.csv")
        written[-1].write_text(TableText(text.columns, text.key, sample(text.rows)).csv(), encoding="utf-8")
    return written


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def _by_key(text: TableText, rows: list[list[str]]) -> dict[str, list[list[str]]]:
    out = defaultdict(list)
    for row in rows:
        out[text.key_of(row)].append(row)
    return out


def _row_changes(columns: list[str], expected: list[str], got: list[str]) -> str:
    return ", ".join(f"{c}: {e!r} -> {g!r}" for c, e, g in zip(columns, expected, got) if e != g)


def _compare_rows(table: str, text: TableText, expected_rows: list[list[str]]) -> list[str]:
    expected, got = _by_key(text, expected_rows), _by_key(text, text.rows)
    out = []
    for key in sorted(set(expected) | set(got)):
        e, g = expected.get(key, []), got.get(key, [])
        if e == g:
            continue
        if len(e) == len(g) == 1:
            out.append(f"  row {key}: {_row_changes(text.columns, e[0], g[0])}")
        else:
            out += [f"  row {key}: expected, now missing: {row}" for row in e if row not in g]
            out += [f"  row {key}: new, not expected: {row}" for row in g if row not in e]
    return out


def _compare_digests(folder: Path, table: str, text: TableText) -> list[str]:
    _, stored = _read_csv(folder / f"{table}.digest.csv")
    expected = defaultdict(list)
    for key, row_digest in stored:
        expected[key].append(row_digest)
    got = defaultdict(list)
    rows = _by_key(text, text.rows)
    for key, found in rows.items():
        got[key] = [digest(r) for r in found]
    columns, samples = _read_csv(folder / f"{table}.sample.csv")
    known = _by_key(text, samples) if columns == text.columns else {}
    out = []
    for key in sorted(set(expected) | set(got)):
        if expected.get(key, []) == got.get(key, []):
            continue
        if key not in got:
            out.append(f"  row {key}: expected, now missing")
        elif key not in expected:
            out.append(f"  row {key}: new, not expected: {rows[key]}")
        elif key in known and len(known[key]) == len(rows[key]) == 1:
            out.append(f"  row {key}: {_row_changes(text.columns, known[key][0], rows[key][0])}")
        else:
            out.append(f"  row {key}: differs from the stored digest; now {rows[key]}")
    return out


def _compare_sources(want: list[dict], have: list[dict]) -> list[str]:
    """The source files that were added, dropped or changed (by sha256 or licence)."""
    before, after = ({s["path"]: s for s in side} for side in (want, have))
    out = [f"  source {path}: expected, now not read" for path in before if path not in after]
    out += [f"  source {path}: read, not expected" for path in after if path not in before]
    for path in before.keys() & after.keys():
        for field in ("sha256", "licence"):
            if before[path].get(field) != after[path].get(field):
                out.append(f"  source {path}: {field} {before[path].get(field)!r} -> {after[path].get(field)!r}")
    if [s["path"] for s in want if s["path"] in after] != [s["path"] for s in have if s["path"] in before]:
        out.append(f"  sources: expected in the order {list(before)}, got {list(after)}")
    return sorted(out)


def compare(folder: Path, manifest: dict, texts: dict[str, TableText]) -> list[str]:
    """The differences between a snapshot and the one stored in `folder`, one message per table."""
    stored = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for table in sorted(set(stored) | set(manifest)):
        if table not in manifest:
            problems.append(f"table {table}: expected, but the run did not publish it")
            continue
        if table not in stored:
            problems.append(f"table {table}: published, but not in the expected output")
            continue
        lines = []
        want, have = stored[table], manifest[table]
        wanted, found = (dict(c.split(": ", 1) for c in side["columns"]) for side in (want, have))
        if list(wanted) != list(found):
            lines.append(f"  columns: expected {list(wanted)}, got {list(found)}")
        dtypes = [f"{c} {wanted[c]} -> {found[c]}" for c in wanted if c in found and wanted[c] != found[c]]
        if dtypes:
            lines.append(f"  dtypes: {', '.join(dtypes)}")
        for field in ("rows", "rejected", "geometry", "key"):
            if want.get(field) != have.get(field):
                lines.append(f"  {field}: expected {want.get(field)}, got {have.get(field)}")
        lines += _compare_sources(want["sources"], have["sources"])
        text = texts[table]
        full = folder / f"{table}.csv"
        if full.exists():
            columns, rows = _read_csv(full)
            changes = _compare_rows(table, text, rows) if columns == text.columns else []
        else:
            changes = _compare_digests(folder, table, text)
        if changes:
            lines.append(f"  {len(changes)} row(s) differ (by key {', '.join(text.key)}):")
            lines += changes[:SHOWN] + ([f"  ... and {len(changes) - SHOWN} more"] if len(changes) > SHOWN else [])
        if lines:
            problems.append(f"table {table}:\n" + "\n".join(lines))
    return problems
