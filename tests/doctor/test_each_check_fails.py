"""Each of doctor's checks failing once, with the line it prints and the fix: the
checks of test_scenarios.py can say something else than ok."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.core import SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.hubspot.private_app import README_SCOPES
from sandbox.stripe import StripeSandbox
from sync.cli.main import main
from tests.doctor.conftest import FULL_KEY, HUBSPOT_TOKEN, KEY_LEVELS, World
from tests.doctor.test_scenarios import doctor

NOT_VALID = "not checked: the settings are not valid"


def lines_of(lines: list[str], *labels: str) -> list[str]:
    """The lines of the checks labelled so, with their fix lines."""
    chosen, keep = [], False
    for line in lines:
        if not line.startswith(" "):
            keep = line[6:].split(":", 1)[0] in labels
        if keep:
            chosen.append(line)
    return chosen


def test_a_malformed_variable_fails_the_settings_and_nothing_else_runs(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_SERVE_PORT", "nine")
    status, lines = doctor(capsys)
    assert lines == [
        "fail  settings: PARTNERSYNC_SERVE_PORT: Input should be a valid integer, unable to "
        "parse string as an integer",
        "      fix: correct the variables named (docs/configuration.md lists them)",
        f"skip  programme file: {NOT_VALID}", f"skip  database: {NOT_VALID}",
        f"skip  HubSpot token: {NOT_VALID}", f"skip  Stripe key: {NOT_VALID}",
        "1 fail, 4 skip"]
    assert status == 2


def test_an_invalid_programme_file(world: World, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    programme = tmp_path / "programme.toml"
    programme.write_text('[tiers.partner]\nrate = "a lot"\n', encoding="utf-8")
    monkeypatch.setenv("PARTNERSYNC_PROGRAMME_FILE", str(programme))
    status, lines = doctor(capsys)
    assert lines_of(lines, "programme file") == [
        'fail  programme file: tiers.partner.rate: expected a decimal rate such as "0.25"',
        "      fix: correct the programme file (docs/configuration.md lists every key) or "
        "PARTNERSYNC_PROGRAMME_FILE"]
    assert status == 2


def test_a_database_in_a_missing_folder_is_not_created(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "ledger.db"
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{missing}")
    status, lines = doctor(capsys)
    assert lines_of(lines, "database") == [
        f"fail  database: sqlite:///{missing}: the folder {missing.parent} does not exist",
        "      fix: create the folder or change PARTNERSYNC_DATABASE_URL"]
    assert status == 2
    assert not missing.parent.exists()


def test_a_postgresql_server_that_does_not_answer_exits_3(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL",
                       "postgresql+psycopg://ops:s3cret-pw@127.0.0.1:9/ledger")
    status, lines = doctor(capsys)
    assert lines_of(lines, "database", "Stripe EUR balance") == [
        "fail  database: postgresql+psycopg://ops:***@127.0.0.1:9/ledger: no answer from the "
        "server",
        "      fix: start the database server or correct the host and port in "
        "PARTNERSYNC_DATABASE_URL",
        "ok    Stripe EUR balance: 1000.00 EUR available; the payouts waiting are not "
        "known (see the database line)"]
    assert status == 3
    assert "s3cret-pw" not in "\n".join(lines)


def test_a_refused_token(world: World, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "pat-na1-revoked-token")
    status, lines = doctor(capsys)
    assert lines_of(lines, "HubSpot token") == [
        "fail  HubSpot token: HubSpot refused the token (HTTP 401)",
        "      fix: set PARTNERSYNC_HUBSPOT_ACCESS_TOKEN to the private app's access token "
        "(Settings > Integrations > Private Apps > the app > Auth)"]
    assert status == 2
    assert "revoked" not in "\n".join(lines)


def test_a_portal_not_set_up_without_the_setup_scopes(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    fresh = HubSpotSandbox(token=HUBSPOT_TOKEN, token_scopes=[
        s for s in README_SCOPES if s != "crm.schemas.custom.write"])
    with SandboxServer(fresh.wsgi_app) as server:
        monkeypatch.setenv("PARTNERSYNC_HUBSPOT_BASE_URL", server.url)
        status, lines = doctor(capsys)
    # 1 + 25 company properties, 1 + 13 deal properties (vmc_registration_id on both),
    # 2 custom objects: 42 pending, 4 named and 38 more.
    assert lines_of(lines, "HubSpot setup scopes", "HubSpot custom objects and properties") == [
        "fail  HubSpot setup scopes: missing crm.schemas.custom.write: `partnersync hubspot "
        "setup` cannot run",
        "      fix: give the private app crm.schemas.custom.write (Settings > Integrations > "
        "Private Apps > the app > Scopes)",
        "fail  HubSpot custom objects and properties: missing property group "
        "companies.vmc_partner_programme; property companies.vmc_partner_tier; property "
        "companies.vmc_partner_status; property companies.vmc_commission_option and 38 more",
        "      fix: run `partnersync hubspot setup`"]
    assert status == 2


def test_approvers_without_the_users_scope(world: World, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    world.hubspot.state.private_app.set_scopes(
        [s for s in README_SCOPES if s != "settings.users.read"])
    programme = tmp_path / "programme.toml"
    programme.write_text('[approval]\napprovers = ["1001"]\n', encoding="utf-8")
    monkeypatch.setenv("PARTNERSYNC_PROGRAMME_FILE", str(programme))
    status, lines = doctor(capsys)
    assert lines_of(lines, "HubSpot users scope") == [
        "warn  HubSpot users scope: no settings.users.read: HubSpot approvals are recorded by "
        "user id only, and an approver approving in HubSpot and on the command line counts "
        "as two people (R33)",
        "      fix: give the private app settings.users.read (Settings > Integrations > "
        "Private Apps > the app > Scopes)"]
    assert status == 0


def test_a_refused_stripe_key(world: World, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", "mk_live_NotAStripeKey9876")
    status, lines = doctor(capsys)
    assert lines_of(lines, "Stripe key", "Stripe Invoices", "Stripe EUR balance") == [
        "fail  Stripe key: Stripe refused the key (HTTP 401)",
        "      fix: set PARTNERSYNC_STRIPE_API_KEY to a key of the account (Stripe Dashboard > "
        "Developers > API keys)",
        "skip  Stripe Invoices: not checked: the key check failed",
        "skip  Stripe EUR balance: not checked: the key check failed"]
    assert status == 2
    assert "NotAStripeKey" not in "\n".join(lines)


def test_a_secret_key_is_a_warning(world: World, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", "sk_live_51AllPowerful0123456789")
    status, lines = doctor(capsys)
    assert lines_of(lines, "Stripe key") == [
        "warn  Stripe key: secret key, live mode: it may do anything on the account",
        "      fix: use a restricted key with the permissions below (Stripe Dashboard > "
        "Developers > API keys > Create restricted key)"]
    assert status == 0


def test_unreachable_stripe_exits_3(world: World, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_BASE", "http://127.0.0.1:9")
    status, lines = doctor(capsys)
    assert lines_of(lines, "Stripe key", "Stripe Connect") == [
        "fail  Stripe key: Stripe at http://127.0.0.1:9: no answer (refused, timed out or "
        "dropped)",
        "      fix: check the network, its proxy variables (HTTPS_PROXY) or "
        "PARTNERSYNC_STRIPE_API_BASE",
        "skip  Stripe Connect: not checked: the key check failed"]
    assert status == 3


def test_a_platform_without_connected_accounts_and_too_little_balance(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    empty = StripeSandbox(api_key=None)
    empty.limits.configure({"enabled": False})
    empty.restrict_key(FULL_KEY, KEY_LEVELS)
    empty.set_balance(10_000)
    with SandboxServer(empty.wsgi_app) as server:
        monkeypatch.setenv("PARTNERSYNC_STRIPE_API_BASE", server.url)
        status, lines = doctor(capsys)
    assert lines_of(lines, "Stripe Connect", "Stripe EUR balance") == [
        "warn  Stripe Connect: the platform has no connected account yet",
        "      fix: onboard the partners to Connect: each is paid to its account",
        "warn  Stripe EUR balance: 100.00 EUR available, below the 250.00 EUR of the 1 "
        "payout waiting",
        "      fix: add EUR funds to the platform balance before the next payment run (a "
        "transfer beyond it fails with balance_insufficient)"]
    assert status == 0


def test_json_for_scripts(world: World, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    key = "rk_test_51DoctorNoBalance0123456789abcdefOPQR"
    world.stripe.restrict_key(key, {k: v for k, v in KEY_LEVELS.items() if k != "balance"})
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", key)
    status = main(["doctor", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    by_id = {check["id"]: check for check in report["checks"]}
    assert by_id["stripe.permission.balance"] == {
        "id": "stripe.permission.balance", "label": "Stripe Balance", "status": "warn",
        "detail": "the key may not read balance (Stripe asks for rak_balance_read): doctor "
                  "cannot check the EUR balance",
        "fix": "give the key Balance: Read (Stripe Dashboard > Developers > API keys > the "
               "key > Edit)",
        "cause": None}
    assert by_id["stripe.balance"]["status"] == "skip"
    assert (report["exit_status"], status) == (0, 0)
    assert len(report["checks"]) == 20


def test_webhooks_on_and_hubspot_s_without_the_public_url_warns(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_WEBHOOK_SECRET", "whsec_doctor")
    _, lines = doctor(capsys)
    assert lines_of(lines, "webhooks") == ["ok    webhooks: Stripe on, on 127.0.0.1:9111"]
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_CLIENT_SECRET", "doctor-client-secret")
    status, lines = doctor(capsys)
    assert lines_of(lines, "webhooks") == [
        "warn  webhooks: Stripe and HubSpot on, on 127.0.0.1:9111, without "
        "PARTNERSYNC_WEBHOOK_PUBLIC_URL: HubSpot's signatures are checked against the URL a "
        "request arrives with, not the one HubSpot called",
        "      fix: set PARTNERSYNC_WEBHOOK_PUBLIC_URL to the base URL HubSpot calls "
        "(`partnersync webhooks setup` prints the endpoints)"]
    assert status == 0 and "whsec_doctor" not in "\n".join(lines)
    monkeypatch.setenv("PARTNERSYNC_WEBHOOK_PUBLIC_URL", "https://partners.example.com")
    _, lines = doctor(capsys)
    assert lines_of(lines, "webhooks") == [
        "ok    webhooks: Stripe and HubSpot on, on 127.0.0.1:9111, called at "
        "https://partners.example.com/webhooks/..."]
