"""Commands of the penalty-case state machine, one per trigger of DOMAIN.md §5.2.

Every command carries the instant it happens (`at`, with an offset) and the acting user.
Dates derived from `at` are taken in China Standard Time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .deadlines import Extension
from .enums import (
    BasisLevel,
    CaseSource,
    CashStage,
    CoerciveKind,
    EnforcementRoute,
    NoPenaltyGround,
    RemedyKind,
    RemedyOutcome,
    ReviewOpinion,
    ServiceMethod,
    TerminationGround,
)
from .money import Fen
from .records import EvidenceRecord, Party, PenaltyProposal, Violation


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseCommand:
    at: datetime
    actor_id: str


# --- intake and investigation (T1–T9) -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterClue(CaseCommand):
    """T1 案源登记."""

    case_id: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    source: CaseSource
    parties: tuple[Party, ...]
    violation: Violation
    discovered_on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignVerifier(CaseCommand):
    """T2 核查."""

    verifier_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DecideNotToFile(CaseCommand):
    """T3 不予立案."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DecideOnTheSpot(CaseCommand):
    """T4 简易程序当场决定; `clue` registers the case when there is none yet."""

    officer_ids: tuple[str, ...]
    proposal: PenaltyProposal
    doc_no: str
    facts_certain: bool
    basis_refs: tuple[str, ...]
    certificate_shown: bool
    statement_heard: bool
    clue: RegisterClue | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FileSimpleRecord(CaseCommand):
    """T4a 简易程序备案: the on-the-spot decision filed with the agency (Art. 52 ¶3)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPerformance(CaseCommand):
    """T5 简易程序履行."""

    on_spot_collection: bool = False
    hard_to_collect: bool = False
    remote_area_request: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCase(CaseCommand):
    """T6 立案."""

    filing_standard_met: bool
    filed_first_elsewhere: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StartInvestigation(CaseCommand):
    """T7 调查取证."""

    officer_ids: tuple[str, ...]
    recusal_checked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordEvidence(CaseCommand):
    """T7 (loop) an investigative act producing evidence."""

    evidence: EvidenceRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class PreserveEvidence(CaseCommand):
    """T7a 先行登记保存."""

    preservation_id: str
    approved_by: str
    head_approved: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlePreservation(CaseCommand):
    """T7a handling decision on preserved evidence."""

    preservation_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkCoerciveMeasure(CaseCommand):
    """T7b a coercive measure (§6.1) taken in the investigation."""

    measure_id: str
    basis_level: BasisLevel
    measure_kind: CoerciveKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcludeInvestigation(CaseCommand):
    """T8 调查终结报告."""

    report_doc_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitForReview(CaseCommand):
    """T9."""


# --- review, notice, hearing, decision (T10–T20) ---------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferToJudiciary(CaseCommand):
    """T10 移送司法机关."""

    suspected_crime: bool
    recipient: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitLegalReview(CaseCommand):
    """T11 (before a no-penalty decision) / T17 (after re-assessment) 法制审核.

    The flags are the criteria of 《行政处罚法》第五十八条第一款 (1)–(4); `complex_case` and
    `major_case` also decide whether collective discussion follows (第五十七条第二款).
    """

    major_public_interest: bool = False
    major_rights_after_hearing: bool = False
    complex_legal_relations: bool = False
    other_statutory: bool = False
    complex_case: bool = False
    major_case: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordLegalReview(CaseCommand):
    """T18 (RETURN/FAIL) or T19 (PASS)."""

    reviewer_id: str
    opinion: ReviewOpinion


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldCollectiveDiscussion(CaseCommand):
    """T19 (loop) 集体讨论."""

    attendees: tuple[str, ...]
    minutes_doc_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DecideNoPenalty(CaseCommand):
    """T12 不予处罚."""

    ground: NoPenaltyGround
    education_record_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeNotice(CaseCommand):
    """T13 行政处罚告知书."""

    proposal: PenaltyProposal
    facts_stated: bool = True
    reasons_stated: bool = True
    basis_stated: bool = True
    rights_stated: bool = True
    includes_hearing_right: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordStatement(CaseCommand):
    """陈述申辩 received."""

    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewStatement(CaseCommand):
    """复核 of statement number `index` (0-based)."""

    index: int
    adopted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiveStatements(CaseCommand):
    """The party's express waiver of statement and defence (《行政处罚法》第六十二条)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestHearing(CaseCommand):
    """T14 听证申请 (`at` is when the request was received)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleHearing(CaseCommand):
    """T14 (loop) 听证通知."""

    notice_served_on: date
    hearing_on: date
    chair_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldHearing(CaseCommand):
    """T15 听证 held, or deemed waived on unjustified absence or walkout."""

    record_signed: bool = True
    refusal_noted: bool = False
    deemed_waived: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Reassess(CaseCommand):
    """T16 re-assessment after statements / hearing; `new_facts` forces a new notice."""

    proposal: PenaltyProposal
    new_facts: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveExtension(CaseCommand):
    """T20 (loop) extension of the decision period."""

    extension: Extension


@dataclass(frozen=True, slots=True, kw_only=True)
class Decide(CaseCommand):
    """T20 处罚决定."""

    doc_no: str
    proposal: PenaltyProposal
    signed_by: str
    sealed: bool
    contents_complete: bool
    basis_refs: tuple[str, ...]


# --- service, performance, execution (T21–T26) ------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeDecision(CaseCommand):
    """T21 送达."""

    method: ServiceMethod
    on_spot: bool = False
    consent_doc_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPayment(CaseCommand):
    """T22 (`decision_due` is the due date printed in the decision, if any)."""

    decision_due: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveDeferral(CaseCommand):
    """T22a 暂缓或者分期缴纳."""

    applied_on: date | None
    approved_by: str
    new_due: date
    instalments: tuple[tuple[date, Fen], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPayment(CaseCommand):
    """T23 bank confirmation (罚缴分离); T23 also confirms performance of non-monetary penalties."""

    amount_fen: Fen = 0
    receipt_no: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCashHandover(CaseCommand):
    """T23a cash collected on the spot handed to the agency (AGENCY) or paid into the bank (BANK), Art. 71."""

    stage: CashStage


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkOverdue(CaseCommand):
    """T24."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeReminder(CaseCommand):
    """催告书 served (强制法 Art. 35)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StartEnforcement(CaseCommand):
    """T25 执行决定 (own power) or 申请法院强制执行."""

    route: EnforcementRoute
    urgent: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordExecution(CaseCommand):
    """T26 executed."""

    urgent: bool = False


# --- overlays and closure (T27–T33) ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspend(CaseCommand):
    """T27 中止; `excluded_from_clock` where the sector rule excludes the period."""

    reason: str
    excluded_from_clock: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Resume(CaseCommand):
    """T27 恢复 to the state before the suspension."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Terminate(CaseCommand):
    """T28 终止/终结."""

    ground: TerminationGround
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishDecision(CaseCommand):
    """T29 公示."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawPublicity(CaseCommand):
    """撤回公示 (《行政处罚法》第四十八条第二款)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Close(CaseCommand):
    """T30 结案."""

    documents_complete: bool
    evidence_hashed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive(CaseCommand):
    """T31 归档."""

    archive_no: str
    manifest_sm3: str
    sealed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class FileRemedy(CaseCommand):
    """T32 复议/诉讼 filed (`at` is the filing date)."""

    kind: RemedyKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcludeRemedy(CaseCommand):
    """T32 remedy concluded; the surcharge pause ends."""

    outcome: RemedyOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviseDecision(CaseCommand):
    """T33 撤销/变更 after a remedy or by self-correction."""

    outcome: RemedyOutcome  # REVOKED or CHANGED
    reason: str
    doc_no: str | None = None
    proposal: PenaltyProposal | None = None
