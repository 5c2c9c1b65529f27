"""Ids in URLs go through the ``ledger_id`` converter (sync/portal/routes.py): a segment
that cannot be a ledger id (NUL, a space, a dot, an accent, a quote) is 404 from the
URL map, before any view or query; on PostgreSQL too, where psycopg refuses NUL in a
query's text (a DataError, so a 500, without the converter)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from sync.portal.app import create_portal
from sync.portal.context import context_of
from sync.wiring import Services
from tests.ledger.conftest import postgres_schema_url, postgres_url
from tests.portal.conftest import START, portal_settings, sign_in_as_partner

__all__ = ["postgres_schema_url", "postgres_url"]  # fixtures shared with the ledger tests

ODD = ["vmcl_7101%00_cus_x_2026-03_recurring", "%00", "vmcpo_7101_2026-03%00",
       "a%01b", "vmcpo_7101 2026-03", "..", "vmcpo.7101", "caf%C3%A9", "x'--",
       "%E2%80%AEvmcpo_7101_2026-03", "x" * 201]
ROUTES = ["/lines/{}", "/payouts/{}", "/payouts/{}/statement.csv"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def app(ledger_url: str, tmp_path: Path) -> Iterator[Flask]:
    services = Services(portal_settings(tmp_path, database_url=ledger_url))
    try:
        yield create_portal(services, clock=lambda: START)
    finally:
        services.close()


@pytest.mark.parametrize("route", ROUTES)
def test_odd_ids_are_404_on_each_database(app: Flask, route: str) -> None:
    client = app.test_client()
    sign_in_as_partner(client, context_of(app).services, "7101")
    for segment in ODD:
        assert client.get(route.format(segment)).status_code == 404, segment
    # a well-formed id that exists nowhere: the view runs, finds nothing, 404 too
    assert client.get(route.format("vmcpo_7101_2026-03")).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_the_url_map_refuses_them_before_any_view(app: Flask, route: str) -> None:
    urls = app.url_map.bind("portal.test")
    for segment in ("a\x00b", "a b", "é", "a.b", "x" * 201):
        with pytest.raises(NotFound):
            urls.match(route.format(segment))
    endpoint, arguments = urls.match(route.format("vmcl_7101_cus_Ab9-x_2026-03_recurring"))
    assert arguments == {("line_id" if "lines" in route else "payout_id"):
                         "vmcl_7101_cus_Ab9-x_2026-03_recurring"}
    assert endpoint.startswith("partner.")
