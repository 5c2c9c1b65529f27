"""An index on commission_lines (partner_id, month, status): the partner portal reads a
month's lines a page at a time and the customers' bases of the last closed month (issue
15's speed goal), and counts each month's live lines from the index alone; the only
index on the partner, (partner_id, status), made them read every line of the partner.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_commission_lines_partner_month", "commission_lines",
                    ["partner_id", "month", "status"])


def downgrade() -> None:
    op.drop_index("ix_commission_lines_partner_month", table_name="commission_lines")
