"""The engine's facts reach the pages through the ledger: the worker stores them with
its decisions (sync/ledger/facts.py), the pages read those rows and never decide; a
sync that changes nothing rewrites no row, and a dry run or replay writes none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from jobs.dry_run import plan_run
from sync.ledger import Ledger
from sync.ledger.facts import FACTS_CURSOR
from sync.ledger.facts_models import CustomerFactsRow, PartnerFactsRow
from sync.ledger.marks import store_mark
from sync.ledger.models import CursorRow
from sync.wiring import Services
from tests.e2e.support import open_world, sqlite_url
from tests.portal.partner.conftest import (
    AS_OF,
    ATELIER,
    CAMILLE,
    NUAGE,
    PREMIER,
    SMALL_PORTAL,
    WITHOUT_LINK,
    SignIn,
)
from tests.portal.partner.pages import Page

NO_SYNC = "No sync has run yet: figures appear after the first one."


def _rows(ledger: Ledger) -> dict[str, tuple[str, int]]:
    """Stored rows: id -> (partner, writing run)."""
    with ledger.transaction() as session:
        partners = session.execute(select(PartnerFactsRow.partner_id, PartnerFactsRow.partner_id,
                                          PartnerFactsRow.run_id))
        customers = session.execute(select(CustomerFactsRow.customer_id,
                                           CustomerFactsRow.partner_id, CustomerFactsRow.run_id))
        return {key: (partner, run) for key, partner, run in [*partners, *customers]}


def test_the_worker_stores_each_partners_facts(services: Services) -> None:
    # tests/e2e/fixtures/small_portal: five won customers (C6 has no touch), four partners with metrics.
    assert _rows(services.ledger) == {
        ATELIER: (ATELIER, 1), NUAGE: (NUAGE, 1), CAMILLE: (CAMILLE, 1),
        PREMIER: (PREMIER, 1),
        "cus_e2eC1Referral": (ATELIER, 1), "cus_e2eC2Partner": (NUAGE, 1),
        "cus_e2eC3Bonus": (NUAGE, 1), "cus_e2eC4Flat": (CAMILLE, 1),
        "cus_e2eC5Premier": (PREMIER, 1),
    }
    assert services.ledger.get_cursor(FACTS_CURSOR) == "1"


def _customers(client: FlaskClient) -> Page:
    response = client.get("/customers")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


def test_the_pages_read_the_stored_rows(signed_in: SignIn, services: Services) -> None:
    with services.ledger.transaction() as session:  # what a later sync would have stored
        row = session.get(CustomerFactsRow, "cus_e2eC2Partner")
        assert row is not None
        session.execute(update(CustomerFactsRow).where(
            CustomerFactsRow.customer_id == "cus_e2eC2Partner").values(
            facts={**row.facts, "domain": "fromagerie-renamed.example"}))
    rows = _customers(signed_in(NUAGE)).rows("customers")
    assert [row[0] for row in rows[1:]] == ["fromagerie-renamed.example",
                                            "studio-orbite.example"]


def test_before_any_sync_stored_facts_the_pages_say_so(signed_in: SignIn,
                                                       services: Services) -> None:
    with services.ledger.transaction() as session:  # a ledger whose syncs predate 0005
        session.execute(delete(CursorRow).where(CursorRow.name == FACTS_CURSOR))
    client = signed_in(NUAGE)
    assert NO_SYNC in _customers(client).text("main")
    overview = Page(client.get("/overview").get_data(as_text=True))
    assert NO_SYNC in overview.text("main")
    assert overview.text("eligible-tier") == "not computed yet"


def test_a_sync_that_changes_nothing_rewrites_no_row(tmp_path: Path) -> None:
    with open_world(SMALL_PORTAL, sqlite_url(tmp_path), WITHOUT_LINK) as world:
        world.run(AS_OF)
        ledger = world.ledger()
        first = _rows(ledger)
        plan_run(world.services(), datetime(2026, 6, 1, tzinfo=UTC))  # dry run
        plan_run(world.services(), datetime(2026, 4, 1, tzinfo=UTC))  # replay
        assert (_rows(ledger), ledger.get_cursor(FACTS_CURSOR)) == (first, "1")
        world.run(AS_OF)  # nothing changed: the decision is reused, nothing recorded
        assert (_rows(ledger), ledger.get_cursor(FACTS_CURSOR)) == (first, "1")
        store_mark(ledger, None)  # so the next run decides the same portal again
        world.run(AS_OF)
        assert (_rows(ledger), ledger.get_cursor(FACTS_CURSOR)) == (first, "3")
        world.run(datetime(2026, 6, 1, tzinfo=UTC))  # May closes: new metrics, same wins
        third = _rows(ledger)
    assert {key: run for key, (_, run) in third.items()} == {
        ATELIER: 4, NUAGE: 4, CAMILLE: 4, PREMIER: 4, "cus_e2eC1Referral": 1,
        "cus_e2eC2Partner": 1, "cus_e2eC3Bonus": 1, "cus_e2eC4Flat": 1, "cus_e2eC5Premier": 1}
