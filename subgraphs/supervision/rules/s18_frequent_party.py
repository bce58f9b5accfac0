"""S18 同一当事人频繁处罚 (analytic, INFO): n penalty decisions on one party within a window."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import GroupRule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(views: Sequence[CaseView], ctx: EvalContext) -> Iterator[Finding]:
    """`views` are the cases of one party; the case completing a run of n is reported."""
    n, days = ctx.config.frequent_party_cases, ctx.config.frequent_party_days
    decided = sorted((v for v in views if v.snapshot.decision is not None),
                     key=lambda v: (v.snapshot.decision.decided_on, v.case_id))  # type: ignore[union-attr]
    for i in range(n - 1, len(decided)):
        first, last = decided[i - n + 1], decided[i]
        span = (last.snapshot.decision.decided_on - first.snapshot.decision.decided_on).days  # type: ignore[union-attr]
        if span <= days:
            yield case_finding("S18", Severity.INFO, last, cases_in_window=n, window_days=days,
                               first_case_id=first.case_id)


RULE = GroupRule("S18", "同一当事人频繁处罚", "[P] analytic indicator", Severity.INFO, check)
