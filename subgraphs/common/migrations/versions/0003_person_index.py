"""person_index: the pseudonym vault mapping `idNumberHash` to the SM4-GCM-encrypted ID number.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "person_index",
        sa.Column("id_number_hash", sa.String(64), primary_key=True),
        sa.Column("id_type", sa.String(20), nullable=False),
        sa.Column("id_number_cipher", sa.LargeBinary, nullable=False),
        sa.Column("id_number_masked", sa.String(24), nullable=False),
        sa.Column("key_version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
    )
    op.create_table(
        "person_sync_state",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("region_code", sa.String(12), primary_key=True),
        sa.Column("next_page", sa.Integer, nullable=False),
        sa.Column("page_size", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("completed_at", _TS),
        sa.Column("updated_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("person_sync_state")
    op.drop_table("person_index")
