"""The receivers of ``partnersync serve``, through real HTTP on loopback: a delivery
signed as the vendor signs it is stored (once) before the 200; anything else is refused
with nothing stored; every outcome is counted in /metrics, read over HTTP."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sync.cli.common import require_webhooks_listenable
from sync.errors import ConfigurationError
from sync.wiring import Services
from tests.webhooks.support import (
    HUBSPOT_SECRET,
    STRIPE_SECRET,
    Served,
    hubspot_headers,
    hubspot_item,
    post,
    served,
    stripe_body,
    stripe_signature,
    worker_settings,
)

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One worker for the module; each test uses event ids of its own."""
    database = tmp_path_factory.mktemp("receivers") / "ledger.db"
    services = Services(worker_settings(f"sqlite:///{database}"))
    with served(services) as running:
        yield running
    services.close()


def stored(worker: Served) -> set[str]:
    return {event.id for event in worker.services.ledger.pending_webhook_events()}


def stripe_url(worker: Served) -> str:
    return f"{worker.webhooks}/webhooks/stripe"


def hubspot_url(worker: Served) -> str:
    return f"{worker.webhooks}/webhooks/hubspot"


class Counted:
    """/metrics' webhook counters before and after a delivery."""

    def __init__(self, worker: Served, vendor: str) -> None:
        self.worker, self.vendor = worker, vendor
        self.before = {outcome: worker.count(vendor, outcome) for outcome in OUTCOMES}

    def delta(self) -> dict[str, float]:
        after = {outcome: self.worker.count(self.vendor, outcome) for outcome in OUTCOMES}
        return {outcome: after[outcome] - self.before[outcome] for outcome in OUTCOMES
                if after[outcome] != self.before[outcome]}


OUTCOMES = ("accepted", "duplicate", "ignored", "bad_signature", "stale", "malformed",
            "too_large", "unavailable")


# -- Stripe ---------------------------------------------------------------------------


def test_a_signed_stripe_event_is_stored_before_the_answer(worker: Served) -> None:
    counted = Counted(worker, "stripe")
    body = stripe_body("evt_signed")
    assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})[0] == 200
    assert "evt_signed" in stored(worker)
    event = worker.services.ledger.webhook_event("evt_signed")
    assert event is not None
    assert (event.event.object_type, event.event.object_id) == ("invoice", "in_1")
    assert counted.delta() == {"accepted": 1}


def test_a_stripe_event_replayed_is_stored_once(worker: Served) -> None:
    body = stripe_body("evt_replayed")
    for _ in range(3):
        assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)}
                    )[0] == 200
    counted = Counted(worker, "stripe")
    assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})[0] == 200
    assert counted.delta() == {"duplicate": 1}
    assert [e.id for e in worker.services.ledger.pending_webhook_events()
            ].count("evt_replayed") == 1


@pytest.mark.parametrize(("case", "outcome"), [
    ("wrong secret", "bad_signature"), ("altered body", "bad_signature"),
    ("no signature", "bad_signature"), ("stale timestamp", "stale")])
def test_a_stripe_delivery_not_signed_now_by_the_secret_is_refused(
        worker: Served, case: str, outcome: str) -> None:
    event_id = "evt_refused_" + case.replace(" ", "_")
    body = stripe_body(event_id)
    signature = {
        "wrong secret": stripe_signature(body, "whsec_someone_else"),
        "altered body": stripe_signature(stripe_body(event_id, obj={"id": "in_2",
                                                                    "object": "invoice"})),
        "no signature": "",
        "stale timestamp": stripe_signature(body, at=int(time.time()) - 301),
    }[case]
    counted = Counted(worker, "stripe")
    status, _ = post(stripe_url(worker), body, {"Stripe-Signature": signature}
                     if signature else {})
    assert status == 401
    assert event_id not in stored(worker)
    assert counted.delta() == {outcome: 1}


def test_a_stripe_event_a_few_seconds_old_is_accepted(worker: Served) -> None:
    body = stripe_body("evt_recent")
    signature = stripe_signature(body, at=int(time.time()) - 290)
    assert post(stripe_url(worker), body, {"Stripe-Signature": signature})[0] == 200


def test_signed_but_not_json_is_malformed(worker: Served) -> None:
    counted = Counted(worker, "stripe")
    body = b'{"id": "evt_broken", "type": "invoice.paid"'
    status, _ = post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})
    assert status == 400 and counted.delta() == {"malformed": 1}
    assert "evt_broken" not in stored(worker)


def test_signed_events_without_an_object_id_are_malformed(worker: Served) -> None:
    counted = Counted(worker, "stripe")
    body = stripe_body("evt_no_object", obj={"object": "invoice"})
    status, _ = post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})
    assert status == 400 and counted.delta() == {"malformed": 1}


def test_other_stripe_event_types_are_answered_and_ignored(worker: Served) -> None:
    counted = Counted(worker, "stripe")
    body = stripe_body("evt_charge", "charge.succeeded", {"id": "ch_1", "object": "charge"})
    assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})[0] == 200
    assert "evt_charge" not in stored(worker)
    assert counted.delta() == {"ignored": 1}


def test_a_credit_note_is_stored_as_its_invoice(worker: Served) -> None:
    body = stripe_body("evt_credit", "credit_note.created",
                       {"id": "cn_1", "object": "credit_note", "invoice": "in_credited",
                        "amount": 5000})
    assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})[0] == 200
    event = worker.services.ledger.webhook_event("evt_credit")
    assert event is not None
    assert (event.event.object_type, event.event.object_id) == ("invoice", "in_credited")


def test_a_connected_account_s_live_event_for_a_test_key_is_ignored(worker: Served) -> None:
    """A Connect endpoint gets both modes' events; the test key cannot read live ones."""
    account = {"id": "acct_1", "object": "account", "payouts_enabled": True}
    live = json.dumps({**json.loads(stripe_body("evt_live", "account.updated", account,
                                                livemode=True)),
                       "account": "acct_1"}).encode()
    test = json.dumps({**json.loads(stripe_body("evt_test", "account.updated", account)),
                       "account": "acct_1"}).encode()
    counted = Counted(worker, "stripe")
    for body in (live, test):
        assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)}
                    )[0] == 200
    assert counted.delta() == {"ignored": 1, "accepted": 1}
    assert "evt_live" not in stored(worker) and "evt_test" in stored(worker)


def announce(worker: Served, length: int) -> bytes:
    """A delivery's headers announcing ``length`` bytes and 1 KiB of it: the answer."""
    address = urlsplit(worker.webhooks)
    with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
        raw.sendall(b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\n"
                    + f"Content-Length: {length}\r\n\r\n".encode() + b"{" * 1024)
        return raw.recv(4096)  # nothing waits for the rest


@pytest.mark.parametrize("length", [MIB + 1, 10 * MIB])
def test_a_body_over_one_mib_is_refused_without_being_read(worker: Served, length: int
                                                           ) -> None:
    counted = Counted(worker, "stripe")
    assert announce(worker, length).startswith(b"HTTP/1.1 413")
    assert counted.delta() == {"too_large": 1}


def test_a_body_of_one_mib_is_read(worker: Served) -> None:
    counted = Counted(worker, "stripe")
    padding = {"id": "in_1", "object": "invoice", "description": ""}
    body = stripe_body("evt_big", obj=padding)
    body = body.replace(b'"description": ""', b'"description": "' + b"x" * (MIB - len(body)) +
                        b'"')
    assert len(body) == MIB
    assert post(stripe_url(worker), body, {"Stripe-Signature": stripe_signature(body)})[0] == 200
    assert counted.delta() == {"accepted": 1} and "evt_big" in stored(worker)


def test_only_post_is_answered(worker: Served) -> None:
    import urllib.error
    import urllib.request
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(stripe_url(worker), timeout=5)
    assert refused.value.code == 405


# -- HubSpot --------------------------------------------------------------------------


def test_a_signed_hubspot_delivery_stores_each_watched_event(worker: Served) -> None:
    counted = Counted(worker, "hubspot")
    body = json.dumps([
        hubspot_item(101),
        hubspot_item(102, "company.creation", 30000000099),
        hubspot_item(103, "deal.propertyChange", propertyName="vmc_commission_accrued"),
        hubspot_item(104, "object.propertyChange", 555, objectTypeId="2-1234",
                     propertyName="vmc_status"),
        hubspot_item(105, "contact.creation", 7)]).encode()
    url = hubspot_url(worker)
    assert post(url, body, hubspot_headers(url, body))[0] == 200
    assert {"hubspot:101", "hubspot:102", "hubspot:104"} <= stored(worker)
    assert not {"hubspot:103", "hubspot:105"} & stored(worker)  # a written field; contacts
    payout = worker.services.ledger.webhook_event("hubspot:104")
    assert payout is not None and payout.event.object_type == "2-1234"
    assert counted.delta() == {"accepted": 3, "ignored": 2}


def test_a_hubspot_retry_of_the_same_event_is_stored_once(worker: Served) -> None:
    url = hubspot_url(worker)
    first = json.dumps([hubspot_item(201)]).encode()
    retry = json.dumps([hubspot_item(201, attemptNumber=1)]).encode()
    assert post(url, first, hubspot_headers(url, first))[0] == 200
    counted = Counted(worker, "hubspot")
    assert post(url, retry, hubspot_headers(url, retry))[0] == 200
    assert counted.delta() == {"duplicate": 1}


@pytest.mark.parametrize(("case", "outcome"), [
    ("wrong secret", "bad_signature"), ("altered body", "bad_signature"),
    ("other url", "bad_signature"), ("no timestamp", "bad_signature"),
    ("six minutes old", "stale")])
def test_a_hubspot_delivery_not_signed_now_by_the_secret_is_refused(
        worker: Served, case: str, outcome: str) -> None:
    url, event_id = hubspot_url(worker), 300 + len(case)
    body = json.dumps([hubspot_item(event_id)]).encode()
    headers = {
        "wrong secret": hubspot_headers(url, body, "not-the-client-secret"),
        "altered body": hubspot_headers(url, body.replace(b"Renamed", b"Renamer")),
        "other url": hubspot_headers("https://elsewhere.example/webhooks/hubspot", body),
        "no timestamp": {k: v for k, v in hubspot_headers(url, body).items()
                         if k != "X-HubSpot-Request-Timestamp"},
        "six minutes old": hubspot_headers(url, body,
                                           at_ms=int((time.time() - 360) * 1000)),
    }[case]
    counted = Counted(worker, "hubspot")
    assert post(url, body, headers)[0] == 401
    assert f"hubspot:{event_id}" not in stored(worker)
    assert counted.delta() == {outcome: 1}


def test_a_signed_hubspot_body_that_is_not_an_array_of_events_is_malformed(
        worker: Served) -> None:
    url = hubspot_url(worker)
    counted = Counted(worker, "hubspot")
    for body in (b'{"eventId": 1}', b"[{\"eventId\": 2}]", b"not json"):
        assert post(url, body, hubspot_headers(url, body))[0] == 400
    assert counted.delta() == {"malformed": 3}


def test_nothing_the_receivers_count_shows_a_secret(worker: Served) -> None:
    metrics = worker.metrics()
    assert STRIPE_SECRET not in metrics and HUBSPOT_SECRET not in metrics


# -- the public URL and the switches ----------------------------------------------------


def test_hubspot_signs_the_public_url_when_one_is_set(tmp_path: Path) -> None:
    public = "https://partners.example.com"
    services = Services(worker_settings(f"sqlite:///{tmp_path / 'ledger.db'}",
                                      webhook_public_url=public + "/"))
    body = json.dumps([hubspot_item(401)]).encode()
    with served(services) as running:
        local = hubspot_url(running)
        assert post(local, body, hubspot_headers(local, body))[0] == 401
        assert post(local, body, hubspot_headers(f"{public}/webhooks/hubspot", body))[0] == 200
        assert stored(running) == {"hubspot:401"}
    services.close()


def test_each_receiver_is_on_only_with_its_secret(tmp_path: Path) -> None:
    services = Services(worker_settings(f"sqlite:///{tmp_path / 'ledger.db'}",
                                      hubspot_client_secret=""))
    with served(services) as running:
        body = json.dumps([hubspot_item(501)]).encode()
        url = hubspot_url(running)
        assert post(url, body, hubspot_headers(url, body))[0] == 404
        stripe = stripe_body("evt_on")
        assert post(stripe_url(running), stripe, {"Stripe-Signature": stripe_signature(stripe)}
                    )[0] == 200
    services.close()


def test_without_secrets_nothing_listens_and_health_shows_no_webhook_job(
        tmp_path: Path) -> None:
    services = Services(worker_settings(f"sqlite:///{tmp_path / 'ledger.db'}",
                                      stripe_webhook_secret="", hubspot_client_secret=""))
    with served(services) as running:
        assert running.webhooks is None
        health = json.loads(__import__("urllib.request").request.urlopen(
            f"{running.health}/healthz", timeout=5).read())
        assert sorted(health["jobs"]) == ["month_close", "pay", "sync"]
    services.close()


def test_hubspot_signs_the_uri_with_its_reserved_characters_decoded(worker: Served) -> None:
    """HubSpot's request validation: %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A,
    %2C and %3B are decoded in the URI it signs; other escapes stay."""
    url = hubspot_url(worker) + "?app=a%40b%2Cc%20d"
    body = json.dumps([hubspot_item(601)]).encode()
    signed_as = hubspot_url(worker) + "?app=a@b,c%20d"
    assert post(url, body, hubspot_headers(url, body))[0] == 401
    assert post(url, body, hubspot_headers(signed_as, body))[0] == 200


def test_the_receivers_need_a_port_of_their_own(tmp_path: Path) -> None:
    clash = worker_settings(f"sqlite:///{tmp_path / 'ledger.db'}", serve_port=9300,
                            webhook_port=9300)
    with pytest.raises(ConfigurationError, match="PARTNERSYNC_WEBHOOK_PORT: 9300 is "
                                                 "PARTNERSYNC_SERVE_PORT too"):
        require_webhooks_listenable(clash)
