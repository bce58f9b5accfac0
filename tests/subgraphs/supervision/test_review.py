"""Case-file review: reproducible stratified sampling, recusal, automatic pre-fill, grades."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.cases.ground_truth import AS_OF, seed_with_violations
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.errors import CampaignError
from subgraphs.supervision.review.sampling import assign_reviewers, stratified_sample
from subgraphs.supervision.review.scoring import PARTS, Grade, automatic, grade, total
from subgraphs.supervision.review.store import Scope, campaign_seed, create_campaign, sampled, score_file
from tests.subgraphs.supervision.test_alerts_store import finding

from .conftest import SECRET

CASES = {f"B{b}": [f"B{b}-C{i:03d}" for i in range(20)] for b in range(4)}


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    a = stratified_sample(CASES, per_body=3, seed=1)
    assert a == stratified_sample(CASES, per_body=3, seed=1)
    assert a != stratified_sample(CASES, per_body=3, seed=2)
    assert all(len(v) == 3 and set(v) <= set(CASES[k]) for k, v in a.items())


def test_reviewers_never_review_their_own_body() -> None:
    reviewers = {f"R{b}{k}": f"B{b}" for b in range(4) for k in range(2)}
    sample = stratified_sample(CASES, per_body=3, seed=9)
    assignment = assign_reviewers(sample, reviewers, per_case=2, seed=9)
    for body, case_ids in sample.items():
        for case_id in case_ids:
            assert len(set(assignment[case_id])) == 2
            assert all(reviewers[r] != body for r in assignment[case_id])
    with pytest.raises(CampaignError):
        assign_reviewers(sample, {"R1": "B0"}, per_case=2, seed=9)


@given(st.dictionaries(st.sampled_from(sorted(PARTS)), st.integers(0, 40)), st.lists(st.sampled_from(["V1", "V7"])))
def test_grade_follows_the_cut_offs(deductions: dict[str, int], vetoes: list[str]) -> None:
    score = total(deductions)
    assert 0 <= score <= 100
    g = grade(score, vetoes)
    if vetoes or score < 60:
        assert g is Grade.FAIL
    elif score >= 90:
        assert g is Grade.EXCELLENT
    else:
        assert g is (Grade.GOOD if score >= 80 else Grade.PASS)


def test_automatic_checks_prefill_vetoes_and_ignore_warnings() -> None:
    from subgraphs.supervision.model import Severity

    vetoes, deductions = automatic([finding("S28", "C"), finding("S24", "C"), finding("S02", "C", Severity.YELLOW)])
    assert vetoes == ["V1"]
    assert deductions == {"A": 10, "G": 2}


async def test_campaign_in_the_store(database_url: str, small_seed: Path, tmp_path: Path) -> None:
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=4, count=120, secret=SECRET, as_of=AS_OF)
    engine = create_engine(database_url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        from sqlalchemy import select

        from subgraphs.cases.rows import CaseRow

        async with engine.connect() as conn:
            bodies = sorted(set((await conn.execute(select(CaseRow.body_uscc))).scalars()))
        reviewers = {f"REV-{i}": bodies[i % len(bodies)] for i in range(6)}
        first = await create_campaign(engine, name="2026 评查", seed=77, per_body=1, reviewers=reviewers,
                                      findings_of={}, actor_id="SUP", now=now)
        second = await create_campaign(engine, name="again", seed=77, per_body=1, reviewers=reviewers,
                                       findings_of={}, actor_id="SUP", now=now)
        other = await create_campaign(engine, name="other", seed=78, per_body=1, reviewers=reviewers,
                                      findings_of={}, actor_id="SUP", now=now)
        a, b, c = [await sampled(engine, x) for x in (first, second, other)]
        assert [f.case_id for f in a] == [f.case_id for f in b]
        assert [f.case_id for f in a] != [f.case_id for f in c]
        assert await campaign_seed(engine, first) == 77
        target = a[0]
        assert all(reviewers[r] != target.body_id for r in target.reviewers)
        with pytest.raises(CampaignError):
            await score_file(engine, first, target.case_id, reviewer_id="NOT-ASSIGNED", deductions={}, vetoes=[],
                             now=now)
        one = await score_file(engine, first, target.case_id, reviewer_id=target.reviewers[0],
                               deductions={"B": 5}, vetoes=[], now=now)
        assert one.grade is None  # graded only when every assigned reviewer has scored
        two = await score_file(engine, first, target.case_id, reviewer_id=target.reviewers[1],
                               deductions={"G": 3}, vetoes=[], now=now)
        assert (two.total, two.grade) == (92, "优秀")
        assert (two.manual_deductions, two.scored_by) == ({"B": 5, "G": 3}, sorted(target.reviewers))
        with pytest.raises(CampaignError, match="already scored"):  # once per reviewer: no double deductions
            await score_file(engine, first, target.case_id, reviewer_id=target.reviewers[1],
                             deductions={"G": 3}, vetoes=[], now=now)
        with pytest.raises(CampaignError, match="above the part"):  # part C has 15 points
            await score_file(engine, first, a[2].case_id, reviewer_id=a[2].reviewers[0],
                             deductions={"C": 16}, vetoes=[], now=now)
        assert (await sampled(engine, first))[2].scored_by == []
        # a scope: two bodies, files closed in a period; the sample holds only those
        async with engine.connect() as conn:
            closed = {r.id: (r.body_uscc, r.closed_at) for r in (await conn.execute(
                select(CaseRow.id, CaseRow.body_uscc, CaseRow.closed_at).where(
                    CaseRow.status.in_(("CLOSED", "ARCHIVED", "PERFORMED"))))).all()}
        days = sorted(d for _, d in closed.values() if d is not None)
        start, end = days[len(days) // 4], days[3 * len(days) // 4]
        two_bodies = sorted({b for b, _ in closed.values()})[:2]
        scoped = await create_campaign(engine, name="scoped", seed=77, per_body=1000, reviewers=reviewers,
                                       findings_of={}, actor_id="SUP", now=now,
                                       scope=Scope(body_ids=two_bodies, closed_from=start, closed_to=end))
        want = sorted(c for c, (b, d) in closed.items() if b in two_bodies and d is not None and start <= d <= end)
        assert want, "the period holds closed files of those bodies"
        assert sorted(f.case_id for f in await sampled(engine, scoped)) == want
        vetoed = await score_file(engine, first, a[1].case_id, reviewer_id=a[1].reviewers[0], deductions={},
                                  vetoes=["V8"], now=now)
        vetoed = await score_file(engine, first, a[1].case_id, reviewer_id=a[1].reviewers[1], deductions={},
                                  vetoes=[], now=now)
        assert vetoed.grade == "不合格"
        assert vetoed.rectification_due is not None
    finally:
        await engine.dispose()
