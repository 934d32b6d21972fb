"""One-off jobs a maintainer runs to turn public source data into the small files committed under
data/ (python -m etl.prepare.natural_earth). A run of the ETL never calls them: it reads their
output. Not to be confused with etl/derived/, the tables every run derives."""
