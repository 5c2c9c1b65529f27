"""The ledger's tables (typed ORM). Migrations in ``migrations/versions`` create them;
``tests/ledger/test_migrations.py`` checks the two agree.

Conventions: money is integer cents (``BigInteger``), months are ``YYYY-MM`` text,
instants are aware UTC (``UTCDateTime``), ids are text, statuses are text with a
CHECK listing the allowed values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sync.ledger.types import UTCDateTime, json_type

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}  # migrations name constraints by it too: never change it
ID = String(255)


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)


RUN_STATUSES = ("running", "succeeded", "failed", "stopped")
LINE_STATUSES = ("accrued", "paid", "void")
LINE_KINDS = ("recurring", "flat", "adjustment", "manual")
TIERS = ("referral", "partner", "premier")
VERSION_ACTIONS = ("created", "replaced", "voided", "assigned")
PAYOUT_STATUSES = ("pending_approval", "approved", "paid", "manual_pending", "failed",
                   "on_hold", "pending_second_approval")
PAYOUT_METHODS = ("stripe_transfer", "manual")
SOURCES = ("deal_registration", "referral_link")
OPTIONS = ("recurring", "flat", "reseller")
OUTBOX_STATUSES = ("pending", "sent", "failed")
FINDING_KINDS = ("review", "unrecovered", "quarantined")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: json_type(),
    }


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core bulk inserts: one executemany for every row (the ORM's
    bulk insert runs a statement per run of rows with the same NULL columns)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (one_of("status", RUN_STATUSES), Index("ix_runs_kind_id", "kind", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[datetime]
    dry_run: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime | None]  # when record_decisions committed for this run
    summary: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)


class CursorRow(Base):
    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class PayoutRow(Base):
    __tablename__ = "payouts"
    __table_args__ = (
        one_of("status", PAYOUT_STATUSES),
        one_of("method", PAYOUT_METHODS),
        CheckConstraint("amount > 0", name="amount_positive"),  # R22: balance > 0
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        UniqueConstraint("partner_id", "month"),  # R24: one payout per partner and point
        UniqueConstraint("stripe_transfer_id"),  # R26: a transfer pays one payout
        Index("ix_payouts_status", "status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    minimum_waived: Mapped[bool]
    explanation: Mapped[str] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    stripe_transfer_id: Mapped[str | None] = mapped_column(ID)
    payment_reference: Mapped[str | None] = mapped_column(Text)  # finance's, for manual
    attempts: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(ID)
    approved_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    paid_by: Mapped[str | None] = mapped_column(ID)
    created_run: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # R33: the first approver's identities (space-separated), so the second differs
    approver_keys: Mapped[str | None] = mapped_column(Text)
    second_approved_by: Mapped[str | None] = mapped_column(ID)
    second_approved_at: Mapped[datetime | None]
    # R32, R35: while on_hold, the status to return to and why it is held
    held_from: Mapped[str | None] = mapped_column(String(32))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    # R35: finance's hold on this payout alone
    finance_hold: Mapped[str | None] = mapped_column(Text)
    finance_held_by: Mapped[str | None] = mapped_column(ID)
    # Why HubSpot shows something else than asked (a refused approval, say), and the
    # HubSpot status change last judged (applied or refused): each is judged only once
    status_note: Mapped[str | None] = mapped_column(Text)
    judged_change: Mapped[str | None] = mapped_column(ID)


class PartnerControlRow(Base):
    """R32, R35 per partner: its confirmed payout destination, an account waiting for
    finance's confirmation, and finance's hold on all of its payouts."""

    __tablename__ = "partner_controls"

    partner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    confirmed_account: Mapped[str | None] = mapped_column(ID, unique=True)  # R32: one partner
    confirmed_by: Mapped[str | None] = mapped_column(ID)
    confirmed_at: Mapped[datetime | None]
    waiting_account: Mapped[str | None] = mapped_column(ID)  # HubSpot's, not confirmed
    waiting_reason: Mapped[str | None] = mapped_column(Text)  # None: no destination hold
    finance_hold: Mapped[str | None] = mapped_column(Text)
    finance_held_by: Mapped[str | None] = mapped_column(ID)
    judged_change: Mapped[str | None] = mapped_column(ID)  # HubSpot confirmation judged
    updated_at: Mapped[datetime]


class AuditRow(Base):
    """Append-only: every money decision and who made it. Database triggers refuse any
    UPDATE or DELETE (migration 0003); no code path issues one."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_partner_id", "partner_id", "id"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(ID)
    partner_id: Mapped[str | None] = mapped_column(ID)
    payout_id: Mapped[str | None] = mapped_column(ID)
    line_id: Mapped[str | None] = mapped_column(ID)
    account: Mapped[str | None] = mapped_column(ID)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class LineRow(Base):
    __tablename__ = "commission_lines"
    __table_args__ = (
        one_of("status", LINE_STATUSES),
        one_of("kind", LINE_KINDS),
        one_of("tier", TIERS),
        Index("ix_commission_lines_partner_status", "partner_id", "status"),
        Index("ix_commission_lines_partner_month", "partner_id", "month", "status"),  # portal
        Index("ix_commission_lines_customer_id", "customer_id"),
        Index("ix_commission_lines_payout_id", "payout_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # R16 identity
    partner_id: Mapped[str] = mapped_column(ID)
    customer_id: Mapped[str] = mapped_column(ID)
    deal_id: Mapped[str | None] = mapped_column(ID)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16))
    rate: Mapped[str | None] = mapped_column(String(32))  # exact Decimal text; None: flat
    basis: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[str] = mapped_column(Text)
    found_month: Mapped[str | None] = mapped_column(String(7))  # adjustments (R17)
    payout_id: Mapped[str | None] = mapped_column(ForeignKey("payouts.id"))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)  # latest commission_line_versions row
    created_run: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    updated_run: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    updated_at: Mapped[datetime]


class LineVersionRow(Base):
    """Append-only history of a line: what each run did to it (R16, R20)."""

    __tablename__ = "commission_line_versions"
    __table_args__ = (one_of("action", VERSION_ACTIONS),)

    line_id: Mapped[str] = mapped_column(ForeignKey("commission_lines.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[str | None] = mapped_column(String(32))
    explanation: Mapped[str] = mapped_column(Text)
    payout_id: Mapped[str | None] = mapped_column(ForeignKey("payouts.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    at: Mapped[datetime]


class PayoutLineRow(Base):
    """Which lines a payout pays; a line is in at most one payout (R16, R22)."""

    __tablename__ = "payout_lines"

    payout_id: Mapped[str] = mapped_column(ForeignKey("payouts.id"), primary_key=True)
    line_id: Mapped[str] = mapped_column(
        ForeignKey("commission_lines.id"), primary_key=True, unique=True)


class FrozenAttributionRow(Base):
    """R10a: a customer's winner, kept once one of its lines is in a payout."""

    __tablename__ = "frozen_attributions"
    __table_args__ = (
        one_of("source", SOURCES),
        one_of("option", OPTIONS),
        one_of("tier_at_conversion", TIERS),
    )

    customer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID)
    source: Mapped[str] = mapped_column(String(32))
    deal_id: Mapped[str] = mapped_column(ID)
    converted_at: Mapped[datetime]
    option: Mapped[str] = mapped_column(String(16))
    tier_at_conversion: Mapped[str | None] = mapped_column(String(16))
    created_run: Mapped[int] = mapped_column(ForeignKey("runs.id"))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        one_of("status", OUTBOX_STATUSES),
        Index("ix_outbox_status_kind", "status", "kind"),
    )

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(ID)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FindingRow(Base):
    """Reviews, unrecovered differences and quarantined records of a run."""

    __tablename__ = "run_findings"
    __table_args__ = (
        one_of("kind", FINDING_KINDS),
        Index("ix_run_findings_run_kind", "run_id", "kind"),
        Index("ix_run_findings_subject", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(ID)
    rule: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class JobLockRow(Base):
    """SQLite only: a lease on a job name (PostgreSQL uses advisory locks)."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class MirrorRow(Base):
    """The last copy read of a vendor record, so a run decides over the whole portal
    while reading only what changed since the cursor (docs/configuration.md's JSON, verbatim)."""

    __tablename__ = "mirror_records"

    object_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(ID, primary_key=True)
    body: Mapped[dict[str, Any]]
    read_run: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
    # What the engine reads of it, and the run that last changed that (issue 14).
    input_digest: Mapped[str | None] = mapped_column(String(64))
    input_run: Mapped[int | None] = mapped_column(BigInteger)
    mapped: Mapped[bytes | None] = mapped_column(LargeBinary)  # the record mapped (issue 14)

    __table_args__ = (Index("ix_mirror_records_input_run", "object_type", "input_run"),)


class WrittenRow(Base):
    """What the worker last intended for one external record: a write whose content
    hash equals it is not made again (a rerun writes nothing)."""

    __tablename__ = "written_records"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[str] = mapped_column(ID, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    outbox_key: Mapped[str] = mapped_column(String(400))
    updated_at: Mapped[datetime]
