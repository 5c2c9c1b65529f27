"""The engine's facts are decided again once per recorded sync, not per request, and a
later recorded sync replaces them (sync/portal/partner_facts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from sync.ledger.models import RunRow
from sync.portal.partner_facts import FactsCache
from sync.wiring import Services
from tests.portal.partner.conftest import NUAGE


def test_facts_follow_the_latest_recorded_sync(services: Services) -> None:
    cache = FactsCache()
    first = cache.get(services)
    assert first is not None
    assert (first.run_id, first.last_closed_month) == (1, 2026 * 12 + 3)  # 2026-04
    assert cache.get(services) is first  # kept: no second decision

    ledger = services.ledger  # a later sync records (its decisions aside) at 2026-06-01
    run = ledger.start_run("sync", datetime(2026, 6, 1, tzinfo=UTC))
    ledger.finish_run(run, "succeeded", {})
    with ledger.transaction() as session:
        session.execute(update(RunRow).where(RunRow.id == run).values(
            recorded_at=datetime(2026, 6, 1, 0, 5, tzinfo=UTC)))
    second = cache.get(services)
    assert second is not None and second is not first
    # Decided again at that sync's as_of: May 2026 is closed; C2 (500.00) and C3 (yearly,
    # 1083.33) still active, referred 2 -> May's metrics exist for Nuage.
    assert (second.run_id, second.last_closed_month) == (run, 2026 * 12 + 4)
    latest = second.of(NUAGE).latest
    assert latest is not None
    assert (latest.month, latest.referred_clients) == (2026 * 12 + 4, 2)
