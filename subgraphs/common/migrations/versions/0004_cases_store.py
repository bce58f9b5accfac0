"""cases_store: penalty cases, the hash-chained event log, deadlines, documents, evidence,
idempotency keys, the versioned item catalogue, time-versioned regulations and seal keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "penalty_case",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_no", sa.String(32), nullable=False, unique=True),
        sa.Column("body_uscc", sa.String(18), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False, index=True),
        sa.Column("item_version", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("procedure", sa.String(16)),
        sa.Column("region_code", sa.String(12), nullable=False, index=True),
        sa.Column("filed_at", sa.Date),
        sa.Column("decided_at", sa.Date),
        sa.Column("fine_fen", sa.BigInteger),
        sa.Column("party_id_type", sa.String(20)),
        sa.Column("party_id_hash", sa.String(64), index=True),
        sa.Column("party_uscc", sa.String(18), index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_penalty_case_body_id", "penalty_case", ["body_uscc", "id"])
    op.create_index("ix_penalty_case_status_id", "penalty_case", ["status", "id"])
    op.create_table(
        "case_event",
        sa.Column("global_seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), nullable=False, index=True),
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
        sa.UniqueConstraint("case_id", "seq", name="uq_case_event_case_seq"),
    )
    op.create_table(
        "case_deadline",
        sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), nullable=False, index=True),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False, index=True),
        sa.Column("rolled", sa.Boolean, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("adjustments", sa.JSON, nullable=False),
    )
    op.create_table(
        "case_party",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("party_type", sa.String(24), nullable=False),
        sa.Column("id_type", sa.String(20)),
        sa.Column("id_number_hash", sa.String(64), index=True),
        sa.Column("uscc", sa.String(18), index=True),
    )
    op.create_table(
        "case_officer",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), primary_key=True),
        sa.Column("officer_id", sa.String(40), primary_key=True, index=True),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_table(
        "case_licence",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), primary_key=True),
        sa.Column("licence_id", sa.String(64), primary_key=True),
        sa.Column("action", sa.String(24), nullable=False),
    )
    op.create_table(
        "case_document",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), nullable=False, index=True),
        sa.Column("doc_type", sa.String(40), nullable=False),
        sa.Column("doc_no", sa.String(64)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sm3", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("seal_key_id", sa.String(40)),
        sa.Column("seal_signature", sa.String(128)),
        sa.Column("signed_at", sa.String(40)),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sm3", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("captured_at", sa.String(40), nullable=False),
        sa.Column("device_id", sa.String(64)),
        sa.Column("method", sa.String(40)),
        sa.Column("collected_by", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False, index=True),
    )
    op.create_table(
        "catalogue_item",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("action_type", sa.String(24), nullable=False),
        sa.Column("domain", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("payload_sm3", sa.String(64), nullable=False),
        sa.Column("drafted_by", sa.String(64), nullable=False),
        sa.Column("drafted_at", _TS, nullable=False),
        sa.Column("submitted_at", _TS),
        sa.Column("reviewed_by", sa.String(64)),
        sa.Column("reviewed_at", _TS),
        sa.Column("review_opinion", sa.Text),
        sa.Column("published_at", _TS),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
    )
    op.create_table(
        "regulation",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False, unique=True),
        sa.Column("level", sa.String(24), nullable=False),
        sa.Column("issuer", sa.String(100)),
        sa.Column("doc_no", sa.String(100)),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "regulation_version",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("regulation_id", sa.String(64), sa.ForeignKey("regulation.id"), nullable=False, index=True),
        sa.Column("version_label", sa.String(60), nullable=False),
        sa.Column("promulgated_at", sa.Date),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date),
        sa.Column("lighter_than_previous", sa.Boolean, nullable=False),
        sa.Column("source_url", sa.String(300)),
        sa.Column("text_sm3", sa.String(64)),
    )
    op.create_table(
        "regulation_article",
        sa.Column("version_id", sa.String(64), sa.ForeignKey("regulation_version.id"), primary_key=True),
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "seal_key",
        sa.Column("key_id", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(130), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "case_no_counter",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("next_value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("case_no_counter", "seal_key", "regulation_article", "regulation_version", "regulation",
                  "catalogue_item", "idempotency_key", "case_evidence", "case_document", "case_licence",
                  "case_officer", "case_party", "case_deadline", "case_event"):
        op.drop_table(table)
    op.drop_index("ix_penalty_case_status_id", table_name="penalty_case")
    op.drop_index("ix_penalty_case_body_id", table_name="penalty_case")
    op.drop_table("penalty_case")
