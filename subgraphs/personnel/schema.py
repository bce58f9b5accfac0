"""Query fields of the personnel subgraph and the schema object.

The searches take a filter input and an order; the arguments of the first version (`namePrefix`,
`regionCode`, `bodyUscc`, `level`, `includeVanished`) still work, ANDed with the filter, and are
marked deprecated in their descriptions.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry.types import Info

from subgraphs.common.pagination import page_size
from subgraphs.common.schema import SubgraphSchema
from subgraphs.personnel.access_rules import RULES, require_records
from subgraphs.personnel.context import PersonnelContext
from subgraphs.personnel.filters import (
    BodyFilter,
    BodyOrder,
    OfficerFilter,
    OfficerOrder,
    body_conditions,
    like_prefix,
    officer_conditions,
)
from subgraphs.personnel.search import EnforcementBodyPage, OfficerPage, body_page, officer_page
from subgraphs.personnel.store import BodyRow, OfficerRow
from subgraphs.personnel.types import EnforcementBody, Officer

_FIRST = "每页条数 — page size, 1 to 1000 (default 20)"
_AFTER = "游标 — the `nextCursor` of the previous page (made for the same filter and order)"


def _deprecated(text: str, instead: str) -> str:
    return f"{text}. Deprecated: use {instead}."


async def enforcement_body(
    info: Info[PersonnelContext, None],
    uscc: Annotated[str, strawberry.argument(description="统一社会信用代码 — the body's USCC")],
) -> EnforcementBody | None:
    return await EnforcementBody.resolve_reference(info, uscc)


async def officer(
    info: Info[PersonnelContext, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="人员编号 — the officer's id")],
) -> Officer | None:
    return await Officer.resolve_reference(info, id)


async def search_enforcement_bodies(
    info: Info[PersonnelContext, None],
    name_prefix: Annotated[str | None, strawberry.argument(
        description=_deprecated("名称前缀 — bodies whose name starts so", "filter.namePrefix"))] = None,
    region_code: Annotated[str | None, strawberry.argument(
        description=_deprecated("行政区划代码 — bodies of exactly this region code", "filter.region"))] = None,
    level: Annotated[str | None, strawberry.argument(
        description=_deprecated("层级 — bodies of this level", "filter.level"))] = None,
    first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
    filter: Annotated[BodyFilter | None, strawberry.argument(description="筛选 — conditions the bodies meet")] = None,
    order_by: Annotated[list[BodyOrder] | None, strawberry.argument(
        description="排序 — sort keys, first the most significant (default: by USCC)")] = None,
) -> EnforcementBodyPage:
    size = page_size(first)
    conditions = body_conditions(filter, info.context.engine.dialect.name)
    if name_prefix:
        conditions.append(BodyRow.name.like(like_prefix(name_prefix), escape="\\"))
    if region_code:
        conditions.append(BodyRow.region_code == region_code)
    if level:
        conditions.append(BodyRow.level == level)
    return await body_page(info.context.engine, conditions, order_by, size, after)


async def search_officers(
    info: Info[PersonnelContext, None],
    name_prefix: Annotated[str | None, strawberry.argument(
        description=_deprecated("姓名前缀 — officers whose name starts so", "filter.namePrefix"))] = None,
    region_code: Annotated[str | None, strawberry.argument(
        description=_deprecated("行政区划代码 — officers of bodies of exactly this region code", "filter.region"))] = None,
    body_uscc: Annotated[str | None, strawberry.argument(
        description=_deprecated("所属执法机构 — officers of this body", "filter.bodies"))] = None,
    include_vanished: Annotated[bool, strawberry.argument(
        description=_deprecated("含已消失 — also officers no longer in the snapshot", "filter.includeVanished"))] = False,
    first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
    filter: Annotated[OfficerFilter | None, strawberry.argument(
        description="筛选 — conditions the officers meet")] = None,
    order_by: Annotated[list[OfficerOrder] | None, strawberry.argument(
        description="排序 — sort keys, first the most significant (default: by id)")] = None,
) -> OfficerPage:
    size = page_size(first)
    if filter is not None and filter.is_legal_reviewer is not None:
        require_records(info.context.caller, "filter.isLegalReviewer")
    if filter is None:
        filter = OfficerFilter(include_vanished=include_vanished)
    elif include_vanished:
        filter.include_vanished = True
    conditions: list[ColumnElement[bool]] = officer_conditions(filter)
    if name_prefix:
        conditions.append(OfficerRow.name.like(like_prefix(name_prefix), escape="\\"))
    if body_uscc:
        conditions.append(OfficerRow.body_uscc == body_uscc)
    if region_code:
        conditions.append(OfficerRow.body_uscc.in_(select(BodyRow.uscc).where(BodyRow.region_code == region_code)))
    return await officer_page(info.context.engine, conditions, order_by, size, after)


@strawberry.type(description="执法主体与人员查询 — enforcement bodies, officers and their certificates")
class Query:
    enforcement_body: EnforcementBody | None = strawberry.field(
        resolver=enforcement_body, description="执法主体 — one enforcement body by USCC; null if unknown")
    officer: Officer | None = strawberry.field(
        resolver=officer, description="执法人员 — one officer by id; null if unknown")
    search_enforcement_bodies: EnforcementBodyPage | None = strawberry.field(
        resolver=search_enforcement_bodies, description=(
            "主体检索 — enforcement bodies matching the filter, in the given order, page by page"))
    search_officers: OfficerPage | None = strawberry.field(
        resolver=search_officers, description=(
            "人员检索 — officers matching the filter, in the given order, page by page; vanished ones only "
            "with includeVanished"))


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="personnel", access=RULES, query=Query, types=[EnforcementBody, Officer])
