"""Query fields of the personnel subgraph and the schema object."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import SubgraphSchema
from subgraphs.personnel.access_rules import RULES
from subgraphs.personnel.context import PersonnelContext
from subgraphs.personnel.store import BodyRow, OfficerRow
from subgraphs.personnel.types import EnforcementBody, Officer


def _after(after: str | None) -> str | None:
    if after is None:
        return None
    key = decode_cursor(after).get("k")
    if not isinstance(key, str):
        raise graphql_error("BAD_USER_INPUT", "invalid cursor")
    return key


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def enforcement_body(info: Info[PersonnelContext, None], uscc: str) -> EnforcementBody | None:
    return await EnforcementBody.resolve_reference(info, uscc)


async def officer(info: Info[PersonnelContext, None], id: strawberry.ID) -> Officer | None:
    return await Officer.resolve_reference(info, id)


async def _total(session: AsyncSession, stmt: Any) -> int:
    """Rows matching a search's filters, whatever the page (the statement without its order and limit)."""
    filtered = stmt.order_by(None).limit(None)
    return int((await session.execute(select(func.count()).select_from(filtered.subquery()))).scalar_one())


async def search_enforcement_bodies(
    info: Info[PersonnelContext, None], name_prefix: str | None = None, region_code: str | None = None,
    level: str | None = None, first: int | None = None, after: str | None = None,
) -> Page[EnforcementBody]:
    size = page_size(first)
    stmt: Any = select(BodyRow).order_by(BodyRow.uscc).limit(size + 1)
    if name_prefix:
        stmt = stmt.where(BodyRow.name.like(_like(name_prefix), escape="\\"))
    if region_code:
        stmt = stmt.where(BodyRow.region_code == region_code)
    if level:
        stmt = stmt.where(BodyRow.level == level)
    key = _after(after)
    counted = stmt
    if key is not None:
        stmt = stmt.where(BodyRow.uscc > key)
    async with AsyncSession(info.context.engine) as session:
        rows = list((await session.scalars(stmt)).all())
        total = await _total(session, counted)
    more = len(rows) > size
    rows = rows[:size]
    cursor = encode_cursor({"k": rows[-1].uscc}) if more and rows else None
    return Page(items=[EnforcementBody.from_row(r) for r in rows], next_cursor=cursor, total=total)


async def search_officers(
    info: Info[PersonnelContext, None], name_prefix: str | None = None, region_code: str | None = None,
    body_uscc: str | None = None, include_vanished: bool = False, first: int | None = None, after: str | None = None,
) -> Page[Officer]:
    size = page_size(first)
    stmt: Any = select(OfficerRow).order_by(OfficerRow.id).limit(size + 1)
    if name_prefix:
        stmt = stmt.where(OfficerRow.name.like(_like(name_prefix), escape="\\"))
    if body_uscc:
        stmt = stmt.where(OfficerRow.body_uscc == body_uscc)
    if region_code:
        stmt = stmt.join(BodyRow, BodyRow.uscc == OfficerRow.body_uscc).where(BodyRow.region_code == region_code)
    if not include_vanished:
        stmt = stmt.where(OfficerRow.vanished_at.is_(None))
    key = _after(after)
    counted = stmt
    if key is not None:
        stmt = stmt.where(OfficerRow.id > key)
    async with AsyncSession(info.context.engine) as session:
        rows = list((await session.scalars(stmt)).all())
        total = await _total(session, counted)
    more = len(rows) > size
    rows = rows[:size]
    cursor = encode_cursor({"k": rows[-1].id}) if more and rows else None
    return Page(items=[Officer.from_row(r) for r in rows], next_cursor=cursor, total=total)


@strawberry.type
class Query:
    enforcement_body: EnforcementBody | None = strawberry.field(resolver=enforcement_body)
    officer: Officer | None = strawberry.field(resolver=officer)
    search_enforcement_bodies: Page[EnforcementBody] | None = strawberry.field(
        resolver=search_enforcement_bodies, description="Bodies by name prefix, region and level, by USCC order.")
    search_officers: Page[Officer] | None = strawberry.field(
        resolver=search_officers, description="Officers by name prefix, region or body; vanished ones on request.")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="personnel", access=RULES, query=Query, types=[EnforcementBody, Officer])
