"""`CaseSnapshot`: the immutable state of one penalty case between two transitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .deadlines import Deadline, DeadlineKind, Extension
from .enums import CaseSource, CaseState, Procedure, RemedyKind
from .periods import DateRange
from .records import (
    Closure,
    CollectiveDiscussion,
    Decision,
    Enforcement,
    EvidenceRecord,
    Hearing,
    LegalReview,
    NoPenaltyDecision,
    Notice,
    Party,
    Payment,
    PenaltyProposal,
    Preservation,
    Publicity,
    Remedy,
    Service,
    Statement,
    Suspension,
    Termination,
    Violation,
)
from .surcharge import Pause, PauseReason


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """One penalty case. Changed only by `machine.apply`, which returns a new snapshot."""

    case_id: str
    state: CaseState
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    source: CaseSource
    parties: tuple[Party, ...]
    violation: Violation
    discovered_on: date
    clue_received_on: date
    version: int = 1
    procedure: Procedure | None = None
    simple_filed_on: date | None = None  # 简易程序备案 with the agency (《行政处罚法》第五十二条第三款)
    verifier_id: str | None = None
    filed_on: date | None = None
    investigators: tuple[str, ...] = ()
    evidence: tuple[EvidenceRecord, ...] = ()
    preservations: tuple[Preservation, ...] = ()
    coercive_measure_ids: tuple[str, ...] = ()
    investigation_report_id: str | None = None
    transferred_to: str | None = None
    major: bool = False
    complex_case: bool = False
    notice: Notice | None = None
    statements: tuple[Statement, ...] = ()
    statements_waived: bool = False
    hearing: Hearing | None = None
    reassessed: PenaltyProposal | None = None
    legal_review: LegalReview | None = None
    collective_discussion: CollectiveDiscussion | None = None
    extensions: tuple[Extension, ...] = ()
    excluded_periods: tuple[DateRange, ...] = ()
    decision: Decision | None = None
    no_penalty: NoPenaltyDecision | None = None
    service: Service | None = None
    payment: Payment | None = None
    remedies: tuple[Remedy, ...] = ()
    reminder_served_on: date | None = None
    enforcement: Enforcement | None = None
    publicity: Publicity | None = None
    suspension: Suspension | None = None
    past_suspensions: tuple[Suspension, ...] = ()
    termination: Termination | None = None
    performed_on: date | None = None
    closure: Closure | None = None
    deadlines: tuple[Deadline, ...] = ()

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        """The latest deadline of `kind` set on the case."""
        for deadline in reversed(self.deadlines):
            if deadline.kind is kind:
                return deadline
        return None

    @property
    def remedy_pending(self) -> bool:
        return any(r.pending for r in self.remedies)

    def surcharge_pauses(self) -> tuple[Pause, ...]:
        """Review/litigation spans (Art. 73 ¶3) and deferral spans, for the surcharge."""
        pauses = [
            Pause(r.span, PauseReason.ADMIN_REVIEW if r.kind is RemedyKind.ADMIN_REVIEW else PauseReason.LITIGATION)
            for r in self.remedies
        ]
        if self.payment is not None:
            pauses.extend(
                Pause(DateRange(d.approved_on, d.new_due), PauseReason.DEFERRAL)
                for d in self.payment.deferrals
                if d.new_due >= d.approved_on
            )
        return tuple(pauses)
