"""The data side of the dashboard, read-only and without Dash: the live warehouse version
(warehouse: pandas frames and an in-memory DuckDB), the view state and its URL (state), the view
resolved against the warehouse (selection), per-version lookups (catalog), and the queries behind
the map (indicators, map_queries) and the time series (series_queries)."""
