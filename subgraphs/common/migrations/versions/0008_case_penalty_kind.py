"""case_penalty_kind: the penalty kinds (《行政处罚法》第九条) of each decided case, for grouped statistics.

One row per (case, kind) of the case's decision, kept by the case store with the snapshot; existing
cases are indexed from their stored snapshots here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _kinds(snapshot: Any) -> list[str]:
    if isinstance(snapshot, str):
        snapshot = json.loads(snapshot)
    decision = (snapshot or {}).get("decision") or {}
    return sorted({str(k) for k in (decision.get("proposal") or {}).get("kinds") or []})


def upgrade() -> None:
    table = op.create_table(
        "case_penalty_kind",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("penalty_case.id"), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
    )
    op.create_index("ix_case_penalty_kind_kind", "case_penalty_kind", ["kind"])
    bind = op.get_bind()
    cases = sa.table("penalty_case", sa.column("id", sa.String), sa.column("snapshot", sa.JSON))
    rows = [{"case_id": case_id, "kind": kind}
            for case_id, snapshot in bind.execute(sa.select(cases.c.id, cases.c.snapshot))
            for kind in _kinds(snapshot)]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_case_penalty_kind_kind", table_name="case_penalty_kind")
    op.drop_table("case_penalty_kind")
