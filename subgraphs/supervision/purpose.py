"""Need-to-know for clear reads during case-file review (案卷评查, DOMAIN.md §9, §10.3).

The gateway asks this field whether a CASE_FILE_REVIEW purpose, stated with ``x-purpose-ref:
case:<id>``, is bound for the caller: it is when a review campaign assigned the caller (the
gateway-verified subject) as a reviewer of that case file. Anything else binds nothing; the
answer says why, without personal data.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.rows import AssignmentRow

__all__ = ["ReviewPurposeCheck", "review_purpose_binding"]


@strawberry.type(description=(
    "评查目的核验 — whether a CASE_FILE_REVIEW purpose is bound to a review assignment of the caller."))
class ReviewPurposeCheck:
    granted: bool = strawberry.field(
        description="是否准予 — true when the caller is an assigned reviewer of the referenced case file")
    reason: str = strawberry.field(description="理由 — why the purpose is or is not bound (no personal data)")


async def review_purpose_binding(
    info: Info[SupervisionContext, None],
    purpose: Annotated[str, strawberry.argument(
        description="目的 — the stated purpose code; only CASE_FILE_REVIEW can be bound here")],
    ref: Annotated[str, strawberry.argument(
        description="目的引用 — what the purpose refers to, as case:<case id> (the x-purpose-ref header)")],
) -> ReviewPurposeCheck:
    ctx = info.context
    if purpose != "CASE_FILE_REVIEW":
        return ReviewPurposeCheck(granted=False, reason=f"{purpose} is not bound by review assignments")
    kind, _, case_id = ref.partition(":")
    if kind != "case" or not case_id or len(case_id) > 64:
        return ReviewPurposeCheck(granted=False, reason="ref must be case:<id>")
    if not ctx.actor_id:
        return ReviewPurposeCheck(granted=False, reason="only a named caller can be a reviewer")
    async with ctx.engine.connect() as conn:
        found = (await conn.execute(select(AssignmentRow.campaign_id).where(
            AssignmentRow.case_id == case_id, AssignmentRow.reviewer_id == ctx.actor_id).limit(1))).first()
    if found is None:
        return ReviewPurposeCheck(granted=False, reason="the caller is not assigned to review this case file")
    return ReviewPurposeCheck(granted=True, reason="assigned reviewer of the case file")
