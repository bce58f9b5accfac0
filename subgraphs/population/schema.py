"""Query fields of the population subgraph and the schema object."""

from __future__ import annotations

import logging
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import MalformedRecord, SourceError
from domain import entities
from domain.entities import IdType
from domain.identifiers import validate_resident_id
from subgraphs.common.errors import from_source_error, graphql_error
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import SubgraphSchema
from subgraphs.population.access_rules import RULES
from subgraphs.population.budget import MIN_PREFIX
from subgraphs.population.context import PopulationContext
from subgraphs.population.types import Person

log = logging.getLogger("subgraphs.population")


def _bad_input(message: str) -> Exception:
    return graphql_error("BAD_USER_INPUT", message)


def _spend(ctx: PopulationContext, kind: str) -> None:
    """Count one look-up or search against the caller's daily budget (`budget`); refuse past it."""
    if ctx.budget is None or ctx.caller is None:
        return  # an unsigned dev call: no caller to count (production refuses unsigned calls)
    if not ctx.budget.take(kind, ctx.caller, ctx.today):
        log.warning("population %s budget spent: subject=%s", kind, ctx.caller)
        raise graphql_error("RATE_LIMITED", f"the daily budget of {kind}s for this caller is spent")


async def person_by_id_number(
    info: Info[PopulationContext, None],
    id_number: Annotated[str, strawberry.argument(
        description="证件号码 — the resident ID number (18 characters, check digit per GB 11643)")],
    id_type: Annotated[IdType, strawberry.argument(
        description="证件类型 — the document type; the population system holds resident ID cards only, so any "
                    "other type answers null")] = IdType.RESIDENT_ID,
) -> Person | None:
    ctx = info.context
    if IdType(id_type) is not ctx.adapter.id_type:
        return None  # the population system holds resident ID numbers only
    check = validate_resident_id(id_number, today=ctx.today)
    if not check.valid:
        codes = ", ".join(p.code.value for p in check.errors)
        raise _bad_input(f"idNumber is not a valid resident ID number ({codes})")
    _spend(ctx, "lookup")
    hashes = await ctx.vault.remember([(IdType(id_type), check.value)], source="lookup")
    try:
        person = await ctx.by_number.load(check.value)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    if person is None:
        return None
    return Person.from_domain(person, hashes[check.value], ctx.today)

async def search_persons(
    info: Info[PopulationContext, None],
    name_prefix: Annotated[str | None, strawberry.argument(
        description="姓名前缀 — the start of the name (at least 2 characters by default; no * inside)")] = None,
    region_code: Annotated[str | None, strawberry.argument(
        description="行政区划 — 6-digit GB/T 2260 code of the household register")] = None,
    first: Annotated[int | None, strawberry.argument(
        description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(
        description="游标 — `nextCursor` of the previous page (same page size)")] = None,
) -> Page[Person]:
    ctx = info.context
    size = page_size(first)
    prefix = (name_prefix or "").strip().rstrip("*")
    if "*" in prefix:
        raise _bad_input("namePrefix must not contain *")
    if region_code is not None and not (region_code.isdigit() and len(region_code) == 6):
        raise _bad_input("regionCode must be a 6-digit GB/T 2260 code")
    if not prefix and not region_code:
        raise _bad_input("give namePrefix, regionCode or both")
    minimum = ctx.budget.min_prefix if ctx.budget is not None else MIN_PREFIX
    if prefix and len(prefix) < minimum:
        raise _bad_input(f"namePrefix needs at least {minimum} characters")
    _spend(ctx, "search")
    upstream_page = 1
    if after is not None:
        position = decode_cursor(after)
        raw = position.get("p")
        if not isinstance(raw, int) or raw < 1 or position.get("s") != size:
            raise _bad_input("invalid cursor for this page size")
        upstream_page = raw
    try:
        if prefix:
            result = await ctx.adapter.search(name_prefix=prefix, page=upstream_page, size=size)
        else:
            result = await ctx.adapter.page(region_code=region_code, page=upstream_page, size=size)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    persons: list[entities.Person] = []
    for record in result.records:
        if isinstance(record, MalformedRecord):
            continue  # already logged (masked) by the adapter
        if prefix and region_code and not _in_region(record.region_code, region_code):
            continue
        persons.append(record)
    hashes = await ctx.vault.remember(((p.id_type, p.id_number) for p in persons), source="population")
    items = [Person.from_domain(p, hashes[p.id_number], ctx.today) for p in persons]
    next_cursor = encode_cursor({"p": upstream_page + 1, "s": size}) if result.has_more else None
    # With both filters the region is applied to each upstream page, so a page may hold fewer items.
    total = result.total if not (prefix and region_code) else None
    return Page(items=items, next_cursor=next_cursor, total=total)


def _in_region(code: str | None, wanted: str) -> bool:
    if code is None:
        return False
    prefix = wanted
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return code.startswith(prefix)


@strawberry.type(description="人口库查询 — population register queries; a signed caller's look-ups and "
                             "searches count against a daily budget")
class Query:
    person_by_id_number: Person | None = strawberry.field(
        resolver=person_by_id_number,
        description="按证件号码查询 — a person by identity document; the answer carries `idNumberHash` for joins.")
    search_persons: Page[Person] | None = strawberry.field(
        resolver=search_persons,
        description="人员检索 — persons by name prefix and/or region code, a page at a time. Records the source "
                    "cannot vouch for (malformed) are left out of the page.")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="population", access=RULES, query=Query, types=[Person])
