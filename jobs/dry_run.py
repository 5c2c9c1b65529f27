"""``partnersync sync --dry-run``: the plan of a run, changing nothing anywhere.

The pull goes into a scratch ledger seeded with a copy of the mirror and its cursors,
so it reads exactly what a real run would; the engine decides against the ledger's
state and writes are compared with what was last intended. That ledger is the real one
as it stands now, or, for an ``as_of`` before the latest recorded sync (a replay), as it
stood at that instant (``Ledger.view``; docs/rules.md, Replaying the past). Nothing is
recorded in the real ledger, nothing is sent to HubSpot or Stripe.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from jobs import replay
from jobs.cycle import customer_metadata
from sync.domain.decisions import Decisions, PayoutStatus
from sync.domain.inputs import Inputs
from sync.domain.money import eur
from sync.domain.months import last_closed_month, month_label
from sync.engine.decide import decide
from sync.engine.destinations import CHANGED, needs_decision
from sync.ledger import Ledger, PayoutRecord, RunRecord
from sync.ledger.mirror import Mirror, copy_mirror
from sync.ledger.records import PartnerControl
from sync.ledger.views import LedgerView
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
    ledger: LedgerView  # what it is compared with: now, or as of a replay's instant
    as_of_default: bool = False  # as_of is now because none was given
    writes: list[Intent] = field(default_factory=list)
    payable: list[PayoutRecord] = field(default_factory=list)
    newly_frozen: list[str] = field(default_factory=list)  # R10a, customers
    held: dict[str, str] = field(default_factory=dict)  # payout -> why no transfer (R32)
    payouts: list[PayoutRecord] = field(default_factory=list)  # as the plan saw them, and new


def plan_run(services: Services, as_of: datetime, *, as_of_default: bool = False) -> Plan:
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
    view = services.ledger.view(as_of)
    # Finance's HubSpot moves as read now: a replay's ledger already holds those read
    # back before its instant, and today's would be news from its future (``replay``).
    metadata = customer_metadata(inputs)
    if view.replay is None:
        known = after_finance(list(view.payouts), shown)
    else:
        known, metadata = replay.then(services.ledger, view.replay, list(view.payouts),
                                      metadata, services.props)
    state = replace(view.state, payouts=tuple(payout.to_payout() for payout in known))
    decisions = decide(inputs, state, as_of, services.programme)
    before = {item.customer_id for item in state.frozen_attributions}
    newly_frozen = sorted({item.customer_id for item in decisions.ledger.frozen_attributions}
                          - before)
    payouts = known + [PayoutRecord.from_engine(payout) for payout in decisions.new_payouts]
    intents = build_intents(decisions, payouts, metadata, services.props, now)
    writes = [intent for intent in intents
              if view.written.get((intent.kind, intent.target)) != intent.content_hash]
    payable, held = destination_check([p for p in payouts if p.status in PAYABLE], inputs,
                                      services.ledger.controls())
    return Plan(as_of, decisions, inputs, view, as_of_default, writes, payable, newly_frozen,
                held, payouts)


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
    out = [*plan_header(plan), "", "Ledger changes:"]
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


def plan_header(plan: Plan) -> list[str]:
    """What the plan compares, before what it would change: the instant and the months
    it closes, the ledger it is compared with, the revenue read for its last months."""
    view, closed = plan.ledger, plan.decisions.last_closed_month
    when = ("now, the default (--as-of T plans another instant)" if plan.as_of_default
            else _instant(plan.as_of) + (", a replay" if view.replay else ""))
    if view.latest is not None and last_closed_month(view.latest.as_of) != closed:
        when += (f"; months closed up to {month_label(closed)} (the latest sync closed "
                 f"them up to {month_label(last_closed_month(view.latest.as_of))})")
    else:
        when += f"; months closed up to {month_label(closed)}"
    out = [f"Plan as of {plan.as_of.isoformat()} (dry run: nothing was changed)",
           f"  as of:    {when}",
           f"  ledger:   {_ledger_compared(view)}"]
    if view.replay is not None:
        out.append(f"  inputs:   HubSpot and Stripe as read now, without what is dated after "
                   f"{_instant(plan.as_of)} (docs/rules.md, Replaying the past)")
    return out + _revenue(plan) + [f"  changes:  {_counts(plan)}"]


def _instant(instant: datetime) -> str:
    return instant.isoformat(timespec="seconds")


def _run(run: RunRecord) -> str:
    return f"run {run.id}, {run.kind} as of {_instant(run.as_of)}"


def _ledger_compared(view: LedgerView) -> str:
    replay, latest = view.replay, view.latest
    if replay is None:
        return ("as it stands now: no sync recorded yet" if latest is None
                else f"as it stands now (latest sync recorded: {_run(latest)})")
    then = ("no sync recorded yet" if replay.before is None else
            f"as {_run(replay.before)} left it, with finance's moves made before "
            f"{_run(replay.cut)} started ({_instant(replay.cut.started_at)})")
    return (f"as it stood then: {then}; today's ledger (latest sync recorded: "
            f"{_run(replay.latest)}) is not compared")


def _revenue(plan: Plan) -> list[str]:
    """R11's revenue of the last two closed months; a last month with far fewer paying
    customers is explained: its invoices may not be paid yet, which is not churn."""
    closed = plan.decisions.last_closed_month
    totals = {month.month: month for month in plan.decisions.monthly}
    active = {month: totals[month].active_customers if month in totals else 0
              for month in (closed - 1, closed)}
    mrr = {month: totals[month].mrr if month in totals else 0 for month in active}
    last, previous = month_label(closed), month_label(closed - 1)
    out = ["  revenue:  " + ", ".join(
        f"{month_label(month)} from {active[month]} customers ({eur(mrr[month])} EUR MRR)"
        for month in sorted(active))]
    if active[closed] * 2 < active[closed - 1]:
        paid = [i.paid_at for i in plan.inputs.invoices
                if i.is_paid and i.paid_at is not None and i.paid_at <= plan.as_of]
        newest = _instant(max(paid)) if paid else "none"
        out.append(
            f"  note:     {last} has revenue from {active[closed]} customers, {previous} "
            f"from {active[closed - 1]}: a month counts the paid invoices that cover it "
            f"(R11) and the newest payment read is {newest}. Customers whose {last} "
            "invoice is not paid yet earn nothing for it in this plan; that is not churn, "
            "a later run adds their lines once it is paid")
    return out


def _counts(plan: Plan) -> str:
    actions = Counter(change.action for change in plan.decisions.changes)
    hubspot = sum(1 for intent in plan.writes if intent.kind.startswith("hubspot."))
    new = len(plan.decisions.new_payouts)
    return (f"{actions['created']} lines created, {actions['replaced']} replaced, "
            f"{actions['voided']} voided; {new} new {'payout' if new == 1 else 'payouts'}; "
            f"{hubspot} HubSpot writes, {len(plan.writes) - hubspot} Stripe writes; "
            f"{len(plan.payable)} transfers, {len(plan.held)} held (R32)")
