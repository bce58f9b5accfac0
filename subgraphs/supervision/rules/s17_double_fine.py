"""S17 一事二罚: two fines on the same party for the same violation (item, overlapping period)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from subgraphs.cases.domain.enums import CaseState, PenaltyKind, TerminationGround
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import GroupRule, case_finding
from subgraphs.supervision.rules.parties import party_keys
from subgraphs.supervision.view import CaseView, EvalContext


def _fined(view: CaseView) -> bool:
    snap = view.snapshot
    if snap.decision is None or PenaltyKind.FINE not in snap.decision.proposal.kinds:
        return False
    revoked = snap.state is CaseState.TERMINATED and snap.termination is not None and \
        snap.termination.ground is TerminationGround.DECISION_REVOKED
    return not revoked


def _span(view: CaseView) -> tuple[date, date]:
    v = view.snapshot.violation
    return v.start, v.end or v.start


def check(views: Sequence[CaseView], ctx: EvalContext) -> Iterator[Finding]:
    """`views` are the cases of one party; the later of two conflicting fines is reported."""
    fined = sorted((v for v in views if _fined(v)), key=lambda v: (v.snapshot.decision.decided_on  # type: ignore[union-attr]
                                                                 , v.case_id))
    reported: set[str] = set()
    for i, later in enumerate(fined):
        for earlier in fined[:i]:
            if earlier.snapshot.item_code != later.snapshot.item_code:
                continue
            if not party_keys(earlier.snapshot) & party_keys(later.snapshot):
                continue
            (s1, e1), (s2, e2) = _span(earlier), _span(later)
            if s1 <= e2 and s2 <= e1 and later.case_id not in reported:
                reported.add(later.case_id)
                yield case_finding("S17", Severity.RED, later, earlier_case_id=earlier.case_id,
                                   item_code=later.snapshot.item_code)


RULE = GroupRule("S17", "一事二罚", "《行政处罚法》第二十九条", Severity.RED, check)
