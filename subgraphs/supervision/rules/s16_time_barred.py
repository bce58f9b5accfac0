"""S16 超过追责时效: discovered after the 2-year (5-year) limitation of Art. 36.

The limitation runs to discovery (《行政处罚法》第三十六条 "在二年内未被发现的"), so the
discovery date is compared; the filing date is reported alongside.
"""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import limitation_deadline
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.filed_on is None and snap.decision is None:
        return
    v = snap.violation
    extended = v.endangers_life_or_finance and v.harmful_consequences
    limit = ctx.cached(("S16", v.start, v.end, v.continuous, extended), lambda: limitation_deadline(
        ctx.deadlines, violation_start=v.start, violation_end=v.end, continuous=v.continuous, extended=extended))
    if snap.discovered_on > limit.due:
        yield case_finding("S16", Severity.RED, view, limitation_due=limit.due.isoformat(),
                           discovered_on=snap.discovered_on.isoformat(),
                           filed_on=snap.filed_on.isoformat() if snap.filed_on else None, years=limit.amount)


RULE = Rule("S16", "超过追责时效", "《行政处罚法》第三十六条", Severity.RED, check)
