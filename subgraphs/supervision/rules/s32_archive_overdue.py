"""S32 结案/归档超期: a closed case not archived within the configured period."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    closure = view.snapshot.closure
    if closure is None:
        return
    yield from period_check("S32", view, ctx, closure.archive_deadline, closure.archived_on)


RULE = Rule("S32", "结案/归档超期", "[P] 归档 period", Severity.RED, check, has_period=True)
