"""Officer and body searches as SQL: the filter's WHERE, the order's ORDER BY, keyset pages, exact totals.

`total` is a COUNT over the same conditions without the cursor, so it is the same on every page; the
page is LIMIT size + 1 rows after the cursor (the extra row only says whether there is a next page).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from subgraphs.personnel import keyset
from subgraphs.personnel.filters import (
    LEVELS,
    BodyOrder,
    BodyOrderField,
    OfficerOrder,
    OfficerOrderField,
    SortDirection,
)
from subgraphs.personnel.keyset import SortKey
from subgraphs.personnel.store import BodyRow, OfficerRow
from subgraphs.personnel.types import EnforcementBody, Officer

_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_LEVEL_COLUMN = case(_LEVEL_RANK, value=BodyRow.level, else_=len(LEVELS))


@strawberry.type(description="人员分页 — one page of an officer search; pass `nextCursor` as `after` for the next")
class OfficerPage:
    items: list[Officer] = strawberry.field(description="本页人员 — the officers of this page, in the search's order")
    next_cursor: str | None = strawberry.field(description="下页游标 — the cursor of the next page; null on the last")
    total: int = strawberry.field(description="总数 — how many officers match the filter, the same on every page")


@strawberry.type(description="主体分页 — one page of a body search; pass `nextCursor` as `after` for the next")
class EnforcementBodyPage:
    items: list[EnforcementBody] = strawberry.field(description="本页主体 — the bodies of this page, in order")
    next_cursor: str | None = strawberry.field(description="下页游标 — the cursor of the next page; null on the last")
    total: int = strawberry.field(description="总数 — how many bodies match the filter, the same on every page")


def officer_keys(orders: Sequence[OfficerOrder] | None) -> list[SortKey]:
    keys: list[SortKey] = []
    for order in orders or ():
        desc = order.direction is SortDirection.DESC
        if order.field is OfficerOrderField.NAME:
            keys.append(SortKey("NAME", OfficerRow.name, desc, lambda r: str(r.name)))
        else:
            keys.append(SortKey("ID", OfficerRow.id, desc, lambda r: str(r.id)))
    if not any(k.name == "ID" for k in keys):
        keys.append(SortKey("ID", OfficerRow.id, False, lambda r: str(r.id)))
    return _until_unique(keys, "ID")


def body_keys(orders: Sequence[BodyOrder] | None) -> list[SortKey]:
    keys: list[SortKey] = []
    for order in orders or ():
        desc = order.direction is SortDirection.DESC
        if order.field is BodyOrderField.NAME:
            keys.append(SortKey("NAME", BodyRow.name, desc, lambda r: str(r.name)))
        elif order.field is BodyOrderField.LEVEL:
            keys.append(SortKey("LEVEL", _LEVEL_COLUMN, desc, lambda r: _LEVEL_RANK.get(r.level, len(LEVELS)), int))
        else:
            keys.append(SortKey("USCC", BodyRow.uscc, desc, lambda r: str(r.uscc)))
    if not any(k.name == "USCC" for k in keys):
        keys.append(SortKey("USCC", BodyRow.uscc, False, lambda r: str(r.uscc)))
    return _until_unique(keys, "USCC")


def _until_unique(keys: list[SortKey], unique: str) -> list[SortKey]:
    """Drop repeated fields and everything after the unique one (it already orders every row)."""
    out: list[SortKey] = []
    for key in keys:
        if any(k.name == key.name for k in out):
            continue
        out.append(key)
        if key.name == unique:
            break
    return out


async def _page(engine: AsyncEngine, entity: Any, conditions: list[ColumnElement[bool]], keys: list[SortKey],
                default: list[SortKey], size: int, after: str | None) -> tuple[list[Any], str | None, int]:
    stmt = select(entity).where(*conditions)
    if after is not None:
        stmt = stmt.where(keyset.after(keys, keyset.position(keys, after, default=default)))
    stmt = stmt.order_by(*keyset.order_by(keys)).limit(size + 1)
    counted = select(func.count()).select_from(entity).where(*conditions)
    async with AsyncSession(engine) as session:
        rows = list((await session.scalars(stmt)).all())
        total = int((await session.execute(counted)).scalar_one())
    more = len(rows) > size
    rows = rows[:size]
    return rows, (keyset.cursor(keys, rows[-1]) if more and rows else None), total


async def officer_page(engine: AsyncEngine, conditions: list[ColumnElement[bool]],
                       orders: Sequence[OfficerOrder] | None, size: int, after: str | None) -> OfficerPage:
    rows, cursor, total = await _page(engine, OfficerRow, conditions, officer_keys(orders), officer_keys(None),
                                      size, after)
    return OfficerPage(items=[Officer.from_row(r) for r in rows], next_cursor=cursor, total=total)


async def body_page(engine: AsyncEngine, conditions: list[ColumnElement[bool]],
                    orders: Sequence[BodyOrder] | None, size: int, after: str | None) -> EnforcementBodyPage:
    rows, cursor, total = await _page(engine, BodyRow, conditions, body_keys(orders), body_keys(None), size, after)
    return EnforcementBodyPage(items=[EnforcementBody.from_row(r) for r in rows], next_cursor=cursor, total=total)
