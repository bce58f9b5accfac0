"""Coercive measures of a case in the store (DOMAIN.md §6.1): the record kind and its reads.

A measure is created by `ApproveMeasure` or `ApplyEmergencyMeasure` for an existing case of the
same enforcement body; every later command names the measure. Writes go through `RecordStore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.aggregates import RecordKind, RecordStore, StepResult, Stored
from subgraphs.cases.codec import decode
from subgraphs.cases.domain.clock import local_date
from subgraphs.cases.domain.coercive import (
    ApplyEmergencyMeasure,
    ApproveMeasure,
    CoerciveMeasure,
    MeasureCommand,
    apply_measure,
)
from subgraphs.cases.errors import BadInput, CaseNotFound
from subgraphs.cases.outbox.records import measure_data
from subgraphs.cases.rows import AggregateDeadlineRow, CaseRow, MeasureRow
from subgraphs.cases.service import Idempotency


def _columns(m: CoerciveMeasure) -> dict[str, Any]:
    return {"case_id": m.case_id, "body_uscc": m.body_id, "kind": m.kind.value, "state": m.state.value,
            "region_code": m.region_code, "item_code": m.item_code,
            "started_on": local_date(m.started_at) if m.started_at is not None else None,
            "term_due": m.term.due if m.term is not None else None}


MEASURE: RecordKind[CoerciveMeasure] = RecordKind(
    name="coercive_measure", label="coercive measure", table=MeasureRow, snapshot_type=CoerciveMeasure,
    machine=apply_measure, record_id=lambda m: m.measure_id, state=lambda m: m.state.value, columns=_columns,
    outbound=measure_data,
)

Creating = ApproveMeasure | ApplyEmergencyMeasure


async def register_measure(store: RecordStore, command: Creating, *,
                           idempotency: Idempotency | None = None) -> StepResult[CoerciveMeasure]:
    """Create a measure for its case; the case must exist and belong to the measure's body."""
    async with store.engine.connect() as conn:
        body = (await conn.execute(select(CaseRow.body_uscc).where(CaseRow.id == command.case_id))).scalar()
    if body is None:
        raise CaseNotFound(command.case_id)
    if body != command.body_id:
        raise BadInput(f"case {command.case_id} belongs to body {body}, not {command.body_id}")
    return await store.execute(MEASURE, command, idempotency=idempotency)


async def apply_to_measure(store: RecordStore, measure_id: str, command: MeasureCommand, *,
                           expected_version: int | None = None,
                           idempotency: Idempotency | None = None) -> StepResult[CoerciveMeasure]:
    if isinstance(command, Creating):
        raise BadInput(f"{type(command).__name__} creates a measure; it does not apply to one")
    return await store.execute(MEASURE, command, record_id=measure_id, expected_version=expected_version,
                               idempotency=idempotency)


async def measures_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[Stored[CoerciveMeasure]]]:
    """The measures of each case, oldest first (ids are time-ordered UUIDv7)."""
    out: dict[str, list[Stored[CoerciveMeasure]]] = {}
    if not case_ids:
        return out
    async with engine.connect() as conn:
        rows = (await conn.execute(select(MeasureRow.id, MeasureRow.case_id, MeasureRow.version,
                                          MeasureRow.head_hash, MeasureRow.snapshot)
                                   .where(MeasureRow.case_id.in_(list(case_ids)))
                                   .order_by(MeasureRow.case_id, MeasureRow.id))).all()
    for r in rows:
        out.setdefault(r.case_id, []).append(
            Stored(r.id, r.version, r.head_hash, decode(CoerciveMeasure, r.snapshot)))
    return out


async def record_deadlines(engine: AsyncEngine, kind: str, record_id: str) -> list[Any]:
    """The deadline rows set for one record, in the order they were set."""
    d = AggregateDeadlineRow
    async with engine.connect() as conn:
        return list((await conn.execute(select(*d.__table__.c).where(
            d.aggregate_type == kind, d.aggregate_id == record_id).order_by(d.id))).all())
