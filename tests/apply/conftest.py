"""The write-back tests: a SQLite ledger in a temporary file; the PostgreSQL variant
uses ``PARTNERSYNC_TEST_POSTGRES_URL`` (skipped with the reason when unset)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.support import World, world
from tests.ledger.conftest import postgres_schema_url, postgres_url

__all__ = ["postgres_schema_url", "postgres_url"]  # fixtures shared with the ledger tests


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def w(sqlite_url: str) -> Iterator[World]:
    with world(sqlite_url) as served:
        yield served
