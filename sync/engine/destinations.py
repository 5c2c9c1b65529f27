"""R32: what to do about the Connect account HubSpot shows for a partner (pure).

The ledger keeps each partner's confirmed destination. The first account seen is
confirmed at once (trust on first use) unless the programme asks finance to confirm
every new one, the account is already another partner's destination, or its Stripe
metadata names another HubSpot company. Any later account other than the confirmed
one holds every unpaid payout of the partner until finance confirms a destination --
even when HubSpot is changed back: someone changed a payee's bank details, and only
finance says which is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNCONFIRMED = "destination_unconfirmed"
CHANGED = "destination_changed"
MISMATCH = "destination_mismatch"  # finance confirmed another account than HubSpot's


class DestinationAction(StrEnum):
    KEEP = "keep"  # nothing changes
    CONFIRM = "confirm"  # trust on first use
    WAIT = "wait"  # held until finance confirms
    AGREE = "agree"  # HubSpot now shows what finance confirmed: the hold ends


@dataclass(frozen=True, slots=True)
class DestinationDecision:
    action: DestinationAction
    account: str | None = None
    reason: str = ""
    audit_action: str = ""  # the audit trail's name for what was seen


KEEP = DestinationDecision(DestinationAction.KEEP)


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the ledger and Stripe say about an account not confirmed for the partner."""

    owner: str | None  # the partner whose confirmed destination it is
    company_id: str | None  # the account's metadata.hubspot_company_id


def needs_decision(shown: str | None, confirmed: str | None, waiting: str | None) -> bool:
    """Whether HubSpot's account is news: neither the confirmed one (with nothing
    waiting) nor the one already waiting. Only then is Stripe asked about it."""
    if not shown or shown == waiting:
        return False
    return not (shown == confirmed and waiting is None)


def decide_destination(partner_id: str, shown: str | None, confirmed: str | None,
                       waiting: str | None, facts: AccountFacts | None,
                       confirm_new: bool, *, mismatch: bool = False) -> DestinationDecision:
    """``shown``: the partner's ``vmc_stripe_account_id`` now; ``confirmed`` and
    ``waiting``: the ledger's; ``mismatch``: finance confirmed ``confirmed`` while
    HubSpot showed ``waiting``. An empty ``shown`` decides nothing: without an account
    the partner is paid outside Stripe, by finance (R26)."""
    if not needs_decision(shown, confirmed, waiting):
        return KEEP
    assert shown is not None
    if shown == confirmed and mismatch:
        return DestinationDecision(
            DestinationAction.AGREE, shown, audit_action="destination_agreed",
            reason=f"HubSpot now shows {shown}, the destination finance confirmed (R32)")
    if shown == confirmed:
        return DestinationDecision(
            DestinationAction.WAIT, shown, audit_action=CHANGED,
            reason=(f"{CHANGED}: HubSpot showed {waiting}, now the confirmed {confirmed} "
                    "again; held until finance confirms the destination (R32)"))
    if confirmed is not None:
        return DestinationDecision(
            DestinationAction.WAIT, shown, audit_action=CHANGED,
            reason=(f"{CHANGED}: HubSpot shows {shown}, the confirmed destination is "
                    f"{confirmed}; no transfer to either until finance confirms one (R32)"))
    doubts = _first_use_doubts(partner_id, shown, facts, confirm_new)
    if waiting is not None:  # no first use twice: the first account is in doubt already
        doubts.append(f"it replaced {waiting}, which was waiting for confirmation")
    if not doubts:
        return DestinationDecision(
            DestinationAction.CONFIRM, shown, audit_action="destination_seen",
            reason="the first account seen for the partner, confirmed on first use (R32)")
    return DestinationDecision(
        DestinationAction.WAIT, shown, audit_action=UNCONFIRMED,
        reason=(f"{UNCONFIRMED}: {shown} waits for finance's confirmation: "
                f"{'; '.join(doubts)} (R32)"))


def _first_use_doubts(partner_id: str, account: str, facts: AccountFacts | None,
                      confirm_new: bool) -> list[str]:
    doubts = []
    if confirm_new:
        doubts.append("the programme has finance confirm every new destination")
    if facts is not None and facts.owner not in (None, partner_id):
        doubts.append(f"it is already the confirmed destination of partner {facts.owner}")
    if facts is not None and facts.company_id not in (None, "", partner_id):
        doubts.append(f"its Stripe metadata.hubspot_company_id names company {facts.company_id}")
    return doubts
