"""S08b 申辩后加重: a decision heavier than the notified penalty without a new notice."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or snap.notice is None:
        return
    decided, notified = snap.decision.proposal, snap.notice.proposal
    if decided.is_heavier_than(notified):
        yield case_finding("S08b", Severity.RED, view, decided_fine_fen=decided.fine_fen,
                           notified_fine_fen=notified.fine_fen,
                           added_kinds=sorted(k.value for k in decided.kinds - notified.kinds))


RULE = Rule("S08b", "申辩后加重", "《行政处罚法》第四十五条第二款", Severity.RED, check)
