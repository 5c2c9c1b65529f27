"""R26: approved payouts paid by Stripe Connect transfer, at most once.

For each ``approved`` or ``failed`` payout: a partner without a connected account is
paid outside Stripe (``manual_pending``, in finance's export). Otherwise the worker
first looks for a transfer whose ``transfer_group`` is the payout id and adopts it
(never creating one); else it starts a new attempt and records the intent
``stripe:transfer:<payout id>:<attempt>`` (both committed) before creating the
transfer under the idempotency key ``<payout id>-<attempt>``, then records it. A
refusal (insufficient balance, an account that cannot receive transfers) makes the
payout ``failed`` with Stripe's reason; it is retried next run under a new attempt.
A retriable error that outlived the retries propagates: the payout stays payable with
a pending intent, and the next run adopts the transfer if Stripe made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.stripe.gateway import CURRENCY, StripeGateway
from sync.domain.decisions import PayoutStatus
from sync.domain.inputs import Partner
from sync.domain.months import month_label
from sync.errors import RequestRejected
from sync.ledger import Ledger
from sync.ledger.records import OutboxEntry, PayoutRecord
from sync.payments.destinations import review_destinations, stripe_accounts
from sync.writeback.finance import FinanceControls, FinanceReadback, read_back_finance
from sync.writeback.intents import Intent, ledger_intents
from sync.writeback.send import apply_outbox, enqueue_intents
from sync.writeback.settle import ApplySummary

STRIPE_TRANSFER = "stripe.transfer"  # outbox kind of a transfer intent
# What a payment run transfers (R26): approved payouts, and failed ones again.
PAYABLE = (PayoutStatus.APPROVED, PayoutStatus.FAILED)
JSON = dict[str, Any]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class PaySummary:
    at: datetime
    paid: list[str] = field(default_factory=list)  # a transfer created now
    adopted: list[str] = field(default_factory=list)  # a transfer found by its group
    failed: dict[str, str] = field(default_factory=dict)  # payout id -> reason
    manual: list[str] = field(default_factory=list)  # no connected account
    skipped: dict[str, str] = field(default_factory=dict)  # payout id -> why not tried
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PaymentRun:
    finance: FinanceReadback
    payments: PaySummary
    enqueued: int
    applied: ApplySummary


@dataclass(frozen=True, slots=True)
class _Context:
    ledger: Ledger
    stripe: StripeGateway
    accounts: Mapping[str, JSON | None]
    props: PropertyMap
    summary: PaySummary
    destinations: Mapping[str, str | None]  # R32: partner -> confirmed account


def pay_approved(ledger: Ledger, stripe: StripeGateway, partners: Mapping[str, Partner],
                 accounts: Mapping[str, JSON | None], now: datetime, *,
                 props: PropertyMap = DEFAULT_PROPERTY_MAP) -> PaySummary:
    """Pay every approved or failed payout (R26). ``accounts``: Connect accounts by id
    as read this run (None: deleted or disconnected); one not given is read now."""
    destinations = {partner_id: control.confirmed_account
                    for partner_id, control in ledger.controls().items()}
    context = _Context(ledger, stripe, accounts, props, PaySummary(at=now), destinations)
    payable = [payout for status in PAYABLE for payout in ledger.list_payouts(status)]
    for payout in sorted(payable, key=lambda p: p.id):
        partner = partners.get(payout.partner_id)
        if partner is None:
            context.summary.skipped[payout.id] = f"partner {payout.partner_id} is not known"
        else:
            _pay(context, payout, partner)
    return context.summary


def run_payments(ledger: Ledger, hubspot: HubSpotGateway, stripe: StripeGateway,
                 partners: Mapping[str, Partner], accounts: Mapping[str, JSON | None],
                 props: PropertyMap, run_id: int, now: datetime, *,
                 controls: FinanceControls | None = None,
                 confirm_new: bool = False) -> PaymentRun:
    """The payment job: finance's HubSpot moves first, then destinations (R32), then
    payments, then HubSpot shows what moved (payout and line records, enqueued even if
    paying stopped)."""
    controls = controls or FinanceControls()
    finance = read_back_finance(ledger, hubspot.payouts(), props, controls)
    enqueued = 0
    try:
        review_destinations(ledger, stripe_accounts(stripe), partners.values(), controls,
                            confirm_new)
        payments = pay_approved(ledger, stripe, partners, accounts, now, props=props)
    finally:
        enqueued = enqueue_intents(ledger, payout_intents(ledger, props), run_id)
    applied = apply_outbox(ledger, hubspot, stripe, props, finance=controls)
    return PaymentRun(finance, payments, enqueued, applied)


def payout_intents(ledger: Ledger, props: PropertyMap) -> list[Intent]:
    """Every payout and its lines as the ledger holds them; ``plan_write`` keeps only
    those that changed (the payouts that moved), so a crash before this is healed."""
    payouts = ledger.list_payouts()
    ids = {payout.id for payout in payouts}
    lines = [line for line in ledger.load_state().lines if line.payout_id in ids]
    return ledger_intents(lines, (), payouts, props, ledger.controls())


# -- one payout -----------------------------------------------------------------------


def _pay(context: _Context, payout: PayoutRecord, partner: Partner) -> None:
    # Looked for first, whatever the account now: a transfer made before it was
    # removed must not lead finance to pay by hand as well.
    transfer = context.stripe.find_transfer(transfer_group=payout.id)
    account_id = partner.stripe_account_id
    if transfer is not None and transfer.get("reversed"):
        _fail(context, payout.id, f"Stripe transfer {transfer['id']} for this payout was "
              "reversed; finance decides how to pay it (R26)", None)
    elif transfer is not None:
        _adopt(context, payout, account_id, transfer)
    elif not account_id:
        context.ledger.mark_manual_pending(payout.id)  # R26: paid outside Stripe
        context.summary.manual.append(payout.id)
    elif account_id != context.destinations.get(partner.id):
        # R32: never to an account finance has not confirmed (its payouts are held by
        # review_destinations; this guards a payout that escaped, whatever the cause)
        context.summary.skipped[payout.id] = (
            f"{account_id} is not the partner's confirmed destination "
            f"({context.destinations.get(partner.id) or 'none'}); no transfer (R32)")
    else:
        _pay_by_transfer(context, payout, partner, account_id)


def _pay_by_transfer(context: _Context, payout: PayoutRecord, partner: Partner,
                     account_id: str) -> None:
    problem = _cannot_receive(context, account_id)
    if problem is not None:
        with context.ledger.transaction():  # refused before Stripe: still an attempt (R26)
            context.ledger.start_payment_attempt(payout.id)
            _fail(context, payout.id, problem, None)
        return
    _create(context, payout, partner, account_id)


def _adopt(context: _Context, payout: PayoutRecord, account_id: str | None,
           transfer: JSON) -> None:
    """R26: a transfer for this payout exists (made by a run that died before recording
    it): record it as the payment; no transfer is created."""
    transfer_id = str(transfer["id"])
    ledger = context.ledger
    with ledger.transaction():
        if ledger.get_payout(payout.id).attempts < 1:
            ledger.start_payment_attempt(payout.id)  # record_transfer needs an attempt
        ledger.record_transfer(payout.id, transfer_id, adopted=True)
        for entry in _pending_transfers(ledger, payout.id):
            ledger.confirm(entry.key, {"transfer_id": transfer_id, "adopted": True})
    context.summary.adopted.append(payout.id)
    expected = (payout.amount, CURRENCY, account_id)
    found = (transfer.get("amount"), transfer.get("currency"), transfer.get("destination"))
    if found != expected:
        warning = (f"payout {payout.id}: adopted transfer {transfer_id} is {found}, "
                   f"expected {expected}; check it in Stripe")
        context.summary.warnings.append(warning)
        log.error("payout.adopted_transfer_differs", payout_id=payout.id,
                  transfer_id=transfer_id)


def _create(context: _Context, payout: PayoutRecord, partner: Partner, account_id: str) -> None:
    ledger, names = context.ledger, context.props.stripe_metadata
    with ledger.transaction():  # committed before Stripe is called
        for stale in _pending_transfers(ledger, payout.id):
            ledger.fail(stale.key, "no transfer exists for the group; a new attempt follows")
        attempt = ledger.start_payment_attempt(payout.id)
        key = f"{STRIPE_TRANSFER}:{payout.id}:{attempt}"
        request: JSON = {
            "amount": payout.amount, "destination": account_id, "transfer_group": payout.id,
            "description": f"Partner commission {partner.name} {month_label(payout.month)}",
            "metadata": {names.payout_id: payout.id, names.partner_id: payout.partner_id},
            "idempotency_key": f"{payout.id}-{attempt}",
        }
        ledger.enqueue(key, STRIPE_TRANSFER, payout.id, request)
    try:
        transfer = context.stripe.create_transfer(**request)
    except RequestRejected as error:
        _fail(context, payout.id, str(error), key)  # Stripe's code and message
        return
    with ledger.transaction():
        ledger.record_transfer(payout.id, str(transfer["id"]))
        ledger.confirm(key, {"transfer_id": str(transfer["id"])})
    context.summary.paid.append(payout.id)


def _fail(context: _Context, payout_id: str, reason: str, key: str | None) -> None:
    with context.ledger.transaction():
        context.ledger.record_failure(payout_id, reason)
        if key is not None:
            context.ledger.fail(key, reason)
    context.summary.failed[payout_id] = reason


def _cannot_receive(context: _Context, account_id: str) -> str | None:
    """Why the connected account cannot be paid, without asking Stripe to try."""
    if account_id in context.accounts:
        account = context.accounts[account_id]
    else:
        account = context.stripe.account(account_id)
    if account is None:
        return (f"Stripe Connect account {account_id} was not found or is disconnected; "
                "update the partner's vmc_stripe_account_id in HubSpot (R26)")
    transfers = (account.get("capabilities") or {}).get("transfers")
    if transfers != "active":
        return (f"Stripe Connect account {account_id} cannot receive transfers: its "
                f"transfers capability is {transfers or 'missing'}; the partner must "
                "finish onboarding in Stripe (R26)")
    return None


def _pending_transfers(ledger: Ledger, payout_id: str) -> list[OutboxEntry]:
    return [entry for entry in ledger.pending(STRIPE_TRANSFER) if entry.target == payout_id]
