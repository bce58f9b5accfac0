"""S09 未告知听证权: a hearing-eligible penalty notified without the hearing right."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.common_guards import hearing_eligible
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.notice is None or view.item is None:
        return
    proposals = [snap.notice.proposal] + ([snap.decision.proposal] if snap.decision is not None else [])
    eligible = any(hearing_eligible(view.item, snap.parties, p) for p in proposals)
    if eligible and not snap.notice.includes_hearing_right:
        yield case_finding("S09", Severity.RED, view, notified_fine_fen=snap.notice.proposal.fine_fen,
                           threshold_fen=min((view.item.hearing_threshold(p.party_type) for p in snap.parties),
                                             default=None))


RULE = Rule("S09", "未告知听证权", "《行政处罚法》第六十三条、第六十四条", Severity.RED, check)
