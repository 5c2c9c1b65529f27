"""A world per module: the small portal on both stand-ins, synced once at 2026-05-01 so
the mirror holds its partners, customers and deals (what the rules read)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.support import World, open_world, sqlite_url
from tests.portal.registrations.support import SMALL_PORTAL, SYNCED_AT


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(SMALL_PORTAL, sqlite_url(tmp_path_factory.mktemp("registrations")),
                    SMALL_PORTAL / "programme.toml") as opened:
        opened.run(SYNCED_AT)
        yield opened
