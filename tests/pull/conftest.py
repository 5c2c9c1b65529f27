"""Pull tests run on a SQLite ledger in a temporary file (one test also on PostgreSQL,
see ``test_pull_postgres``), against both sandboxes served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pull.support import World, world, write_small_set


@pytest.fixture(scope="session")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_set(tmp_path_factory.mktemp("small_set"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def small(small_set: Path, sqlite_url: str) -> Iterator[World]:
    with world(small_set, sqlite_url) as served:
        yield served
