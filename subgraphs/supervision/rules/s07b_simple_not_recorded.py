"""S07b 简易程序未备案: an on-the-spot decision not filed with the agency in time.

Applies only where the case data tracks the 备案 (`extras.simple_record_tracked`): an unknown
date is not a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import simple_record_deadline
from subgraphs.cases.domain.enums import Procedure
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.procedure is not Procedure.SIMPLE or snap.decision is None or not view.extras.simple_record_tracked:
        return
    deadline = simple_record_deadline(ctx.calendar, ctx.deadlines, decided_on=snap.decision.decided_on)
    yield from period_check("S07b", view, ctx, deadline, view.extras.simple_filed_with_agency_on)


RULE = Rule("S07b", "简易程序未备案", "《行政处罚法》第五十二条第三款; period [P]", Severity.RED, check, has_period=True)
