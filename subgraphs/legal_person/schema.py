"""Query fields of the legal-person subgraph and the schema object."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from domain import entities
from domain.identifiers import validate_uscc
from subgraphs.common.errors import from_source_error, graphql_error
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import SubgraphSchema
from subgraphs.legal_person.access_rules import RULES
from subgraphs.legal_person.context import LegalPersonContext, remember_representatives
from subgraphs.legal_person.types import LegalEntity


@strawberry.enum(description="Which registry a name search reads")
class RegistryScope(Enum):
    CITY = "CITY"
    NATIONAL = "NATIONAL"


async def legal_entity(info: Info[LegalPersonContext, None], uscc: str) -> LegalEntity | None:
    code = uscc.strip().upper()
    if not validate_uscc(code).valid:
        raise graphql_error("BAD_USER_INPUT", "uscc is not a valid unified social credit code")
    return await LegalEntity.resolve_reference(info, code)


async def search_legal_entities(
    info: Info[LegalPersonContext, None],
    name: str,
    scope: RegistryScope = RegistryScope.CITY,
    first: int | None = None,
    after: str | None = None,
) -> Page[LegalEntity]:
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
        if not isinstance(raw, int) or raw < 1 or position.get("s") != size or position.get("r") != scope.value:
            raise graphql_error("BAD_USER_INPUT", "invalid cursor for this search")
        upstream = raw
    try:
        result = await registry.search(name=fragment, page=upstream, size=size)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    found = [r for r in result.records if isinstance(r, entities.LegalEntity)]
    await remember_representatives(ctx.vault, found, ctx.rep_hashes)
    cursor = encode_cursor({"p": upstream + 1, "s": size, "r": scope.value}) if result.has_more else None
    return Page(items=[LegalEntity.from_domain(e, ctx.rep_hashes) for e in found], next_cursor=cursor,
                total=result.total)


@strawberry.type
class Query:
    legal_entity: LegalEntity | None = strawberry.field(
        resolver=legal_entity, description="A legal entity by USCC, from whichever registry holds it.")
    search_legal_entities: Page[LegalEntity] | None = strawberry.field(
        resolver=search_legal_entities,
        description="Entities whose name contains `name`, a page at a time (malformed records left out).")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="legal_person", access=RULES, query=Query, types=[LegalEntity])
