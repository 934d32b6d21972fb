"""A small synthetic warehouse for the bench tests, generated once per session on top of the
session's default build (tests/conftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from etl.core.warehouse import Version, open_version

EVENTS, MOVES, YEARS, SEED = 3000, 800, 3, 7


@pytest.fixture(scope="session")
def small_synthetic(built_warehouse, tmp_path_factory) -> tuple[Path, Version]:
    """(warehouse root, published version): synthetic sub-districts (no COD-AB needed)."""
    from bench.synthetic import generate

    root = tmp_path_factory.mktemp("synthetic")
    name = generate(root, events=EVENTS, moves=MOVES, years=YEARS, seed=SEED, base=built_warehouse, cod_ab_dir=None)
    return root, open_version(root, name)
