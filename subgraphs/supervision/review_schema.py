"""Review campaign (案卷评查) fields: create a campaign, score a file as its reviewer, mark it rectified.

Mutations need an identity (the dev header until the gateway's signed context lands); the scorer
is always the caller, so one reviewer cannot score in another's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.common.errors import graphql_error
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.errors import CampaignError, SupervisionError
from subgraphs.supervision.review.inputs import case_findings, legal_reviewers
from subgraphs.supervision.review.store import (
    ScoredFile,
    create_campaign,
    mark_rectified,
    sampled,
    score_file,
)
from subgraphs.supervision.rows import CampaignRow
from subgraphs.supervision.types import ReviewFile

MAX_PER_BODY = 1_000
MAX_CAMPAIGNS = 200


def _file(f: ScoredFile) -> ReviewFile:
    return ReviewFile(case_id=f.case_id, body_id=f.body_id, reviewers=f.reviewers, vetoes=f.vetoes, total=f.total,
                      grade=f.grade, rectification_due=f.rectification_due, rectified_at=f.rectified_at)


async def _files(root: ReviewCampaign, info: Info[SupervisionContext, None]) -> list[ReviewFile]:
    return [_file(f) for f in await sampled(info.context.engine, str(root.id))]


@strawberry.type(description="A review campaign: a seeded stratified sample of closed case files.")
class ReviewCampaign:
    id: strawberry.ID
    name: str
    seed: int
    per_body: int
    reviewers_per_case: int
    due_on: date | None
    created_by: str
    created_at: datetime
    files: list[ReviewFile] = strawberry.field(resolver=_files)


@strawberry.input
class PartDeduction:
    part: str = strawberry.field(description="scoring part A–G")
    points: int


def _campaign(row: Any) -> ReviewCampaign:
    """From a row of `select(CampaignRow)` on a connection (its columns by name)."""
    return ReviewCampaign(id=strawberry.ID(row.id), name=row.name, seed=row.seed, per_body=row.per_body,
                          reviewers_per_case=row.reviewers_per_case, due_on=row.due_on, created_by=row.created_by,
                          created_at=row.created_at)


async def review_campaigns(info: Info[SupervisionContext, None]) -> list[ReviewCampaign]:
    async with info.context.engine.connect() as conn:
        rows = (await conn.execute(select(CampaignRow).order_by(CampaignRow.created_at.desc(), CampaignRow.id)
                                   .limit(MAX_CAMPAIGNS))).all()
    return [_campaign(r) for r in rows]


@strawberry.type
class ReviewQuery:
    review_campaigns: list[ReviewCampaign] = strawberry.field(
        resolver=review_campaigns, description="Review campaigns, newest first (at most 200), with their files.")


def _actor(info: Info[SupervisionContext, None]) -> str:
    if not info.context.actor_id:
        raise graphql_error("UNAUTHENTICATED", "an identity is required")
    return info.context.actor_id


async def _campaign_by_id(info: Info[SupervisionContext, None], campaign_id: str) -> ReviewCampaign:
    async with info.context.engine.connect() as conn:
        row = (await conn.execute(select(CampaignRow).where(CampaignRow.id == campaign_id))).one()
    return _campaign(row)


async def create_review_campaign(info: Info[SupervisionContext, None], name: str, seed: int, per_body: int,
                                 reviewers_per_case: int = 2, due_on: date | None = None) -> ReviewCampaign:
    actor = _actor(info)
    if not name.strip() or not 1 <= per_body <= MAX_PER_BODY or not 1 <= reviewers_per_case <= 5:
        raise graphql_error("BAD_USER_INPUT", f"a name, perBody 1–{MAX_PER_BODY}, reviewersPerCase 1–5")
    engine = info.context.engine
    try:
        campaign_id = await create_campaign(
            engine, name=name.strip(), seed=seed, per_body=per_body, reviewers=await legal_reviewers(engine),
            findings_of=await case_findings(engine), actor_id=actor, now=info.context.now(),
            reviewers_per_case=reviewers_per_case, due_on=due_on)
    except (SupervisionError, ValueError) as exc:
        code = exc.code if isinstance(exc, SupervisionError) else CampaignError.code
        raise graphql_error(code, str(exc)) from exc
    return await _campaign_by_id(info, campaign_id)


async def score_review_file(info: Info[SupervisionContext, None], campaign_id: strawberry.ID,
                            case_id: strawberry.ID, deductions: list[PartDeduction] | None = None,
                            vetoes: list[str] | None = None) -> ReviewFile:
    actor = _actor(info)
    points: dict[str, int] = {}
    for d in deductions or []:
        if d.part not in ("A", "B", "C", "D", "E", "F", "G"):
            raise graphql_error("BAD_USER_INPUT", f"unknown scoring part {d.part!r}")
        points[d.part] = points.get(d.part, 0) + d.points
    try:
        scored = await score_file(info.context.engine, str(campaign_id), str(case_id), reviewer_id=actor,
                                  deductions=points, vetoes=vetoes or [], now=info.context.now())
    except SupervisionError as exc:
        raise graphql_error(exc.code, str(exc)) from exc
    return _file(scored)


async def mark_review_rectified(info: Info[SupervisionContext, None], campaign_id: strawberry.ID,
                                case_id: strawberry.ID) -> ReviewFile:
    _actor(info)
    engine = info.context.engine
    try:
        await mark_rectified(engine, str(campaign_id), str(case_id), now=info.context.now())
    except SupervisionError as exc:
        raise graphql_error(exc.code, str(exc)) from exc
    return next(_file(f) for f in await sampled(engine, str(campaign_id)) if f.case_id == str(case_id))


@strawberry.type
class ReviewMutation:
    create_review_campaign: ReviewCampaign = strawberry.mutation(
        resolver=create_review_campaign,
        description="Sample `perBody` closed files of every body with `seed` (same seed, same sample), assign "
                    "legal-review staff of other bodies, pre-fill the automatic checks from the active alerts.")
    score_review_file: ReviewFile = strawberry.mutation(
        resolver=score_review_file,
        description="The caller's manual part of a file's score; graded once every assigned reviewer has scored.")
    mark_review_rectified: ReviewFile = strawberry.mutation(
        resolver=mark_review_rectified,
        description="Record that a file due for rectification has been rectified.")
