"""The partner portal's read model (issue 15): each partner's metrics and each won
customer's facts, written by the worker with its decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
ID = sa.String(255)


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("facts", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "portal_partner_facts",
        sa.Column("partner_id", ID, primary_key=True),
        *_common(),
    )
    op.create_table(
        "portal_customer_facts",
        sa.Column("customer_id", ID, primary_key=True),
        sa.Column("partner_id", ID, nullable=False),
        *_common(),
    )
    op.create_index("ix_portal_customer_facts_partner_id", "portal_customer_facts",
                    ["partner_id"])


def downgrade() -> None:
    op.drop_table("portal_customer_facts")
    op.drop_table("portal_partner_facts")
