"""S13 应集体讨论未讨论: a complex or major case decided without collective discussion."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if (snap.complex_case or snap.major) and snap.collective_discussion is None and snap.decision is not None:
        yield case_finding("S13", Severity.RED, view, complex_case=snap.complex_case, major=snap.major)


RULE = Rule("S13", "应集体讨论未讨论", "《行政处罚法》第五十七条第二款", Severity.RED, check)
