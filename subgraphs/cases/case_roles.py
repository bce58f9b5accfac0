"""Who took part in a case, in which role, when, and what they did on which day.

Everything here is read from the case snapshot (and the case's coercive measures), the record
the state machine keeps: the investigators (承办人) from filing until the decision, the verifier
(审核人), the legal reviewer (法制审核人员) from submission until the opinion, the hearing chair
(听证主持人) from the hearing notice until the hearing. An act (执法行为) is a dated step an officer
performed: collecting evidence, an on-the-spot decision, chairing the hearing, the legal review,
starting a coercive measure — the steps whose day a certificate must cover (行政处罚法 第四十二条).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from subgraphs.cases.domain.clock import local_date
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.enum_values import describe_values

if TYPE_CHECKING:
    from subgraphs.cases.types import Officer, PenaltyCase

_Officer = Annotated["Officer", strawberry.lazy("subgraphs.cases.types")]
_PenaltyCase = Annotated["PenaltyCase", strawberry.lazy("subgraphs.cases.types")]


@strawberry.enum(description="办案角色 — an officer's role in a case.")
class CaseRole(Enum):
    INVESTIGATOR = "INVESTIGATOR"  # 承办人
    VERIFIER = "VERIFIER"  # 审核人
    LEGAL_REVIEWER = "LEGAL_REVIEWER"  # 法制审核人员
    HEARING_CHAIR = "HEARING_CHAIR"  # 听证主持人
    COLLECTOR = "COLLECTOR"  # 证据收集人 (collected evidence without being an investigator)


describe_values(CaseRole)


@strawberry.enum(description="执法行为 — a dated step an officer performed in a case.")
class ActKind(Enum):
    EVIDENCE = "EVIDENCE"  # 收集证据
    SIMPLE_DECISION = "SIMPLE_DECISION"  # 当场处罚决定
    HEARING = "HEARING"  # 主持听证
    LEGAL_REVIEW = "LEGAL_REVIEW"  # 法制审核
    COERCIVE_MEASURE = "COERCIVE_MEASURE"  # 实施强制措施


describe_values(ActKind)


@dataclass(frozen=True, slots=True)
class Act:
    kind: ActKind
    ref: str | None
    on: date
    officer_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    officer_id: str
    role: CaseRole
    start: date | None
    until: date | None


def _decided(s: CaseSnapshot) -> date | None:
    if s.decision is not None:
        return s.decision.decided_on
    return s.no_penalty.decided_on if s.no_penalty is not None else None


def _left_investigation(s: CaseSnapshot) -> date | None:
    return _decided(s) or (s.termination.terminated_on if s.termination is not None else None) or (
        s.closure.closed_on if s.closure is not None else None)


def acts_of(s: CaseSnapshot, measures: Sequence[CoerciveMeasure] = ()) -> list[Act]:
    """The officer acts of a case, in day order (ties: as recorded)."""
    out = [Act(ActKind.EVIDENCE, ev.evidence_id, ev.collected_on, tuple(ev.collected_by)) for ev in s.evidence]
    if s.decision is not None and s.procedure is not None and s.procedure.value == "SIMPLE":
        out.append(Act(ActKind.SIMPLE_DECISION, s.decision.doc_no, s.decision.decided_on, tuple(s.investigators)))
    if s.hearing is not None and s.hearing.chair_id and s.hearing.hearing_on is not None:
        out.append(Act(ActKind.HEARING, None, s.hearing.hearing_on, (s.hearing.chair_id,)))
    review = s.legal_review
    if review is not None and review.reviewer_id and review.reviewed_on is not None:
        out.append(Act(ActKind.LEGAL_REVIEW, None, review.reviewed_on, (review.reviewer_id,)))
    for m in measures:
        if m.started_at is not None:
            out.append(Act(ActKind.COERCIVE_MEASURE, m.measure_id, local_date(m.started_at), tuple(m.officer_ids)))
    return sorted(out, key=lambda a: a.on)


def assignments_of(s: CaseSnapshot) -> list[Assignment]:
    """Every (officer, role) of the case with the period the role covers (until None: still open)."""
    begun = s.filed_on or (s.decision.decided_on if s.decision is not None else s.discovered_on)
    left = _left_investigation(s)
    out = [Assignment(o, CaseRole.INVESTIGATOR, begun, left) for o in dict.fromkeys(s.investigators)]
    if s.verifier_id:
        out.append(Assignment(s.verifier_id, CaseRole.VERIFIER, begun, left))
    review = s.legal_review
    if review is not None and review.reviewer_id:
        out.append(Assignment(review.reviewer_id, CaseRole.LEGAL_REVIEWER, review.submitted_on, review.reviewed_on))
    hearing = s.hearing
    if hearing is not None and hearing.chair_id:
        out.append(Assignment(hearing.chair_id, CaseRole.HEARING_CHAIR, hearing.notice_served_on or hearing.hearing_on,
                              hearing.hearing_on))
    named = {a.officer_id for a in out}
    for ev in s.evidence:
        for o in ev.collected_by:
            if o not in named:
                named.add(o)
                out.append(Assignment(o, CaseRole.COLLECTOR, ev.collected_on, ev.collected_on))
    return out


@strawberry.type(description="执法行为 — a dated step officers performed in the case.")
class CaseAct:
    kind: ActKind = strawberry.field(description="行为 — what was done")
    ref: str | None = strawberry.field(description="编号 — the evidence id, decision number or measure id it concerns")
    on: date = strawberry.field(description="日期 — the day it was done")
    officer_ids: list[str] = strawberry.field(description="执法人员 — ids of the officers who did it")
    officers: list[_Officer] | None = strawberry.field(description="执法人员 — the officers who did it (personnel subgraph)")

    @classmethod
    def of(cls, act: Act) -> CaseAct:
        from subgraphs.cases.types import Officer

        return cls(kind=act.kind, ref=act.ref, on=act.on, officer_ids=list(act.officer_ids),
                   officers=[Officer(id=strawberry.ID(o)) for o in act.officer_ids])


@strawberry.type(description="办案人员分工 — one officer's role in the case and the period it covers.")
class CaseAssignment:
    officer_id: str = strawberry.field(description="执法人员编号 — the officer's id")
    officer: _Officer | None = strawberry.field(description="执法人员 — the officer (personnel subgraph)")
    role: CaseRole = strawberry.field(description="角色 — the role")
    from_: date | None = strawberry.field(name="from", description="起 — the first day of the role")
    until: date | None = strawberry.field(description="止 — the last day of the role (null: still open)")

    @classmethod
    def of(cls, a: Assignment) -> CaseAssignment:
        from subgraphs.cases.types import Officer

        return cls(officer_id=a.officer_id, officer=Officer(id=strawberry.ID(a.officer_id)), role=a.role,
                   from_=a.start, until=a.until)


@strawberry.type(description="听证 — the hearing of a case: requested, noticed, held, and who chaired it.")
class CaseHearing:
    status: str = strawberry.field(description="状态 — REQUESTED, SCHEDULED, HELD or WAIVED")
    requested_on: date = strawberry.field(description="申请日期 — the day the party asked for a hearing")
    notice_served_on: date | None = strawberry.field(description="通知送达 — the day the hearing notice was served")
    held_on: date | None = strawberry.field(description="举行日期 — the day of the hearing")
    chair_id: str | None = strawberry.field(description="主持人编号 — the chair's officer id")
    chair: _Officer | None = strawberry.field(description="主持人 — the officer who chaired it")

    @classmethod
    def of(cls, s: CaseSnapshot) -> CaseHearing | None:
        from subgraphs.cases.types import Officer

        h = s.hearing
        if h is None:
            return None
        return cls(status=h.status.value, requested_on=h.requested_on, notice_served_on=h.notice_served_on,
                   held_on=h.hearing_on, chair_id=h.chair_id,
                   chair=Officer(id=strawberry.ID(h.chair_id)) if h.chair_id else None)


@strawberry.type(description="参与办案 — one case an officer took part in: the roles held and the acts done.")
class CaseParticipation:
    case: _PenaltyCase = strawberry.field(description="案件 — the case")
    roles: list[CaseAssignment] = strawberry.field(description="角色 — this officer's roles in the case")
    acts: list[CaseAct] = strawberry.field(description="执法行为 — this officer's dated acts in the case")
