"""Write-back intents: the formats of docs/configuration.md, deterministic keys, only-when-changed metadata."""

from dataclasses import replace

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.domain.inputs import Customer, Tier
from sync.ledger.records import PayoutRecord
from sync.writeback.intents import (
    HUBSPOT_COMPANY,
    HUBSPOT_DEAL,
    HUBSPOT_LINE,
    HUBSPOT_PAYOUT,
    STRIPE_CUSTOMER,
    build_intents,
    commission_ends_on,
)
from tests.engine.builders import at, inputs, monthly_invoices, partner, registration, run

SYNCED = at("2025-04-01T06:00:00")


def decisions_for_one_customer():  # type: ignore[no-untyped-def]
    data = inputs([partner("7", tier=Tier.REFERRAL)], [registration("1", "cus_a", "7", "2025-01-05")],
                  [Customer("cus_a")], monthly_invoices("cus_a", 20000, "2025-02", 5))
    return run(data, "2025-07-01")


def records(decisions, payouts=(), metadata=None):  # type: ignore[no-untyped-def]
    if metadata is None:
        metadata = {"cus_a": {}}
    return build_intents(decisions, payouts, metadata, PROPS, SYNCED)


def test_line_records_use_contract_names_and_formats() -> None:
    decisions = decisions_for_one_customer()
    first = next(i for i in records(decisions) if i.kind == HUBSPOT_LINE)
    assert dict(first.payload) == {
        "vmc_line_id": "vmcl_7_cus_a_2025-02_recurring", "vmc_partner_id": "7", "vmc_deal_id": "1",
        "vmc_stripe_customer_id": "cus_a", "vmc_month": "2025-02", "vmc_kind": "recurring",
        "vmc_tier": "referral", "vmc_rate": "0.2", "vmc_basis": "200.00", "vmc_amount": "40.00",
        "vmc_currency": "EUR", "vmc_status": "accrued", "vmc_payout_id": "vmcpo_7_2025-06",
        "vmc_explanation": "R11 basis 200.00 (sub_1: 200.00) x R12 20% (referral) = 40.00; month 1/12 (R13)",
    }


def test_payout_and_paid_line_statuses_follow_the_ledger() -> None:
    decisions = decisions_for_one_customer()
    payout = decisions.ledger.payouts[0]
    paid = replace(PayoutRecord.from_engine(payout), status=PayoutStatus.PAID, method="stripe_transfer",
                   stripe_transfer_id="tr_1", paid_at=at("2025-07-02T10:00:00"))
    intents = records(decisions, [paid])
    assert {i.payload["vmc_status"] for i in intents if i.kind == HUBSPOT_LINE} == {"paid"}
    payout_record = next(i for i in intents if i.kind == HUBSPOT_PAYOUT)
    assert dict(payout_record.payload) == {
        "vmc_payout_id": "vmcpo_7_2025-06", "vmc_partner_id": "7", "vmc_period": "2025-06",
        "vmc_amount": "200.00", "vmc_currency": "EUR", "vmc_status": "paid", "vmc_failure_reason": "",
        "vmc_method": "stripe_transfer", "vmc_stripe_transfer_id": "tr_1", "vmc_line_count": "5",
        "vmc_status_note": "", "vmc_approved_by": "", "vmc_second_approved_by": "",
        "vmc_hold_reason": ""}
    company = next(i for i in intents if i.kind == HUBSPOT_COMPANY)
    assert company.payload["vmc_commission_paid_total"] == "200.00"
    assert company.payload["vmc_commission_balance"] == "0.00"
    assert company.payload["vmc_last_payout_date"] == "2025-07-02"


def test_deal_fields_and_window_end() -> None:
    deal = next(i for i in records(decisions_for_one_customer()) if i.kind == HUBSPOT_DEAL)
    assert dict(deal.payload) == {
        "vmc_attribution_status": "attributed", "vmc_attributed_partner_id": "7",
        "vmc_attribution_source": "deal_registration", "vmc_converted_at": "2025-02-01T09:00:00.000Z",
        "vmc_commission_accrued": "200.00", "vmc_commission_paid": "0.00",
        "vmc_commission_ends_on": "2026-01-31"}  # referral: 12 months from February 2025
    assert commission_ends_on(None) == ""


def test_keys_are_deterministic_and_ignore_the_sync_instant() -> None:
    decisions = decisions_for_one_customer()
    first = {(i.kind, i.target, i.content_hash) for i in records(decisions)}
    later = {(i.kind, i.target, i.content_hash) for i in build_intents(decisions, (), {"cus_a": {}}, PROPS, at("2030-01-01"))}
    assert first == later
    company = next(i for i in records(decisions) if i.kind == HUBSPOT_COMPANY)
    assert company.volatile == {"vmc_synced_at": "2025-04-01T06:00:00.000Z"}


def test_stripe_metadata_only_when_it_changes_and_emptied_keys_remove() -> None:
    decisions = decisions_for_one_customer()
    wanted = {"vmc_partner_id": "7", "vmc_attribution_source": "deal_registration",
              "vmc_attributed_at": "2025-02-01T09:00:00.000Z"}
    intents = [i for i in records(decisions) if i.kind == STRIPE_CUSTOMER]
    assert [dict(i.payload) for i in intents] == [wanted]
    assert [i for i in records(decisions, metadata={"cus_a": wanted}) if i.kind == STRIPE_CUSTOMER] == []
    # A customer no longer attributed has its keys removed ("" in Stripe).
    lost = replace(decisions, attributions=tuple(replace(a, status=a.status.NO_TOUCH) for a in decisions.attributions))
    removal = [dict(i.payload) for i in records(lost, metadata={"cus_a": {**wanted, "plan": "gold"}})
               if i.kind == STRIPE_CUSTOMER]
    assert removal == [{"vmc_partner_id": "", "vmc_attribution_source": "", "vmc_attributed_at": ""}]


def test_promotion_writes_the_tier_only_when_auto_promotion_decided_it() -> None:
    decisions = decisions_for_one_customer()
    promoted = replace(decisions, promotions=tuple(replace(p, promote=True, eligible_tier=Tier.PARTNER)
                                                   for p in decisions.promotions))
    plain = next(i for i in records(decisions) if i.kind == HUBSPOT_COMPANY)
    assert "vmc_partner_tier" not in plain.payload
    company = next(i for i in records(promoted) if i.kind == HUBSPOT_COMPANY)
    assert company.payload["vmc_partner_tier"] == "partner"
    assert company.payload["vmc_eligible_tier"] == "partner"


def test_r29_eligible_tier_is_written_for_a_partner_whose_customers_all_converted_this_month() -> None:
    # as_of 2025-03-17 closes February; cus_a converted on 2025-03-01, in the open month, so
    # February's metrics (R27) are zeros and the eligible tier is referral (R28). R29 writes
    # it on every run, with the zero metrics. No line yet (March is open), so totals are 0.00.
    data = inputs([partner("7", tier=Tier.REFERRAL)], [registration("1", "cus_a", "7", "2025-02-20")],
                  [Customer("cus_a")], monthly_invoices("cus_a", 20000, "2025-03", 1))
    company = [dict(i.payload) for i in records(run(data, "2025-03-17")) if i.kind == HUBSPOT_COMPANY]
    assert company == [{
        "vmc_commission_accrued_total": "0.00", "vmc_commission_paid_total": "0.00",
        "vmc_commission_balance": "0.00", "vmc_mdf_accrued_total": "0.00", "vmc_last_payout_date": "",
        "vmc_referred_clients": "0", "vmc_active_clients": "0", "vmc_mrr_brought": "0.00",
        "vmc_trailing12_revenue": "0.00", "vmc_eligible_tier": "referral", "vmc_tier_review": ""}]
