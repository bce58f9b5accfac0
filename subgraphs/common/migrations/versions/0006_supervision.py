"""supervision: alerts and their lifecycle, sweeps, case-file review campaigns and scores.

Revision ID: 0006
Revises: 0005_access_log
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_access_log"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supervision_alert",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("alert_key", sa.String(200), nullable=False, unique=True),
        sa.Column("rule_id", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("subject_kind", sa.String(8), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("body_id", sa.String(18), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("period_due", sa.Date),
        sa.Column("detected_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.Column("rectification_due", sa.Date),
        sa.Column("acknowledged_by", sa.String(64)),
        sa.Column("acknowledged_at", _TS),
        sa.Column("rectified_by", sa.String(64)),
        sa.Column("rectified_at", _TS),
        sa.Column("dismissed_by", sa.String(64)),
        sa.Column("dismissed_at", _TS),
        sa.Column("dismiss_reason", sa.Text),
    )
    op.create_index("ix_supervision_alert_rule", "supervision_alert", ["rule_id", "id"])
    op.create_index("ix_supervision_alert_body", "supervision_alert", ["body_id", "id"])
    op.create_index("ix_supervision_alert_status", "supervision_alert", ["status", "id"])
    op.create_index("ix_supervision_alert_case", "supervision_alert", ["case_id"])
    op.create_table(
        "supervision_sweep",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("as_of", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("gateway_requests", sa.Integer, nullable=False),
    )
    op.create_table(
        "review_campaign",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("per_body", sa.Integer, nullable=False),
        sa.Column("reviewers_per_case", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "review_sample",
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("review_campaign.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("body_id", sa.String(18), nullable=False, index=True),
        sa.Column("auto_vetoes", sa.JSON, nullable=False),
        sa.Column("auto_deductions", sa.JSON, nullable=False),
        sa.Column("manual_vetoes", sa.JSON, nullable=False),
        sa.Column("manual_deductions", sa.JSON, nullable=False),
        sa.Column("scored_by", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("grade", sa.String(8)),
        sa.Column("rectification_due", sa.Date),
        sa.Column("rectified_at", _TS),
    )
    op.create_table(
        "review_assignment",
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("review_campaign.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("reviewer_id", sa.String(40), primary_key=True),
        sa.Column("reviewer_body", sa.String(18), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_assignment")
    op.drop_table("review_sample")
    op.drop_table("review_campaign")
    op.drop_table("supervision_sweep")
    op.drop_index("ix_supervision_alert_case", "supervision_alert")
    op.drop_index("ix_supervision_alert_status", "supervision_alert")
    op.drop_index("ix_supervision_alert_body", "supervision_alert")
    op.drop_index("ix_supervision_alert_rule", "supervision_alert")
    op.drop_table("supervision_alert")
