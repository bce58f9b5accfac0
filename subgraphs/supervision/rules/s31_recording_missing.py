"""S31 全过程记录缺失: a held hearing without an audiovisual record ([P] list, configurable)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import EvidenceKind, HearingStatus
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if not ctx.config.hearing_needs_audiovisual or snap.hearing is None:
        return
    if snap.hearing.status is HearingStatus.HELD and \
            not any(e.kind is EvidenceKind.AUDIOVISUAL for e in snap.evidence):
        yield case_finding("S31", Severity.RED, view, step="HEARING", required="AUDIOVISUAL")


RULE = Rule("S31", "全过程记录缺失", "《行政处罚法》第四十七条; list [P]", Severity.RED, check)
