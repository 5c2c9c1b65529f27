"""R32 before any payment: each partner's Connect account against its confirmed
destination, and destinations confirmed in HubSpot by an approver.

Runs at the start of every payment step, over the partners as HubSpot shows them. The
decision is the pure ``sync.engine.destinations``; this module gathers what it needs
(the ledger's destinations, the account's Stripe metadata for an account never seen,
from the mirror the pull filled, so a first sync costs no call per partner)
and records the outcome, every hold and confirmation audited in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from sync.adapters.stripe.gateway import StripeGateway
from sync.domain.inputs import Partner
from sync.engine.destinations import (
    MISMATCH,
    AccountFacts,
    DestinationAction,
    decide_destination,
    needs_decision,
)
from sync.ledger import Ledger
from sync.ledger.errors import IllegalTransitionError
from sync.ledger.records import PartnerControl
from sync.ledger.transitions import Approver
from sync.ledger.written import forget_write
from sync.writeback.finance import FinanceControls

HUBSPOT_COMPANY_CONTROLS = "hubspot.company_controls"  # sync.writeback.intents's kind

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class DestinationReview:
    confirmed: dict[str, str] = field(default_factory=dict)  # partner -> account confirmed
    waiting: dict[str, str] = field(default_factory=dict)  # partner -> why its payouts hold
    refused: dict[str, str] = field(default_factory=dict)  # partner -> HubSpot change refused


AccountOf = Callable[[str], Mapping[str, Any] | None]


def stripe_accounts(stripe: StripeGateway,
                    known: Callable[[], Iterable[Mapping[str, Any]]] = tuple) -> AccountOf:
    """Connect accounts by id: from ``known`` (the mirror, read this run) when there,
    else from Stripe (None: deleted). ``known`` is read once, on first need."""
    cache: dict[str, Mapping[str, Any] | None] | None = None

    def account_of(account_id: str) -> Mapping[str, Any] | None:
        nonlocal cache
        if cache is None:
            cache = {str(account.get("id")): account for account in known()}
        if account_id not in cache:
            cache[account_id] = stripe.account(account_id)
        return cache[account_id]
    return account_of


def review_destinations(ledger: Ledger, account_of: AccountOf, partners: Iterable[Partner],
                        controls: FinanceControls, confirm_new: bool) -> DestinationReview:
    review = DestinationReview()
    known = ledger.controls()
    todo = [partner for partner in sorted(partners, key=lambda p: p.id)
            if _news(partner, _control(known, partner.id))]
    for partner in todo:  # the network first: no transaction waits on Stripe or HubSpot
        _prefetch(partner, _control(known, partner.id), account_of, controls)
    with ledger.transaction():  # one commit for a first sync's thousands of first uses
        for partner in todo:
            current = _control(ledger.controls([partner.id]), partner.id)
            if _hubspot_confirmation(ledger, partner, current, controls, review):
                current = _control(ledger.controls([partner.id]), partner.id)
            _seen_account(ledger, account_of, partner, current, confirm_new, review)
    for partner_id, why in review.waiting.items():
        log.warning("partner.destination_held", partner_id=partner_id, reason=why)
    return review


def _control(known: dict[str, PartnerControl], partner_id: str) -> PartnerControl:
    return known.get(partner_id) or PartnerControl(partner_id)


def _news(partner: Partner, control: PartnerControl) -> bool:
    """Anything to review: a confirmation set in HubSpot, or an account not confirmed."""
    change = partner.confirmed_account
    return bool(change is not None and change.value != control.confirmed_account) or (
        needs_decision(partner.stripe_account_id, control.confirmed_account,
                       control.waiting_account))


def _prefetch(partner: Partner, control: PartnerControl, account_of: AccountOf,
              controls: FinanceControls) -> None:
    """What the review will ask the APIs, asked now (both answers are cached)."""
    change = partner.confirmed_account
    if (change is not None and change.user_id in controls.approval.approvers
            and controls.people is not None):
        controls.people.email(change.user_id)
    if partner.stripe_account_id and control.confirmed_account is None:
        account_of(partner.stripe_account_id)


def _seen_account(ledger: Ledger, account_of: AccountOf, partner: Partner,
                  control: PartnerControl, confirm_new: bool,
                  review: DestinationReview) -> None:
    shown = partner.stripe_account_id
    confirmed, waiting = control.confirmed_account, control.waiting_account
    if not needs_decision(shown, confirmed, waiting):
        return
    assert shown is not None
    facts = _facts(ledger, account_of, shown) if confirmed is None else None
    mismatch = (control.waiting_reason or "").startswith(MISMATCH)
    decision = decide_destination(partner.id, shown, confirmed, waiting, facts, confirm_new,
                                  mismatch=mismatch)
    if decision.action is DestinationAction.AGREE:
        ledger.end_destination_hold(partner.id, decision.reason)
    elif decision.action is DestinationAction.CONFIRM:
        ledger.confirm_destination(partner.id, shown, "worker (first use)", shown=shown,
                                   reason=decision.reason)
        review.confirmed[partner.id] = shown
    elif decision.action is DestinationAction.WAIT:
        ledger.wait_for_confirmation(partner.id, shown, decision.reason, decision.audit_action)
        review.waiting[partner.id] = decision.reason


def _facts(ledger: Ledger, account_of: AccountOf, account_id: str) -> AccountFacts:
    metadata = (account_of(account_id) or {}).get("metadata") or {}
    company = metadata.get("hubspot_company_id") if isinstance(metadata, Mapping) else None
    return AccountFacts(ledger.account_owner(account_id),
                        str(company) if company not in (None, "") else None)


def _hubspot_confirmation(ledger: Ledger, partner: Partner, control: PartnerControl,
                          controls: FinanceControls, review: DestinationReview) -> bool:
    """An approver confirms a destination by setting ``vmc_confirmed_stripe_account_id``
    on the company; anyone else's value is refused, audited and written back. True when
    the ledger changed."""
    change = partner.confirmed_account
    if change is None or change.value == control.confirmed_account:
        return False
    approvers = controls.approval.approvers
    if change.user_id is None or change.user_id not in approvers:
        who = f"HubSpot user {change.user_id}" if change.user_id else "an integration"
        note = (f"{change.value} set as confirmed destination by {who}, who is not among the "
                "approvers ([approval] approvers): refused (R32, R33)")
        return _refuse(ledger, partner.id, change.key, note, who, review)
    email = controls.people.email(change.user_id) if controls.people is not None else None
    approver = Approver.hubspot_user(change.user_id, email)
    try:
        ledger.confirm_destination(partner.id, change.value, approver.name,
                                   shown=partner.stripe_account_id,
                                   reason="confirmed in HubSpot by an approver (R32)")
    except IllegalTransitionError as error:
        return _refuse(ledger, partner.id, change.key, str(error), approver.name, review)
    review.confirmed[partner.id] = change.value
    return True


def _refuse(ledger: Ledger, partner_id: str, change_key: str, note: str, who: str,
            review: DestinationReview) -> bool:
    """Audited once per change; HubSpot gets the confirmed destination written back."""
    if not ledger.refuse_confirmation(partner_id, change_key, note, who):
        return False
    forget_write(ledger, HUBSPOT_COMPANY_CONTROLS, partner_id)
    review.refused[partner_id] = note
    return True
