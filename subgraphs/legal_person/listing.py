"""`legalEntities(filter, first, after)`: the city registry listed by status, region, category and name.

The filter is run by the registry (QueryEntByCondition), never here: the hub sends the registry's
codes, a region code prefix and the name fragment, and pages by keyset (the last TYSHXYDM of the
page, in an opaque cursor bound to the filter it was issued for). `total` is the registry's exact
count of matches; records that fail validation are left out of `items` and counted in `leftOut`,
so over all pages total = Σ (items + leftOut).

Region codes (GB/T 2260 and the 9/12-digit town and village codes below them) mean everything
below them: 440000 -> prefix 44, 445100 -> 4451, 445102 -> 445102 (the county and its towns),
445102001 -> 445102001.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

import orjson
import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from adapters.soap.market import EntityCriteria
from domain import entities
from subgraphs.common.errors import from_source_error, graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.legal_person.context import LegalPersonContext, remember_representatives
from subgraphs.legal_person.types import LegalEntity
from subgraphs.legal_person.vocabulary import EntityCategory, EntityRegistrationStatus

_REGION = re.compile(r"\d{6}(\d{3}){0,2}")


@strawberry.type(name="LegalEntityPage",
                 description="法人列表分页 (a page of legal entities); pass `nextCursor` as `after` for the next page.")
class LegalEntityPage:
    items: list[LegalEntity] = strawberry.field(description="本页法人 (the entities of this page)")
    next_cursor: str | None = strawberry.field(
        description="下一页游标 (cursor of the next page), null on the last page")
    total: int = strawberry.field(
        description="总数 (exact number of matching records at the registry, over all pages)")
    left_out: int = strawberry.field(
        description="已剔除 (records of this page the registry returned but that failed validation: left out of "
                    "items, logged as MALFORMED_RECORD); over all pages total = items + leftOut")


@strawberry.input(name="LegalEntityFilter",
                  description="法人查询条件 (legal-entity filter): every condition given must hold (AND); none given "
                              "lists the whole city registry.")
class LegalEntityFilter:
    statuses: list[EntityRegistrationStatus] | None = strawberry.field(
        default=None, description="登记状态 (registration status): any of these")
    region_code: str | None = strawberry.field(
        default=None, description="行政区划 (administrative division code): a province, city, county, town or "
                                  "village code, including everything below it (445100 = all of 潮州市)")
    category: EntityCategory | None = strawberry.field(
        default=None, description="主体类别 (subject category), e.g. INDIVIDUAL_BUSINESS = 个体工商户")
    name_contains: str | None = strawberry.field(
        default=None, description="名称包含 (a fragment the registered name contains)")

    def criteria(self) -> EntityCriteria:
        name = (self.name_contains or "").strip() or None
        return EntityCriteria(
            statuses=tuple(s.domain() for s in dict.fromkeys(self.statuses or ())),
            category=self.category.label if self.category is not None else None,
            region_prefix=None if self.region_code is None else region_prefix(self.region_code),
            name_contains=name,
        )


def region_prefix(code: str) -> str:
    """The prefix every code below `code` starts with; BAD_USER_INPUT for anything not a region code."""
    code = code.strip()
    if not _REGION.fullmatch(code):
        raise graphql_error("BAD_USER_INPUT", "regionCode must be a 6-, 9- or 12-digit administrative division code",
                            argument="filter.regionCode")
    while len(code) > 6 and code.endswith("000"):
        code = code[:-3]
    if len(code) == 6:
        code = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    if code in ("", "00"):
        raise graphql_error("BAD_USER_INPUT", "regionCode names no region", argument="filter.regionCode")
    return code


def _fingerprint(criteria: EntityCriteria) -> str:
    canonical = orjson.dumps([sorted(s.value for s in criteria.statuses), criteria.category, criteria.region_prefix,
                              criteria.name_contains])
    return hashlib.sha256(canonical).hexdigest()[:16]


async def legal_entities(
    info: Info[LegalPersonContext, None],
    filter: Annotated[LegalEntityFilter | None, strawberry.argument(
        description="查询条件 (filter): status, region, category, name; omitted = the whole city registry")] = None,
    first: Annotated[int | None, strawberry.argument(
        description="每页条数 (page size), 1 to 1000, default 20")] = None,
    after: Annotated[str | None, strawberry.argument(
        description="游标 (cursor): the `nextCursor` of the previous page, with the same filter")] = None,
) -> LegalEntityPage:
    ctx = info.context
    size = page_size(first)
    criteria = (filter or LegalEntityFilter()).criteria()
    fingerprint = _fingerprint(criteria)
    start: str | None = None
    if after is not None:
        position = decode_cursor(after)
        key = position.get("k")
        if not isinstance(key, str) or not key or position.get("f") != fingerprint:
            raise graphql_error("BAD_USER_INPUT", "invalid cursor for this filter", argument="after")
        start = key
    try:
        listing = await ctx.city.select(criteria, after=start, limit=size)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    found = [r for r in listing.records if isinstance(r, entities.LegalEntity)]
    await remember_representatives(ctx.vault, found, ctx.rep_hashes)
    cursor = encode_cursor({"k": listing.last_code, "f": fingerprint}) if listing.more and listing.last_code else None
    return LegalEntityPage(items=[LegalEntity.from_domain(e, ctx.rep_hashes) for e in found], next_cursor=cursor,
                           total=listing.total, left_out=len(listing.records) - len(found))
