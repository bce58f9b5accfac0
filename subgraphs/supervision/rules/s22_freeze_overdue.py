"""S22 冻结超期/决定书迟延: no decision within 30 cd (+ext) of freezing, or the 冻结决定书 later than 3 wd."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.coercive import MeasureState
from subgraphs.cases.domain.deadlines import freeze_decision_service_deadline, freeze_term
from subgraphs.cases.domain.enums import CoerciveKind
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    cfg = ctx.deadlines.freeze
    for m in view.extras.measures:
        if m.kind is not CoerciveKind.FREEZE or m.started_at is None:
            continue
        frozen_on = m.started_at.date()
        serve = freeze_decision_service_deadline(ctx.calendar, ctx.deadlines, frozen_on=frozen_on)
        yield from period_check("S22", view, ctx, serve, m.decision_served_on, measure_id=m.measure_id,
                                stage="DECISION_SERVICE")
        active = m.state in (MeasureState.IN_FORCE, MeasureState.EXTENDED)
        if not active and m.ended_on is None:
            continue
        term = freeze_term(ctx.calendar, ctx.deadlines, frozen_on=frozen_on,
                           extension_days=min(m.extension_days, cfg.max_extension_calendar_days))
        yield from period_check("S22", view, ctx, term, None if active else m.ended_on, measure_id=m.measure_id,
                                stage="TERM")


RULE = Rule("S22", "冻结超期/决定书迟延", "《行政强制法》第三十一条、第三十二条", Severity.RED, check, has_period=True)
