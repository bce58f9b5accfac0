"""S11 听证通知不足: the hearing notice served less than 7 wd before the hearing."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.deadlines import hearing_earliest_date
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    hearing = view.snapshot.hearing
    if hearing is None or hearing.notice_served_on is None or hearing.hearing_on is None:
        return
    earliest = hearing_earliest_date(ctx.calendar, ctx.deadlines, hearing_notice_served_on=hearing.notice_served_on)
    if hearing.hearing_on < earliest.due:
        yield case_finding("S11", Severity.RED, view, notice_served_on=hearing.notice_served_on.isoformat(),
                           hearing_on=hearing.hearing_on.isoformat(), earliest_lawful=earliest.due.isoformat())


RULE = Rule("S11", "听证通知不足", "《行政处罚法》第六十四条第(二)项", Severity.RED, check)
