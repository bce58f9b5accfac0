"""supervision_cursor.gaps: event numbers the follower passed that were not committed yet.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervision_cursor") as batch:
        batch.add_column(sa.Column("gaps", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supervision_cursor") as batch:
        batch.drop_column("gaps")
