"""A whole write-back world: both sandboxes on loopback through the real gateways, a
ledger holding real engine decisions, and readers of what the sandboxes now hold.

Partners: 101 (Connect account with transfers active), 102 (no account: paid by hand),
103 (account whose transfers capability is inactive). Each won one customer through a
deal registration and earns 250.00 in February 2025: one payout each, pending approval
(R25's default auto-approval amount is 0.00). Deal 204 is registered, never converted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.core import ConnectionDropped
from sandbox.hubspot.records import Record, WriteSource
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.people import HubSpotPeople
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.stripe.gateway import StripeGateway
from sync.config.programme_file import default_programme
from sync.domain.decisions import Decisions
from sync.domain.inputs import Inputs, Partner
from sync.domain.terms import ApprovalTerms
from sync.engine.decide import decide
from sync.ledger import Ledger
from sync.writeback.finance import FinanceControls
from sync.writeback.intents import (
    HUBSPOT_DEAL,
    HUBSPOT_LINE,
    HUBSPOT_PAYOUT,
    Intent,
    build_intents,
)
from sync.writeback.send import enqueue_intents
from tests.adapters.hubspot_support import STAMP, Portal, served_portal
from tests.adapters.stripe_support import StripeEnv, gateway, stripe_env
from tests.engine.builders import at, inputs, invoice, line, month_bounds, partner, registration

AS_OF = "2025-03-01"
SYNCED = at("2025-03-01T06:00:00")
ACTIVE_ACCOUNT = "acct_1Qu8jzPde0IgxLd6"
INACTIVE_ACCOUNT = "acct_1Qh8oOOL8dKLzdoc"
CUSTOMERS = {"101": "cus_R8rESQedUStPKR", "102": "cus_RsTy4Qwb8DwkNh",
             "103": "cus_RdnXsiVpzz63Ff"}
UNCONVERTED = ("204", "cus_RCzJr4i0B3JrTA")
PAYOUT = {pid: f"vmcpo_{pid}_2025-02" for pid in CUSTOMERS}
AMOUNT = 25000  # 25% of 1,000.00 (R12, partner tier)
FINANCE = WriteSource(source_type="CRM_UI", source_id=None, user_id=7)
APPROVERS = ("7",)  # R33: FINANCE's HubSpot user may approve
LINE = PROPS.commission_line
HUBSPOT_WRITES = ("crm.objects.batch.upsert", "crm.objects.batch.update",
                  "crm.associations.batch.default")


def engine_inputs() -> Inputs:
    accounts = {"101": ACTIVE_ACCOUNT, "103": INACTIVE_ACCOUNT}
    partners = [partner(pid, stripe_account_id=accounts.get(pid)) for pid in CUSTOMERS]
    deals = [registration(str(int(pid) + 100), cus, pid, "2025-01-05")
             for pid, cus in CUSTOMERS.items()]
    deals.append(registration(UNCONVERTED[0], UNCONVERTED[1], "101", "2025-01-05"))
    invoices = [invoice(cus, "2025-02-01T09:00:00",
                        [line(100000, *month_bounds("2025-02"), item=f"si_{cus}",
                              sub=f"sub_{cus}")], iid=f"in_{cus}")
                for cus in CUSTOMERS.values()]
    return inputs(partners, deals, [*CUSTOMERS.values(), UNCONVERTED[1]], invoices)


def partners() -> dict[str, Partner]:
    return {item.id: item for item in engine_inputs().partners}


@dataclass
class World:
    portal: Portal
    stripe_env: StripeEnv
    hubspot: HubSpotGateway
    stripe: StripeGateway
    ledger: Ledger
    tap: TransferTap

    # -- the worker's side ----------------------------------------------------------

    def decide(self) -> tuple[int, Decisions]:
        """A sync run's decisions, recorded in the ledger."""
        run_id = self.ledger.start_run("sync", at(AS_OF))
        decisions = decide(engine_inputs(), self.ledger.load_state(), at(AS_OF),
                           default_programme())
        self.ledger.record_decisions(run_id, decisions)
        return run_id, decisions

    @property
    def finance(self) -> FinanceControls:
        """R33: HubSpot user 7 (``FINANCE``) is an approver."""
        return FinanceControls(ApprovalTerms(approvers=APPROVERS), HubSpotPeople(self.hubspot))

    def intents(self, decisions: Decisions) -> list[Intent]:
        metadata_now: dict[str, dict[str, str]] = {cus: {} for cus in CUSTOMERS.values()}
        return build_intents(decisions, self.ledger.list_payouts(), metadata_now, PROPS,
                             SYNCED, self.ledger.controls())

    def sync(self) -> int:
        """Decide, record and enqueue; returns how many intents are new."""
        run_id, decisions = self.decide()
        return enqueue_intents(self.ledger, self.intents(decisions), run_id)

    # -- what the sandboxes hold ----------------------------------------------------

    def hubspot_writes(self) -> int:
        return sum(self.portal.count(endpoint) for endpoint in HUBSPOT_WRITES)

    def stripe_calls(self, endpoint: str) -> int:
        return self.stripe_env.sandbox.calls.count(endpoint=endpoint)

    def stripe_writes(self) -> int:
        return self.stripe_env.sandbox.calls.count(method="POST")

    def reset_calls(self) -> None:
        self.portal.reset_calls()
        self.stripe_env.sandbox.calls.reset()

    def records(self, object_name: str, id_property: str) -> dict[str, dict[str, Any]]:
        state = self.portal.sandbox.state
        otype = state.resolve_type(object_name)
        return {str(r.properties.get(id_property)): dict(r.properties)
                for r in state.list(otype)}

    def record_id(self, object_name: str, id_property: str, key: str) -> str:
        state = self.portal.sandbox.state
        found = state.lookup(state.resolve_type(object_name), key, id_property)
        assert found is not None, f"{object_name} {key} is not in HubSpot"
        return found.id

    def linked(self, object_name: str, record_id: str, to_type: str) -> set[str]:
        state = self.portal.sandbox.state
        source, target = state.resolve_type(object_name), state.resolve_type(to_type)
        return {str(to_id) for to_id, _ in
                state.associations.targets((source.type_id, record_id), target.type_id)}

    def finance_sets(self, payout_id: str, status: str) -> None:
        """Finance edits the payout's status in HubSpot's UI."""
        state = self.portal.sandbox.state
        otype = state.resolve_type(PROPS.payout.object_name)
        with state.lock:
            record = state.lookup(otype, payout_id, PROPS.payout.payout_id)
            assert record is not None
            state.update(otype, record, {PROPS.payout.status: status}, FINANCE)

    def hubspot_status(self, payout_id: str) -> str:
        payouts = self.records(PROPS.payout.object_name, PROPS.payout.payout_id)
        return str(payouts[payout_id][PROPS.payout.status])

    def transfers(self) -> list[dict[str, Any]]:
        return self.stripe_env.sandbox.state.newest_first("transfer")


def bulk_lines(count: int) -> list[Intent]:
    """``count`` accrued lines of partner 101 on deal 201, beside the engine's."""
    base = {LINE.partner_id: "101", LINE.deal_id: "201", LINE.status: "accrued"}
    return [Intent(HUBSPOT_LINE, f"vmcl_bulk_{n:03d}", {**base, LINE.line_id: f"vmcl_bulk_{n:03d}"})
            for n in range(count)]


def _by_kind(intents: list[Intent], kind: str) -> dict[str, dict[str, str]]:
    return {i.target: dict(i.payload) for i in intents if i.kind == kind}


def assert_hubspot_holds(w: World, intents: list[Intent]) -> None:
    """Every line, payout and deal intent is in HubSpot, lines and payouts linked."""
    lines = w.records(LINE.object_name, LINE.line_id)
    for line_id, payload in _by_kind(intents, HUBSPOT_LINE).items():
        assert {k: lines[line_id].get(k) for k in payload} == payload
        record_id = w.record_id(LINE.object_name, LINE.line_id, line_id)
        assert w.linked(LINE.object_name, record_id, "companies") == {payload[LINE.partner_id]}
        assert w.linked(LINE.object_name, record_id, "deals") == {payload[LINE.deal_id]}
    names = PROPS.payout
    payouts = w.records(names.object_name, names.payout_id)
    for payout_id, payload in _by_kind(intents, HUBSPOT_PAYOUT).items():
        assert {k: payouts[payout_id].get(k) for k in payload} == payload
        record_id = w.record_id(names.object_name, names.payout_id, payout_id)
        assert w.linked(names.object_name, record_id, "companies") == {payload[names.partner_id]}
    deals = w.records("deals", "hs_object_id")
    for deal_id, payload in _by_kind(intents, HUBSPOT_DEAL).items():
        assert {k: deals[deal_id].get(k) for k in payload} == payload


def seed_deal(portal: Portal, deal_id: str) -> None:
    state = portal.sandbox.state
    deals = state.resolve_type("deals")
    with state.lock:
        state.seed(deals, Record(deal_id, {"hs_object_id": deal_id, "dealname": f"Deal {deal_id}"},
                                 {}, STAMP, STAMP))


class TransferTap:
    """WSGI layer on ``POST /v1/transfers``: notes each idempotency key and, while
    ``dropping``, lets the request run, then loses its answer (Stripe made the transfer,
    the worker never heard). With ``cut_off`` too, once an answer was lost every later
    ``/v1/transfers`` call (the retry's search for the transfer included) is dropped
    unanswered: Stripe became unreachable right after making it."""

    def __init__(self) -> None:
        self.app: Any = None
        self.keys: list[str] = []
        self.dropping = False
        self.cut_off = False
        self.lost = 0

    def wrap(self, app: Any) -> TransferTap:
        self.app = app
        return self

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/v1/transfers":
            answer: Iterable[bytes] = self.app(environ, start_response)
            return answer
        if self.dropping and self.cut_off and self.lost:
            raise self._dropped(environ)
        if environ["REQUEST_METHOD"] != "POST":
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        self.keys.append(str(environ.get("HTTP_IDEMPOTENCY_KEY")))
        if not self.dropping:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        b"".join(self.app(environ, lambda *_args: None))  # it ran on Stripe's side
        self.lost += 1
        raise self._dropped(environ)

    @staticmethod
    def _dropped(environ: dict[str, Any]) -> ConnectionDropped:
        dropped = ConnectionDropped(environ)
        dropped.close()  # the client sees the connection closed, no answer
        return dropped


@contextmanager
def world(ledger_url: str, *, deals: Iterable[str] = ("203", "204"),
          attempts: int = 3) -> Iterator[World]:
    """Both sandboxes served, HubSpot set up (custom objects), partners' deals seeded
    (201, 202 come with the fixture set; pass ``deals`` to leave some out), a migrated ledger; call logs reset."""
    with ExitStack() as stack:
        portal = stack.enter_context(served_portal())
        for deal_id in deals:
            seed_deal(portal, deal_id)
        hubspot = portal.gateway(attempts=attempts)
        ensure_setup(hubspot, PROPS)
        tap = TransferTap()
        env = stack.enter_context(stripe_env(tap.wrap))
        ledger = Ledger.open(ledger_url)
        stack.callback(ledger.close)
        ledger.migrate()
        stripe = gateway(env.url, max_attempts=attempts)
        found = World(portal, env, hubspot, stripe, ledger, tap)
        found.reset_calls()
        yield found
