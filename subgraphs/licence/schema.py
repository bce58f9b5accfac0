"""Query fields of the licence subgraph and the schema object."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.types import Info

from subgraphs.common.errors import graphql_error
from subgraphs.common.schema import SubgraphSchema
from subgraphs.licence.access_rules import RULES
from subgraphs.licence.context import LicenceContext
from subgraphs.licence.types import LegalEntity, Licence, Person

MAX_IDS = 500


async def licence(info: Info[LicenceContext, None], id: strawberry.ID) -> Licence | None:
    return await Licence.resolve_reference(info, id)


async def licences(info: Info[LicenceContext, None], ids: list[strawberry.ID]) -> list[Licence | None]:
    """Several licences by id, in the order asked (null where unknown); one query for all."""
    if len(ids) > MAX_IDS:
        raise graphql_error("BAD_USER_INPUT", f"at most {MAX_IDS} ids per call")
    return list(await asyncio.gather(*(Licence.resolve_reference(info, i) for i in ids)))


@strawberry.type
class Query:
    licence: Licence | None = strawberry.field(resolver=licence, description="A licence by id.")
    licences: list[Licence | None] = strawberry.field(resolver=licences, description="Licences by id.")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="licence", access=RULES, query=Query, types=[Licence, Person, LegalEntity])
