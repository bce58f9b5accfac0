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


async def _page(info: Info[CasesContext, None], table: Any, conditions: list[ColumnElement[bool]], keys: Any,
                order: Any, first: int | None, after: str | None, view: Any, snapshot_type: Any) -> Page[Any]:
    """One page of a record table: keyset order, exact total, each row decoded into its graph view."""
    size = page_size(first)
    at = position(after)
    base = select(table.id, table.version, table.head_hash, table.snapshot)
    try:
        async with info.context.res.engine.connect() as conn:
            rows, nxt = await keyset_page(conn, base, conditions, ordering(keys, sort_keys(order), table.id),
                                          after=at, limit=size)
            total = len(rows) if nxt is None and at is None else await count_of(conn, table, conditions)
    except ListInputError as exc:
        raise bad_input(exc) from exc
    items = [view.from_stored(Stored(r.id, r.version, r.head_hash, decode(snapshot_type, r.snapshot))) for r in rows]
    return Page(items=items, next_cursor=encode_cursor(nxt) if nxt is not None else None, total=total)


def _filter(value: Any, empty: Any) -> Any:
    try:
        return value.query() if value is not None else empty
    except ListInputError as exc:
        raise bad_input(exc) from exc


async def measure_page(info: Info[CasesContext, None], value: MeasureFilterInput | None,
                       order: list[MeasureOrder] | None, first: int | None, after: str | None,
                       *, body_uscc: str | None = None) -> Page[CoerciveMeasureView]:
    conditions = measure_conditions(_filter(value, MeasureFilter()))
    if body_uscc is not None:
        conditions.append(MeasureRow.body_uscc == body_uscc)
    scope = info.context.case_scope()
    if scope is not None:  # a measure is in scope when its case is
        conditions.append(MeasureRow.case_id.in_(select(CaseRow.id).where(scope)))
    return await _page(info, MeasureRow, conditions, MEASURE_SORT_KEYS, order, first, after,
                       CoerciveMeasureView, CoerciveMeasure)


async def inspection_page(info: Info[CasesContext, None], value: InspectionFilterInput | None,
                          order: list[InspectionOrder] | None, first: int | None, after: str | None,
                          *, body_uscc: str | None = None) -> Page[InspectionView]:
    conditions = inspection_conditions(_filter(value, InspectionFilter()))
    if body_uscc is not None:
        conditions.append(InspectionRow.body_uscc == body_uscc)
    scope = info.context.inspection_scope()
    if scope is not None:
        conditions.append(scope)
    return await _page(info, InspectionRow, conditions, INSPECTION_SORT_KEYS, order, first, after,
                       InspectionView, Inspection)
