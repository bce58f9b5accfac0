"""S27 未成年人处罚异常: a penalty on a party under 14, or without 从轻/减轻 for 14–17."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.common_guards import age_on
from subgraphs.cases.domain.enums import CircumstanceLevel, PartyType
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.decision is None:
        return
    level = snap.decision.proposal.circumstance
    for i, party in enumerate(snap.parties):
        birth = view.birth_date(i)
        if party.party_type is not PartyType.NATURAL_PERSON or birth is None:
            continue
        age = age_on(birth, snap.violation.start)  # the age is evidence; the birth date is not
        if age < 14 or (age < 18 and level not in (CircumstanceLevel.LIGHTER, CircumstanceLevel.REDUCED)):
            yield case_finding("S27", Severity.RED, view, party_index=i, age_at_violation=age,
                               circumstance=level.value)
            return


RULE = Rule("S27", "未成年人处罚异常", "《行政处罚法》第三十条", Severity.RED, check)
