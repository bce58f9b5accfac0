"""S03 送达超期: a decision not delivered on the spot and served more than 7 wd after it."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import service_deadline
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or (snap.service is not None and snap.service.on_spot):
        return
    decided_on = snap.decision.decided_on
    deadline = ctx.cached(("S03", decided_on),
                          lambda: service_deadline(ctx.calendar, ctx.deadlines, decided_on=decided_on))
    served = snap.service.served_on if snap.service is not None else None
    yield from period_check("S03", view, ctx, deadline, served)


RULE = Rule("S03", "送达超期", "《行政处罚法》第六十一条", Severity.RED, check, has_period=True)
