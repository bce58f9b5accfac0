"""Query fields of the licence subgraph and the schema object."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.common.errors import graphql_error
from subgraphs.common.schema import SubgraphSchema
from subgraphs.licence.access_rules import RULES
from subgraphs.licence.context import LicenceContext
from subgraphs.licence.search import LicencePage, search_licences
from subgraphs.licence.types import LegalEntity, Licence, Person

MAX_IDS = 500


async def licence(
    info: Info[LicenceContext, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="证照标识 (licence id)")],
) -> Licence | None:
    return await Licence.resolve_reference(info, id)


async def licences(
    info: Info[LicenceContext, None],
    ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"证照标识 (licence ids), at most {MAX_IDS}")],
) -> list[Licence | None]:
    """Several licences by id, in the order asked (null where unknown); one query for all."""
    if len(ids) > MAX_IDS:
        raise graphql_error("BAD_USER_INPUT", f"at most {MAX_IDS} ids per call")
    return list(await asyncio.gather(*(Licence.resolve_reference(info, i) for i in ids)))


@strawberry.type(description="行政许可查询 (licence queries)")
class Query:
    licence: Licence | None = strawberry.field(resolver=licence, description="按标识查询许可 (a licence by id)")
    licences: list[Licence | None] | None = strawberry.field(
        resolver=licences, description="按标识批量查询许可 (licences by id, in the order asked; null where unknown)")
    search_licences: LicencePage | None = strawberry.field(
        resolver=search_licences,
        description="按条件查询许可 (licences listed by filter): status as of today or as recorded, holder, issuing "
                    "authority, category, expiry and validity dates, filtered and counted in SQL by the licensing "
                    "system, a page at a time (up to 1000); ask holderEntity for the holders in the same request.")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="licence", access=RULES, query=Query, types=[Licence, Person, LegalEntity])
