"""Benchmarks of the dashboard at scale: a generator of clearly synthetic data (bench.synthetic),
an HTTP client that drives a served Dash app as the browser does (bench.client), a naive
baseline app (bench.baseline_app) and the harness that measures both (python -m bench.run).

Nothing here is imported by the ETL or the dashboard; synthetic data never leaves bench/results/.
"""
