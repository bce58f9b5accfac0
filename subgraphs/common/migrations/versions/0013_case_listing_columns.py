"""Query columns for the graph's list filters: a case's closing day, a measure's region, item, start
and last day of term, an inspection's region and check day — filled from the stored snapshots.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_CHINA = timezone(timedelta(hours=8))

_COLUMNS: dict[str, list[sa.Column[Any]]] = {
    "penalty_case": [sa.Column("closed_at", sa.Date, nullable=True)],
    "coercive_measure": [sa.Column("region_code", sa.String(12), nullable=True),
                         sa.Column("item_code", sa.String(40), nullable=True),
                         sa.Column("started_on", sa.Date, nullable=True),
                         sa.Column("term_due", sa.Date, nullable=True)],
    "inspection": [sa.Column("region_code", sa.String(12), nullable=True),
                   sa.Column("checked_on", sa.Date, nullable=True)],
}


def _snapshot(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def _day(value: Any) -> date | None:
    """A stored date, or the China-local day of a stored instant (ISO 8601 with offset)."""
    if not value:
        return None
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text).astimezone(_CHINA).date()


def _backfill(conn: sa.Connection) -> None:
    """Fill the new columns of rows written before this revision (the snapshot holds every value)."""
    meta = sa.MetaData()
    case_t = sa.Table("penalty_case", meta, autoload_with=conn)
    measure_t = sa.Table("coercive_measure", meta, autoload_with=conn)
    inspection_t = sa.Table("inspection", meta, autoload_with=conn)
    for row in conn.execute(sa.select(case_t.c.id, case_t.c.snapshot)).all():
        closure = _snapshot(row.snapshot).get("closure") or {}
        if closure.get("closed_on"):
            conn.execute(case_t.update().where(case_t.c.id == row.id).values(closed_at=_day(closure["closed_on"])))
    for row in conn.execute(sa.select(measure_t.c.id, measure_t.c.snapshot)).all():
        snap = _snapshot(row.snapshot)
        conn.execute(measure_t.update().where(measure_t.c.id == row.id).values(
            region_code=snap.get("region_code"), item_code=snap.get("item_code"),
            started_on=_day(snap.get("started_at")), term_due=_day((snap.get("term") or {}).get("due"))))
    for row in conn.execute(sa.select(inspection_t.c.id, inspection_t.c.snapshot)).all():
        snap = _snapshot(row.snapshot)
        conn.execute(inspection_t.update().where(inspection_t.c.id == row.id).values(
            region_code=snap.get("region_code"), checked_on=_day(snap.get("checked_at"))))


def upgrade() -> None:
    # plain ADD COLUMN (nullable): no table copy, so SQLite keeps the tables that reference these ones
    for table, columns in _COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    _backfill(op.get_bind())
    op.create_index("ix_penalty_case_decided_at", "penalty_case", ["decided_at"])
    op.create_index("ix_coercive_measure_term_due", "coercive_measure", ["state", "term_due"])


def downgrade() -> None:
    op.drop_index("ix_coercive_measure_term_due", "coercive_measure")
    op.drop_index("ix_penalty_case_decided_at", "penalty_case")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in _COLUMNS.items():
        for column in columns:
            if sqlite:  # SQLite 3.35+ drops a column in place; a batch copy would break the foreign keys
                op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column.name}"')
            else:
                op.drop_column(table, column.name)
