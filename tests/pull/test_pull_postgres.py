"""The pull on PostgreSQL: both sides' transactions on their own connections.

Needs ``PARTNERSYNC_TEST_POSTGRES_URL``; skipped with the reason otherwise (the ledger
tests' fixtures give each test a fresh schema).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.pull.mirror_inputs import Mirrored
from tests.ledger.conftest import postgres_schema_url, postgres_url
from tests.pull.support import world

__all__ = ["postgres_schema_url", "postgres_url"]  # fixtures used below


@pytest.mark.postgres
def test_full_then_incremental_pull_on_postgresql(small_set: Path,
                                                  postgres_schema_url: str) -> None:
    with world(small_set, postgres_schema_url) as small:
        first = small.pull()
        small.advance(minutes=15)
        deal_id = small.mirror.records(Mirrored.HUBSPOT_DEAL.value)[0]["id"]
        small.hubspot_change(object_type="deals",
                             update=[{"id": deal_id, "properties": {"dealname": "PG"}}])
        second = small.pull()

    assert first.full_hubspot and first.full_stripe and first.changed["hubspot.deal"] == 12
    assert not second.full_hubspot and not second.full_stripe
    assert {k: v for k, v in second.changed.items() if v} == {"hubspot.deal": 1}
