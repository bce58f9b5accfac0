"""Pages of inspections and coercive measures: filter, order and keyset cursor as SQL, exact totals.

A measure is in the caller's scope when its case is; an inspection when its body is (the same
rules as for reading one record).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from strawberry.types import Info

from subgraphs.cases.aggregates import Stored
from subgraphs.cases.codec import decode
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.domain.inspection import Inspection
from subgraphs.cases.filter_inputs import (
    InspectionFilterInput,
    InspectionOrder,
    MeasureFilterInput,
    MeasureOrder,
    bad_input,
    position,
    sort_keys,
)
from subgraphs.cases.listing import (
    INSPECTION_SORT_KEYS,
    MEASURE_SORT_KEYS,
    InspectionFilter,
    ListInputError,
    MeasureFilter,
    count_of,
    inspection_conditions,
    keyset_page,
    measure_conditions,
    ordering,
)
from subgraphs.cases.record_types import CoerciveMeasureView, InspectionView
from subgraphs.cases.rows import CaseRow, InspectionRow, MeasureRow
from subgraphs.common.pagination import Page, encode_cursor, page_size


async def _listed(engine: Any, table: Any, conditions: list[ColumnElement[bool]], keys: Any, order: Any,
                  first: int | None, after: str | None) -> tuple[list[Any], str | None, int]:
    size = page_size(first)
    at = position(after)
    base = select(table.id, table.version, table.head_hash, table.snapshot)
    async with engine.connect() as conn:
        rows, nxt = await keyset_page(conn, base, conditions, ordering(keys, sort_keys(order), table.id),
                                      after=at, limit=size)
        total = len(rows) if nxt is None and at is None else await count_of(conn, table, conditions)
    return rows, encode_cursor(nxt) if nxt is not None else None, total


async def measure_page(info: Info[CasesContext, None], value: MeasureFilterInput | None,
                       order: list[MeasureOrder] | None, first: int | None, after: str | None,
                       *, body_uscc: str | None = None) -> Page[CoerciveMeasureView]:
    try:
        flt = value.query() if value is not None else MeasureFilter()
        conditions = measure_conditions(flt)
        if body_uscc is not None:
            conditions.append(MeasureRow.body_uscc == body_uscc)
        scope = info.context.case_scope()
        if scope is not None:
            conditions.append(MeasureRow.case_id.in_(select(CaseRow.id).where(scope)))
        rows, cursor, total = await _listed(info.context.res.engine, MeasureRow, conditions, MEASURE_SORT_KEYS,
                                            order, first, after)
    except ListInputError as exc:
        raise bad_input(exc) from exc
    items = [CoerciveMeasureView.from_stored(Stored(r.id, r.version, r.head_hash, decode(CoerciveMeasure, r.snapshot)))
             for r in rows]
    return Page(items=items, next_cursor=cursor, total=total)


async def inspection_page(info: Info[CasesContext, None], value: InspectionFilterInput | None,
                          order: list[InspectionOrder] | None, first: int | None, after: str | None,
                          *, body_uscc: str | None = None) -> Page[InspectionView]:
    try:
        flt = value.query() if value is not None else InspectionFilter()
        conditions = inspection_conditions(flt)
        if body_uscc is not None:
            conditions.append(InspectionRow.body_uscc == body_uscc)
        scope = info.context.inspection_scope()
        if scope is not None:
            conditions.append(scope)
        rows, cursor, total = await _listed(info.context.res.engine, InspectionRow, conditions,
                                            INSPECTION_SORT_KEYS, order, first, after)
    except ListInputError as exc:
        raise bad_input(exc) from exc
    items = [InspectionView.from_stored(Stored(r.id, r.version, r.head_hash, decode(Inspection, r.snapshot)))
             for r in rows]
    return Page(items=items, next_cursor=cursor, total=total)
