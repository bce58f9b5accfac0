"""S21b 延长超限: a sealing/seizure extended by more than 30 days or more than once."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import CoerciveKind
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    cfg = ctx.deadlines.seal_seize
    for m in view.extras.measures:
        if m.kind not in (CoerciveKind.SEAL, CoerciveKind.SEIZE):
            continue
        if m.extension_days > cfg.max_extension_calendar_days or m.extensions > cfg.max_extensions:
            yield case_finding("S21b", Severity.RED, view, measure_id=m.measure_id, extension_days=m.extension_days,
                               extensions=m.extensions)


RULE = Rule("S21b", "延长超限/未书面告知", "《行政强制法》第二十五条", Severity.RED, check)
