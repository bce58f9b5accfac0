"""review_campaign.body_ids, closed_from, closed_to: which bodies and which closing period a campaign sampled.

Nullable: campaigns created before this revision sampled every body's closed files of any day.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_campaign") as batch:
        batch.add_column(sa.Column("body_ids", sa.JSON, nullable=True))
        batch.add_column(sa.Column("closed_from", sa.Date, nullable=True))
        batch.add_column(sa.Column("closed_to", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_campaign") as batch:
        batch.drop_column("closed_to")
        batch.drop_column("closed_from")
        batch.drop_column("body_ids")
