"""Shared worlds: the demo portal after one full cycle, and a small synthetic portal.

A demo cycle takes seconds (its Stripe calls are paced like production's), so the
tests that only read it, or that prove a rerun changes nothing, share one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.synthetic import generate_portal, write_portal
from tests.e2e.support import DEMO, DEMO_AS_OF, Outcome, World, open_world, outcome, sqlite_url
from tests.ledger.conftest import postgres_schema_url, postgres_url

__all__ = ["postgres_schema_url", "postgres_url"]  # PostgreSQL fixtures of the ledger tests

# Small enough for a cycle in ~2 s; large enough for paid, pending and several
# HubSpot write batches (lines upsert, two association batches, deals, companies).
SMALL_SEED = 11


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo portal after one uninterrupted ``sync --as-of 2026-11-01``."""
    with open_world(DEMO, sqlite_url(tmp_path_factory.mktemp("demo"))) as world:
        world.run(DEMO_AS_OF)
        yield world


@pytest.fixture(scope="session")
def small_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("small-portal")
    portal = generate_portal(SMALL_SEED, partners=6, deals=80, customers=80, months=10,
                             start="2026-01")
    write_portal(portal, directory)
    return directory


@pytest.fixture(scope="session")
def small_reference(small_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """What one uninterrupted cycle on the small portal leaves behind."""
    with open_world(small_fixtures, sqlite_url(tmp_path_factory.mktemp("reference"))) as world:
        world.run(DEMO_AS_OF)
        return outcome(world)
