"""Layout pieces built from plain data (no callbacks here)."""
