"""The partner portal (issue 15): sign-in links (their token's hash only), the people
who may sign in, and partners' deal registrations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
ID = sa.String(255)
KINDS = ("partner", "admin")
REGISTRATION_STATUSES = ("pending", "sent", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "portal_sign_in_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", ID, nullable=False),
        sa.Column("email", ID, nullable=True),
        _instant("created_at"),
        _instant("expires_at"),
        _instant("used_at", True),
        sa.Column("created_by", ID, nullable=False),
        _one_of("kind", KINDS),
    )
    op.create_table(
        "portal_principals",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", ID, nullable=False),
        _instant("sessions_valid_after", True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _instant("created_at"),
        _instant("updated_at"),
        sa.PrimaryKeyConstraint("kind", "subject", name="pk_portal_principals"),
        _one_of("kind", KINDS),
    )
    op.create_table(
        "portal_registrations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("company_name", ID, nullable=False),
        sa.Column("domain", ID, nullable=False),
        sa.Column("contact_email", sa.String(320), nullable=False),
        sa.Column("expected_plan", sa.String(64), nullable=False),
        _instant("registered_at"),
        sa.Column("hubspot_company_id", sa.String(64), nullable=True),
        sa.Column("hubspot_deal_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _instant("updated_at"),
        _one_of("status", REGISTRATION_STATUSES),
    )
    op.create_index("ix_portal_registrations_partner_id", "portal_registrations",
                    ["partner_id"])
    op.create_index("ix_portal_registrations_domain", "portal_registrations", ["domain"])


def downgrade() -> None:
    op.drop_table("portal_registrations")
    op.drop_table("portal_principals")
    op.drop_table("portal_sign_in_links")
