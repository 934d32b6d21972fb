"""Scripts run by the Makefile; importable so that bench/ shares their helpers (serve_office.wait_http)."""
