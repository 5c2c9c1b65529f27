"""Payout controls against the attacks they exist for (R32-R35), end to end.

Each test runs the worker over the small synthetic portal, then someone edits HubSpot
through the official SDK -- a sales user (``pat-user-1003``), an approver
(``pat-user-1001`` or ``1002``, the demo programme's ``[approval] approvers``) or an
integration's token -- and the worker runs again. Each ends with no money moved where
it should not, and the reason visible in HubSpot, on the command line and in the audit
trail. The programme (fixtures/demo/programme.toml): auto-approval up to 300.00 EUR,
two approvers above 900.00 EUR.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.companies import SimplePublicObjectInput as CompanyInput
from hubspot.crm.objects import BatchInputSimplePublicObjectBatchInput

from jobs.dry_run import plan_run
from jobs.pay import run_pay
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.cli.main import main
from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from sync.ledger.records import PayoutRecord
from tests.e2e.support import DEMO_AS_OF, World, open_world, sqlite_url

S = PayoutStatus
APPROVER, SECOND_APPROVER, SALES = "1001", "1002", "1003"
INTEGRATION = "another-integration-token"  # any token but pat-user-N is the integration


@pytest.fixture
def world(small_fixtures: Path, tmp_path: Path) -> Iterator[World]:
    """The small portal after one sync: destinations confirmed on first use, payouts up
    to 300.00 paid, larger ones pending approval."""
    with open_world(small_fixtures, sqlite_url(tmp_path)) as opened:
        opened.run(DEMO_AS_OF)
        yield opened


def client(world: World, token: str) -> Any:
    return HubSpot(access_token=token, host=world.hubspot_url, retry=False)


def as_user(world: World, user_id: str) -> Any:
    return client(world, f"pat-user-{user_id}")


def set_company(world: World, hs: Any, company_id: str, **properties: str) -> None:
    hs.crm.companies.basic_api.update(company_id, CompanyInput(properties=properties))


def set_payout(world: World, hs: Any, payout_id: str, **properties: str) -> None:
    record_id = world.payout_records()[payout_id]["hs_object_id"]
    type_id = world.services().hubspot.object_type_id(PROPS.payout.object_name)
    hs.crm.objects.batch_api.update(type_id, BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": record_id, "properties": properties}]))


def pending(world: World, *, above: int = 0, at_most: int = 10**9) -> list[PayoutRecord]:
    return sorted((p for p in world.ledger().list_payouts(S.PENDING_APPROVAL)
                   if above < p.amount <= at_most), key=lambda p: (-p.amount, p.id))


def destinations(world: World) -> dict[str, str]:
    return {pid: c.confirmed_account for pid, c in world.ledger().controls().items()
            if c.confirmed_account}


def transfers_for(world: World, payout_id: str) -> list[dict[str, Any]]:
    return [t for t in world.transfers() if t["transfer_group"] == payout_id]


def audit(world: World, action: str) -> list[Any]:
    return [event for event in world.ledger().audit_events() if event.action == action]


def cli(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str) -> str:
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", world.database_url)
    monkeypatch.setenv("COLUMNS", "250")
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def new_account(world: World, company_id: str) -> str:
    """A Connect account onboarded for ``company_id``, able to receive transfers."""
    account = copy.deepcopy(world.stripe.state.newest_first("account")[0])
    account["id"] = f"acct_new{company_id}"
    account["metadata"] = {"hubspot_company_id": company_id}
    account["capabilities"] = {**account.get("capabilities", {}), "transfers": "active"}
    world.stripe.state.add("account", account)
    return str(account["id"])


def approved_payout_of_another_partner(world: World) -> tuple[PayoutRecord, str, str]:
    """A pending payout of one approval, approved by finance on the command line, with
    its partner's confirmed account and another partner's."""
    accounts = destinations(world)
    payout = next(p for p in pending(world, at_most=90000) if p.partner_id in accounts)
    other = next(account for pid, account in accounts.items() if pid != payout.partner_id)
    world.ledger().approve(payout.id, by="claire.martin@vmcloud.example")
    return payout, accounts[payout.partner_id], other


# R32: destinations ------------------------------------------------------------------------


def test_r32_account_changed_to_another_partners_holds_and_pays_no_one(
        world: World, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    payout, own, others = approved_payout_of_another_partner(world)
    set_company(world, as_user(world, SALES), payout.partner_id,
                **{PROPS.company.stripe_account_id: others})
    plan = plan_run(world.services(), DEMO_AS_OF)  # the dry run says so first
    assert payout.id not in [p.id for p in plan.payable]
    assert plan.held[payout.id].startswith(f"destination_changed: HubSpot shows {others}")

    world.run(DEMO_AS_OF)

    held = world.ledger().get_payout(payout.id)
    assert (held.status, held.held_from) == (S.ON_HOLD, S.APPROVED)
    assert held.hold_reason == (
        f"destination_changed: HubSpot shows {others}, the confirmed destination is {own}; "
        "no transfer to either until finance confirms one (R32)")
    assert transfers_for(world, payout.id) == []  # neither account was paid
    record = world.payout_records()[payout.id]
    assert (record[PROPS.payout.status], record[PROPS.payout.hold_reason]) == (
        "on_hold", held.hold_reason)
    company = world.companies()[payout.partner_id]
    assert company[PROPS.company.payout_hold] == held.hold_reason
    assert company[PROPS.company.confirmed_stripe_account_id] == own
    assert payout.id in cli(world, capsys, monkeypatch, "payouts", "list", "--status", "on_hold")
    [changed] = audit(world, "destination_changed")
    assert (changed.partner_id, changed.account) == (payout.partner_id, others)


def test_r32_a_new_account_holds_until_finance_confirms_then_pays_it(
        world: World, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    payout, _, _ = approved_payout_of_another_partner(world)
    account = new_account(world, payout.partner_id)
    set_company(world, as_user(world, SALES), payout.partner_id,
                **{PROPS.company.stripe_account_id: account})
    world.run(DEMO_AS_OF)
    assert world.ledger().get_payout(payout.id).status is S.ON_HOLD
    assert transfers_for(world, payout.id) == []

    out = cli(world, capsys, monkeypatch, "partners", "confirm-destination",
              payout.partner_id, account, "--by", "hugo.bernard@vmcloud.example")
    assert "its held payouts are released" in out
    world.run(DEMO_AS_OF)

    [transfer] = transfers_for(world, payout.id)
    assert (transfer["destination"], transfer["amount"]) == (account, payout.amount)
    assert world.ledger().get_payout(payout.id).status is S.PAID
    assert [e.actor for e in audit(world, "destination_confirmed")
            if e.partner_id == payout.partner_id][-1] == "hugo.bernard@vmcloud.example"


def test_r32_changed_and_changed_back_stays_held_until_finance_says(world: World) -> None:
    payout, own, others = approved_payout_of_another_partner(world)
    sales = as_user(world, SALES)
    set_company(world, sales, payout.partner_id, **{PROPS.company.stripe_account_id: others})
    world.run(DEMO_AS_OF)
    set_company(world, sales, payout.partner_id, **{PROPS.company.stripe_account_id: own})
    world.run(DEMO_AS_OF)

    held = world.ledger().get_payout(payout.id)
    assert held.status is S.ON_HOLD
    assert f"HubSpot showed {others}, now the confirmed {own} again" in (held.hold_reason or "")
    assert transfers_for(world, payout.id) == []

    world.ledger().confirm_destination(payout.partner_id, own, "hugo", shown=own)
    world.run(DEMO_AS_OF)
    [transfer] = transfers_for(world, payout.id)
    assert transfer["destination"] == own


def test_r32_a_first_account_already_another_partners_waits(
        small_fixtures: Path, tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        partners = sorted(cid for cid, c in world.companies().items()
                          if c.get(PROPS.company.tier) and c.get(PROPS.company.stripe_account_id))
        newcomer, owner = partners[0], partners[1]
        taken = world.companies()[owner][PROPS.company.stripe_account_id]
        sales = as_user(world, SALES)
        set_company(world, sales, newcomer, **{PROPS.company.stripe_account_id: ""})
        world.run(DEMO_AS_OF)  # the newcomer has no account: nothing confirmed for it
        assert newcomer not in destinations(world) and destinations(world)[owner] == taken
        set_company(world, sales, newcomer, **{PROPS.company.stripe_account_id: taken})

        world.run(DEMO_AS_OF)

        control = world.ledger().controls()[newcomer]
        assert (control.confirmed_account, control.waiting_account) == (None, taken)
        assert control.waiting_reason == (
            f"destination_unconfirmed: {taken} waits for finance's confirmation: it is "
            f"already the confirmed destination of partner {owner}; its Stripe "
            f"metadata.hubspot_company_id names company {owner} (R32)")
        assert not any(t["destination"] == taken and t["transfer_group"].startswith(
            f"vmcpo_{newcomer}_") for t in world.transfers())
        unpaid = [p for p in world.ledger().list_payouts(partner_id=newcomer)
                  if p.status is not S.PAID]
        assert unpaid and {p.status for p in unpaid} == {S.ON_HOLD}
        assert world.companies()[newcomer][PROPS.company.payout_hold] == control.waiting_reason


def test_r32_a_confirmation_set_in_hubspot_by_a_non_approver_is_refused(world: World) -> None:
    payout, own, others = approved_payout_of_another_partner(world)
    sales = as_user(world, SALES)
    set_company(world, sales, payout.partner_id, **{PROPS.company.stripe_account_id: others})
    set_company(world, sales, payout.partner_id,
                **{PROPS.company.confirmed_stripe_account_id: others})

    world.run(DEMO_AS_OF)

    assert world.ledger().controls()[payout.partner_id].confirmed_account == own
    assert transfers_for(world, payout.id) == []
    [refused] = audit(world, "destination_confirmation_refused")
    assert (refused.actor, refused.partner_id) == ("HubSpot user 1003", payout.partner_id)
    company = world.companies()[payout.partner_id]
    assert company[PROPS.company.confirmed_stripe_account_id] == own  # written back


def test_r32_an_approver_confirms_in_hubspot(world: World) -> None:
    payout, _, _ = approved_payout_of_another_partner(world)
    account = new_account(world, payout.partner_id)
    set_company(world, as_user(world, SALES), payout.partner_id,
                **{PROPS.company.stripe_account_id: account})
    world.run(DEMO_AS_OF)
    set_company(world, as_user(world, APPROVER), payout.partner_id,
                **{PROPS.company.confirmed_stripe_account_id: account})

    world.run(DEMO_AS_OF)

    [transfer] = transfers_for(world, payout.id)
    assert transfer["destination"] == account
    confirmed = audit(world, "destination_confirmed")[-1]
    assert confirmed.actor == "HubSpot user 1001 (claire.martin@vmcloud.example)"


# R33: who approves ------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "who"), [("pat-user-1003", "HubSpot user 1003"),
                                            (INTEGRATION, "an integration")],
                         ids=["non-approver", "integration"])
def test_r33_an_approval_by_anyone_but_an_approver_is_refused_and_written_back(
        world: World, token: str, who: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    payout = pending(world, at_most=90000)[0]
    set_payout(world, client(world, token), payout.id, **{PROPS.payout.status: "approved"})

    summary = world.run(DEMO_AS_OF)

    assert world.ledger().get_payout(payout.id).status is S.PENDING_APPROVAL
    assert transfers_for(world, payout.id) == []
    record = world.payout_records()[payout.id]
    assert record[PROPS.payout.status] == "pending_approval"  # written back
    assert record[PROPS.payout.status_note].startswith(f"Refused: approved set by {who}")
    assert payout.id in summary.refused
    [refused] = audit(world, "approval_refused")
    assert (refused.payout_id, refused.actor) == (payout.id, who)
    out = cli(world, capsys, monkeypatch, "payouts", "list", "--partner", payout.partner_id)
    assert "Refused: approved set by" in out

    world.run(DEMO_AS_OF)  # judged once: no second refusal
    assert len(audit(world, "approval_refused")) == 1


def test_r33_above_dual_above_the_same_approver_twice_counts_once(world: World) -> None:
    payout = next(p for p in pending(world, above=90000)
                  if p.partner_id in destinations(world))
    claire = as_user(world, APPROVER)
    set_payout(world, claire, payout.id, **{PROPS.payout.status: "approved"})
    world.run(DEMO_AS_OF)
    first = world.ledger().get_payout(payout.id)
    assert (first.status, first.approved_by) == (
        S.PENDING_SECOND_APPROVAL, "HubSpot user 1001 (claire.martin@vmcloud.example)")
    assert world.payout_records()[payout.id][PROPS.payout.status] == "pending_second_approval"

    set_payout(world, claire, payout.id, **{PROPS.payout.status: "approved"})  # again
    world.run(DEMO_AS_OF)
    assert world.ledger().get_payout(payout.id).status is S.PENDING_SECOND_APPROVAL
    assert transfers_for(world, payout.id) == []
    assert "gave its first approval" in world.payout_records()[payout.id][
        PROPS.payout.status_note]

    set_payout(world, as_user(world, SECOND_APPROVER), payout.id,
               **{PROPS.payout.status: "approved"})
    world.run(DEMO_AS_OF)
    paid = world.ledger().get_payout(payout.id)
    assert (paid.status, paid.second_approved_by) == (
        S.PAID, "HubSpot user 1002 (hugo.bernard@vmcloud.example)")
    [transfer] = transfers_for(world, payout.id)
    assert transfer["amount"] == payout.amount
    assert [e.action for e in world.ledger().audit_events() if e.payout_id == payout.id] == [
        "first_approval", "approval_refused", "second_approval", "transfer_created"]


# HubSpot is not the source of amounts -------------------------------------------------------


def test_an_amount_edited_in_hubspot_is_written_back_and_never_paid(world: World) -> None:
    payout = next(p for p in pending(world, at_most=90000)
                  if p.partner_id in destinations(world))
    hs = as_user(world, APPROVER)
    set_payout(world, hs, payout.id, **{PROPS.payout.amount: "99999.00",
                                        PROPS.payout.partner_id: "666"})
    set_payout(world, hs, payout.id, **{PROPS.payout.status: "approved"})

    world.run(DEMO_AS_OF)

    [transfer] = transfers_for(world, payout.id)
    assert transfer["amount"] == payout.amount  # the ledger's, not HubSpot's 99,999.00
    record = world.payout_records()[payout.id]
    assert float(record[PROPS.payout.amount]) * 100 == payout.amount
    assert record[PROPS.payout.partner_id] == payout.partner_id
    [reverted] = audit(world, "hubspot_edit_reverted")
    assert reverted.payout_id == payout.id and "99999.00" in reverted.reason


def test_a_formula_in_a_partner_name_is_text_in_the_export(
        world: World, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    payout = pending(world)[0]
    set_company(world, as_user(world, SALES), payout.partner_id,
                name='=HYPERLINK("http://evil.example","Invoice")')
    world.run(DEMO_AS_OF)

    rows = {row["payout_id"]: row for row in csv.DictReader(io.StringIO(
        cli(world, capsys, monkeypatch, "payouts", "export")))}

    assert rows[payout.id]["partner_name"] == '\'=HYPERLINK("http://evil.example","Invoice")'


def test_a_line_edited_in_hubspot_is_written_back_by_the_payment_job(world: World) -> None:
    first = run_pay(world.services())  # the first look reads every line record
    assert first.outcome == "succeeded" and first.edited == {}
    line = next(line for line in world.ledger().load_state().lines if line.amount > 0)
    names = PROPS.commission_line
    record_id = world.line_records()[line.id]["hs_object_id"]
    type_id = world.services().hubspot.object_type_id(names.object_name)
    as_user(world, SALES).crm.objects.batch_api.update(
        type_id, BatchInputSimplePublicObjectBatchInput(inputs=[{
            "id": record_id, "properties": {names.amount: "99999.00", names.partner_id: "666"}}]))

    summary = run_pay(world.services())

    assert summary.edited == {line.id: (
        f"{names.amount} 99999.00 (ledger {eur(line.amount)}), "
        f"{names.partner_id} 666 (ledger {line.partner_id})")}
    shown = world.line_records()[line.id]
    assert (shown[names.amount], shown[names.partner_id]) == (eur(line.amount), line.partner_id)
    [reverted] = audit(world, "hubspot_edit_reverted")
    assert (reverted.line_id, reverted.amount) == (line.id, line.amount)
    assert run_pay(world.services()).edited == {}  # written back: nothing more to see
