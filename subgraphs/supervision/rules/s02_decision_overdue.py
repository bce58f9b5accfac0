"""S02 超期未决: a filed case without a decision after the 90-day clock (§5.3)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import decision_deadline
from subgraphs.cases.domain.enums import CaseState
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext

_NOT_PENDING = {CaseState.TRANSFERRED, CaseState.TERMINATED, CaseState.NO_PENALTY_DECIDED, CaseState.NOT_FILED}


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.filed_on is None or snap.decision is not None or snap.no_penalty is not None:
        return
    if snap.state in _NOT_PENDING:
        return
    if snap.suspension is not None and snap.suspension.excluded_from_clock:
        return  # the clock stands still while an excluded suspension lasts
    closed = [p for p in snap.excluded_periods if p.end is not None]
    deadline = decision_deadline(ctx.calendar, ctx.deadlines, filed_on=snap.filed_on, extensions=snap.extensions,
                                 excluded=closed)
    yield from period_check("S02", view, ctx, deadline, None, state=snap.state.value,
                            extensions=len(snap.extensions))


RULE = Rule("S02", "超期未决", "《行政处罚法》第六十条", Severity.RED, check, has_period=True)
