"""Two registrations of one domain at the same moment, on SQLite and PostgreSQL: the
domain is checked again inside the transaction that records a registration, under a
lock serialising one domain's registrations, so exactly one is recorded and the other
is refused (R6, R9: the domain is already protected).

Thread A records inside a transaction it keeps open; thread B then records the same
domain. Without the lock B would read no registration (A's is not committed) and
record a second one; with it, B waits for A's commit and then sees A's registration.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from sync.ledger import Ledger
from sync.ledger import registrations as store
from sync.ledger.registrations import Recorded, Registration, registration_id

AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
WINDOW_DAYS = 90


def made(partner: str, domain: str, at: datetime = AT) -> Registration:
    return Registration(registration_id(partner, domain, at), partner, "Globex", domain,
                        f"ceo@{domain}", "VPS M monthly", at)


@pytest.mark.parametrize(("second_partner", "second_at"), [
    ("7104", AT),  # another partner, the same instant
    ("7102", AT.replace(second=1)),  # the same partner posting again a second later
], ids=["another partner", "the same partner"])
def test_one_domain_registered_twice_at_once_records_one(
        ledger: Ledger, second_partner: str, second_at: datetime) -> None:
    first, second = made("7102", "globex.example"), made(second_partner, "globex.example",
                                                           second_at)
    outcomes: dict[str, Recorded] = {}
    first_recorded, first_may_commit = threading.Event(), threading.Event()

    def record_first() -> None:
        with ledger.transaction():
            outcomes["first"] = store.record(ledger, first, WINDOW_DAYS)
            first_recorded.set()
            first_may_commit.wait(10)

    def record_second() -> None:
        outcomes["second"] = store.record(ledger, second, WINDOW_DAYS)

    a = threading.Thread(target=record_first)
    a.start()
    assert first_recorded.wait(10)
    b = threading.Thread(target=record_second)
    b.start()
    b.join(0.5)  # without the lock it records now, while the first is uncommitted
    first_may_commit.set()
    a.join(10)
    b.join(10)

    assert outcomes == {"first": Recorded.RECORDED, "second": Recorded.DOMAIN_TAKEN}
    assert [r.id for r in store.registered_since(ledger, AT.replace(year=2000))] == [
        first.id]
    assert [entry.target for entry in ledger.pending(store.KIND)] == [first.id]


def test_other_domains_and_expired_or_refused_registrations_do_not_block(
        ledger: Ledger) -> None:
    assert store.record(ledger, made("7102", "globex.example"), WINDOW_DAYS) == (
        Recorded.RECORDED)
    assert store.record(ledger, made("7104", "initech.example"), WINDOW_DAYS) == (
        Recorded.RECORDED)
    later = datetime(2026, 8, 2, 9, 30, tzinfo=UTC)  # AT + 90 days: protection ended
    assert store.record(ledger, made("7104", "globex.example", later), WINDOW_DAYS) == (
        Recorded.RECORDED)
    store.mark_failed(ledger, made("7104", "initech.example").id, "HubSpot refused it",
                      retry=False)
    assert store.record(ledger, made("7102", "initech.example", AT.replace(minute=31)),
                        WINDOW_DAYS) == Recorded.RECORDED
    again = made("7102", "globex.example")
    assert store.record(ledger, again, WINDOW_DAYS) == Recorded.DUPLICATE
