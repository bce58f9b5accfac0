"""enforcement_certificate.status_since: the day a suspension, revocation, cancellation or loss took effect.

Nullable: certificates imported before the provincial snapshot carried 状态变更日期 have none until
the next snapshot that does.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforcement_certificate") as batch:
        batch.add_column(sa.Column("status_since", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enforcement_certificate") as batch:
        batch.drop_column("status_since")
