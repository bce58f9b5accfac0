"""Query fields of the legal-person subgraph and the schema object."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from domain import entities
from domain.identifiers import validate_uscc
from subgraphs.common.errors import from_source_error, graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import SubgraphSchema
from subgraphs.legal_person.access_rules import RULES
from subgraphs.legal_person.context import LegalPersonContext, remember_representatives
from subgraphs.legal_person.listing import LegalEntityPage, legal_entities
from subgraphs.legal_person.types import LegalEntity
from subgraphs.legal_person.vocabulary import RegistrationStatus


@strawberry.enum(description="查询范围 (registry scope): which registry a name search reads")
class RegistryScope(Enum):
    CITY = strawberry.enum_value("CITY", description="市法人库 (the city market-regulation registry, SOAP)")
    NATIONAL = strawberry.enum_value(
        "NATIONAL", description="全国法人库 (the national enterprise credit registry, REST)")


async def legal_entity(
    info: Info[LegalPersonContext, None],
    uscc: Annotated[str, strawberry.argument(description="统一社会信用代码 (unified social credit code, 18 characters)")],
) -> LegalEntity | None:
    code = uscc.strip().upper()
    if not validate_uscc(code).valid:
        raise graphql_error("BAD_USER_INPUT", "uscc is not a valid unified social credit code")
    return await LegalEntity.resolve_reference(info, code)


async def search_legal_entities(
    info: Info[LegalPersonContext, None],
    name: Annotated[str, strawberry.argument(description="名称包含 (a fragment the registered name contains)")],
    scope: Annotated[RegistryScope, strawberry.argument(
        description="查询范围 (which registry to search), the city's by default")] = RegistryScope.CITY,
    first: Annotated[int | None, strawberry.argument(
        description="每页条数 (page size), at most the registry's page limit (50), default 20")] = None,
    after: Annotated[str | None, strawberry.argument(
        description="游标 (cursor): the `nextCursor` of the previous page of the same search")] = None,
) -> LegalEntityPage:
    ctx = info.context
    registry = ctx.city if scope is RegistryScope.CITY else ctx.national
    size = min(page_size(first), registry.page_size_limit)
    fragment = name.strip()
    if not fragment:
        raise graphql_error("BAD_USER_INPUT", "name must not be empty")
    upstream = 1
    if after is not None:
        position = decode_cursor(after)
        raw = position.get("p")
        if not isinstance(raw, int) or raw < 1 or position.get("s") != size or position.get("r") != scope.name:
            raise graphql_error("BAD_USER_INPUT", "invalid cursor for this search")
        upstream = raw
    try:
        result = await registry.search(name=fragment, page=upstream, size=size)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    found = [r for r in result.records if isinstance(r, entities.LegalEntity)]
    await remember_representatives(ctx.vault, found, ctx.rep_hashes)
    cursor = encode_cursor({"p": upstream + 1, "s": size, "r": scope.name}) if result.has_more else None
    return LegalEntityPage(items=[LegalEntity.from_domain(e, ctx.rep_hashes) for e in found], next_cursor=cursor,
                           total=result.total, left_out=len(result.records) - len(found))


@strawberry.type(description="法人库查询 (legal-person registry queries)")
class Query:
    legal_entity: LegalEntity | None = strawberry.field(
        resolver=legal_entity,
        description="按代码查询法人 (a legal entity by USCC), from whichever registry holds it: the city's for codes "
                    "registered in 潮州 (4451…), else the national one.")
    search_legal_entities: LegalEntityPage | None = strawberry.field(
        resolver=search_legal_entities,
        description="按名称查询法人 (entities whose name contains `name`), a page at a time from the chosen registry "
                    "(malformed records left out and counted in leftOut).")
    legal_entities: LegalEntityPage | None = strawberry.field(
        resolver=legal_entities,
        description="按条件列出法人 (legal entities of the city registry listed by filter): 登记状态, 行政区划 "
                    "(including everything below), 主体类别 and name, filtered and counted by the registry, in USCC "
                    "order, a page at a time (up to 1000).")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="legal_person", access=RULES, query=Query,
                          types=[LegalEntity, RegistrationStatus])
