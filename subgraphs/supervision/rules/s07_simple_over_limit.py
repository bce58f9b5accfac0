"""S07 简易程序超限: simple procedure beyond warning/fine or above 200 元 (person) / 3 000 元 (organisation)."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.cases.domain.enums import SIMPLE_KINDS, PartyType, Procedure
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    snap = view.snapshot
    if snap.procedure is not Procedure.SIMPLE or snap.decision is None:
        return
    proposal = snap.decision.proposal
    limits = ctx.deadlines.simple_procedure
    organisation = bool(snap.parties) and all(p.party_type is PartyType.ORGANISATION for p in snap.parties)
    limit = limits.organisation_max_fen if organisation else limits.natural_person_max_fen
    extra = sorted(k.value for k in proposal.kinds - SIMPLE_KINDS)
    if extra or proposal.fine_fen > limit:
        yield case_finding("S07", Severity.RED, view, kinds_outside=extra, fine_fen=proposal.fine_fen,
                           limit_fen=limit)


RULE = Rule("S07", "简易程序超限", "《行政处罚法》第五十一条", Severity.RED, check)
