"""measures_inspections: coercive measures (§6.1), inspections (§7), their event chains and deadlines.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "coercive_measure",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), nullable=False, index=True),
        sa.Column("body_uscc", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("body_uscc", sa.String(18), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_inspection_body_id", "inspection", ["body_uscc", "id"])
    op.create_table(
        "aggregate_event",
        sa.Column("global_seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("aggregate_type", sa.String(24), nullable=False),
        sa.Column("aggregate_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("transition", sa.String(8), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(32)),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("snapshot_sm3", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.UniqueConstraint("aggregate_type", "aggregate_id", "seq", name="uq_aggregate_event_seq"),
    )
    op.create_index("ix_aggregate_event_owner", "aggregate_event", ["aggregate_type", "aggregate_id"])
    op.create_table(
        "aggregate_deadline",
        sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("aggregate_type", sa.String(24), nullable=False),
        sa.Column("aggregate_id", sa.String(36), nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False, index=True),
        sa.Column("due_at", sa.String(40)),
        sa.Column("rolled", sa.Boolean, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("adjustments", sa.JSON, nullable=False),
    )
    op.create_index("ix_aggregate_deadline_owner", "aggregate_deadline", ["aggregate_type", "aggregate_id"])


def downgrade() -> None:
    op.drop_index("ix_aggregate_deadline_owner", table_name="aggregate_deadline")
    op.drop_table("aggregate_deadline")
    op.drop_index("ix_aggregate_event_owner", table_name="aggregate_event")
    op.drop_table("aggregate_event")
    op.drop_index("ix_inspection_body_id", table_name="inspection")
    op.drop_table("inspection")
    op.drop_table("coercive_measure")
