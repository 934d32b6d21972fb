"""The tables every run derives from the canonical ones, after every source is read and joined
(build: etl/derived/tables.py; columns and dtypes: etl/contracts.py, typed by schema.py):

    area_metrics     admin areas' representative points, distance to the border, area   (area_metrics.py)
    moves            displacement rows with a known destination, placed, with distances  (moves.py)
    border_movement  movement toward the border per period, source, unit and basis       (border_movement.py)
    border_bands     lines at 10, 25 and 50 km from the border, Syrian side              (border_bands.py)
    events_monthly   conflict events per month, area, dataset, type and source           (events_monthly.py)
    area_stocks      IDP and population stocks per admin area of levels 1-3              (area_stocks.py)

Distances are measured in UTM 37N (etl/core/geo.py; border_line.py); geometry is EPSG:4326.
Pure functions: frames in, frames out, problems into the run's Issues. Not to be confused with
etl/prepare/, the one-off jobs that derive the committed files under data/ from public data.
"""
