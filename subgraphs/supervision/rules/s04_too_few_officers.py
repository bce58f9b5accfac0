"""S04 执法人员不足/无证执法: an act with fewer than two officers holding a covering certificate."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, acts, case_finding, officer_issue
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    minimum = 1 if view.item is not None and view.item.single_officer_allowed else 2
    short = []
    for what, day, officers in acts(view):
        ids = tuple(dict.fromkeys(officers))
        qualified = sum(1 for o in ids if officer_issue(view, o, day) is None)
        if qualified < minimum:
            short.append(f"{what}@{day.isoformat()}:{qualified}/{len(ids)}")
    if short:
        yield case_finding("S04", Severity.RED, view, acts=short, minimum=minimum)


RULE = Rule("S04", "执法人员不足/无证执法", "《行政处罚法》第四十二条、第七十六条第一款第(五)项; 《行政强制法》第十八条第(二)项",
            Severity.RED, check)
