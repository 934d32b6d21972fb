"""The ETL's shared layer, importing nothing else of etl (tests/etl/test_layers.py checks it):

- readers of real files, one rule each: readers (CSV, workbook rows, GeoJSON, GeoNames JSON),
  csv_columns (large delimited exports, streamed), headers (header rows, HXL hashtag rows,
  header names), dates (days, months, Excel serials, epoch numbers), numbers (counts with '*'
  suppression, coordinates as text, JSON integers), names (mojibake, Arabic folding, matching
  names to P-codes), geo (coordinate systems, points from lat / lon);
- validation and problems: contracts (a table's contract, validate, the rejection rules), events (the
  last rules of an event export), issues;
- a run's machinery: spec (a source's entry), limits, fetch, progress, joins (P-codes by spatial
  join), topology (boundaries simplified for the web), warehouse (versions, atomic publish), exits.
"""
