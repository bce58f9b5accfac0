"""S26 紧急措施补批超时: an emergency measure not reported to the agency head within 24 hours."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.coercive import MeasureState
from subgraphs.cases.domain.deadlines import emergency_report_deadline
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    for m in view.extras.measures:
        if not m.emergency or m.started_at is None or m.state is not MeasureState.EMERGENCY_APPLIED:
            continue
        deadline = emergency_report_deadline(ctx.deadlines, started_at=m.started_at)
        assert deadline.due_at is not None
        if ctx.now > deadline.due_at:
            yield case_finding("S26", Severity.RED, view, measure_id=m.measure_id,
                               started_at=m.started_at.isoformat(), report_due_at=deadline.due_at.isoformat())
        elif (ctx.now - m.started_at) * 100 >= (deadline.due_at - m.started_at) * ctx.config.yellow_ratio_percent:
            yield case_finding("S26", Severity.YELLOW, view, measure_id=m.measure_id,
                               report_due_at=deadline.due_at.isoformat())


RULE = Rule("S26", "紧急措施补批超时", "《行政强制法》第十九条", Severity.RED, check, has_period=True)
