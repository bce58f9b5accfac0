"""S23 夜间/节假日强制执行: execution at night or on a statutory holiday without an emergency."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.clock import local_date, local_time
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    rule = ctx.deadlines.execution
    for ex in view.extras.executions:
        if ex.emergency:
            continue
        night = rule.is_night(local_time(ex.at))
        day = local_date(ex.at)
        holiday = ctx.calendar.covers(day) and ctx.calendar.is_statutory_holiday(day)
        if night or holiday:
            yield case_finding("S23", Severity.RED, view, executed_at=ex.at.isoformat(), night=night, holiday=holiday)


RULE = Rule("S23", "夜间/节假日强制执行", "《行政强制法》第四十三条", Severity.RED, check)
