"""``partnersync doctor`` before a first run, through the real SDKs against the stand-ins
(docs/configuration.md, "Commands"; README, "Connect a real HubSpot portal and Stripe
account"): the checklist as printed, line by line, and the exit status (0 nothing
failed, 2 a configuration to change, 3 an upstream that did not answer)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from sandbox.hubspot.private_app import README_SCOPES
from sync.cli.main import main
from sync.ledger.migrate import current_revision, upgrade
from tests.doctor.conftest import KEY_LEVELS, World

# The lines every scenario shares; each test writes out the ones it changes.
SETTINGS = "ok    settings: the PARTNERSYNC_* variables are valid"
PROGRAMME = "ok    programme file: none set: the defaults of docs/configuration.md apply"
WEBHOOKS = ("ok    webhooks: off (neither PARTNERSYNC_STRIPE_WEBHOOK_SECRET nor "
            "PARTNERSYNC_HUBSPOT_CLIENT_SECRET is set): the scheduled syncs alone")
HUBSPOT_OK = [
    "ok    HubSpot token: accepted for portal 12345678",
    "ok    HubSpot scopes: all 9 a run needs",
    "ok    HubSpot setup scopes: `partnersync hubspot setup` may create what it needs",
    "ok    HubSpot users scope: approvals made in HubSpot are recorded with the approver's "
    "email",
    "ok    HubSpot custom objects and properties: everything `partnersync hubspot setup` "
    "creates is there",
]
WRITE = "read allowed; write is proved by the first run (probing it would write)"
STRIPE_KEY = "ok    Stripe key: restricted key, test mode"
PERMISSIONS_OK = [
    f"ok    Stripe Customers: {WRITE}",
    "ok    Stripe Prices: read allowed",
    "ok    Stripe Subscriptions: read allowed",
    "ok    Stripe Invoices: read allowed",
    "ok    Stripe Events: read allowed",
    "ok    Stripe Connect → Accounts: read allowed",
    f"ok    Stripe Connect → Transfers: {WRITE}",
    "ok    Stripe Balance: read allowed",
]
CONNECT = "ok    Stripe Connect: the platform lists its connected accounts"
BALANCE = "ok    Stripe EUR balance: 1000.00 EUR available; 250.00 EUR waiting in 1 payout"


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = main(["doctor", *args])
    captured = capsys.readouterr()
    # Standard error holds only the retry policy's warnings (one per retry); stdout the list.
    assert [json.loads(line)["event"] for line in captured.err.splitlines()] \
        == ["api.retrying"] * len(captured.err.splitlines())
    return status, captured.out.splitlines()


def database_ok(world: World) -> str:
    return f"ok    database: sqlite:///{world.database} at revision 0010, the latest"


def test_all_ok_portal(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = doctor(capsys)
    assert lines == [SETTINGS, PROGRAMME, WEBHOOKS, database_ok(world), *HUBSPOT_OK, STRIPE_KEY,
                     *PERMISSIONS_OK, CONNECT, BALANCE, "20 ok"]
    assert status == 0


def test_a_missing_scope_fails_naming_it(world: World,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    world.hubspot.state.private_app.set_scopes(
        [s for s in README_SCOPES if s != "crm.objects.custom.write"])
    status, lines = doctor(capsys)
    assert lines == [
        SETTINGS, PROGRAMME, WEBHOOKS, database_ok(world), HUBSPOT_OK[0],
        "fail  HubSpot scopes: missing crm.objects.custom.write",
        "      fix: give the private app crm.objects.custom.write (Settings > Integrations > "
        "Private Apps > the app > Scopes)",
        *HUBSPOT_OK[2:], STRIPE_KEY, *PERMISSIONS_OK, CONNECT, BALANCE, "19 ok, 1 fail"]
    assert status == 2


def test_a_restricted_key_lacking_transfers_fails_on_that_permission(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    key = "rk_test_51DoctorNoTransfers0123456789abcdefKLMN"
    world.stripe.restrict_key(key, {k: v for k, v in KEY_LEVELS.items() if k != "transfers"})
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", key)
    status, lines = doctor(capsys)
    assert lines == [
        SETTINGS, PROGRAMME, WEBHOOKS, database_ok(world), *HUBSPOT_OK, STRIPE_KEY,
        *PERMISSIONS_OK[:6],
        "fail  Stripe Connect → Transfers: the key may not read transfers (Stripe asks for "
        "rak_transfer_read)",
        "      fix: give the key Connect → Transfers: Write (Stripe Dashboard > Developers > "
        "API keys > the key > Edit)",
        PERMISSIONS_OK[7], CONNECT, BALANCE, "19 ok, 1 fail"]
    assert status == 2
    assert key[8:-6] not in "\n".join(lines)  # never the key, even masked by Stripe


def test_an_unmigrated_database_is_a_warning_and_stays_as_it_is(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    older = world.database.with_name("older.db")
    engine = create_engine(f"sqlite:///{older}")
    upgrade(engine, "0002")
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{older}")
    status, lines = doctor(capsys)
    assert lines == [
        SETTINGS, PROGRAMME, WEBHOOKS,
        f"warn  database: sqlite:///{older} at revision 0002, the latest is 0010: "
        "partnersync migrates it at its next start",
        "      fix: back the database up first; any command but doctor migrates it",
        *HUBSPOT_OK, STRIPE_KEY, *PERMISSIONS_OK, CONNECT,
        "ok    Stripe EUR balance: 1000.00 EUR available; the payouts waiting are not "
        "known (see the database line)",
        "19 ok, 1 warn"]
    assert status == 0
    assert current_revision(engine) == "0002"
    engine.dispose()


def test_unreachable_hubspot_exits_3_after_the_retry_policy(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_BASE_URL", nowhere)
    status, lines = doctor(capsys)
    skipped = "not checked: the token check failed"
    assert lines == [
        SETTINGS, PROGRAMME, WEBHOOKS, database_ok(world),
        f"fail  HubSpot token: HubSpot at {nowhere}: no answer (refused, timed out or "
        "dropped)",
        "      fix: check the network, or PARTNERSYNC_HUBSPOT_BASE_URL (the HubSpot client "
        "uses no proxy)",
        f"skip  HubSpot scopes: {skipped}",
        f"skip  HubSpot setup scopes: {skipped}",
        f"skip  HubSpot users scope: {skipped}",
        f"skip  HubSpot custom objects and properties: {skipped}",
        STRIPE_KEY, *PERMISSIONS_OK, CONNECT, BALANCE, "15 ok, 1 fail, 4 skip"]
    assert status == 3
    assert len(world.sleeps) == 2  # three tries, the doctor's share of the one policy
