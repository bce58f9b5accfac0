"""outbox: messages owed to the provincial data centre and the credit publicity platform.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("aggregate_id", sa.String(36), nullable=False),
        sa.Column("aggregate_version", sa.Integer, nullable=False),
        sa.Column("op", sa.String(1), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("delivered_at", _TS),
    )
    op.create_index("ix_outbox_topic_status_id", "outbox_message", ["topic", "status", "id"])
    op.create_index("ix_outbox_message_aggregate_id", "outbox_message", ["aggregate_id"])
    op.create_table(
        "outbox_lease",
        sa.Column("topic", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(80), nullable=False),
        sa.Column("until", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_lease")
    op.drop_index("ix_outbox_message_aggregate_id", table_name="outbox_message")
    op.drop_index("ix_outbox_topic_status_id", table_name="outbox_message")
    op.drop_table("outbox_message")
