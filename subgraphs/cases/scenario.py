"""Command builders for scripted cases (the seed and the benchmark), with lawful defaults.

Each builder returns one domain command of DOMAIN.md §5.2; arguments are what varies between
cases. Acts of the agency head are attributed to `HEAD`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from subgraphs.cases.domain import commands as c
from subgraphs.cases.domain.catalogue import EnforcementItem
from subgraphs.cases.domain.enums import (
    CaseSource,
    CircumstanceLevel,
    EnforcementRoute,
    EvidenceKind,
    NoPenaltyGround,
    PenaltyKind,
    ReviewOpinion,
    ServiceMethod,
    TerminationGround,
)
from subgraphs.cases.domain.records import EvidenceRecord, Party, PenaltyProposal, Violation

HEAD = "HEAD"


def register_clue(at: datetime, actor: str, case_id: str, body: dict[str, Any], item: EnforcementItem,
                  party: Party, violation_on: date, *, discovered_on: str) -> c.RegisterClue:
    return c.RegisterClue(at=at, actor_id=actor, case_id=case_id, body_id=str(body["uscc"]), item_code=item.code,
                          item_version=item.version, region_code=str(body["region_code"]),
                          source=CaseSource.INSPECTION, parties=(party,), violation=Violation(violation_on),
                          discovered_on=date.fromisoformat(discovered_on))


def on_the_spot(at: datetime, officers: tuple[str, str], clue: c.RegisterClue,
                basis: tuple[str, ...]) -> c.DecideOnTheSpot:
    warning = PenaltyProposal(frozenset({PenaltyKind.WARNING}), CircumstanceLevel.ORDINARY)
    return c.DecideOnTheSpot(at=at, actor_id=officers[0], officer_ids=officers, proposal=warning,
                             doc_no=f"No.{clue.case_id[:7]}", facts_certain=True, basis_refs=basis,
                             certificate_shown=True, statement_heard=True, clue=clue)


def verify(at: datetime, officer: str) -> c.AssignVerifier:
    return c.AssignVerifier(at=at, actor_id=HEAD, verifier_id=officer)


def not_file(at: datetime) -> c.DecideNotToFile:
    return c.DecideNotToFile(at=at, actor_id=HEAD, reason="违法事实不能成立")


def file_case(at: datetime) -> c.FileCase:
    return c.FileCase(at=at, actor_id=HEAD, filing_standard_met=True)


def investigate(at: datetime, officers: tuple[str, str]) -> c.StartInvestigation:
    return c.StartInvestigation(at=at, actor_id=officers[0], officer_ids=officers, recusal_checked=True)


def evidence(at: datetime, officers: tuple[str, str], evidence_id: str, sm3: str | None = None) -> c.RecordEvidence:
    record = EvidenceRecord(evidence_id, EvidenceKind.INSPECTION_RECORD, at.date(), officers, True, sm3 or "0" * 64)
    return c.RecordEvidence(at=at, actor_id=officers[0], evidence=record)


def suspend(at: datetime) -> c.Suspend:
    return c.Suspend(at=at, actor_id=HEAD, reason="等待检验鉴定结论")


def terminate(at: datetime) -> c.Terminate:
    return c.Terminate(at=at, actor_id=HEAD, ground=TerminationGround.ENTITY_DISSOLVED_NO_ASSETS,
                       reason="当事人已注销且无财产")


def conclude(at: datetime, actor: str) -> c.ConcludeInvestigation:
    return c.ConcludeInvestigation(at=at, actor_id=actor, report_doc_id="调查终结报告")


def submit(at: datetime, actor: str) -> c.SubmitForReview:
    return c.SubmitForReview(at=at, actor_id=actor)


def transfer(at: datetime) -> c.TransferToJudiciary:
    return c.TransferToJudiciary(at=at, actor_id=HEAD, suspected_crime=True, recipient="公安机关")


def no_penalty(at: datetime) -> c.DecideNoPenalty:
    return c.DecideNoPenalty(at=at, actor_id=HEAD, ground=NoPenaltyGround.FACTS_NOT_ESTABLISHED)


def notice(at: datetime, actor: str, proposal: PenaltyProposal, hearing_right: bool) -> c.ServeNotice:
    return c.ServeNotice(at=at, actor_id=actor, proposal=proposal, includes_hearing_right=hearing_right)


def request_hearing(at: datetime) -> c.RequestHearing:
    return c.RequestHearing(at=at, actor_id="CLERK")


def schedule_hearing(at: datetime, hearing_on: date, chair: str) -> c.ScheduleHearing:
    return c.ScheduleHearing(at=at, actor_id="CLERK", notice_served_on=at.date(), hearing_on=hearing_on,
                             chair_id=chair)


def hold_hearing(at: datetime, chair: str) -> c.HoldHearing:
    return c.HoldHearing(at=at, actor_id=chair)


def statement(at: datetime, actor: str) -> c.RecordStatement:
    return c.RecordStatement(at=at, actor_id=actor, summary="当事人提出陈述申辩")


def review_statement(at: datetime, actor: str) -> c.ReviewStatement:
    return c.ReviewStatement(at=at, actor_id=actor, index=0, adopted=False)


def reassess(at: datetime, proposal: PenaltyProposal) -> c.Reassess:
    return c.Reassess(at=at, actor_id=HEAD, proposal=proposal)


def submit_legal_review(at: datetime, *, major: bool) -> c.SubmitLegalReview:
    return c.SubmitLegalReview(at=at, actor_id=HEAD, complex_legal_relations=True, major_case=major)


def record_review(at: datetime, reviewer: str) -> c.RecordLegalReview:
    return c.RecordLegalReview(at=at, actor_id=reviewer, reviewer_id=reviewer, opinion=ReviewOpinion.PASS)


def discussion(at: datetime) -> c.HoldCollectiveDiscussion:
    return c.HoldCollectiveDiscussion(at=at, actor_id=HEAD, attendees=(HEAD, "DEPUTY", "LEGAL"),
                                      minutes_doc_id="集体讨论记录")


def decide(at: datetime, proposal: PenaltyProposal, basis: tuple[str, ...], doc_no: str) -> c.Decide:
    return c.Decide(at=at, actor_id=HEAD, doc_no=doc_no, proposal=proposal, signed_by=HEAD, sealed=True,
                    contents_complete=True, basis_refs=basis)


def serve(at: datetime, actor: str) -> c.ServeDecision:
    return c.ServeDecision(at=at, actor_id=actor, method=ServiceMethod.DIRECT)


def start_payment(at: datetime, actor: str) -> c.StartPayment:
    return c.StartPayment(at=at, actor_id=actor)


def publish(at: datetime, actor: str) -> c.PublishDecision:
    return c.PublishDecision(at=at, actor_id=actor)


def overdue(at: datetime) -> c.MarkOverdue:
    return c.MarkOverdue(at=at, actor_id="SYSTEM")


def remind(at: datetime) -> c.ServeReminder:
    return c.ServeReminder(at=at, actor_id=HEAD)


def enforce_by_court(at: datetime) -> c.StartEnforcement:
    return c.StartEnforcement(at=at, actor_id=HEAD, route=EnforcementRoute.COURT)


def pay(at: datetime, amount_fen: int) -> c.ConfirmPayment:
    return c.ConfirmPayment(at=at, actor_id="BANK", amount_fen=amount_fen, receipt_no=f"R{at:%Y%m%d}")


def close(at: datetime) -> c.Close:
    return c.Close(at=at, actor_id=HEAD, documents_complete=True, evidence_hashed=True)


def archive(at: datetime, archive_no: str, manifest_sm3: str) -> c.Archive:
    return c.Archive(at=at, actor_id="ARCHIVIST", archive_no=archive_no, manifest_sm3=manifest_sm3, sealed=True)
