"""Immutable sub-records of a penalty case (DOMAIN.md §4.10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .deadlines import Deadline, Extension
from .enums import (
    CaseState,
    CircumstanceLevel,
    EnforcementRoute,
    EvidenceKind,
    HearingStatus,
    NoPenaltyGround,
    PartyType,
    PenaltyKind,
    RemedyKind,
    RemedyOutcome,
    ReviewOpinion,
    ServiceMethod,
    TerminationGround,
)
from .errors import DomainValueError
from .money import Fen, require_non_negative
from .periods import DateRange


@dataclass(frozen=True, slots=True)
class Party:
    """当事人. `id_hash` is the HMAC-SM3 key of the ID number; the raw number never enters the domain.

    `id_type` goes with `id_hash` (the two form the `Person` federation key); `uscc` identifies an
    organisation or 个体工商户 party (the `LegalEntity` key).
    """

    party_type: PartyType
    name: str
    birth_date: date | None = None
    id_hash: str | None = None
    id_type: str | None = None
    uscc: str | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    start: date
    end: date | None = None
    continuous: bool = False
    endangers_life_or_finance: bool = False  # 涉及公民生命健康安全、金融安全
    harmful_consequences: bool = False

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise DomainValueError("the violation ends before it starts")


@dataclass(frozen=True, slots=True)
class PenaltyProposal:
    """A penalty as proposed, notified or decided."""

    kinds: frozenset[PenaltyKind]
    circumstance: CircumstanceLevel
    fine_fen: Fen = 0
    confiscated_gains_fen: Fen = 0
    confiscated_property_fen: Fen = 0
    fine_base_fen: Fen | None = None  # 违法所得 / 货值金额 for MULTIPLE_OF fine rules
    mitigating_factors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_non_negative(self.fine_fen, "fine")
        require_non_negative(self.confiscated_gains_fen, "confiscated gains")
        require_non_negative(self.confiscated_property_fen, "confiscated property value")
        if (self.fine_fen > 0) != (PenaltyKind.FINE in self.kinds):
            raise DomainValueError("a fine amount goes with the FINE kind and only with it")

    @property
    def monetary_fen(self) -> Fen:
        """What the party must pay (fine and confiscated gains)."""
        return self.fine_fen + self.confiscated_gains_fen

    def is_heavier_than(self, other: PenaltyProposal) -> bool:
        """Heavier = a kind not in `other`, or any amount above `other`'s (Art. 45 ¶2 comparison)."""
        return (
            not self.kinds <= other.kinds
            or self.fine_fen > other.fine_fen
            or self.confiscated_gains_fen > other.confiscated_gains_fen
            or self.confiscated_property_fen > other.confiscated_property_fen
        )


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    evidence_id: str
    kind: EvidenceKind
    collected_on: date
    collected_by: tuple[str, ...]
    signed: bool
    sm3: str | None = None


@dataclass(frozen=True, slots=True)
class Preservation:
    """先行登记保存."""

    preservation_id: str
    preserved_on: date
    approved_by: str
    deadline: Deadline
    handled_on: date | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """行政处罚告知书."""

    served_on: date
    proposal: PenaltyProposal
    hearing_eligible: bool
    includes_hearing_right: bool
    statement_deadline: Deadline
    hearing_request_deadline: Deadline | None


@dataclass(frozen=True, slots=True)
class Statement:
    """陈述申辩 and its 复核."""

    made_on: date
    summary: str
    reviewed: bool = False
    adopted: bool | None = None


@dataclass(frozen=True, slots=True)
class Hearing:
    requested_on: date
    status: HearingStatus
    notice_served_on: date | None = None
    hearing_on: date | None = None
    chair_id: str | None = None


@dataclass(frozen=True, slots=True)
class LegalReview:
    submitted_on: date
    required: bool
    reasons: tuple[str, ...]
    deadline: Deadline
    reviewer_id: str | None = None
    opinion: ReviewOpinion | None = None
    reviewed_on: date | None = None


@dataclass(frozen=True, slots=True)
class CollectiveDiscussion:
    held_on: date
    attendees: tuple[str, ...]
    minutes_doc_id: str


@dataclass(frozen=True, slots=True)
class Decision:
    doc_no: str
    decided_on: date
    proposal: PenaltyProposal
    signed_by: str
    sealed: bool
    basis_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NoPenaltyDecision:
    ground: NoPenaltyGround
    decided_on: date
    education_record_id: str | None


@dataclass(frozen=True, slots=True)
class Service:
    method: ServiceMethod
    served_on: date
    on_spot: bool
    consent_doc_id: str | None = None


@dataclass(frozen=True, slots=True)
class Deferral:
    """An approved deferral (暂缓) or instalment plan (分期): no surcharge from approval to `new_due`."""

    applied_on: date
    approved_on: date
    approved_by: str
    new_due: date
    instalments: tuple[tuple[date, Fen], ...] = ()


@dataclass(frozen=True, slots=True)
class Payment:
    """缴款. `original_due` is the statutory due date; deferrals pause the surcharge after it."""

    amount_due_fen: Fen
    original_due: Deadline
    due: date
    on_spot: bool = False
    paid_fen: Fen = 0
    paid_on: date | None = None
    receipts: tuple[str, ...] = ()
    deferrals: tuple[Deferral, ...] = ()
    # on-the-spot collection (Arts. 68–71): why it was allowed, and where the cash went next
    hard_to_collect: bool = False
    remote_area_request: bool = False
    cash_handed_on: date | None = None  # to the agency, within 2 wd of collection
    cash_banked_on: date | None = None  # into the bank, within 2 wd of the hand-over


@dataclass(frozen=True, slots=True)
class Remedy:
    kind: RemedyKind
    filed_on: date
    concluded_on: date | None = None
    outcome: RemedyOutcome | None = None

    @property
    def pending(self) -> bool:
        return self.concluded_on is None

    @property
    def span(self) -> DateRange:
        return DateRange(self.filed_on, self.concluded_on)


@dataclass(frozen=True, slots=True)
class Enforcement:
    route: EnforcementRoute
    started_on: date
    executed_on: date | None = None
    executed_at: datetime | None = None  # the instant of execution (强制法 Art. 43: not at night or on holidays)
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Publicity:
    deadline: Deadline
    published_on: date | None = None
    withdrawal_deadline: Deadline | None = None
    withdrawn_on: date | None = None


@dataclass(frozen=True, slots=True)
class Suspension:
    previous_state: CaseState
    since: date
    reason: str
    excluded_from_clock: bool
    resumed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Termination:
    ground: TerminationGround
    reason: str
    terminated_on: date


@dataclass(frozen=True, slots=True)
class Closure:
    closed_on: date
    archive_deadline: Deadline
    archived_on: date | None = None
    archive_no: str | None = None


__all__ = [
    "Closure",
    "CollectiveDiscussion",
    "Decision",
    "Deferral",
    "Enforcement",
    "EvidenceRecord",
    "Extension",
    "Hearing",
    "LegalReview",
    "NoPenaltyDecision",
    "Notice",
    "Party",
    "Payment",
    "PenaltyProposal",
    "Preservation",
    "Publicity",
    "Remedy",
    "Service",
    "Statement",
    "Suspension",
    "Termination",
    "Violation",
]
