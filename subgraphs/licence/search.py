"""`searchLicences(filter, orderBy, first, after)`: licences listed by filter, run as SQL by the licensing system.

The filter becomes `LicenceCriteria` and the adapter writes it as a WHERE clause over the legacy table
(`adapters.sql.licence_search`): status as of today (the rule of `status_on`), the source's own
status, holder, issuing authority, category, expiry and validity dates. `total` is the database's
exact COUNT; pages are keyset — the cursor holds the last (sort key, id) and a fingerprint of the
filter and order it belongs to, never an offset. Rows that fail validation are left out of `items`
and counted in `leftOut`, so over all pages total = Σ (items + leftOut).
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import Enum
from typing import Annotated

import orjson
import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from adapters.sql.licence_search import LicenceCriteria, LicenceKey, LicenceOrder
from domain import entities
from subgraphs.common.clock import today_in_china
from subgraphs.common.errors import from_source_error, graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.licence.context import LicenceContext
from subgraphs.licence.types import Licence


@strawberry.enum(name="LicenceStatus", description="许可状态 (licence status)")
class LicenceStatusValue(Enum):
    VALID = strawberry.enum_value("VALID", description="有效 (in force)")
    EXPIRED = strawberry.enum_value("EXPIRED", description="失效/过期 (expired: its term has ended)")
    REVOKED = strawberry.enum_value("REVOKED", description="撤销/吊销 (revoked by the authority)")

    def domain(self) -> entities.LicenceStatus:
        return entities.LicenceStatus[self.name]


@strawberry.enum(name="LicenceOrder", description="排序 (order of a licence search); ties broken by id")
class LicenceOrderValue(Enum):
    ID = strawberry.enum_value("ID", description="按证照标识 (by licence id)")
    VALID_TO = strawberry.enum_value(
        "VALID_TO", description="按有效期至 (by validTo, soonest first; licences without one come first)")

    def domain(self) -> LicenceOrder:
        return LicenceOrder[self.name]


@strawberry.type(name="LicencePage",
                 description="许可列表分页 (a page of licences); pass `nextCursor` as `after` for the next page.")
class LicencePage:
    items: list[Licence] = strawberry.field(description="本页许可 (the licences of this page)")
    next_cursor: str | None = strawberry.field(
        description="下一页游标 (cursor of the next page), null on the last page")
    total: int = strawberry.field(
        description="总数 (exact number of matching licences in the licensing system, over all pages)")
    left_out: int = strawberry.field(
        description="已剔除 (rows of this page that failed validation: left out of items, logged as "
                    "MALFORMED_RECORD); over all pages total = items + leftOut")


@strawberry.input(name="LicenceFilter",
                  description="许可查询条件 (licence filter): every condition given must hold (AND); none given lists "
                              "every licence.")
class LicenceFilter:
    statuses: list[LicenceStatusValue] | None = strawberry.field(
        default=None, description="当前状态 (status as of today, any of these): a VALID licence whose validTo has "
                                  "passed counts as EXPIRED, as in Licence.status")
    source_statuses: list[LicenceStatusValue] | None = strawberry.field(
        default=None, description="源系统状态 (status as the licensing system records it, any of these), as in "
                                  "Licence.sourceStatus")
    holder_uscc: str | None = strawberry.field(
        default=None, description="行政相对人统一社会信用代码 (holder's USCC): licences of this entity")
    issuing_authority_uscc: str | None = strawberry.field(
        default=None, description="许可机关统一社会信用代码 (issuing authority's USCC): licences it issued")
    category: str | None = strawberry.field(
        default=None, description="许可类别 (licence category), e.g. 普通 or 特许")
    expiring_before: date | None = strawberry.field(
        default=None, description="有效期至早于 (validTo before this date, exclusive; licences without validTo "
                                  "excluded, 长期 2099-12-31 counts as that date)")
    valid_on: date | None = strawberry.field(
        default=None, description="有效期覆盖 (validity period covers this date: validFrom <= date <= validTo, an "
                                  "absent bound open); combine with statuses to exclude revoked licences")

    def criteria(self, today: date) -> LicenceCriteria:
        return LicenceCriteria(
            today=today,
            statuses=tuple(s.domain() for s in self.statuses or ()),
            source_statuses=tuple(s.domain() for s in self.source_statuses or ()),
            holder_uscc=_code(self.holder_uscc),
            issuing_authority_uscc=_code(self.issuing_authority_uscc),
            category=(self.category or "").strip() or None,
            expiring_before=self.expiring_before,
            valid_on=self.valid_on,
        )


def _code(value: str | None) -> str | None:
    return (value or "").strip().upper() or None


def _fingerprint(criteria: LicenceCriteria, order: LicenceOrder) -> str:
    canonical = orjson.dumps([
        order.value, sorted(s.value for s in criteria.statuses), sorted(s.value for s in criteria.source_statuses),
        criteria.holder_uscc, criteria.issuing_authority_uscc, criteria.category,
        criteria.expiring_before.isoformat() if criteria.expiring_before else None,
        criteria.valid_on.isoformat() if criteria.valid_on else None,
    ])
    return hashlib.sha256(canonical).hexdigest()[:16]


async def search_licences(
    info: Info[LicenceContext, None],
    filter: Annotated[LicenceFilter | None, strawberry.argument(
        description="查询条件 (filter): status, holder, authority, category, dates; omitted = every licence")] = None,
    order_by: Annotated[LicenceOrderValue, strawberry.argument(
        description="排序 (order), by id unless asked otherwise")] = LicenceOrderValue.ID,
    first: Annotated[int | None, strawberry.argument(
        description="每页条数 (page size), 1 to 1000, default 20")] = None,
    after: Annotated[str | None, strawberry.argument(
        description="游标 (cursor): the `nextCursor` of the previous page, with the same filter and order")] = None,
) -> LicencePage:
    ctx = info.context
    size = page_size(first)
    criteria = (filter or LicenceFilter()).criteria(today_in_china())
    order = order_by.domain()
    fingerprint = _fingerprint(criteria, order)
    start: LicenceKey | None = None
    if after is not None:
        position = decode_cursor(after)
        sort, key = position.get("s"), position.get("i")
        if not isinstance(sort, str) or not isinstance(key, str) or position.get("f") != fingerprint:
            raise graphql_error("BAD_USER_INPUT", "invalid cursor for this filter and order", argument="after")
        start = LicenceKey(sort=sort, id=key)
    try:
        page = await ctx.db.search(criteria, order=order, after=start, limit=size)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    found = [r for r in page.records if isinstance(r, entities.Licence)]
    await ctx.remember(found)
    cursor = None if page.last is None else encode_cursor({"s": page.last.sort, "i": page.last.id, "f": fingerprint})
    return LicencePage(items=[Licence.from_domain(lic, ctx.holder_hashes) for lic in found], next_cursor=cursor,
                       total=page.total, left_out=len(page.records) - len(found))
