"""The catalogue: one kind of malformed or hostile input per case.

Each case plants its records into the shared portal and says what must come of them:
the quarantined records (record id, field, what was expected, what was found), or the
attribution status the rules give (R5, R8, R10, R19), or the documented "ignored"
behaviour, and which deal or customer ``explain`` must show it for.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.synthetic.clock import hubspot_time
from tests.badinput.portal import COMPANY, DEAL, PARTNER_PROPERTIES, Clone, JsonObject, Planter

HUGE = "X" * 100_000  # a 100 kB string
ABSURD = 10**15  # cents: ten trillion euros
FUTURE_TOUCH = "2027-01-15T09:00:00.000Z"  # after the run's as-of (2026-11-01)
MISSING_PARTNER = "38000000001"
MISSING_COMPANY = "37000000001"


@dataclass(frozen=True)
class Q:
    """A quarantined record: who, which field, what was expected; ``value`` what came."""

    object_type: str
    record_id: str
    field: str
    reason: str
    value: str = ""

    @property
    def source(self) -> str:
        return "hubspot" if self.object_type in {"company", "deal"} else "stripe"


@dataclass(frozen=True)
class Expect:
    quarantined: tuple[Q, ...] = ()
    deal: str | None = None  # explained with ``explain --deal``
    customer: str | None = None  # explained with ``explain --customer``
    status: str | None = None  # the deal's R10 status
    partner: str | None = None  # the partner the deal is attributed to
    lines: str | None = None  # "all", "one month less" or "none" (vs the control clone)
    clean: tuple[str, ...] = ()  # record ids that must NOT be quarantined
    shows: tuple[str, ...] = ()  # more text ``explain`` must show
    check: Callable[[Any], None] | None = None  # more assertions on the Bench


@dataclass
class Bench:
    planter: Planter
    harness: str  # a well-formed partner that registers the deals of most cases
    harness_code: str

    def won(self, tag: str, partner: str | None = None) -> tuple[JsonObject, Clone]:
        return self.planter.won_customer(tag, partner or self.harness)


Plant = Callable[[Bench], Expect]


@dataclass(frozen=True)
class Case:
    """Planted into the portal both sandboxes serve (shapes they cannot serve are in
    ``test_mapping_only``)."""

    kind: str
    plant: Plant


def _id(record: JsonObject) -> str:
    return str(record["id"])


# -- editing planted records -----------------------------------------------------------


def set_history(name: str, value: Any, timestamp: str | None = None
                ) -> Callable[[JsonObject], None]:
    """The property's current value and its history entry both become ``value``."""
    def edit(record: JsonObject) -> None:
        record["properties"][name] = value
        for entry in record["propertiesWithHistory"].get(name, []):
            entry["value"] = value
            if timestamp is not None:
                entry["timestamp"] = timestamp
    return edit


def set_property(name: str, value: Any, *, drop_history: bool = False
                 ) -> Callable[[JsonObject], None]:
    def edit(record: JsonObject) -> None:
        record["properties"][name] = value
        if drop_history:
            record["propertiesWithHistory"].pop(name, None)
    return edit


def edit_invoice(clone: Clone, index: int, change: Callable[[JsonObject], None]) -> str:
    invoice = clone.invoices[index]
    change(invoice)
    return str(invoice["id"])


def first_line(invoice: JsonObject) -> JsonObject:
    line: JsonObject = invoice["lines"]["data"][0]
    return line


def line_field(invoice_id: str, line: JsonObject, name: str) -> str:
    return f"lines[{line['id']}].{name}" if name else f"lines[{line['id']}]"


# -- HubSpot companies (partners, R1, R2) ---------------------------------------------


def tier_unknown_enum(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Gold Tier SARL", code="BIGOLD",
                                    edit=set_history(COMPANY.tier, "gold"))
    deal, _ = bench.won("tier_gold", _id(company))
    return Expect((Q("company", _id(company), f"{COMPANY.tier} (history entry",
                     "expected one of referral, partner, premier", "gold"),),
                  deal=_id(deal), status="unknown_partner")


def status_unknown_enum(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Paused Partner", code="BIPAUSED",
                                    edit=set_history(COMPANY.status, "paused"))
    deal, _ = bench.won("status_paused", _id(company))
    return Expect((Q("company", _id(company), f"{COMPANY.status} (history entry",
                     "expected one of active, suspended, terminated", "paused"),),
                  deal=_id(deal), status="partner_inactive")


def option_unknown_enum(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Lifetime Deals", code="BILIFETIME",
                                    edit=set_history(COMPANY.option, "lifetime"))
    deal, _ = bench.won("option_lifetime", _id(company))
    return Expect((Q("company", _id(company), f"{COMPANY.option} (history entry",
                     "expected one of recurring, flat, reseller", "lifetime"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


def tier_number(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Numeric Tier", code="BINUMBER",
                                    edit=set_property(COMPANY.tier, 2, drop_history=True))
    deal, _ = bench.won("tier_number", _id(company))
    return Expect((Q("company", _id(company), COMPANY.tier, "expected a string", "2"),),
                  deal=_id(deal), status="unknown_partner")


def tier_list(bench: Bench) -> Expect:
    company = bench.planter.partner(
        name="Listed Tier", code="BILIST",
        edit=set_property(COMPANY.tier, ["partner", "premier"], drop_history=True))
    deal, _ = bench.won("tier_list", _id(company))
    return Expect((Q("company", _id(company), COMPANY.tier, "expected a string",
                     "['partner', 'premier']"),), deal=_id(deal), status="unknown_partner")


def domain_object(bench: Bench) -> Expect:
    company = bench.planter.partner(
        name="Object Domain", code="BIOBJDOMAIN",
        edit=set_property(COMPANY.domain, {"host": "bi-object.example"}))
    deal, _ = bench.won("domain_object", _id(company))
    return Expect((Q("company", _id(company), COMPANY.domain, "expected a string", "host"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


def referral_code_100kb(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Huge Code", code=HUGE)
    deal, _ = bench.won("code_huge", _id(company))
    return Expect((Q("company", _id(company), COMPANY.referral_code,
                     "longer than 1000 characters (100000)", "XXXX..."),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


def name_control_characters(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Evil\x00Corp\x1b[2J", code="BICONTROL")
    deal, _ = bench.won("name_control", _id(company))
    return Expect((Q("company", _id(company), COMPANY.name, "contains control characters",
                     "\\x00"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


HTML_NAME = '<script>alert("pwned")</script> & <b>Co</b>'


def name_html_script(bench: Bench) -> Expect:
    company = bench.planter.partner(name=HTML_NAME, code="BIHTML")
    deal, _ = bench.won("name_html", _id(company))
    return Expect(deal=_id(deal), status="attributed", partner=_id(company), lines="all",
                  clean=(_id(company),), shows=(HTML_NAME,))


def empty_history(bench: Bench) -> Expect:
    def no_history(record: JsonObject) -> None:
        record["propertiesWithHistory"] = {name: [] for name in PARTNER_PROPERTIES}

    company = bench.planter.partner(name="No History", code="BINOHISTORY", edit=no_history)
    deal, _ = bench.won("no_history", _id(company))
    return Expect(deal=_id(deal), status="attributed", partner=_id(company), lines="all",
                  clean=(_id(company),))


def history_timestamp_unparseable(bench: Bench) -> Expect:
    def promote_next_tuesday(record: JsonObject) -> None:
        entries = record["propertiesWithHistory"][COMPANY.tier]
        entries[0]["value"] = "referral"
        entries.insert(0, {**entries[0], "value": "premier", "timestamp": "next tuesday"})
        record["properties"][COMPANY.tier] = "premier"

    company = bench.planter.partner(name="Tuesday Promotion", code="BITUESDAY",
                                    edit=promote_next_tuesday)
    deal, _ = bench.won("history_tuesday", _id(company))
    return Expect((Q("company", _id(company), f"{COMPANY.tier} (history entry next tuesday)",
                     "expected an ISO datetime with a zone", "next tuesday"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all",
                  shows=("20%",))  # R1: the referral entry stands, so R12's 20 %


def partner_since_impossible_date(bench: Bench) -> Expect:
    company = bench.planter.partner(
        name="Impossible Date", code="BIFEB31",
        edit=set_property(COMPANY.partner_since, "31/02/2025"))
    deal, _ = bench.won("since_feb31", _id(company))
    return Expect((Q("company", _id(company), COMPANY.partner_since,
                     "expected an ISO datetime with a zone", "31/02/2025"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


def flag_not_boolean(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Yes Certified", code="BIYES",
                                    edit=set_property(COMPANY.certified, "yes"))
    deal, _ = bench.won("flag_yes", _id(company))
    return Expect((Q("company", _id(company), COMPANY.certified, 'expected "true" or "false"',
                     "yes"),),
                  deal=_id(deal), status="attributed", partner=_id(company), lines="all")


def duplicate_referral_code(bench: Bench) -> Expect:
    first = bench.planter.partner(name="Twin One", code="BIDUPE")
    second = bench.planter.partner(name="Twin Two", code="bidupe")
    clone = bench.planter.clone("dupe_code")
    at = hubspot_time(clone.first_paid_at - timedelta(days=1))
    deal = bench.planter.deal(name="two partners, one code", customer_id=clone.id,
                              referral_code=" BiDupe ", referral_at=at)
    return Expect(deal=_id(deal), status="ambiguous_partner", lines="none",
                  clean=(_id(first), _id(second), _id(deal)))


def self_registration(bench: Bench) -> Expect:
    company = bench.planter.partner(name="Registers Itself", code="BISELF",
                                    domain="bi-self.example")
    clone = bench.planter.clone("self_registration")
    deal = bench.planter.deal(
        name="a partner registering its own company", customer_id=clone.id,
        registered_by=_id(company), company_id=_id(company),
        registered_at=hubspot_time(clone.first_paid_at - timedelta(days=1)))
    return Expect(deal=_id(deal), status="self_referral", lines="none", clean=(_id(deal),))


def same_instant_registrations(bench: Bench) -> Expect:
    first = bench.planter.partner(name="Registrar A", code="BIREGA")
    second = bench.planter.partner(name="Registrar B", code="BIREGB")
    clone = bench.planter.clone("same_instant")
    at = hubspot_time(clone.first_paid_at - timedelta(days=2))
    lower = bench.planter.deal(name="registered by B", customer_id=clone.id,
                               registered_by=_id(second), registered_at=at)
    higher = bench.planter.deal(name="registered by A", customer_id=clone.id,
                                registered_by=_id(first), registered_at=at)

    def both_deals_go_to_b(result: Any) -> None:
        higher_verdict = result.deal_verdict(_id(higher))
        assert higher_verdict.status.value == "attributed"
        assert higher_verdict.partner_id == _id(second)

    # R4: on an exact tie the numerically lower deal id first, whatever the partner ids.
    return Expect(deal=_id(lower), status="attributed", partner=_id(second), lines="all",
                  clean=(_id(lower), _id(higher)), check=both_deals_go_to_b,
                  shows=("winner",))


def deal_unknown_partner(bench: Bench) -> Expect:
    clone = bench.planter.clone("unknown_partner")
    deal = bench.planter.deal(name="registered by a company that is not there",
                              customer_id=clone.id, registered_by=MISSING_PARTNER,
                              registered_at=hubspot_time(clone.first_paid_at - timedelta(days=1)))
    return Expect(deal=_id(deal), status="unknown_partner", lines="none", clean=(_id(deal),),
                  shows=(MISSING_PARTNER,))


def deal_missing_customer(bench: Bench) -> Expect:
    deal = bench.planter.deal(name="customer never created", customer_id="cus_bi_nowhere",
                              registered_by=bench.harness,
                              registered_at="2026-03-01T10:00:00.000Z")
    return Expect(deal=_id(deal), status="not_linked", clean=(_id(deal),))


def deal_company_missing(bench: Bench) -> Expect:
    clone = bench.planter.clone("company_missing")
    deal = bench.planter.deal(
        name="primary company deleted", customer_id=clone.id, registered_by=bench.harness,
        registered_at=hubspot_time(clone.first_paid_at - timedelta(days=1)),
        company_id=MISSING_COMPANY)
    return Expect((Q("deal", _id(deal), "associations.companies",
                     "primary company not found in HubSpot (deleted or merged?)",
                     MISSING_COMPANY),),
                  deal=_id(deal), status="attributed", partner=bench.harness, lines="all")


# -- HubSpot deals: touches (R4) ----------------------------------------------------------


def _touch_case(bench: Bench, tag: str, **touch: str | None) -> tuple[JsonObject, Clone]:
    clone = bench.planter.clone(tag)
    deal = bench.planter.deal(name=f"touch {tag}", customer_id=clone.id, **touch)
    return deal, clone


def touch_next_tuesday(bench: Bench) -> Expect:
    deal, _ = _touch_case(bench, "next_tuesday", referral_code=bench.harness_code,
                          referral_at="next tuesday")
    return Expect((Q("deal", _id(deal), DEAL.referral_at,
                     "expected an ISO datetime with a zone", "next tuesday"),),
                  deal=_id(deal), status="no_touch", lines="none",
                  shows=("touch dropped, not guessed (R4)",))


def touch_impossible_date(bench: Bench) -> Expect:
    deal, _ = _touch_case(bench, "feb31", registered_by=bench.harness,
                          registered_at="31/02/2025")
    return Expect((Q("deal", _id(deal), DEAL.registered_at,
                     "expected an ISO datetime with a zone", "31/02/2025"),),
                  deal=_id(deal), status="no_touch", lines="none")


def touch_day_out_of_range(bench: Bench) -> Expect:
    deal, _ = _touch_case(bench, "day_range", registered_by=bench.harness,
                          registered_at="2026-02-31T10:00:00Z")
    return Expect((Q("deal", _id(deal), DEAL.registered_at,
                     "not a valid datetime (day is out of range for month)",
                     "2026-02-31T10:00:00Z"),),
                  deal=_id(deal), status="no_touch", lines="none")


def touch_epoch_seconds(bench: Bench) -> Expect:
    clone = bench.planter.clone("epoch_seconds")
    seconds = str(int((clone.first_paid_at - timedelta(days=1)).timestamp()))
    deal = bench.planter.deal(name="epoch seconds", customer_id=clone.id,
                              registered_by=bench.harness, registered_at=seconds)
    return Expect((Q("deal", _id(deal), DEAL.registered_at, "or epoch milliseconds", seconds),),
                  deal=_id(deal), status="no_touch", lines="none")


def touch_epoch_millis(bench: Bench) -> Expect:
    clone = bench.planter.clone("epoch_millis")
    millis = str(int((clone.first_paid_at - timedelta(days=1)).timestamp()) * 1000)
    deal = bench.planter.deal(name="epoch millis", customer_id=clone.id,
                              registered_by=bench.harness, registered_at=millis)
    return Expect(deal=_id(deal), status="attributed", partner=bench.harness, lines="all",
                  clean=(_id(deal),))


def touch_after_as_of(bench: Bench) -> Expect:
    """docs/rules.md, --as-of: a touch dated after the run's instant does not exist yet:
    not quarantined, ignored (the deal has no usable touch)."""
    deal, _ = _touch_case(bench, "future", registered_by=bench.harness,
                          registered_at=FUTURE_TOUCH)
    return Expect(deal=_id(deal), status="no_touch", lines="none", clean=(_id(deal),))


def touch_non_utc_offset(bench: Bench) -> Expect:
    clone = bench.planter.clone("offset")
    utc_at = (clone.first_paid_at - timedelta(days=1)).replace(microsecond=0)
    local = utc_at.astimezone(timezone(timedelta(hours=5, minutes=30)))
    deal = bench.planter.deal(name="touch in +05:30", customer_id=clone.id,
                              registered_by=bench.harness, registered_at=local.isoformat())
    shown = utc_at.isoformat().replace("+00:00", "Z")
    return Expect(deal=_id(deal), status="attributed", partner=bench.harness, lines="all",
                  clean=(_id(deal),), shows=(shown,))


def touch_without_partner(bench: Bench) -> Expect:
    deal, _ = _touch_case(bench, "no_partner", registered_at="2026-03-01T10:00:00Z")
    return Expect((Q("deal", _id(deal), DEAL.registered_at,
                     "touch instant without a registering partner"),),
                  deal=_id(deal), status="no_touch", lines="none")


def dealname_100kb(bench: Bench) -> Expect:
    deal, _ = bench.planter.won_customer("dealname_huge", bench.harness, name=HUGE)
    return Expect((Q("deal", _id(deal), DEAL.name, "longer than 1000 characters (100000)",
                     "XXXX..."),),
                  deal=_id(deal), status="attributed", partner=bench.harness, lines="all")


def deal_code_control_characters(bench: Bench) -> Expect:
    clone = bench.planter.clone("code_control")
    deal = bench.planter.deal(name="code with NUL", customer_id=clone.id,
                              referral_code=f"{bench.harness_code}\x00\x1b[31m",
                              referral_at=hubspot_time(clone.first_paid_at - timedelta(days=1)))
    return Expect((Q("deal", _id(deal), DEAL.referral_code, "contains control characters",
                     "\\x00"),),
                  deal=_id(deal), status="no_touch", lines="none")


def deal_customer_list(bench: Bench) -> Expect:
    deal = bench.planter.deal(name="two customers in one property",
                              customer_id=["cus_a", "cus_b"],  # type: ignore[arg-type]
                              registered_by=bench.harness,
                              registered_at="2026-03-01T10:00:00Z")
    return Expect((Q("deal", _id(deal), DEAL.stripe_customer_id, "expected a string",
                     "['cus_a', 'cus_b']"),), deal=_id(deal), status="not_linked")


# -- Stripe invoices, prices, customers (R3, R11, R18, R19) -------------------------------


def _invoice_case(bench: Bench, tag: str, change: Callable[[JsonObject], None],
                  index: int = 2) -> tuple[JsonObject, Clone, str]:
    deal, clone = bench.won(tag)
    return deal, clone, edit_invoice(clone, index, change)


def _set(**values: Any) -> Callable[[JsonObject], None]:
    def change(invoice: JsonObject) -> None:
        invoice.update(values)
    return change


def invoice_amount_text(bench: Bench) -> Expect:
    deal, clone, invoice = _invoice_case(bench, "amount_text", _set(amount_paid="1 200 €"))
    return Expect((Q("invoice", invoice, "amount_paid",
                     "expected an integer amount in minor units (cents)", "1 200 €"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_amount_float(bench: Bench) -> Expect:
    deal, clone, invoice = _invoice_case(bench, "amount_float", _set(total=99.0))
    return Expect((Q("invoice", invoice, "total",
                     "expected an integer amount in minor units (cents)", "99.0"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_amount_negative(bench: Bench) -> Expect:
    deal, clone, invoice = _invoice_case(bench, "amount_negative", _set(amount_paid=-100))
    return Expect((Q("invoice", invoice, "amount_paid", "expected an amount >= 0", "-100"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_amount_absurd(bench: Bench) -> Expect:
    """Not quarantined: Stripe's integers are taken as they are, exactly (no float);
    R25's approval stands between such a line and a transfer."""
    def absurd(invoice: JsonObject) -> None:
        invoice.update(amount_paid=ABSURD, amount_due=ABSURD, total=ABSURD, subtotal=ABSURD,
                       total_excluding_tax=ABSURD, subtotal_excluding_tax=ABSURD)
        first_line(invoice).update(amount=ABSURD, subtotal=ABSURD)

    deal, clone, invoice = _invoice_case(bench, "amount_absurd", absurd)

    def exact_and_held_for_approval(result: Any) -> None:
        amounts = [line.amount for line in result.lines_of(clone.id)]
        assert ABSURD * 3 // 10 in amounts  # R12 premier 30 %, exact in cents
        payouts = [p for p in result.payouts if p.amount >= ABSURD * 3 // 10]
        assert payouts and all(p.status.value == "pending_approval" for p in payouts)

    return Expect(deal=_id(deal), customer=clone.id, status="attributed", lines="all",
                  clean=(invoice,), check=exact_and_held_for_approval)


def invoice_currency(code: str, tag: str) -> Plant:
    def plant(bench: Bench) -> Expect:
        deal, clone, invoice = _invoice_case(bench, tag, _set(currency=code))
        return Expect((Q("invoice", invoice, "currency",
                         "expected a three-letter currency code such as 'eur'", code),),
                      deal=_id(deal), customer=clone.id, status="attributed",
                      lines="one month less")
    return plant


def invoice_currency_unknown(bench: Bench) -> Expect:
    """R19: a well-formed code that is not EUR is not bad data: the invoices are
    excluded and listed, and the customer is ``unsupported_currency``."""
    deal, clone = bench.won("currency_xyz")
    for invoice in clone.invoices:
        invoice["currency"] = "XYZ"
    ids = tuple(str(invoice["id"]) for invoice in clone.invoices)

    def listed_as_excluded(result: Any) -> None:
        assert set(ids) <= set(result.decisions.excluded_invoices)
        for invoice in ids:
            assert invoice in result.report_text and invoice in result.report_html

    return Expect(deal=_id(deal), customer=clone.id, status="unsupported_currency",
                  lines="none", clean=ids, check=listed_as_excluded,
                  shows=("R19: invoices in another currency, excluded",))


def invoice_paid_without_paid_at(bench: Bench) -> Expect:
    def no_paid_at(invoice: JsonObject) -> None:
        invoice["status_transitions"]["paid_at"] = None

    deal, clone, invoice = _invoice_case(bench, "no_paid_at", no_paid_at)
    return Expect((Q("invoice", invoice, "status_transitions.paid_at",
                     "a paid invoice without its payment instant (R3)"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_paid_at_millis(bench: Bench) -> Expect:
    def millis(invoice: JsonObject) -> None:
        invoice["status_transitions"]["paid_at"] *= 1000

    deal, clone, invoice = _invoice_case(bench, "paid_at_millis", millis)
    return Expect((Q("invoice", invoice, "status_transitions.paid_at",
                     "epoch milliseconds"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_period_text(bench: Bench) -> Expect:
    def period(invoice: JsonObject) -> None:
        first_line(invoice)["period"]["start"] = "next tuesday"

    deal, clone, invoice = _invoice_case(bench, "period_text", period)
    line = first_line(next(i for i in clone.invoices if i["id"] == invoice))
    return Expect((Q("invoice", invoice, line_field(invoice, line, "period.start"),
                     "expected epoch seconds (an integer)", "next tuesday"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def invoice_period_reversed(bench: Bench) -> Expect:
    def reverse(invoice: JsonObject) -> None:
        period = first_line(invoice)["period"]
        period["start"], period["end"] = period["end"], period["start"]

    deal, clone, invoice = _invoice_case(bench, "period_reversed", reverse)
    line = first_line(next(i for i in clone.invoices if i["id"] == invoice))
    return Expect((Q("invoice", invoice, line_field(invoice, line, "period"),
                     "period ends before it starts"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def line_without_subscription_item(bench: Bench) -> Expect:
    def no_item(invoice: JsonObject) -> None:
        first_line(invoice)["parent"]["subscription_item_details"]["subscription_item"] = None

    deal, clone, invoice = _invoice_case(bench, "no_item", no_item)
    line = first_line(next(i for i in clone.invoices if i["id"] == invoice))
    return Expect((Q("invoice", invoice, line_field(
        invoice, line, "parent.subscription_item_details.subscription_item"),
        "expected an id"),),
        deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def line_without_price(bench: Bench) -> Expect:
    def no_price(invoice: JsonObject) -> None:
        first_line(invoice)["pricing"]["price_details"]["price"] = None

    deal, clone, invoice = _invoice_case(bench, "no_price", no_price)
    line = first_line(next(i for i in clone.invoices if i["id"] == invoice))
    return Expect((Q("invoice", invoice, line_field(invoice, line, "pricing.price_details.price"),
                     "a subscription line without a price"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def line_price_missing(bench: Bench) -> Expect:
    def unknown(invoice: JsonObject) -> None:
        first_line(invoice)["pricing"]["price_details"]["price"] = "price_bi_missing"

    deal, clone, invoice = _invoice_case(bench, "price_missing", unknown)
    line = first_line(next(i for i in clone.invoices if i["id"] == invoice))
    return Expect((Q("invoice", invoice, line_field(invoice, line, "pricing.price_details.price"),
                     "price not among the prices read", "price_bi_missing"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def price_interval_count_zero(bench: Bench) -> Expect:
    deal, clone = bench.won("interval_zero")
    invoice = clone.invoices[2]
    line = first_line(invoice)
    template = next(p for p in bench.planter.portal.prices
                    if p["id"] == line["pricing"]["price_details"]["price"])
    price = copy.deepcopy(template)
    price["id"] = "price_bi_interval_zero"
    price["recurring"]["interval_count"] = 0
    bench.planter.portal.prices.append(price)
    line["pricing"]["price_details"]["price"] = price["id"]
    return Expect((Q("price", price["id"], "recurring.interval_count",
                     "expected a whole number of intervals >= 1", "0"),
                   Q("invoice", str(invoice["id"]),
                     line_field(str(invoice["id"]), line, "pricing.price_details.price"),
                     "price not among the prices read", price["id"])),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def credit_note_exceeds_total(bench: Bench) -> Expect:
    """R18: the kept ratio is clamped to [0, 1]: no negative line, the month earns 0."""
    def credit(invoice: JsonObject) -> None:
        invoice["post_payment_credit_notes_amount"] = int(invoice["total"]) * 3

    deal, clone, invoice = _invoice_case(bench, "credit_note", credit)

    def nothing_negative(result: Any) -> None:
        assert all(line.amount > 0 for line in result.lines_of(clone.id))

    return Expect(deal=_id(deal), customer=clone.id, status="attributed",
                  lines="one month less", clean=(invoice,), check=nothing_negative)


def invoice_status_unknown(bench: Bench) -> Expect:
    deal, clone, invoice = _invoice_case(bench, "status_pending", _set(status="pending"))
    return Expect((Q("invoice", invoice, "status",
                     "expected one of draft, open, paid, uncollectible, void", "pending"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="one month less")


def two_customers_claim_a_deal(bench: Bench) -> Expect:
    first, second = bench.planter.clone("claim_one"), bench.planter.clone("claim_two")
    deal = bench.planter.deal(
        name="claimed twice", registered_by=bench.harness,
        registered_at=hubspot_time(first.first_paid_at - timedelta(days=1)))
    field_name = f"metadata.{PROPS.stripe_metadata.hubspot_deal_id}"
    for clone in (first, second):
        clone.customer["metadata"] = {PROPS.stripe_metadata.hubspot_deal_id: _id(deal)}
    reason = f"deal {_id(deal)} is also named by"
    return Expect((Q("customer", first.id, field_name, f"{reason} {second.id}", _id(deal)),
                   Q("customer", second.id, field_name, f"{reason} {first.id}", _id(deal))),
                  deal=_id(deal), status="not_linked", customer=first.id)


def customer_email_list(bench: Bench) -> Expect:
    deal, clone = bench.won("email_list")
    clone.customer["email"] = ["a@bi.example", "b@bi.example"]
    return Expect((Q("customer", clone.id, "email", "expected a string",
                     "['a@bi.example', 'b@bi.example']"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="all")


def subscription_ended_at_text(bench: Bench) -> Expect:
    deal, clone = bench.won("subscription_ended")
    subscription = clone.subscriptions[0]
    subscription["ended_at"] = "yesterday"
    return Expect((Q("subscription", str(subscription["id"]), "ended_at",
                     "expected epoch seconds (an integer)", "yesterday"),),
                  deal=_id(deal), customer=clone.id, status="attributed", lines="all")


def connect_account_deleted(bench: Bench) -> Expect:
    """R26: a failed attempt makes the payout ``failed`` with a reason finance can act
    on; the partner's lines still accrue."""
    company = bench.planter.partner(name="Deleted Account", code="BIDELETED",
                                    account_id="acct_bi_deleted")
    deal, clone = bench.won("account_deleted", _id(company))

    def payout_failed_with_reason(result: Any) -> None:
        failed = [p for p in result.payouts if p.partner_id == _id(company)]
        assert failed and all(p.status.value == "failed" for p in failed)
        for payout in failed:
            assert "acct_bi_deleted" in (payout.failure_reason or "")
            assert "vmc_stripe_account_id" in (payout.failure_reason or "")
        assert result.summary.payment_failures >= len(failed)
        explained = result.explain_line(failed[0].line_ids[0])
        assert "failure (R26)" in explained and "acct_bi_deleted" in explained

    return Expect(deal=_id(deal), customer=clone.id, status="attributed",
                  partner=_id(company), lines="all", clean=(_id(company),),
                  check=payout_failed_with_reason)


CASES: tuple[Case, ...] = (
    Case("company_tier_unknown_enum", tier_unknown_enum),
    Case("company_status_unknown_enum", status_unknown_enum),
    Case("company_option_unknown_enum", option_unknown_enum),
    Case("company_tier_number", tier_number),
    Case("company_tier_list", tier_list),
    Case("company_domain_object", domain_object),
    Case("company_referral_code_100kb", referral_code_100kb),
    Case("company_name_control_characters", name_control_characters),
    Case("company_name_html_script", name_html_script),
    Case("company_empty_history", empty_history),
    Case("company_history_timestamp_unparseable", history_timestamp_unparseable),
    Case("company_partner_since_31_02", partner_since_impossible_date),
    Case("company_flag_not_boolean", flag_not_boolean),
    Case("duplicate_referral_code", duplicate_referral_code),
    Case("partner_registers_its_own_company", self_registration),
    Case("two_registrations_same_instant", same_instant_registrations),
    Case("deal_unknown_partner", deal_unknown_partner),
    Case("deal_missing_customer", deal_missing_customer),
    Case("deal_company_missing", deal_company_missing),
    Case("touch_next_tuesday", touch_next_tuesday),
    Case("touch_31_02_2025", touch_impossible_date),
    Case("touch_day_out_of_range", touch_day_out_of_range),
    Case("touch_epoch_seconds", touch_epoch_seconds),
    Case("touch_epoch_millis", touch_epoch_millis),
    Case("touch_after_as_of", touch_after_as_of),
    Case("touch_non_utc_offset", touch_non_utc_offset),
    Case("touch_without_partner", touch_without_partner),
    Case("dealname_100kb", dealname_100kb),
    Case("deal_code_control_characters", deal_code_control_characters),
    Case("deal_customer_list", deal_customer_list),
    Case("invoice_amount_text", invoice_amount_text),
    Case("invoice_amount_float", invoice_amount_float),
    Case("invoice_amount_negative", invoice_amount_negative),
    Case("invoice_amount_absurd", invoice_amount_absurd),
    Case("invoice_currency_two_letters", invoice_currency("eu", "currency_eu")),
    Case("invoice_currency_symbol", invoice_currency("€", "currency_symbol")),
    Case("invoice_currency_unknown_code", invoice_currency_unknown),
    Case("invoice_paid_without_paid_at", invoice_paid_without_paid_at),
    Case("invoice_paid_at_millis", invoice_paid_at_millis),
    Case("invoice_period_text", invoice_period_text),
    Case("invoice_period_end_before_start", invoice_period_reversed),
    Case("line_without_subscription_item", line_without_subscription_item),
    Case("line_without_price", line_without_price),
    Case("line_price_missing", line_price_missing),
    Case("price_interval_count_zero", price_interval_count_zero),
    Case("credit_note_exceeds_total", credit_note_exceeds_total),
    Case("invoice_status_unknown", invoice_status_unknown),
    Case("two_customers_claim_a_deal", two_customers_claim_a_deal),
    Case("customer_email_list", customer_email_list),
    Case("subscription_ended_at_text", subscription_ended_at_text),
    Case("connect_account_deleted", connect_account_deleted),
)

HARNESS_CODE = "BIHARNESS"


@dataclass
class Planted:
    planter: Planter  # its portal: the base one with every bad record of the catalogue
    expected: dict[str, Expect]
    control: Clone  # a well-formed customer of the harness partner


def plant_all(base: Any) -> Planted:
    """Every case of the catalogue planted at once in a copy of ``base``."""
    planter = Planter(copy.deepcopy(base))
    harness = planter.partner(name="Harness Partner", code=HARNESS_CODE)
    bench = Bench(planter, str(harness["id"]), HARNESS_CODE)
    _, control = bench.won("control")
    expected = {case.kind: case.plant(bench) for case in CASES}
    return Planted(planter, expected, control)
