"""S19 违规当场收缴: cash collected on the spot where the law does not allow it, or without a receipt."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import Procedure
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    payment = snap.payment
    if payment is None or not payment.on_spot or snap.decision is None:
        return
    fine = snap.decision.proposal.fine_fen
    small = fine <= ctx.deadlines.simple_procedure.on_spot_collection_max_fen
    allowed = (snap.procedure is Procedure.SIMPLE and (small or view.extras.hard_to_collect)) or \
        view.extras.remote_area_request
    no_receipt = payment.paid_on is not None and not any(r.strip() for r in payment.receipts)
    if not allowed or no_receipt:
        yield case_finding("S19", Severity.RED, view, fine_fen=fine, allowed=allowed, receipt_missing=no_receipt,
                           procedure=snap.procedure.value if snap.procedure else None)


RULE = Rule("S19", "违规当场收缴", "《行政处罚法》第六十八条至第七十条", Severity.RED, check)
