"""S29 应移送未移送 (INFO, human check): confiscated amounts above the configured criminal threshold."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import CaseState
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None or snap.state is CaseState.TRANSFERRED:
        return
    p = snap.decision.proposal
    amount = p.confiscated_gains_fen + p.confiscated_property_fen
    if amount >= ctx.config.criminal_amount_fen:
        yield case_finding("S29", Severity.INFO, view, confiscated_fen=amount,
                           threshold_fen=ctx.config.criminal_amount_fen)


RULE = Rule("S29", "应移送未移送", "《行政处罚法》第二十七条、第八十二条; threshold [P]", Severity.INFO, check)
