"""hub_call_nonce: nonces of signed gateway calls, shared by every replica of a subgraph.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_call_nonce",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("audience", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("hub_call_nonce")
