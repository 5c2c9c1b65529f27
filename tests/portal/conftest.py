"""The portal on a fresh SQLite ledger, with a clock the tests move by hand.

Fixtures: ``portal_services`` (Services with a portal secret), ``portal_clock``,
``portal_app``, ``client`` (Flask's test client). ``sign_in_as_partner`` and
``sign_in_as_admin`` make a link through the real invitation and use it, as a person
would: the GET page, then its button's POST with the page's CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.config.settings import Settings
from sync.ledger.portal import Principal
from sync.portal.app import create_portal
from sync.portal.context import context_of
from sync.portal.invites import invite
from sync.wiring import Services

PORTAL_SECRET = "test-portal-secret-key-0123456789abcdef"
PORTAL_URL = "http://portal.test"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
INVITER = "claire.martin@vmcloud.example"


@dataclass
class ManualClock:
    """The portal's clock: it moves only when a test says so."""

    instant: datetime = START

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


def portal_settings(tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path / 'ledger.db'}",
                                 "portal_secret_key": PORTAL_SECRET, "portal_url": PORTAL_URL,
                                 **extra}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def portal_services(tmp_path: Path) -> Iterator[Services]:
    services = Services(portal_settings(tmp_path))
    try:
        yield services
    finally:
        services.close()


@pytest.fixture
def portal_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def portal_app(portal_services: Services, portal_clock: ManualClock) -> Flask:
    app = create_portal(portal_services, clock=portal_clock)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(portal_app: Flask) -> FlaskClient:
    return portal_app.test_client()


def csrf_token(page: str) -> str:
    found = CSRF_FIELD.search(page)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def make_link(client: FlaskClient, services: Services, principal: Principal,
              email: str | None = None) -> str:
    """A sign-in link's path, made by the real invitation at the portal's instant."""
    app = client.application
    link = invite(services, principal, email=email, by=INVITER, now=context_of(app).now())
    return link.url.removeprefix(services.settings.resolved_portal_url)


def use_link(client: FlaskClient, path: str) -> int:
    """Open the link, press Sign in; the status of the POST."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    answer = client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    return answer.status_code


def sign_in_as_partner(client: FlaskClient, services: Services, partner_id: str) -> None:
    assert use_link(client, make_link(client, services, Principal.partner(partner_id))) == 303


def sign_in_as_admin(client: FlaskClient, services: Services,
                     email: str = "manager@vmcloud.example") -> None:
    assert use_link(client, make_link(client, services, Principal.admin(email))) == 303
