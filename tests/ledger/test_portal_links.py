"""Sign-in links and principals in the ledger (issue 15), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sync.ledger import Ledger
from sync.ledger.portal import Kind, Principal, Refusal

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PARTNER = Principal.partner("30000000001")


def test_a_link_is_used_once(ledger: Ledger) -> None:
    link = ledger.issue_sign_in_link(PARTNER, email="a@agence.fr", created_by="claire",
                                     now=NOW)
    assert link.expires_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert ledger.check_sign_in_link(link.token, NOW) == PARTNER
    assert ledger.use_sign_in_link(link.token, NOW + timedelta(hours=1)) == PARTNER
    assert ledger.use_sign_in_link(link.token, NOW + timedelta(hours=1)) is Refusal.USED
    assert ledger.check_sign_in_link("not-a-token", NOW) is Refusal.UNKNOWN
    with ledger.engine.connect() as db:
        assert db.execute(text("SELECT used_at IS NOT NULL, email FROM portal_sign_in_links")
                          ).one() == (True, "a@agence.fr")


def test_two_requests_racing_with_one_link_sign_in_once(
        open_ledger: Callable[[], Ledger]) -> None:
    first, second = open_ledger(), open_ledger()
    link = first.issue_sign_in_link(PARTNER, email=None, created_by="claire", now=NOW)
    start, results = threading.Barrier(2), []

    def use(ledger: Ledger) -> None:
        start.wait()
        results.append(ledger.use_sign_in_link(link.token, NOW))

    threads = [threading.Thread(target=use, args=(ledger,)) for ledger in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, results)) == sorted([str(PARTNER), "used"])
    sign_ins = [e for e in first.audit_events(None, None) if e.action == "portal_sign_in"]
    assert len(sign_ins) == 1


def test_expiry_and_revocation(ledger: Ledger) -> None:
    old = ledger.issue_sign_in_link(PARTNER, email=None, created_by="claire", now=NOW)
    assert ledger.check_sign_in_link(old.token, NOW + timedelta(hours=24)) is Refusal.EXPIRED
    admin = Principal.admin(" Manager@VMCloud.example ")
    assert admin == Principal(Kind.ADMIN, "manager@vmcloud.example")
    made = ledger.issue_sign_in_link(admin, email=None, created_by="claire", now=NOW)
    assert ledger.revoke_principal(admin, by="claire", now=NOW + timedelta(minutes=1))
    assert ledger.use_sign_in_link(made.token, NOW + timedelta(minutes=2)) is Refusal.REVOKED
    state = ledger.principal_state(admin)
    assert state is not None
    assert (state.active, state.sessions_valid_after) == (
        False, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    assert not ledger.revoke_principal(Principal.partner("nobody"), by="claire", now=NOW)
    again = ledger.issue_sign_in_link(admin, email=None, created_by="claire",
                                      now=NOW + timedelta(minutes=3))
    assert ledger.use_sign_in_link(again.token, NOW + timedelta(minutes=4)) == admin
    assert [(e.action, e.actor) for e in ledger.audit_events(None, None)] == [
        ("portal_invite", "claire"), ("portal_invite", "claire"), ("portal_revoke", "claire"),
        ("portal_invite", "claire"), ("portal_sign_in", "manager@vmcloud.example")]
