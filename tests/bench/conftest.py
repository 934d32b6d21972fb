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
    from tests.conftest import built_once

    def build(root):
        return root, generate(root, events=EVENTS, moves=MOVES, years=YEARS, seed=SEED, base=built_warehouse,
                              cod_ab_dir=None)
    root, name = built_once(tmp_path_factory, "small-synthetic", build)
    return root, open_version(root, name)
