"""Fixtures of the ETL's tests: publishers' APIs replayed on 127.0.0.1."""
from __future__ import annotations

import pytest

from tests.etl import hapi_replay, unhcr_replay
from tests.etl.ucdp_replay import release_events, served


@pytest.fixture(scope="session")
def ucdp_events() -> list[dict]:
    """The Syria GED release of ../shared/data as UCDP's API gives events (skips without it)."""
    return release_events()


@pytest.fixture
def ucdp(ucdp_events):
    """UCDP's API serving those events (`.base`, `.hits`, `.faults`, `.rename_result_on`)."""
    with served(ucdp_events) as state:
        yield state


@pytest.fixture
def unhcr():
    """UNHCR's population API with SYNTHETIC figures, five records a page whatever the limit asked
    (`base`, `hits`, `faults`, `rename`: tests/etl/unhcr_replay.py)."""
    with unhcr_replay.served() as state:
        yield state


@pytest.fixture
def hapi():
    """HDX HAPI's conflict events, SYNTHETIC records, two a page (`base`, `hits` (offsets asked),
    `records`, `identifiers` seen: tests/etl/hapi_replay.py)."""
    with hapi_replay.served() as state:
        yield state
