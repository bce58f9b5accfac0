"""Repeat parties (多次被处罚的当事人): organisations that are party to at least n cases, as SQL.

One GROUP BY over `case_party` (by USCC) within the caller's case scope and the case filter; keyset
pages by USCC; the exact number of such parties as `total`. Natural persons are not listed: a list
of people by ID-number hash is a profile the law does not let a list field build (PIPL); a person's
cases are read from the person (`Person.cases`) when the purpose allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from subgraphs.cases.context import CasesContext
from subgraphs.cases.filter_inputs import CaseFilterInput, case_filter, position
from subgraphs.cases.listing import case_conditions
from subgraphs.cases.queries import cases_by_id
from subgraphs.cases.rows import CasePartyRow, CaseRow
from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import Page, encode_cursor, page_size

if TYPE_CHECKING:
    from subgraphs.cases.types import LegalEntity, PenaltyCase

_LegalEntity = Annotated["LegalEntity", strawberry.lazy("subgraphs.cases.types")]
_PenaltyCase = Annotated["PenaltyCase", strawberry.lazy("subgraphs.cases.types")]

#: the cases listed with one party (its `caseCount` is exact, whatever the list holds)
MAX_CASES_LISTED = 100


@strawberry.type(description="多次被处罚的当事人 — an organisation party to several cases, with those cases.")
class RepeatParty:
    uscc: str = strawberry.field(description="统一社会信用代码 — the party's USCC")
    case_count: int = strawberry.field(description="案件数 — how many of the selected cases it is party to")
    entity: _LegalEntity | None = strawberry.field(description="法人 — the party (registry data, licences, all its cases)")
    cases: list[_PenaltyCase] = strawberry.field(
        description=f"案件 — the selected cases, oldest first (at most {MAX_CASES_LISTED})")


async def repeat_parties(
    info: Info[CasesContext, None],
    min_cases: Annotated[int, strawberry.argument(description="至少案件数 — at least this many cases (2–100)")] = 2,
    filter: Annotated[CaseFilterInput | None, strawberry.argument(
        description="筛选 — count only the cases these conditions select")] = None,
    first: Annotated[int | None, strawberry.argument(description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(description="游标 — nextCursor of the previous page")] = None,
) -> Page[RepeatParty]:
    from subgraphs.cases.types import LegalEntity, PenaltyCase

    if not 2 <= min_cases <= 100:
        raise graphql_error("BAD_USER_INPUT", f"minCases must be between 2 and 100 (got {min_cases})")
    size = page_size(first)
    at = position(after)
    conditions = case_conditions(case_filter(filter))
    scope = info.context.case_scope()
    if scope is not None:
        conditions.append(scope)
    n = func.count(func.distinct(CasePartyRow.case_id))
    grouped = select(CasePartyRow.uscc.label("uscc"), n.label("n")).join(CaseRow, CaseRow.id == CasePartyRow.case_id) \
        .where(CasePartyRow.uscc.is_not(None), *conditions).group_by(CasePartyRow.uscc).having(n >= min_cases)
    page_q = grouped.order_by(CasePartyRow.uscc).limit(size + 1)
    if at is not None:
        page_q = page_q.where(CasePartyRow.uscc > str(at.get("k", "")))
    engine = info.context.res.engine
    async with engine.connect() as conn:
        rows = list((await conn.execute(page_q)).all())
        more = len(rows) > size
        rows = rows[:size]
        total = len(rows) if not more and at is None else int(
            (await conn.execute(select(func.count()).select_from(grouped.subquery()))).scalar_one())
        wanted = [r.uscc for r in rows]
        links: list[Any] = list((await conn.execute(
            select(CasePartyRow.uscc, CaseRow.id).join(CaseRow, CaseRow.id == CasePartyRow.case_id)
            .where(CasePartyRow.uscc.in_(wanted), *conditions).order_by(CaseRow.id))).all()) if wanted else []
    records = await cases_by_id(engine, [r.id for r in links])
    by_party: dict[str, list[Any]] = {}
    for link in links:
        if link.id in records and len(by_party.setdefault(link.uscc, [])) < MAX_CASES_LISTED:
            by_party[link.uscc].append(PenaltyCase.from_record(records[link.id]))
    items = [RepeatParty(uscc=r.uscc, case_count=int(r.n), entity=LegalEntity(uscc=r.uscc),
                         cases=by_party.get(r.uscc, [])) for r in rows]
    return Page(items=items, next_cursor=encode_cursor({"k": rows[-1].uscc}) if more and rows else None, total=total)
