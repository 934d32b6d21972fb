"""Source adapters: one module per source format, each reading the real published layout.

Every adapter module exposes:

    TABLES: tuple[str, ...]        the canonical tables it can fill
    def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, DataFrame]

An adapter imports etl/core (the shared readers: readers, csv_columns, headers, dates, numbers,
names, geo; validation: contracts) and etl/contracts.py, never another adapter
(tests/etl/test_layers.py checks it). Rules every adapter keeps:
- Read the layout exactly as published (byte-order marks, header names with stray spaces, text
  dates, Excel serial dates, '*' suppression markers, Arabic and English headers).
- A file that cannot be read at all (wrong format, a required column missing) raises
  `SourceError(file, what was expected)`; nothing is half-loaded.
- A bad row is reported with `issues.add(table, file, row, column, value, reason)` and left out;
  the rest of the file loads. Rows are numbered as the user sees them: header = row 1, first data
  row = 2 (3 under an HXL hashtag row; the Excel row number in a workbook).
- Output tables have exactly the columns of their contract in etl/contracts.py (plus `geometry`,
  EPSG:4326, for geometry tables), `source_id` = `spec.name`, and a fresh RangeIndex.
- Read only: no network (the pipeline fetches URLs first), no writing, no globals.
"""
