"""S25 先行登记保存超期: no handling decision within 7 wd of the preservation."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    for p in view.snapshot.preservations:
        yield from period_check("S25", view, ctx, p.deadline, p.handled_on, preservation_id=p.preservation_id)


RULE = Rule("S25", "先行登记保存超期", "《行政处罚法》第五十六条", Severity.RED, check, has_period=True)
