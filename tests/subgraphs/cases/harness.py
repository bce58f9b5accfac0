"""Scenario harness: command factories with spec-like defaults and a `Story` that walks a case.

A scenario reads like DOMAIN.md §5.2:

    story = Story(ctx).do(clue("2024-02-26"), verify("2024-02-27"), file("2024-03-01"))
    assert story.path == ["T1", "T2", "T6"]
    story.fails(decide("2024-05-31"), "T20.within_decision_deadline", "《行政处罚法》第六十条")
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from subgraphs.cases.domain import commands as c
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import Extension
from subgraphs.cases.domain.enums import (
    BasisLevel,
    CaseSource,
    CaseState,
    CircumstanceLevel,
    EnforcementRoute,
    EvidenceKind,
    NoPenaltyGround,
    PartyType,
    PenaltyKind,
    RemedyKind,
    RemedyOutcome,
    ReviewOpinion,
    ServiceMethod,
    TerminationGround,
)
from subgraphs.cases.domain.errors import GuardFailed
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.domain.money import yuan
from subgraphs.cases.domain.records import EvidenceRecord, Party, PenaltyProposal, Violation
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.domain.transition import Transition

from .world import CHAOZHOU

PERSON = Party(PartyType.NATURAL_PERSON, "张三", birth_date=date(1980, 5, 1), id_hash="h-zs")
COMPANY = Party(PartyType.ORGANISATION, "潮州某食品有限公司")
BASIS = ("《某条例》第二十条",)


def at(text: str) -> datetime:
    """'2024-03-01' (10:00) or '2024-03-01 23:30' in China Standard Time."""
    if " " in text:
        day, clock = text.split(" ")
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), CHINA_TZ)
    return datetime.combine(date.fromisoformat(text), time(10, 0), CHINA_TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


def penalty(fine: int = 5_000, *, level: CircumstanceLevel = CircumstanceLevel.LIGHTER,
            kinds: frozenset[PenaltyKind] | None = None, factors: tuple[str, ...] = (), **extra: Any) -> PenaltyProposal:
    """A proposal with a fine of `fine` 元 (0 = no fine)."""
    if kinds is None:
        kinds = frozenset({PenaltyKind.FINE}) if fine else frozenset({PenaltyKind.WARNING})
    return PenaltyProposal(kinds=kinds, circumstance=level, fine_fen=yuan(fine), mitigating_factors=factors, **extra)


# --- command factories (defaults follow the ordinary path of test_penalty_paths) ---------------

def clue(on: str, *, party: Party = PERSON, item: str = "ITEM-A", body: str = "B1", region: str = CHAOZHOU,
         violation: Violation | None = None, discovered: str | None = None, case_id: str = "CASE-1") -> c.RegisterClue:
    return c.RegisterClue(
        at=at(on), actor_id="O1", case_id=case_id, body_id=body, item_code=item, item_version="1",
        region_code=region, source=CaseSource.INSPECTION, parties=(party,),
        violation=violation or Violation(d("2024-02-20")), discovered_on=d(discovered or on[:10]),
    )


def verify(on: str) -> c.AssignVerifier:
    return c.AssignVerifier(at=at(on), actor_id="HEAD", verifier_id="O1")


def file(on: str, **kw: Any) -> c.FileCase:
    return c.FileCase(at=at(on), actor_id="HEAD", **{"filing_standard_met": True, **kw})


def investigate(on: str, officers: tuple[str, ...] = ("O1", "O2"), **kw: Any) -> c.StartInvestigation:
    return c.StartInvestigation(at=at(on), actor_id="O1", officer_ids=officers, **{"recusal_checked": True, **kw})


def evidence(on: str, evidence_id: str = "E1", *, by: tuple[str, ...] = ("O1", "O2"), signed: bool = True,
             sm3: str | None = "a" * 64) -> c.RecordEvidence:
    record = EvidenceRecord(evidence_id, EvidenceKind.INSPECTION_RECORD, d(on[:10]), by, signed, sm3)
    return c.RecordEvidence(at=at(on), actor_id="O1", evidence=record)


def conclude(on: str) -> c.ConcludeInvestigation:
    return c.ConcludeInvestigation(at=at(on), actor_id="O1", report_doc_id="REPORT-1")


def submit(on: str) -> c.SubmitForReview:
    return c.SubmitForReview(at=at(on), actor_id="O1")


def notice(on: str, proposal: PenaltyProposal | None = None, **kw: Any) -> c.ServeNotice:
    return c.ServeNotice(at=at(on), actor_id="O1", proposal=proposal or penalty(), **kw)


def statement(on: str) -> c.RecordStatement:
    return c.RecordStatement(at=at(on), actor_id="O1", summary="当事人陈述")


def review_statement(on: str, index: int = 0, adopted: bool = False) -> c.ReviewStatement:
    return c.ReviewStatement(at=at(on), actor_id="O1", index=index, adopted=adopted)


def reassess(on: str, proposal: PenaltyProposal | None = None, **kw: Any) -> c.Reassess:
    return c.Reassess(at=at(on), actor_id="HEAD", proposal=proposal or penalty(), **kw)


def decide(on: str, proposal: PenaltyProposal | None = None, **kw: Any) -> c.Decide:
    args: dict[str, Any] = {"doc_no": "潮市监罚〔2024〕12号", "signed_by": "HEAD", "sealed": True,
                            "contents_complete": True, "basis_refs": BASIS}
    args.update(kw)
    return c.Decide(at=at(on), actor_id="HEAD", proposal=proposal or penalty(), **args)


def serve(on: str, **kw: Any) -> c.ServeDecision:
    return c.ServeDecision(at=at(on), actor_id="O1", **{"method": ServiceMethod.DIRECT, **kw})


def payment_period(on: str, **kw: Any) -> c.StartPayment:
    return c.StartPayment(at=at(on), actor_id="O1", **kw)


def pay(on: str, amount_yuan: int) -> c.ConfirmPayment:
    return c.ConfirmPayment(at=at(on), actor_id="BANK", amount_fen=yuan(amount_yuan), receipt_no="R-001")


def overdue(on: str) -> c.MarkOverdue:
    return c.MarkOverdue(at=at(on), actor_id="SYSTEM")


def remind(on: str) -> c.ServeReminder:
    return c.ServeReminder(at=at(on), actor_id="O1")


def enforce(on: str, route: EnforcementRoute = EnforcementRoute.OWN_POWER, urgent: bool = False) -> c.StartEnforcement:
    return c.StartEnforcement(at=at(on), actor_id="HEAD", route=route, urgent=urgent)


def executed(on: str, urgent: bool = False) -> c.RecordExecution:
    return c.RecordExecution(at=at(on), actor_id="O1", urgent=urgent)


def close(on: str, **kw: Any) -> c.Close:
    return c.Close(at=at(on), actor_id="HEAD", **{"documents_complete": True, "evidence_hashed": True, **kw})


def archive(on: str, **kw: Any) -> c.Archive:
    return c.Archive(at=at(on), actor_id="ARCHIVIST",
                     **{"archive_no": "A-2024-001", "manifest_sm3": "b" * 64, "sealed": True, **kw})


def legal_review(on: str, **kw: Any) -> c.SubmitLegalReview:
    return c.SubmitLegalReview(at=at(on), actor_id="HEAD", **kw)


def review_opinion(on: str, opinion: ReviewOpinion = ReviewOpinion.PASS, reviewer: str = "R1") -> c.RecordLegalReview:
    return c.RecordLegalReview(at=at(on), actor_id=reviewer, reviewer_id=reviewer, opinion=opinion)


def discussion(on: str, **kw: Any) -> c.HoldCollectiveDiscussion:
    return c.HoldCollectiveDiscussion(at=at(on), actor_id="HEAD",
                                      **{"attendees": ("HEAD", "DEPUTY", "LEGAL"), "minutes_doc_id": "MIN-1", **kw})


def request_hearing(on: str) -> c.RequestHearing:
    return c.RequestHearing(at=at(on), actor_id="CLERK")


def schedule_hearing(notice_on: str, hearing_on: str, chair: str = "CH1") -> c.ScheduleHearing:
    return c.ScheduleHearing(at=at(notice_on), actor_id="CLERK", notice_served_on=d(notice_on),
                             hearing_on=d(hearing_on), chair_id=chair)


def hold_hearing(on: str, **kw: Any) -> c.HoldHearing:
    return c.HoldHearing(at=at(on), actor_id="CH1", **kw)


def no_penalty(on: str, ground: NoPenaltyGround = NoPenaltyGround.FIRST_VIOLATION,
               education: str | None = "EDU-1") -> c.DecideNoPenalty:
    return c.DecideNoPenalty(at=at(on), actor_id="HEAD", ground=ground, education_record_id=education)


def extension(on: str, days: int = 30, level: BasisLevel = BasisLevel.RULE, by: str = "HEAD") -> c.ApproveExtension:
    return c.ApproveExtension(at=at(on), actor_id="HEAD",
                              extension=Extension(days, by, level, "《市场监督管理行政处罚程序规定》"))


def suspend(on: str, reason: str = "等待检验鉴定", excluded: bool = False) -> c.Suspend:
    return c.Suspend(at=at(on), actor_id="HEAD", reason=reason, excluded_from_clock=excluded)


def resume(on: str) -> c.Resume:
    return c.Resume(at=at(on), actor_id="HEAD")


def terminate(on: str, reason: str = "当事人死亡且无遗产") -> c.Terminate:
    return c.Terminate(at=at(on), actor_id="HEAD", ground=TerminationGround.PARTY_DEAD_NO_ESTATE, reason=reason)


def publish(on: str) -> c.PublishDecision:
    return c.PublishDecision(at=at(on), actor_id="O1")


def withdraw(on: str) -> c.WithdrawPublicity:
    return c.WithdrawPublicity(at=at(on), actor_id="O1")


def file_remedy(on: str, kind: RemedyKind = RemedyKind.ADMIN_REVIEW) -> c.FileRemedy:
    return c.FileRemedy(at=at(on), actor_id="CLERK", kind=kind)


def conclude_remedy(on: str, outcome: RemedyOutcome = RemedyOutcome.UPHELD) -> c.ConcludeRemedy:
    return c.ConcludeRemedy(at=at(on), actor_id="CLERK", outcome=outcome)


def revise(on: str, outcome: RemedyOutcome, proposal: PenaltyProposal | None = None,
           doc_no: str | None = None) -> c.ReviseDecision:
    return c.ReviseDecision(at=at(on), actor_id="HEAD", outcome=outcome, reason="复议决定", proposal=proposal,
                            doc_no=doc_no)


# --- the story -----------------------------------------------------------------------------------

class Story:
    """A case walked command by command; keeps every `Transition`."""

    def __init__(self, ctx: GuardContext, case: CaseSnapshot | None = None) -> None:
        self.ctx = ctx
        self.case = case
        self.transitions: list[Transition] = []

    def do(self, *commands: c.CaseCommand) -> Story:
        for command in commands:
            step = apply(self.case, command, self.ctx)
            assert step.before is self.case, "apply must report the snapshot it started from"
            self.case = step.after
            self.transitions.append(step)
        return self

    def fails(self, command: c.CaseCommand, rule: str, article: str) -> GuardFailed:
        """The command is rejected by `rule` citing `article`, and the case is untouched."""
        before = self.case
        with pytest.raises(GuardFailed) as caught:
            apply(self.case, command, self.ctx)
        assert caught.value.rule == rule, str(caught.value)
        assert caught.value.article == article
        assert self.case is before
        return caught.value

    def branch(self) -> Story:
        """An independent continuation from the current snapshot (snapshots are immutable)."""
        return Story(self.ctx, self.case)

    @property
    def path(self) -> list[str]:
        return [t.transition for t in self.transitions]

    @property
    def state(self) -> CaseState:
        assert self.case is not None
        return self.case.state

    @property
    def now(self) -> CaseSnapshot:
        assert self.case is not None
        return self.case


# --- canonical stages ---------------------------------------------------------------------------

def ordinary(ctx: GuardContext, until: str, *, party: Party = PERSON, item: str = "ITEM-A",
             body: str = "B1") -> Story:
    """The ordinary path of a 5 000 元 fine (filed 2024-03-01), stopped after stage `until`."""
    steps: list[tuple[str, c.CaseCommand]] = [
        ("CLUE", clue("2024-02-26", party=party, item=item, body=body)),
        ("CLUE_VERIFYING", verify("2024-02-27")),
        ("FILED", file("2024-03-01")),
        ("INVESTIGATING", investigate("2024-03-04")),
        ("EVIDENCE", evidence("2024-03-05")),
        ("CONCLUDED", conclude("2024-04-15")),
        ("UNDER_REVIEW", submit("2024-04-16")),
        ("NOTIFIED", notice("2024-05-06")),
        ("STATEMENT", statement("2024-05-08")),
        ("STATEMENT_REVIEWED", review_statement("2024-05-09")),
        ("REASSESSED", reassess("2024-05-13")),
        ("DECIDED", decide("2024-05-27")),
        ("SERVED", serve("2024-06-03")),
        ("PERFORMING", payment_period("2024-06-03")),
        ("OVERDUE", overdue("2024-06-19")),
        ("REMINDED", remind("2024-06-20")),
    ]
    story = Story(ctx)
    for name, command in steps:
        story.do(command)
        if name == until:
            return story
    raise AssertionError(f"unknown stage {until}")


def hearing_case(ctx: GuardContext, until: str) -> Story:
    """An organisation facing a 60 000 元 fine (hearing-eligible), stopped after stage `until`."""
    heavy = penalty(60_000, level=CircumstanceLevel.ORDINARY)
    story = ordinary(ctx, "UNDER_REVIEW", party=COMPANY)
    steps: list[tuple[str, c.CaseCommand]] = [
        ("NOTIFIED", notice("2024-05-06", heavy, includes_hearing_right=True)),
        ("REQUESTED", request_hearing("2024-05-10")),
        ("SCHEDULED", schedule_hearing("2024-05-13", "2024-05-22")),
        ("HELD", hold_hearing("2024-05-22")),
        ("REASSESSED", reassess("2024-05-23", heavy)),
        ("LEGAL_REVIEW", legal_review("2024-05-24", major_rights_after_hearing=True, major_case=True)),
        ("DISCUSSION", review_opinion("2024-05-27")),
        ("DISCUSSED", discussion("2024-05-28")),
    ]
    for name, command in steps:
        story.do(command)
        if name == until:
            return story
    raise AssertionError(f"unknown stage {until}")


HEAVY = penalty(60_000, level=CircumstanceLevel.ORDINARY)

