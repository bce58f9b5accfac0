"""S24b 撤回超期: a changed or revoked decision still published 3 wd after the change."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    publicity = view.snapshot.publicity
    if publicity is None or publicity.withdrawal_deadline is None:
        return
    yield from period_check("S24b", view, ctx, publicity.withdrawal_deadline, publicity.withdrawn_on)


RULE = Rule("S24b", "撤回超期", "《行政处罚法》第四十八条第二款", Severity.RED, check, has_period=True)
