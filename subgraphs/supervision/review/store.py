"""Review campaigns in the store: create (sample + assign + automatic pre-fill), score, rectify."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.rows import CaseRow
from subgraphs.supervision.errors import CampaignError, NotAssigned, NotFound
from subgraphs.supervision.model import Finding
from subgraphs.supervision.review.sampling import assign_reviewers, stratified_sample
from subgraphs.supervision.review.scoring import PARTS, VETOES, automatic, grade, merge_deductions, total
from subgraphs.supervision.rows import AssignmentRow, CampaignRow, SampleRow

if TYPE_CHECKING:
    from subgraphs.cases.replay import Remember

#: case states whose files are complete enough to review
REVIEWABLE = ("CLOSED", "ARCHIVED", "PERFORMED")


@dataclass(frozen=True, slots=True)
class ScoredFile:
    campaign_id: str
    case_id: str
    body_id: str
    reviewers: list[str]
    vetoes: list[str]
    deductions: dict[str, int]
    total: int | None
    grade: str | None
    rectification_due: date | None
    rectified_at: datetime | None
    auto_vetoes: list[str]
    auto_deductions: dict[str, int]
    manual_deductions: dict[str, int]
    scored_by: list[str]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which closed files a campaign samples from: some bodies (None: all), closed within a period."""

    body_ids: Sequence[str] | None = None
    closed_from: date | None = None
    closed_to: date | None = None


async def create_campaign(engine: AsyncEngine, *, name: str, seed: int, per_body: int, reviewers: Mapping[str, str],
                          findings_of: Mapping[str, Sequence[Finding]], actor_id: str, now: datetime,
                          reviewers_per_case: int = 2, due_on: date | None = None, scope: Scope | None = None,
                          remember: Remember | None = None) -> str:
    """Sample, assign, pre-fill automatic checks. `reviewers`: officer id → their body USCC;
    `findings_of`: case id → the rule engine's findings for that case; `scope`: the bodies and the
    closing period sampled from (a file without a closing day is outside any period)."""
    scope = scope or Scope()
    q = select(CaseRow.id, CaseRow.body_uscc).where(CaseRow.status.in_(REVIEWABLE))
    if scope.body_ids is not None:
        q = q.where(CaseRow.body_uscc.in_(sorted(set(scope.body_ids))))
    if scope.closed_from is not None:
        q = q.where(CaseRow.closed_at >= scope.closed_from)
    if scope.closed_to is not None:
        q = q.where(CaseRow.closed_at <= scope.closed_to)
    async with engine.connect() as conn:
        rows = (await conn.execute(q)).all()
    by_body: dict[str, list[str]] = {}
    for r in rows:
        by_body.setdefault(r.body_uscc, []).append(r.id)
    if not by_body:
        raise CampaignError("no closed case files to review")
    sample = stratified_sample(by_body, per_body=per_body, seed=seed)
    assignment = assign_reviewers(sample, reviewers, per_case=reviewers_per_case, seed=seed)
    campaign_id = str(uuid.uuid4())
    async with engine.begin() as conn:
        await conn.execute(insert(CampaignRow).values(
            id=campaign_id, name=name, seed=seed, per_body=per_body, reviewers_per_case=reviewers_per_case,
            due_on=due_on, body_ids=sorted(set(scope.body_ids)) if scope.body_ids is not None else None,
            closed_from=scope.closed_from, closed_to=scope.closed_to, created_by=actor_id, created_at=now))
        samples, assigns = [], []
        for body, case_ids in sample.items():
            for case_id in case_ids:
                vetoes, deductions = automatic(findings_of.get(case_id, ()))
                samples.append({"campaign_id": campaign_id, "case_id": case_id, "body_id": body,
                                "auto_vetoes": vetoes, "auto_deductions": deductions, "manual_vetoes": [],
                                "manual_deductions": {}, "scored_by": []})
                assigns += [{"campaign_id": campaign_id, "case_id": case_id, "reviewer_id": r,
                             "reviewer_body": reviewers[r]} for r in assignment[case_id]]
        await conn.execute(insert(SampleRow), samples)
        await conn.execute(insert(AssignmentRow), assigns)
        if remember is not None:
            await remember(conn, {"id": campaign_id})
    return campaign_id


async def sampled(engine: AsyncEngine, campaign_id: str) -> list[ScoredFile]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(SampleRow).where(SampleRow.campaign_id == campaign_id)
                                   .order_by(SampleRow.case_id))).all()
        assigns = (await conn.execute(select(AssignmentRow.case_id, AssignmentRow.reviewer_id)
                                      .where(AssignmentRow.campaign_id == campaign_id))).all()
    reviewers: dict[str, list[str]] = {}
    for a in assigns:
        reviewers.setdefault(a.case_id, []).append(a.reviewer_id)
    return [ScoredFile(r.campaign_id, r.case_id, r.body_id, sorted(reviewers.get(r.case_id, [])),
                       sorted(set(r.auto_vetoes) | set(r.manual_vetoes)),
                       merge_deductions(r.auto_deductions, r.manual_deductions), r.total, r.grade,
                       r.rectification_due, r.rectified_at, sorted(r.auto_vetoes), dict(r.auto_deductions),
                       dict(r.manual_deductions), sorted(r.scored_by)) for r in rows]


async def score_file(engine: AsyncEngine, campaign_id: str, case_id: str, *, reviewer_id: str,
                     deductions: Mapping[str, int], vetoes: Sequence[str], now: datetime,
                     rectification_days: int = 30, remember: Remember | None = None) -> ScoredFile:
    """A reviewer's manual part, once per reviewer: a part's deduction is 0 to the part's points.
    The file is graded once all its assigned reviewers have scored."""
    bad = [v for v in vetoes if v not in VETOES]
    if bad:
        raise CampaignError(f"unknown veto items {bad}")
    if any(p < 0 for p in deductions.values()):
        raise CampaignError("deductions are non-negative points")
    over = sorted(p for p, points in deductions.items() if p in PARTS and points > PARTS[p])
    if over:
        raise CampaignError(f"a deduction above the part's points ({', '.join(over)})")
    async with engine.begin() as conn:
        assigned = set((await conn.execute(select(AssignmentRow.reviewer_id).where(
            AssignmentRow.campaign_id == campaign_id, AssignmentRow.case_id == case_id))).scalars())
        if reviewer_id not in assigned:
            raise NotAssigned("only an assigned reviewer may score this file")
        row = (await conn.execute(select(SampleRow).where(SampleRow.campaign_id == campaign_id,
                                                          SampleRow.case_id == case_id))).first()
        if row is None:
            raise NotFound(f"case file {case_id} is not in campaign {campaign_id}")
        if reviewer_id in row.scored_by:
            raise CampaignError("this reviewer has already scored this file")
        manual = merge_deductions(row.manual_deductions, deductions)
        manual_vetoes = sorted(set(row.manual_vetoes) | set(vetoes))
        scored_by = sorted(set(row.scored_by) | {reviewer_id})
        values: dict[str, object] = {"manual_deductions": manual, "manual_vetoes": manual_vetoes,
                                     "scored_by": scored_by}
        if set(scored_by) >= assigned:
            all_vetoes = sorted(set(row.auto_vetoes) | set(manual_vetoes))
            score = total(merge_deductions(row.auto_deductions, manual))
            g = grade(score, all_vetoes)
            values.update(total=score, grade=g.value,
                          rectification_due=(now.date() + timedelta(days=rectification_days))
                          if score < 90 or all_vetoes else None)
        await conn.execute(update(SampleRow).where(SampleRow.campaign_id == campaign_id,
                                                   SampleRow.case_id == case_id).values(**values))
        if remember is not None:
            await remember(conn, {"campaignId": campaign_id, "caseId": case_id})
    return next(f for f in await sampled(engine, campaign_id) if f.case_id == case_id)


async def mark_rectified(engine: AsyncEngine, campaign_id: str, case_id: str, *, now: datetime,
                         remember: Remember | None = None) -> None:
    async with engine.begin() as conn:
        result = await conn.execute(update(SampleRow).where(
            SampleRow.campaign_id == campaign_id, SampleRow.case_id == case_id,
            SampleRow.rectification_due.is_not(None)).values(rectified_at=now))
        if result.rowcount != 1:
            raise CampaignError("nothing to rectify for this case file")
        if remember is not None:
            await remember(conn, {"campaignId": campaign_id, "caseId": case_id})


async def campaign_seed(engine: AsyncEngine, campaign_id: str) -> int:
    async with engine.connect() as conn:
        seed = (await conn.execute(select(CampaignRow.seed).where(CampaignRow.id == campaign_id))).scalar_one_or_none()
    if seed is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return int(seed)
