"""One module per source: extract, validate, transform, load."""
