"""supervision_cursor: how far the supervision follower has read the case store's event streams.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "supervision_cursor",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("case_event_seq", _SEQ, nullable=False),  # last case_event.global_seq evaluated
        sa.Column("record_event_seq", _SEQ, nullable=False),  # last aggregate_event.global_seq evaluated
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("supervision_cursor")
