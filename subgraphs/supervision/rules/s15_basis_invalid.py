"""S15 依据无效: a penalty basis not in force at the violation (and not a later lighter one), or a 规范性文件."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    decision = view.snapshot.decision
    if decision is None:
        return
    not_in_force = sorted(r for r in decision.basis_refs if r in view.inapplicable_basis)
    normative = sorted(r for r in decision.basis_refs if r in view.extras.basis_normative_doc)
    if not_in_force or normative:
        yield case_finding("S15", Severity.RED, view, not_in_force=not_in_force, normative_documents=normative,
                           violation_start=view.snapshot.violation.start.isoformat())


RULE = Rule("S15", "依据无效", "《行政处罚法》第十六条、第三十七条、第三十八条", Severity.RED, check)
