"""A legal reviewer's own review assignments (我的评查任务): the files a campaign assigned to the caller.

Reviewers hold ``cases:review`` but not ``supervision:read``: they cannot list campaigns, only what
they were given to score, with its score sheet. The caller is the gateway-verified subject.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.review.store import sampled
from subgraphs.supervision.review_schema import review_file
from subgraphs.supervision.rows import AssignmentRow, CampaignRow
from subgraphs.supervision.types import ReviewFile

MAX_ASSIGNMENTS = 500


@strawberry.type(description="评查任务 — one case file a review campaign assigned to the calling reviewer.")
class ReviewAssignment:
    campaign_id: str = strawberry.field(description="评查活动标识 — the campaign's id")
    campaign_name: str = strawberry.field(description="评查活动 — the campaign's name")
    due_on: date | None = strawberry.field(description="完成期限 — the day the campaign's reviews are due")
    scored: bool = strawberry.field(description="已评分 — whether the caller has scored this file")
    file: ReviewFile = strawberry.field(description="评查案卷 — the file with its score sheet")


async def my_review_assignments(
    info: Info[SupervisionContext, None],
    campaign_id: Annotated[strawberry.ID | None, strawberry.argument(
        description="评查活动标识 — only this campaign's assignments (optional)")] = None,
) -> list[ReviewAssignment]:
    actor = info.context.actor_id
    if not actor:
        return []
    q = (select(AssignmentRow.campaign_id, AssignmentRow.case_id, CampaignRow.name, CampaignRow.due_on)
         .join(CampaignRow, CampaignRow.id == AssignmentRow.campaign_id)
         .where(AssignmentRow.reviewer_id == actor)
         .order_by(CampaignRow.created_at.desc(), AssignmentRow.campaign_id, AssignmentRow.case_id)
         .limit(MAX_ASSIGNMENTS))
    if campaign_id is not None:
        q = q.where(AssignmentRow.campaign_id == str(campaign_id))
    async with info.context.engine.connect() as conn:
        rows = (await conn.execute(q)).all()
    files = {}
    for cid in dict.fromkeys(r.campaign_id for r in rows):
        files.update({(cid, f.case_id): f for f in await sampled(info.context.engine, cid)})
    out = []
    for r in rows:
        f = files.get((r.campaign_id, r.case_id))
        if f is not None:
            out.append(ReviewAssignment(campaign_id=r.campaign_id, campaign_name=r.name, due_on=r.due_on,
                                        scored=actor in f.scored_by, file=review_file(f)))
    return out
