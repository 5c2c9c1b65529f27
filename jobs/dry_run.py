"""``partnersync sync --dry-run``: the plan of a run, changing nothing anywhere.

The pull goes into a scratch ledger seeded with a copy of the mirror and its cursors,
so it reads exactly what a real run would; the engine decides against the real
ledger's state; writes are compared with what was last written. Nothing is recorded
in the real ledger, nothing is sent to HubSpot or Stripe.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from jobs.cycle import customer_metadata
from sync.domain.decisions import Decisions, PayoutStatus
from sync.domain.inputs import Inputs
from sync.engine.decide import decide
from sync.engine.destinations import CHANGED, needs_decision
from sync.ledger import Ledger, PayoutRecord
from sync.ledger.mirror import Mirror, copy_mirror, new_writes
from sync.ledger.records import PartnerControl
from sync.pull.mirror_inputs import ListedInvoices, Mirrored, inputs_from_mirror
from sync.pull.portal import pull
from sync.wiring import Services
from sync.writeback.finance import FINANCE_MOVES, hubspot_statuses
from sync.writeback.intents import Intent, build_intents

PAYABLE = (PayoutStatus.APPROVED, PayoutStatus.FAILED)


@dataclass
class Plan:
    as_of: datetime
    decisions: Decisions
    inputs: Inputs
    writes: list[Intent] = field(default_factory=list)
    payable: list[PayoutRecord] = field(default_factory=list)
    newly_frozen: list[str] = field(default_factory=list)  # R10a, customers
    held: dict[str, str] = field(default_factory=dict)  # payout -> why no transfer (R32)


def plan_run(services: Services, as_of: datetime) -> Plan:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="partnersync-plan-") as scratch_dir:
        scratch = Ledger.open(f"sqlite:///{Path(scratch_dir) / 'plan.db'}")
        try:
            scratch.migrate()
            copy_mirror(services.ledger, scratch)
            mirror = Mirror(scratch)
            run_id = scratch.start_run("plan", as_of, dry_run=True)
            listed = ListedInvoices()
            pull(services.hubspot, services.stripe, scratch, mirror, run_id, now,
                 listed=listed)
            inputs = inputs_from_mirror(mirror, services.props, listed)
            shown = hubspot_statuses(mirror.records(Mirrored.HUBSPOT_PAYOUT), services.props)
        finally:
            scratch.close()
    known = after_finance(services.ledger.list_payouts(), shown)
    state = replace(services.ledger.load_state(),
                    payouts=tuple(payout.to_payout() for payout in known))
    decisions = decide(inputs, state, as_of, services.programme)
    before = {item.customer_id for item in state.frozen_attributions}
    newly_frozen = sorted({item.customer_id for item in decisions.ledger.frozen_attributions}
                          - before)
    payouts = known + [PayoutRecord.from_engine(payout) for payout in decisions.new_payouts]
    intents = build_intents(decisions, payouts, customer_metadata(inputs), services.props, now)
    changed = new_writes(services.ledger, [(i.kind, i.target, i.content_hash) for i in intents])
    writes = [intent for intent in intents if (intent.kind, intent.target) in changed]
    payable, held = destination_check([p for p in payouts if p.status in PAYABLE], inputs,
                                      services.ledger.controls())
    return Plan(as_of, decisions, inputs, writes, payable, newly_frozen, held)


def destination_check(payable: list[PayoutRecord], inputs: Inputs,
                      controls: dict[str, PartnerControl]
                      ) -> tuple[list[PayoutRecord], dict[str, str]]:
    """R32 as a run would apply it before paying: a payout whose partner shows an account
    other than its confirmed destination (or one already waiting) makes no transfer."""
    accounts = {partner.id: partner.stripe_account_id for partner in inputs.partners}
    paid, held = [], {}
    for payout in payable:
        control = controls.get(payout.partner_id) or PartnerControl(payout.partner_id)
        why = _destination_hold(control, accounts.get(payout.partner_id))
        if why is None:
            paid.append(payout)
        else:
            held[payout.id] = why
    return paid, held


def after_finance(payouts: list[PayoutRecord], shown: dict[str, str]) -> list[PayoutRecord]:
    """The payouts as a real run holds them once it has read finance's HubSpot moves
    back (``sync.writeback.finance``: approvals, manual paid marks); recorded nowhere."""
    moved = []
    for payout in payouts:
        target = next((target for target, sources in FINANCE_MOVES.items()
                       if target.value == shown.get(payout.id) and payout.status in sources),
                      None)
        moved.append(payout if target is None else replace(payout, status=target))
    return moved


def _destination_hold(control: PartnerControl, shown: str | None) -> str | None:
    if control.waiting_reason:
        return control.waiting_reason
    confirmed = control.confirmed_account
    if confirmed is not None and needs_decision(shown, confirmed, control.waiting_account):
        return f"{CHANGED}: HubSpot shows {shown}, the confirmed destination is {confirmed}"
    return None


def plan_lines(plan: Plan) -> list[str]:
    """Every ledger change, HubSpot write and Stripe write the run would make."""
    decisions = plan.decisions
    out = [f"Plan as of {plan.as_of.isoformat()} (dry run: nothing was changed)", "",
           "Ledger changes:"]
    for change in decisions.changes:
        line = change.line
        out.append(f"  {change.action} {line.id} {line.amount / 100:.2f} EUR: "
                   f"{line.explanation}")
    for payout in decisions.new_payouts:
        out.append(f"  new payout {payout.id} {payout.amount / 100:.2f} EUR, "
                   f"{len(payout.line_ids)} lines, {payout.status.value}: {payout.explanation}")
    out += [f"  R10a attribution frozen for {customer}" for customer in plan.newly_frozen]
    out += ["", "HubSpot writes:"]
    out += [f"  {i.kind} {i.target}: {dict(i.payload)}" for i in plan.writes
            if i.kind.startswith("hubspot.")]
    out += ["", "Stripe writes:"]
    out += [f"  {i.kind} {i.target}: {dict(i.payload)}" for i in plan.writes
            if i.kind.startswith("stripe.")]
    out += [f"  transfer for {payout.id}: {payout.amount / 100:.2f} EUR to partner "
            f"{payout.partner_id} (R26, if it has a Connect account)" for payout in plan.payable]
    out += [f"  no transfer for {payout_id}: held, {why} (R32)"
            for payout_id, why in sorted(plan.held.items())]
    out += ["", f"Quarantined records: {len(decisions.quarantined)}"]
    out += [f"  {item.message}" for item in decisions.quarantined]
    return out
