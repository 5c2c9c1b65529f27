"""The ledger: runs, cursors, lines and their versions, payouts, frozen attributions,
outbox, run findings, job locks.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
TIERS = ("referral", "partner", "premier")
ID = sa.String(255)
MONTH = sa.String(7)
CENTS = sa.BigInteger()


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)


def upgrade() -> None:
    _runs_and_cursors()
    _payouts()
    _lines()
    _other()


def _runs_and_cursors() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        _instant("as_of"),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _instant("started_at"), _instant("finished_at", True), _instant("recorded_at", True),
        sa.Column("summary", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _one_of("status", ("running", "succeeded", "failed", "stopped")),
    )
    op.create_index("ix_runs_kind_id", "runs", ["kind", "id"])
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        _instant("updated_at"),
    )


def _payouts() -> None:
    op.create_table(
        "payouts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("amount", CENTS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("minimum_waived", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("stripe_transfer_id", ID, nullable=True),
        sa.Column("payment_reference", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("approved_by", ID, nullable=True), _instant("approved_at", True),
        _instant("paid_at", True), sa.Column("paid_by", ID, nullable=True),
        sa.Column("created_run", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        _instant("created_at"), _instant("updated_at"),
        _one_of("status", ("pending_approval", "approved", "paid", "manual_pending", "failed")),
        _one_of("method", ("stripe_transfer", "manual")),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.UniqueConstraint("partner_id", "month"),
        sa.UniqueConstraint("stripe_transfer_id"),
    )
    op.create_index("ix_payouts_status", "payouts", ["status"])


def _lines() -> None:
    op.create_table(
        "commission_lines",
        sa.Column("id", ID, primary_key=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("deal_id", ID, nullable=True),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("rate", sa.String(32), nullable=True),
        sa.Column("basis", CENTS, nullable=False),
        sa.Column("amount", CENTS, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("found_month", MONTH, nullable=True),
        sa.Column("payout_id", ID, sa.ForeignKey("payouts.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_run", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("updated_run", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        _instant("updated_at"),
        _one_of("status", ("accrued", "paid", "void")),
        _one_of("kind", ("recurring", "flat", "adjustment")),
        _one_of("tier", TIERS),
    )
    op.create_index("ix_commission_lines_partner_status", "commission_lines",
                    ["partner_id", "status"])
    op.create_index("ix_commission_lines_customer_id", "commission_lines", ["customer_id"])
    op.create_index("ix_commission_lines_payout_id", "commission_lines", ["payout_id"])
    op.create_table(
        "commission_line_versions",
        sa.Column("line_id", ID, sa.ForeignKey("commission_lines.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("amount", CENTS, nullable=False),
        sa.Column("basis", CENTS, nullable=False),
        sa.Column("rate", sa.String(32), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("payout_id", ID, sa.ForeignKey("payouts.id"), nullable=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        _instant("at"),
        _one_of("action", ("created", "replaced", "voided", "assigned")),
    )
    op.create_table(
        "payout_lines",
        sa.Column("payout_id", ID, sa.ForeignKey("payouts.id"), primary_key=True),
        sa.Column("line_id", ID, sa.ForeignKey("commission_lines.id"), primary_key=True),
        sa.UniqueConstraint("line_id"),
    )


def _other() -> None:
    op.create_table(
        "frozen_attributions",
        sa.Column("customer_id", ID, primary_key=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("deal_id", ID, nullable=False),
        _instant("converted_at"),
        sa.Column("option", sa.String(16), nullable=False),
        sa.Column("tier_at_conversion", sa.String(16), nullable=True),
        sa.Column("created_run", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        _one_of("source", ("deal_registration", "referral_link")),
        _one_of("option", ("recurring", "flat", "reseller")),
        _one_of("tier_at_conversion", TIERS),
    )
    op.create_table(
        "outbox",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("target", ID, nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", _json(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _instant("created_at"), _instant("updated_at"),
        _one_of("status", ("pending", "sent", "failed")),
    )
    op.create_index("ix_outbox_status_kind", "outbox", ["status", "kind"])
    op.create_table(
        "run_findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", ID, nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        _one_of("kind", ("review", "unrecovered", "quarantined")),
    )
    op.create_index("ix_run_findings_run_kind", "run_findings", ["run_id", "kind"])
    op.create_index("ix_run_findings_subject", "run_findings", ["subject"])
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        _instant("acquired_at"), _instant("expires_at"),
    )


def downgrade() -> None:
    for table in ("job_locks", "run_findings", "outbox", "frozen_attributions", "payout_lines",
                  "commission_line_versions", "commission_lines", "payouts", "cursors", "runs"):
        op.drop_table(table)
