"""Administrative inspections in the store (DOMAIN.md §7): the record kind and the body's pages.

An inspection is created by `PlanInspection`; every later command names it. Writes go through
`RecordStore`, with the same chain, version and idempotency discipline as cases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.aggregates import RecordKind, RecordStore, StepResult, Stored
from subgraphs.cases.codec import decode
from subgraphs.cases.domain.clock import local_date
from subgraphs.cases.domain.inspection import Inspection, InspectionCommand, PlanInspection, apply_inspection
from subgraphs.cases.errors import BadInput
from subgraphs.cases.outbox.records import inspection_data
from subgraphs.cases.rows import InspectionRow
from subgraphs.cases.service import Idempotency


def _columns(i: Inspection) -> dict[str, Any]:
    return {"body_uscc": i.body_id, "item_code": i.item_code, "state": i.state.value, "region_code": i.region_code,
            "checked_on": local_date(i.checked_at) if i.checked_at is not None else None}


INSPECTION: RecordKind[Inspection] = RecordKind(
    name="inspection", label="inspection", table=InspectionRow, snapshot_type=Inspection,
    machine=apply_inspection, record_id=lambda i: i.inspection_id, state=lambda i: i.state.value, columns=_columns,
    outbound=inspection_data,
)


async def plan_inspection(store: RecordStore, command: PlanInspection, *,
                          idempotency: Idempotency | None = None) -> StepResult[Inspection]:
    return await store.execute(INSPECTION, command, idempotency=idempotency)


async def apply_to_inspection(store: RecordStore, inspection_id: str, command: InspectionCommand, *,
                              expected_version: int | None = None,
                              idempotency: Idempotency | None = None) -> StepResult[Inspection]:
    if isinstance(command, PlanInspection):
        raise BadInput("PlanInspection creates an inspection; it does not apply to one")
    return await store.execute(INSPECTION, command, record_id=inspection_id, expected_version=expected_version,
                               idempotency=idempotency)


async def inspections_page(engine: AsyncEngine, body_uscc: str | None, *, after_id: str | None,
                           limit: int, scope: ColumnElement[bool] | None = None) -> list[Stored[Inspection]]:
    """Inspections (of one body, or all; those `scope` selects) in id order after `after_id`."""
    query = select(InspectionRow.id, InspectionRow.version, InspectionRow.head_hash, InspectionRow.snapshot)
    if scope is not None:
        query = query.where(scope)
    if body_uscc is not None:
        query = query.where(InspectionRow.body_uscc == body_uscc)
    if after_id is not None:
        query = query.where(InspectionRow.id > after_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(InspectionRow.id).limit(limit))).all()
    return [Stored(r.id, r.version, r.head_hash, decode(Inspection, r.snapshot)) for r in rows]
