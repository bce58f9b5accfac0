"""S11b 听证主持人违规: the hearing chaired by one of the case's investigators."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, officer_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    hearing = view.snapshot.hearing
    if hearing is not None and hearing.chair_id and hearing.chair_id in view.snapshot.investigators:
        yield officer_finding("S11b", Severity.RED, view, hearing.chair_id, role="HEARING_CHAIR_AND_INVESTIGATOR")


RULE = Rule("S11b", "听证主持人违规", "《行政处罚法》第六十四条第(四)项", Severity.RED, check)
