"""S24 公示超期: a decision published later than the configured 7 wd (or still unpublished)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, period_check
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or snap.publicity is None:
        return
    yield from period_check("S24", view, ctx, snap.publicity.deadline, snap.publicity.published_on)


RULE = Rule("S24", "公示超期", "国办发〔2018〕118号 [M]", Severity.RED, check, has_period=True)
