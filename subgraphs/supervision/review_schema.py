"""Review campaign (案卷评查) fields: create a campaign, score a file as its reviewer, mark it rectified.

Mutations need an identity (the dev header until the gateway's signed context lands); the scorer
is always the caller, so one reviewer cannot score in another's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from domain.input_checks import future_date_problem, has_control_characters
from subgraphs.cases.replay import Remember, Target
from subgraphs.common.clock import CHINA
from subgraphs.common.errors import graphql_error
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.errors import CampaignError, SupervisionError
from subgraphs.supervision.keys import KEY_DESCRIPTION, idempotency, run_once
from subgraphs.supervision.review.inputs import case_findings, legal_reviewers
from subgraphs.supervision.review.scoring import PART_NAMES, PARTS
from subgraphs.supervision.review.store import (
    Scope,
    ScoredFile,
    create_campaign,
    mark_rectified,
    sampled,
    score_file,
)
from subgraphs.supervision.rows import CampaignRow
from subgraphs.supervision.types import ReviewFile, ScoreItem

_Key = Annotated[str | None, strawberry.argument(description=KEY_DESCRIPTION)]

MAX_PER_BODY = 1_000
MAX_CAMPAIGNS = 200
MAX_BODIES = 500


def _check_due_on(due_on: date | None, *, today: date) -> None:
    """A campaign is due on a day from today to ten years ahead (`domain.input_checks` bounds)."""
    if due_on is None:
        return
    reason = "before today" if due_on < today else future_date_problem(due_on, today=today)
    if reason is not None:
        raise graphql_error("BAD_USER_INPUT", f"dueOn (完成期限): {reason}", field="dueOn")


def _check_scope(body_ids: list[str] | None, closed_from: date | None, closed_to: date | None) -> None:
    if body_ids is not None:
        if not body_ids or len(body_ids) > MAX_BODIES:
            raise graphql_error("BAD_USER_INPUT", f"bodyIds (评查主体): 1–{MAX_BODIES} bodies, or none for all",
                                field="bodyIds")
        if any(not b.strip() or len(b) > 18 or has_control_characters(b) for b in body_ids):
            raise graphql_error("BAD_USER_INPUT", "bodyIds (评查主体): each a body's USCC (18 characters)",
                                field="bodyIds")
    if closed_from is not None and closed_to is not None and closed_from > closed_to:
        raise graphql_error("BAD_USER_INPUT", "closedTo (结案截止日): before closedFrom", field="closedTo")


def review_file(f: ScoredFile) -> ReviewFile:
    """The graph's view of a sampled file, with its score sheet."""
    sheet = [ScoreItem(part=p, name=PART_NAMES[p], max_points=m, auto_deduction=f.auto_deductions.get(p, 0),
                       manual_deduction=f.manual_deductions.get(p, 0),
                       score=max(0, m - f.auto_deductions.get(p, 0) - f.manual_deductions.get(p, 0)))
             for p, m in PARTS.items()]
    return ReviewFile(campaign_id=f.campaign_id, case_id=f.case_id, body_id=f.body_id, reviewers=f.reviewers,
                      vetoes=f.vetoes, auto_vetoes=f.auto_vetoes, scored_by=f.scored_by, sheet=sheet, total=f.total,
                      grade=f.grade, rectification_due=f.rectification_due, rectified_at=f.rectified_at)


async def _files(root: ReviewCampaign, info: Info[SupervisionContext, None]) -> list[ReviewFile]:
    return [review_file(f) for f in await sampled(info.context.engine, str(root.id))]


@strawberry.type(description="评查活动 — a review campaign: a seeded stratified sample of closed case files.")
class ReviewCampaign:
    id: strawberry.ID = strawberry.field(description="评查活动标识 — the campaign's id")
    name: str = strawberry.field(description="名称 — the campaign's name")
    seed: int = strawberry.field(
        description="随机种子 — seed of the sample and of the reviewer assignment: the same seed, the same sample")
    per_body: int = strawberry.field(
        description="每主体抽取数 — closed case files sampled per body (all of them where a body has fewer)")
    reviewers_per_case: int = strawberry.field(description="每卷评查人数 — reviewers assigned to each case file")
    due_on: date | None = strawberry.field(description="完成期限 — the day the reviews are due; null if none was set")
    body_ids: list[str] | None = strawberry.field(
        description="评查主体 — USCCs of the bodies sampled from; null when every body was")
    closed_from: date | None = strawberry.field(
        description="结案起始日 — files closed on or after this day were sampled; null: no lower bound")
    closed_to: date | None = strawberry.field(
        description="结案截止日 — files closed on or before this day were sampled; null: no upper bound")
    created_by: str = strawberry.field(description="创建人 — identity of the caller who created the campaign")
    created_at: datetime = strawberry.field(description="创建时间 — when the campaign was created")
    files: list[ReviewFile] = strawberry.field(
        resolver=_files, description="评查案卷 — the sampled case files with their scores, by case id")


@strawberry.input(description="扣分 — points a reviewer deducts from one scoring part of a case file.")
class PartDeduction:
    part: str = strawberry.field(
        description="评分部分 — scoring part A–G: A 主体与权限 (competence), B 事实与证据 (facts, evidence), "
                    "C 适用法律 (law applied), D 程序 (procedure), E 裁量 (discretion), F 执行 (execution), "
                    "G 文书与卷宗 (documents and file)")
    points: int = strawberry.field(
        description="扣分分值 — points deducted (not negative); a part's score does not go below 0")


def _campaign(row: Any) -> ReviewCampaign:
    """From a row of `select(CampaignRow)` on a connection (its columns by name)."""
    return ReviewCampaign(id=strawberry.ID(row.id), name=row.name, seed=row.seed, per_body=row.per_body,
                          reviewers_per_case=row.reviewers_per_case, due_on=row.due_on, body_ids=row.body_ids,
                          closed_from=row.closed_from, closed_to=row.closed_to, created_by=row.created_by,
                          created_at=row.created_at)


async def review_campaigns(info: Info[SupervisionContext, None]) -> list[ReviewCampaign]:
    async with info.context.engine.connect() as conn:
        rows = (await conn.execute(select(CampaignRow).order_by(CampaignRow.created_at.desc(), CampaignRow.id)
                                   .limit(MAX_CAMPAIGNS))).all()
    return [_campaign(r) for r in rows]


@strawberry.type
class ReviewQuery:
    review_campaigns: list[ReviewCampaign] | None = strawberry.field(
        resolver=review_campaigns,
        description="评查活动 — review campaigns, newest first (at most 200), with their files.")


def _actor(info: Info[SupervisionContext, None]) -> str:
    if not info.context.actor_id:
        raise graphql_error("UNAUTHENTICATED", "an identity is required")
    return info.context.actor_id


async def _campaign_by_id(info: Info[SupervisionContext, None], campaign_id: str) -> ReviewCampaign:
    async with info.context.engine.connect() as conn:
        row = (await conn.execute(select(CampaignRow).where(CampaignRow.id == campaign_id))).one()
    return _campaign(row)


async def create_review_campaign(
    info: Info[SupervisionContext, None],
    name: Annotated[str, strawberry.argument(description="名称 — the campaign's name (not blank)")],
    seed: Annotated[int, strawberry.argument(
        description="随机种子 — seed of the sample and assignment: the same seed draws the same sample")],
    per_body: Annotated[int, strawberry.argument(
        description=f"每主体抽取数 — closed case files to sample per body, 1–{MAX_PER_BODY}")],
    reviewers_per_case: Annotated[int, strawberry.argument(
        description="每卷评查人数 — reviewers per case file, at least 2 (cross-review) and at most 5")] = 2,
    due_on: Annotated[date | None, strawberry.argument(
        description="完成期限 — the day the reviews are due (optional)")] = None,
    body_ids: Annotated[list[str] | None, strawberry.argument(
        description=f"评查主体 — sample only these bodies (USCCs, 1–{MAX_BODIES}); omitted: every body")] = None,
    closed_from: Annotated[date | None, strawberry.argument(
        description="结案起始日 — sample only files closed on or after this day (optional)")] = None,
    closed_to: Annotated[date | None, strawberry.argument(
        description="结案截止日 — sample only files closed on or before this day (optional)")] = None,
    idempotency_key: _Key = None,
) -> ReviewCampaign:
    actor = _actor(info)
    _check_due_on(due_on, today=info.context.now().astimezone(CHINA).date())
    if has_control_characters(name):
        raise graphql_error("BAD_USER_INPUT", "name (名称): contains control characters", field="name")
    if not name.strip() or len(name) > 200:
        raise graphql_error("BAD_USER_INPUT", "name (名称): 1–200 characters, not blank", field="name")
    if not 1 <= per_body <= MAX_PER_BODY:
        raise graphql_error("BAD_USER_INPUT", f"perBody (每主体抽取数): 1–{MAX_PER_BODY}", field="perBody")
    if not 2 <= reviewers_per_case <= 5:
        raise graphql_error("BAD_USER_INPUT", "reviewersPerCase (每卷评查人数): 2–5 (cross-review)",
                            field="reviewersPerCase")
    _check_scope(body_ids, closed_from, closed_to)
    engine = info.context.engine
    scope = Scope(body_ids=body_ids, closed_from=closed_from, closed_to=closed_to)
    idem = idempotency(idempotency_key, "createReviewCampaign", actor=actor, name=name.strip(), seed=seed,
                       perBody=per_body,
                       reviewersPerCase=reviewers_per_case, dueOn=due_on.isoformat() if due_on else None,
                       bodyIds=sorted(set(body_ids)) if body_ids is not None else None,
                       closedFrom=closed_from.isoformat() if closed_from else None,
                       closedTo=closed_to.isoformat() if closed_to else None)

    async def act(remember: Remember | None) -> Target:
        campaign_id = await create_campaign(
            engine, name=name.strip(), seed=seed, per_body=per_body, reviewers=await legal_reviewers(engine),
            findings_of=await case_findings(engine), actor_id=actor, now=info.context.now(),
            reviewers_per_case=reviewers_per_case, due_on=due_on, scope=scope, remember=remember)
        return {"id": campaign_id}

    try:
        done = await run_once(engine, idem, "review_campaign", act)
    except (SupervisionError, ValueError) as exc:
        code = exc.code if isinstance(exc, SupervisionError) else CampaignError.code
        raise graphql_error(code, str(exc)) from exc
    return await _campaign_by_id(info, str(done["id"]))


_CampaignId = Annotated[strawberry.ID, strawberry.argument(description="评查活动标识 — the campaign's id")]
_CaseId = Annotated[strawberry.ID, strawberry.argument(
    description="案件标识 — the case whose file it is (a file of the campaign)")]


async def score_review_file(
    info: Info[SupervisionContext, None],
    campaign_id: _CampaignId,
    case_id: _CaseId,
    deductions: Annotated[list[PartDeduction] | None, strawberry.argument(
        description="扣分 — the caller's deductions by part, added to earlier ones and the automatic checks")] = None,
    vetoes: Annotated[list[str] | None, strawberry.argument(
        description="否决项 — veto items the caller finds, V1–V8 (any one makes the file 不合格)")] = None,
    idempotency_key: _Key = None,
) -> ReviewFile:
    actor = _actor(info)
    points: dict[str, int] = {}
    for d in deductions or []:
        if d.part not in ("A", "B", "C", "D", "E", "F", "G"):
            raise graphql_error("BAD_USER_INPUT", f"unknown scoring part {d.part!r}")
        points[d.part] = points.get(d.part, 0) + d.points
    engine = info.context.engine
    idem = idempotency(idempotency_key, "scoreReviewFile", campaignId=str(campaign_id), caseId=str(case_id),
                       reviewer=actor, deductions=points, vetoes=sorted(vetoes or []))

    async def act(remember: Remember | None) -> Target:
        await score_file(engine, str(campaign_id), str(case_id), reviewer_id=actor, deductions=points,
                         vetoes=vetoes or [], now=info.context.now(), remember=remember)
        return {"campaignId": str(campaign_id), "caseId": str(case_id)}

    try:
        await run_once(engine, idem, "review_file", act)
    except SupervisionError as exc:
        raise graphql_error(exc.code, str(exc)) from exc
    return next(review_file(f) for f in await sampled(engine, str(campaign_id)) if f.case_id == str(case_id))


async def mark_review_rectified(info: Info[SupervisionContext, None], campaign_id: _CampaignId,
                                case_id: _CaseId, idempotency_key: _Key = None) -> ReviewFile:
    actor = _actor(info)
    engine = info.context.engine
    idem = idempotency(idempotency_key, "markReviewRectified", campaignId=str(campaign_id), caseId=str(case_id),
                       actor=actor)

    async def act(remember: Remember | None) -> Target:
        await mark_rectified(engine, str(campaign_id), str(case_id), now=info.context.now(), remember=remember)
        return {"campaignId": str(campaign_id), "caseId": str(case_id)}

    try:
        await run_once(engine, idem, "review_file", act)
    except SupervisionError as exc:
        raise graphql_error(exc.code, str(exc)) from exc
    return next(review_file(f) for f in await sampled(engine, str(campaign_id)) if f.case_id == str(case_id))


@strawberry.type
class ReviewMutation:
    create_review_campaign: ReviewCampaign = strawberry.mutation(
        resolver=create_review_campaign,
        description="创建评查活动 — sample `perBody` closed files of every body with `seed` (same seed, same "
                    "sample), assign legal-review staff of other bodies, pre-fill the automatic checks from the "
                    "active alerts.")
    score_review_file: ReviewFile = strawberry.mutation(
        resolver=score_review_file,
        description="案卷评分 — the caller's manual part of a file's score; graded once every assigned reviewer "
                    "has scored.")
    mark_review_rectified: ReviewFile = strawberry.mutation(
        resolver=mark_review_rectified,
        description="整改完成 — record that a file due for rectification has been rectified.")
