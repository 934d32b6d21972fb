"""Derivation jobs that turn public source data into small committed files under data/."""
