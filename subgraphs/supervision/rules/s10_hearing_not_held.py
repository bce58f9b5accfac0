"""S10 应听证未听证: a timely hearing request, and a decision without the hearing held or waived."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import HearingStatus
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    hearing, notice = snap.hearing, snap.notice
    if hearing is None or notice is None or snap.decision is None:
        return
    window = notice.hearing_request_deadline
    timely = window is None or hearing.requested_on <= window.due
    if timely and hearing.status not in (HearingStatus.HELD, HearingStatus.WAIVED):
        yield case_finding("S10", Severity.RED, view, hearing_status=hearing.status.value,
                           requested_on=hearing.requested_on.isoformat(),
                           decided_on=snap.decision.decided_on.isoformat())


RULE = Rule("S10", "应听证未听证", "《行政处罚法》第六十四条第(一)项", Severity.RED, check)
