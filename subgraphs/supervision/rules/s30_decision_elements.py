"""S30 决定书要素缺失: a decision without number, basis, signature or seal, or with reported gaps."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    d = view.snapshot.decision
    if d is None:
        return
    missing = list(view.extras.decision_missing_elements)
    if not d.doc_no.strip():
        missing.append("DOC_NO")
    if not d.basis_refs:
        missing.append("BASIS")
    if not d.signed_by.strip():
        missing.append("SIGNATURE")
    if not d.sealed:
        missing.append("SEAL")
    if missing:
        yield case_finding("S30", Severity.RED, view, missing=sorted(set(missing)))


RULE = Rule("S30", "决定书要素缺失", "《行政处罚法》第五十二条、第五十九条", Severity.RED, check)
