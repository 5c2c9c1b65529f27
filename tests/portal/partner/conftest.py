"""The partner pages' world: the small hand-computed portal (tests/e2e/fixtures/small_portal,
its README and tests/e2e/test_small_portal.py hold every amount) after one real cycle at
2026-05-01, run by the worker against both stand-ins over loopback, once per session.

Each test gets its own copy of that ledger file (signing in writes to it) and a portal
on it whose clock says 2026-05-10 12:00 UTC, ten days into the open month.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.config.settings import Settings
from sync.portal.app import create_portal
from sync.wiring import Services
from tests.e2e.support import open_world, sqlite_url
from tests.portal.conftest import sign_in_as_partner

ROOT = Path(__file__).resolve().parents[3]
SMALL_PORTAL = ROOT / "tests" / "e2e" / "fixtures" / "small_portal"
WITH_LINK = Path(__file__).parent / "programme.toml"  # + [portal] referral_link
WITHOUT_LINK = SMALL_PORTAL / "programme.toml"
AS_OF = datetime(2026, 5, 1, tzinfo=UTC)  # last closed month: 2026-04
NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
SECRET = "partner-pages-test-secret-key-0123456789abcdef"

# The partners (HubSpot companies of the fixture).
ATELIER, NUAGE, CAMILLE, PREMIER = "7101", "7102", "7103", "7104"

SignIn = Callable[[str], FlaskClient]


@pytest.fixture(scope="session")
def world_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger file after one cycle of the real worker at 2026-05-01."""
    directory = tmp_path_factory.mktemp("partner-world")
    with open_world(SMALL_PORTAL, sqlite_url(directory), WITHOUT_LINK) as world:
        world.run(AS_OF)
    return directory / "ledger.db"


def services_on(world_ledger: Path, directory: Path, programme: Path) -> Services:
    for file in world_ledger.parent.glob(world_ledger.name + "*"):  # the file, any -wal
        shutil.copy(file, directory / file.name)
    settings = Settings(database_url=sqlite_url(directory), programme_file=programme,
                        portal_secret_key=SECRET)
    return Services(settings, create_ledger=False)


@pytest.fixture
def services(world_ledger: Path, tmp_path: Path) -> Iterator[Services]:
    opened = services_on(world_ledger, tmp_path, WITH_LINK)
    yield opened
    opened.close()


@pytest.fixture
def app(services: Services) -> Flask:
    return create_portal(services, clock=lambda: NOW)


@pytest.fixture
def signed_in(app: Flask, services: Services) -> SignIn:
    """A test client signed in as a partner, through a real sign-in link."""
    def sign_in(partner_id: str) -> FlaskClient:
        client = app.test_client()
        sign_in_as_partner(client, services, partner_id)
        return client
    return sign_in
