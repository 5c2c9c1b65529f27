"""Sessions held by the server: signing out ends the session itself (a copy of its cookie
too) and no other; a session ends after 2 hours without a request; the ledger keeps only
the hash of a session's id and writes the instant last seen at most every 5 minutes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from sync.ledger.portal import Principal
from sync.portal.app import SESSION_COOKIE
from sync.portal.invites import revoke
from sync.wiring import Services
from tests.portal.conftest import INVITER, ManualClock, csrf_token, sign_in_as_partner

PARTNER = "30000000001"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, _cookie(client))
    return copy


def _sign_out(client: FlaskClient) -> None:
    page = client.get("/overview").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 303


def _sessions(services: Services) -> list[tuple[str, str, str, bool]]:
    """(id hash, kind, subject, ended) of every session, oldest first."""
    with services.ledger.engine.connect() as db:
        return [(row[0], row[1], row[2], row[3] is not None) for row in db.execute(text(
            "SELECT id_hash, kind, subject, ended_at FROM portal_sessions "
            "ORDER BY issued_at, id_hash"))]


def _last_seen(services: Services) -> datetime:
    with services.ledger.engine.connect() as db:
        value = db.execute(text("SELECT last_seen_at FROM portal_sessions")).scalar_one()
    seen = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return seen if seen.tzinfo is not None else seen.replace(tzinfo=UTC)


def test_a_cookie_copied_before_sign_out_is_refused_after_it(
        portal_app: Flask, client: FlaskClient, portal_services: Services) -> None:
    sign_in_as_partner(client, portal_services, PARTNER)
    copied = _copy_of(portal_app, client)
    assert copied.get("/overview").status_code == 200  # the copy works, as a cookie does

    _sign_out(client)

    refused = copied.get("/overview")
    assert refused.status_code == 302
    assert refused.headers["Location"] == "/sign-in"
    assert "This session was signed out." in copied.get("/sign-in").get_data(as_text=True)
    assert client.get("/overview").headers["Location"] == "/sign-in"


def test_signing_out_ends_only_that_session(
        portal_app: Flask, portal_services: Services, portal_clock: ManualClock) -> None:
    office, laptop = portal_app.test_client(), portal_app.test_client()
    sign_in_as_partner(office, portal_services, PARTNER)  # two people of one partner
    portal_clock.advance(timedelta(minutes=1))  # the laptop's session is the later one
    sign_in_as_partner(laptop, portal_services, PARTNER)

    _sign_out(office)

    assert office.get("/overview").status_code == 302
    assert laptop.get("/overview").status_code == 200
    assert [ended for *_, ended in _sessions(portal_services)] == [True, False]


def test_a_revoke_ends_every_session_of_the_partner_and_no_other(
        portal_app: Flask, portal_services: Services, portal_clock: ManualClock) -> None:
    first, second, other = (portal_app.test_client() for _ in range(3))
    sign_in_as_partner(first, portal_services, PARTNER)
    sign_in_as_partner(second, portal_services, PARTNER)
    sign_in_as_partner(other, portal_services, "30000000002")

    portal_clock.advance(timedelta(minutes=1))
    assert revoke(portal_services, Principal.partner(PARTNER), by=INVITER, now=portal_clock())

    assert first.get("/overview").status_code == 302
    assert second.get("/overview").status_code == 302
    assert other.get("/overview").status_code == 200
    assert sorted((subject, ended) for _, _, subject, ended in _sessions(portal_services)) == [
        ("30000000001", True), ("30000000001", True), ("30000000002", False)]


def test_a_session_ends_after_2_hours_without_a_request(
        client: FlaskClient, portal_services: Services, portal_clock: ManualClock) -> None:
    sign_in_as_partner(client, portal_services, PARTNER)
    portal_clock.advance(timedelta(hours=1, minutes=59))
    assert client.get("/overview").status_code == 200  # used: its idle time starts again
    portal_clock.advance(timedelta(hours=1, minutes=59))
    assert client.get("/overview").status_code == 200

    portal_clock.advance(timedelta(hours=2))
    ended = client.get("/overview")
    assert ended.status_code == 302
    assert "Your session has ended after 2 hours without activity." in client.get(
        "/sign-in").get_data(as_text=True)


def test_the_instant_last_seen_is_written_at_most_every_5_minutes(
        client: FlaskClient, portal_services: Services, portal_clock: ManualClock) -> None:
    sign_in_as_partner(client, portal_services, PARTNER)  # at 09:00
    portal_clock.advance(timedelta(minutes=4, seconds=59))
    assert client.get("/overview").status_code == 200
    assert _last_seen(portal_services) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    portal_clock.advance(timedelta(seconds=1))
    assert client.get("/overview").status_code == 200
    assert _last_seen(portal_services) == datetime(2026, 12, 1, 9, 5, tzinfo=UTC)


def test_the_ledger_keeps_only_the_hash_of_a_session_id(
        portal_app: Flask, client: FlaskClient, portal_services: Services) -> None:
    sign_in_as_partner(client, portal_services, PARTNER)
    serializer = portal_app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
        portal_app)
    session_id = serializer.loads(_cookie(client))["session_id"]
    assert len(session_id) == 43  # 32 random bytes, URL-safe base64
    [(id_hash, kind, subject, ended)] = _sessions(portal_services)
    assert (id_hash, kind, subject, ended) == (
        hashlib.sha256(session_id.encode()).hexdigest(), "partner", PARTNER, False)
    with portal_services.ledger.engine.connect() as db:
        everything = " ".join(str(value) for table in ("portal_sessions", "audit_events")
                              for row in db.execute(text(f"SELECT * FROM {table}")).all()
                              for value in row)
    assert session_id not in everything
