"""personnel: enforcement bodies, officers, certificates and certificate import runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "enforcement_body",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("short_name", sa.String(40)),
        sa.Column("level", sa.String(16), nullable=False, index=True),
        sa.Column("region_code", sa.String(12), nullable=False, index=True),
        sa.Column("parent_uscc", sa.String(18), sa.ForeignKey("enforcement_body.uscc")),
        sa.Column("body_type", sa.String(20), nullable=False),
        sa.Column("entrusted_by", sa.String(18)),
        sa.Column("is_comprehensive", sa.Boolean, nullable=False),
        sa.Column("domains", sa.JSON, nullable=False),
        sa.Column("power_source", sa.String(40)),
        sa.Column("item_codes", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "officer",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, index=True),
        sa.Column("id_type", sa.String(20), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=False, index=True),
        sa.Column("id_number_masked", sa.String(24), nullable=False),
        sa.Column("body_uscc", sa.String(18), sa.ForeignKey("enforcement_body.uscc"), nullable=False, index=True),
        sa.Column("post", sa.String(60)),
        sa.Column("staff_type", sa.String(20)),
        sa.Column("has_legal_qualification", sa.Boolean, nullable=False),
        sa.Column("legal_qualification_no", sa.String(40)),
        sa.Column("is_legal_reviewer", sa.Boolean, nullable=False),
        sa.Column("training_hours", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("vanished_at", _TS),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "enforcement_certificate",
        sa.Column("cert_no", sa.String(20), primary_key=True),
        sa.Column("cert_type", sa.String(20), nullable=False),
        sa.Column("officer_id", sa.String(40), sa.ForeignKey("officer.id"), nullable=False, index=True),
        sa.Column("body_uscc", sa.String(18), nullable=False, index=True),
        sa.Column("area", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("power_source", sa.String(40)),
        sa.Column("issued_by", sa.String(100)),
        sa.Column("issue_date", sa.Date),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("exam_passed_at", sa.Date),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("vanished_at", _TS),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "certificate_import_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("file_sm3", sa.String(64), nullable=False, index=True),
        sa.Column("imported_at", _TS, nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("rows_failed", sa.Integer, nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("marked_vanished", sa.Integer, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("certificate_import_run")
    op.drop_table("enforcement_certificate")
    op.drop_table("officer")
    op.drop_table("enforcement_body")
