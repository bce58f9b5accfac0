"""S08 未告知即决定: a penalty decision without the Art. 44 notice, or before statements were heard."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import Procedure
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or snap.procedure is not Procedure.ORDINARY:
        return
    decided = snap.decision.decided_on
    notice = snap.notice
    if notice is None:
        yield case_finding("S08", Severity.RED, view, problem="NO_NOTICE", decided_on=decided.isoformat())
        return
    if notice.served_on > decided:
        yield case_finding("S08", Severity.RED, view, problem="NOTICE_AFTER_DECISION",
                           notice_served_on=notice.served_on.isoformat(), decided_on=decided.isoformat())
        return
    heard = snap.statements_waived or bool(snap.statements) or decided > notice.statement_deadline.due
    if not heard:
        yield case_finding("S08", Severity.RED, view, problem="STATEMENT_PERIOD_OPEN",
                           statement_due=notice.statement_deadline.due.isoformat(), decided_on=decided.isoformat())


RULE = Rule("S08", "未告知即决定", "《行政处罚法》第四十四条、第六十二条", Severity.RED, check)
