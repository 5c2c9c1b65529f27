"""The admin view's world (tests/portal/demo_world.py), built once per session; each
test gets its own copy of the SQLite file, a portal on it with a clock at 2026-12-01
09:00 UTC, and a test client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.portal.app import create_portal
from sync.wiring import Services
from tests.portal.conftest import ManualClock, portal_settings
from tests.portal.demo_world import PROGRAMME, record_demo_sync


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("admin-world") / "ledger.db"
    record_demo_sync(database)
    return database


@pytest.fixture
def admin_services(demo_database: Path, tmp_path: Path) -> Iterator[Services]:
    shutil.copyfile(demo_database, tmp_path / "ledger.db")
    services = Services(portal_settings(tmp_path, programme_file=PROGRAMME))
    try:
        yield services
    finally:
        services.close()


@pytest.fixture
def admin_app(admin_services: Services) -> Flask:
    app = create_portal(admin_services, clock=ManualClock())
    app.config["TESTING"] = True
    return app


@pytest.fixture
def admin_client(admin_app: Flask) -> FlaskClient:
    return admin_app.test_client()
