"""S12 应审未审/审核人无资格: a decision needing 法制审核 without a passed, prior, qualified review."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import ReviewOpinion
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def review_required(view: CaseView) -> bool:
    review = view.snapshot.legal_review
    return (review is not None and review.required) or (view.item is not None and view.item.major_decision)


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or not review_required(view):
        return
    review = snap.legal_review
    decided = snap.decision.decided_on
    if review is None or review.opinion is None:
        yield case_finding("S12", Severity.RED, view, problem="NOT_REVIEWED")
        return
    if review.opinion is not ReviewOpinion.PASS:
        yield case_finding("S12", Severity.RED, view, problem="NOT_PASSED", opinion=review.opinion.value)
        return
    if review.reviewed_on is not None and review.reviewed_on > decided:
        yield case_finding("S12", Severity.RED, view, problem="REVIEWED_AFTER_DECISION",
                           reviewed_on=review.reviewed_on.isoformat(), decided_on=decided.isoformat())
        return
    reviewer = view.officers.get(review.reviewer_id or "")
    if reviewer is not None and reviewer.first_time_reviewer and not reviewer.has_legal_qualification:
        yield case_finding("S12", Severity.RED, view, problem="REVIEWER_UNQUALIFIED", reviewer_id=reviewer.officer_id)


RULE = Rule("S12", "应审未审/审核人无资格", "《行政处罚法》第五十八条", Severity.RED, check)
