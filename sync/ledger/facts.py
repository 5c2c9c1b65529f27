"""The partner portal's read model: storing a run's ``ProgrammeFacts`` with its
decisions, and reading one partner's share back.

Written inside ``record_decisions``' transaction, only where the content changed (each
row keeps the sha256 of its canonical JSON): a sync where nothing changed rewrites no
row; a customer no partner wins any more loses its row. ``FACTS_CURSOR`` names the run
that last stored facts, so a page can tell "no sync has stored facts yet" from "this
partner has none".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from sync.domain.decisions import TierMetrics
from sync.domain.inputs import CommissionOption, Tier, TouchKind
from sync.engine.partner_facts import ProgrammeFacts, WonCustomer
from sync.ledger.bulk import insert_rows
from sync.ledger.facts_models import CustomerFactsRow, PartnerFactsRow
from sync.ledger.models import Base, CursorRow, table_of
from sync.ledger.types import from_label, to_label

FACTS_CURSOR = "portal.facts_run"
METRIC_COUNTS = ("referred_clients", "active_clients", "mrr_brought", "trailing12_revenue",
                 "mdf")


@dataclass(frozen=True, slots=True)
class FactsWritten:
    """How many rows a run wrote: inserted or changed, and deleted."""

    partners: int
    customers: int
    deleted: int


def _digest(body: Mapping[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def metrics_json(rows: tuple[TierMetrics, ...]) -> dict[str, Any]:
    return {"metrics": [{"month": to_label(row.month), "eligible_tier": row.eligible_tier.value,
                         **{name: getattr(row, name) for name in METRIC_COUNTS}}
                        for row in rows]}


def metrics_of(partner_id: str, body: Mapping[str, Any]) -> tuple[TierMetrics, ...]:
    return tuple(TierMetrics(partner_id, from_label(row["month"]) or 0,
                             eligible_tier=Tier(row["eligible_tier"]),
                             **{name: int(row[name]) for name in METRIC_COUNTS})
                 for row in body["metrics"])


def customer_json(won: WonCustomer) -> dict[str, Any]:
    return {"deal_id": won.deal_id, "domain": won.domain,
            "source": None if won.source is None else won.source.value,
            "converted_at": None if won.converted_at is None else won.converted_at.isoformat(),
            "option": None if won.option is None else won.option.value, "frozen": won.frozen,
            "commission_ends": to_label(won.commission_ends)}


def customer_of(customer_id: str, partner_id: str, body: Mapping[str, Any]) -> WonCustomer:
    converted, source, option = body["converted_at"], body["source"], body["option"]
    return WonCustomer(
        customer_id, partner_id, body["deal_id"], body["domain"],
        None if source is None else TouchKind(source),
        None if converted is None else datetime.fromisoformat(converted),
        None if option is None else CommissionOption(option), bool(body["frozen"]),
        from_label(body["commission_ends"]))


def write_facts(session: Session, run_id: int, facts: ProgrammeFacts,
                now: datetime) -> FactsWritten:
    partners = {partner: (partner, metrics_json(rows)) for partner, rows in facts.metrics.items()}
    customers = {customer: (won.partner_id, customer_json(won))
                 for customer, won in facts.customers.items()}
    shared = {"run_id": run_id, "updated_at": now}
    written = _sync_rows(session, PartnerFactsRow, "partner_id", partners, shared)
    won = _sync_rows(session, CustomerFactsRow, "customer_id", customers, shared)
    _set_cursor(session, str(run_id), now)
    return FactsWritten(written[0], won[0], written[1] + won[1])


def _sync_rows(session: Session, model: type[Base], key: str,
               wanted: Mapping[str, tuple[str, dict[str, Any]]],
               shared: Mapping[str, Any]) -> tuple[int, int]:
    """Make ``model``'s rows equal to ``wanted`` (key -> (partner id, facts)), writing
    only what differs; returns (rows inserted or updated, rows deleted)."""
    table = table_of(model)
    column = table.c[key]
    stored = {str(row[0]): str(row[1]) for row in session.execute(select(column, table.c.digest))}
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for ident, (partner_id, body) in wanted.items():
        digest = _digest({"partner_id": partner_id, "facts": body})  # a move is a change
        if stored.get(ident) == digest:
            continue
        if ident in stored:
            changed.append({"b_ident": ident, "b_partner": partner_id, "b_facts": body,
                            "b_digest": digest})
        else:
            fresh.append({key: ident, "partner_id": partner_id, "facts": body,
                          "digest": digest})
    gone = [ident for ident in stored if ident not in wanted]
    connection = session.connection()
    insert_rows(connection, table, fresh, shared)
    if changed:
        connection.execute(update(table).where(column == bindparam("b_ident")).values(
            partner_id=bindparam("b_partner"), facts=bindparam("b_facts"),
            digest=bindparam("b_digest"), **shared), changed)
    for start in range(0, len(gone), 500):
        connection.execute(delete(table).where(column.in_(gone[start:start + 500])))
    return len(fresh) + len(changed), len(gone)


def _set_cursor(session: Session, value: str, now: datetime) -> None:
    row = session.get(CursorRow, FACTS_CURSOR)
    if row is None:
        session.add(CursorRow(name=FACTS_CURSOR, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now


def facts_run(session: Session) -> int | None:
    """The run that last stored facts; ``None`` before any did."""
    value = session.scalar(select(CursorRow.value).where(CursorRow.name == FACTS_CURSOR))
    return None if value is None else int(value)


def partner_metrics(session: Session, partner_id: str) -> tuple[TierMetrics, ...]:
    row = session.get(PartnerFactsRow, partner_id)
    return () if row is None else metrics_of(partner_id, row.facts)


def won_customers(session: Session, partner_id: str) -> tuple[WonCustomer, ...]:
    """The partner's won customers, by conversion (unconverted last), then id."""
    rows = session.execute(select(CustomerFactsRow.customer_id, CustomerFactsRow.facts)
                           .where(CustomerFactsRow.partner_id == partner_id))
    found = [customer_of(customer_id, partner_id, body) for customer_id, body in rows]
    return tuple(sorted(found, key=lambda won: (won.converted_at is None,
                                                won.converted_at, won.customer_id)))
