"""gateway_access_log: the gateway's SM3-chained cross-department access log and its SM2 anchors.

Mirrors `gateway.audit.sql_store` (the gateway does not import the hub's ORM). Body is the record's
canonical JSON text, so the chain hash can be recomputed byte for byte.

Revision ID: 0005_access_log
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_access_log"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_access_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_gateway_access_log_ts_ms", "gateway_access_log", ["ts_ms"])
    op.create_table(
        "gateway_access_log_anchor",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("chain_id", sa.String(64), nullable=False),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(160), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gateway_access_log_anchor")
    op.drop_index("ix_gateway_access_log_ts_ms", table_name="gateway_access_log")
    op.drop_table("gateway_access_log")
