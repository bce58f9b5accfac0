"""S34 重复查封: sealing items already sealed by another state organ."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import CoerciveKind
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    for m in view.extras.measures:
        if m.kind in (CoerciveKind.SEAL, CoerciveKind.SEIZE) and any(i.sealed_by_other_organ for i in m.items):
            yield case_finding("S34", Severity.RED, view, measure_id=m.measure_id,
                               items=[i.name for i in m.items if i.sealed_by_other_organ])


RULE = Rule("S34", "重复查封", "《行政强制法》第二十三条第二款", Severity.RED, check)
