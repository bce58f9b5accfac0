"""S14 裁量超基准/超法定幅度: fine outside the statutory range or the benchmark band; mitigation ignored."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.catalogue import FineRuleKind
from subgraphs.cases.domain.enums import CircumstanceLevel, PenaltyKind
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext

_MITIGATED = {CircumstanceLevel.LIGHTER, CircumstanceLevel.REDUCED, CircumstanceLevel.NO_PENALTY}


def problems(view: CaseView) -> list[str]:
    snap, item = view.snapshot, view.item
    if snap.decision is None or item is None:
        return []
    proposal = snap.decision.proposal
    found: list[str] = []
    if proposal.mitigating_factors and proposal.circumstance not in _MITIGATED:
        found.append("MITIGATION_NOT_APPLIED")
    if PenaltyKind.FINE not in proposal.kinds:
        return found
    fine = proposal.fine_fen
    if item.fine_rule.kind is FineRuleKind.NONE:
        return [*found, "ITEM_HAS_NO_FINE"]
    if item.fine_rule.kind is FineRuleKind.FIXED_RANGE or proposal.fine_base_fen is not None:
        low, high = item.fine_rule.bounds(proposal.fine_base_fen)
        if fine > high or (fine < low and proposal.circumstance is not CircumstanceLevel.REDUCED):
            found.append("OUTSIDE_STATUTORY_RANGE")
    band = item.band(proposal.circumstance)
    if band is not None and not band.min_fen <= fine <= band.max_fen:
        found.append("OUTSIDE_BENCHMARK_BAND")
    return found


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    found = problems(view)
    if found:
        assert view.snapshot.decision is not None
        proposal = view.snapshot.decision.proposal
        yield case_finding("S14", Severity.RED, view, problems=found, fine_fen=proposal.fine_fen,
                           circumstance=proposal.circumstance.value)


RULE = Rule("S14", "裁量超基准/超法定幅度", "《行政处罚法》第五条、第三十二条、第三十四条", Severity.RED, check)
