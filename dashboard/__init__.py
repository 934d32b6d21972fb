"""The Dash app: reads the warehouse read-only and renders maps and time series."""
