"""S21 查封扣押超期: a sealing or seizure still in force after 30 cd (+ extension + testing days)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.coercive import MeasureState
from subgraphs.cases.domain.deadlines import seal_seize_term
from subgraphs.cases.domain.enums import CoerciveKind
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    cfg = ctx.deadlines.seal_seize
    for m in view.extras.measures:
        if m.kind not in (CoerciveKind.SEAL, CoerciveKind.SEIZE) or m.started_at is None:
            continue
        ended = m.ended_on if m.state not in (MeasureState.IN_FORCE, MeasureState.EXTENDED) else None
        if m.state not in (MeasureState.IN_FORCE, MeasureState.EXTENDED) and ended is None:
            continue
        term = seal_seize_term(ctx.calendar, ctx.deadlines, started_on=m.started_at.date(),
                               extension_days=min(m.extension_days, cfg.max_extension_calendar_days),
                               testing_periods=[p for p in m.testing_periods if p.end is not None])
        yield from period_check("S21", view, ctx, term, ended, measure_id=m.measure_id, kind=m.kind.value)


RULE = Rule("S21", "查封扣押超期", "《行政强制法》第二十五条、第二十七条、第六十二条第(三)项", Severity.RED, check,
            has_period=True)
