"""S20 逾期未缴/加处罚款异常: unpaid after the due date (YELLOW); recorded surcharge ≠ computed (RED)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import CaseState
from subgraphs.cases.domain.surcharge import compute_surcharge
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    payment = snap.payment
    if payment is None or snap.decision is None:
        return
    unpaid = payment.paid_fen < payment.amount_due_fen
    if unpaid and snap.state in (CaseState.PERFORMING, CaseState.OVERDUE) and ctx.today > payment.due \
            and not snap.remedy_pending:
        yield case_finding("S20", Severity.YELLOW, view, due=payment.due, amount_due_fen=payment.amount_due_fen,
                           paid_fen=payment.paid_fen)
    recorded = view.extras.recorded_surcharge_fen
    if recorded is not None:
        expected = compute_surcharge(fine_fen=snap.decision.proposal.fine_fen, due=payment.original_due.due,
                                     as_of=payment.paid_on or ctx.today, pauses=snap.surcharge_pauses()).amount_fen
        if recorded != expected:
            yield case_finding("S20", Severity.RED, view, recorded_surcharge_fen=recorded,
                               computed_surcharge_fen=expected)


RULE = Rule("S20", "逾期未缴/加处罚款异常", "《行政处罚法》第六十七条、第七十二条、第七十三条", Severity.RED, check,
            has_period=True)
