"""S01 超期未立案/未处理案源: a clue not decided on within the filing period."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import filing_decision_deadline
from subgraphs.cases.domain.enums import CaseState
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.state not in (CaseState.CLUE, CaseState.CLUE_VERIFYING):
        return
    deadline = filing_decision_deadline(ctx.calendar, ctx.deadlines, received_on=snap.clue_received_on)
    yield from period_check("S01", view, ctx, deadline, None, state=snap.state.value)


RULE = Rule("S01", "超期未立案/未处理案源", "《行政处罚法》第五十四条、第七十六条第二款; period [P/M]",
            Severity.RED, check, has_period=True)
