"""Statutory deadlines as recomputable values: each records its basis, unit, amount and start.

Every function is pure: the same calendar, configuration and inputs give the same `Deadline`, so an
audit can recompute any stored deadline (DOMAIN.md §5.4). Conventions:

* the day of the triggering event does not count (a period of n days starting on d ends on d + n);
* working-day periods land on working days by construction;
* calendar-day periods roll forward to the next working day only where the configuration says so
  (`roll_forward`), and the `Deadline` records whether the roll applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .clock import add_months, add_years, require_aware
from .config import DeadlineConfig
from .enums import BasisLevel
from .errors import DomainValueError
from .periods import DateRange, merge
from .working_calendar import WorkingCalendar


class DeadlineUnit(StrEnum):
    WORKING_DAYS = "WORKING_DAYS"
    CALENDAR_DAYS = "CALENDAR_DAYS"
    HOURS = "HOURS"
    MONTHS = "MONTHS"
    YEARS = "YEARS"


class DeadlineKind(StrEnum):
    FILING_DECISION = "FILING_DECISION"
    DECISION = "DECISION"
    SERVICE = "SERVICE"
    PAYMENT = "PAYMENT"
    STATEMENT = "STATEMENT"
    HEARING_REQUEST = "HEARING_REQUEST"
    HEARING_EARLIEST = "HEARING_EARLIEST"
    PRESERVATION_HANDLING = "PRESERVATION_HANDLING"
    SEAL_SEIZE_TERM = "SEAL_SEIZE_TERM"
    FREEZE_TERM = "FREEZE_TERM"
    FREEZE_DECISION_SERVICE = "FREEZE_DECISION_SERVICE"
    EMERGENCY_REPORT = "EMERGENCY_REPORT"
    LIMITATION = "LIMITATION"
    LEGAL_REVIEW = "LEGAL_REVIEW"
    PUBLICITY = "PUBLICITY"
    PUBLICITY_WITHDRAWAL = "PUBLICITY_WITHDRAWAL"
    CLOSURE = "CLOSURE"
    ARCHIVE = "ARCHIVE"
    SIMPLE_RECORD = "SIMPLE_RECORD"
    COURT_APPLICATION = "COURT_APPLICATION"
    COURT_REMINDER = "COURT_REMINDER"


BASIS: dict[DeadlineKind, str] = {
    DeadlineKind.FILING_DECISION: "《行政处罚法》第五十四条; sector rule on the filing period",
    DeadlineKind.DECISION: "《行政处罚法》第六十条",
    DeadlineKind.SERVICE: "《行政处罚法》第六十一条",
    DeadlineKind.PAYMENT: "《行政处罚法》第六十七条",
    DeadlineKind.STATEMENT: "《行政处罚法》第四十四条、第四十五条",
    DeadlineKind.HEARING_REQUEST: "《行政处罚法》第六十四条第一项",
    DeadlineKind.HEARING_EARLIEST: "《行政处罚法》第六十四条第二项",
    DeadlineKind.PRESERVATION_HANDLING: "《行政处罚法》第五十六条",
    DeadlineKind.SEAL_SEIZE_TERM: "《行政强制法》第二十五条",
    DeadlineKind.FREEZE_TERM: "《行政强制法》第三十二条",
    DeadlineKind.FREEZE_DECISION_SERVICE: "《行政强制法》第三十一条",
    DeadlineKind.EMERGENCY_REPORT: "《行政强制法》第十九条",
    DeadlineKind.LIMITATION: "《行政处罚法》第三十六条",
    DeadlineKind.LEGAL_REVIEW: "《行政处罚法》第五十八条; 粤府办〔2021〕13号 (period configured)",
    DeadlineKind.PUBLICITY: "国办发〔2018〕118号 (period configured)",
    DeadlineKind.PUBLICITY_WITHDRAWAL: "《行政处罚法》第四十八条第二款",
    DeadlineKind.CLOSURE: "结案 period (configured)",
    DeadlineKind.ARCHIVE: "《行政处罚法》第四十七条; 归档 period (configured)",
    DeadlineKind.SIMPLE_RECORD: "《行政处罚法》第五十二条第三款 (备案 period configured)",
    DeadlineKind.COURT_APPLICATION: "《行政强制法》第五十三条; 《行政处罚法》第七十二条第二款",
    DeadlineKind.COURT_REMINDER: "《行政强制法》第五十四条",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A change to a period: an approved extension or an excluded span (days added to the end)."""

    reason: str
    days: int
    basis: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due date with everything needed to recompute it.

    For day-based units `due` is the last day on which the act is in time. For `HOURS`,
    `start_at`/`due_at` carry the instants and `start`/`due` their dates.
    """

    kind: DeadlineKind
    basis: str
    unit: DeadlineUnit
    amount: int
    start: date
    due: date
    rolled: bool = False
    provisional: bool = False
    adjustments: tuple[Adjustment, ...] = ()
    start_at: datetime | None = None
    due_at: datetime | None = None

    def is_met_by(self, day: date) -> bool:
        """True when an act on `day` is within the period."""
        return day <= self.due

    def is_met_at(self, instant: datetime) -> bool:
        if self.due_at is not None:
            return instant <= self.due_at
        return self.is_met_by(instant.date())


@dataclass(frozen=True, slots=True)
class Extension:
    """An approved extension of the decision period (only laws, regulations and rules may allow one)."""

    days: int
    approved_by: str
    basis_level: BasisLevel
    basis_text: str

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise DomainValueError(f"an extension must add days, got {self.days}")

    @property
    def qualifies(self) -> bool:
        return bool(self.approved_by) and self.basis_level is not BasisLevel.NORMATIVE_DOC


def _provisional(cal: WorkingCalendar, *days: date) -> bool:
    return any(cal.covers(d) and cal.is_provisional(d) for d in days)


def _working(cal: WorkingCalendar, kind: DeadlineKind, start: date, n: int) -> Deadline:
    due = cal.add_working_days(start, n)
    return Deadline(kind, BASIS[kind], DeadlineUnit.WORKING_DAYS, n, start, due,
                    provisional=_provisional(cal, start, due))


def _calendar(
    cal: WorkingCalendar,
    kind: DeadlineKind,
    start: date,
    n: int,
    *,
    roll: bool,
    adjustments: tuple[Adjustment, ...] = (),
) -> Deadline:
    raw_due = cal.add_calendar_days(start, n + sum(a.days for a in adjustments))
    due = cal.roll_forward_to_working_day(raw_due) if roll else raw_due
    return Deadline(kind, BASIS[kind], DeadlineUnit.CALENDAR_DAYS, n, start, due, rolled=due != raw_due,
                    provisional=_provisional(cal, start, due), adjustments=adjustments)


def decision_deadline(
    cal: WorkingCalendar,
    cfg: DeadlineConfig,
    *,
    filed_on: date,
    extensions: Iterable[Extension] = (),
    excluded: Iterable[DateRange] = (),
) -> Deadline:
    """filedAt + 90 cd + Σ approved extensions + Σ excluded days (DOMAIN.md §5.3, T20).

    Extensions without an approver or resting on a normative document do not count.
    """
    adjustments: list[Adjustment] = [
        Adjustment("extension", e.days, e.basis_text) for e in extensions if e.qualifies
    ]
    for span in merge(excluded):
        if span.end is None:
            raise DomainValueError("an excluded period must be closed before it can be counted")
        adjustments.append(Adjustment(f"excluded {span.start}..{span.end}", span.days, "sector rule"))
    return _calendar(cal, DeadlineKind.DECISION, filed_on, cfg.decision.calendar_days,
                     roll=cfg.decision.roll_forward, adjustments=tuple(adjustments))


def filing_decision_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, received_on: date) -> Deadline:
    return _working(cal, DeadlineKind.FILING_DECISION, received_on, cfg.filing_decision.working_days)


def service_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, decided_on: date) -> Deadline:
    """Service within 7 wd of the decision when not delivered on the spot (T21)."""
    return _working(cal, DeadlineKind.SERVICE, decided_on, cfg.service.working_days)


def payment_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, served_on: date) -> Deadline:
    """Payment 15 cd after service, rolled to the next working day if so configured (T22)."""
    return _calendar(cal, DeadlineKind.PAYMENT, served_on, cfg.payment.calendar_days,
                     roll=cfg.payment.roll_forward)


def statement_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, notice_served_on: date) -> Deadline:
    return _working(cal, DeadlineKind.STATEMENT, notice_served_on, cfg.statement.working_days)


def hearing_request_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, notice_served_on: date) -> Deadline:
    """Last day to request a hearing: 5 wd after the notice (T14)."""
    return _working(cal, DeadlineKind.HEARING_REQUEST, notice_served_on,
                    cfg.hearing.request_window_working_days)


def hearing_earliest_date(cal: WorkingCalendar, cfg: DeadlineConfig, *, hearing_notice_served_on: date) -> Deadline:
    """The earliest hearing date: the hearing notice must precede it by at least 7 wd.

    `due` here is the first permitted hearing day, not a last day.
    """
    return _working(cal, DeadlineKind.HEARING_EARLIEST, hearing_notice_served_on,
                    cfg.hearing.notice_lead_working_days)


def preservation_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, preserved_on: date) -> Deadline:
    return _working(cal, DeadlineKind.PRESERVATION_HANDLING, preserved_on, cfg.preservation.working_days)


def seal_seize_term(
    cal: WorkingCalendar,
    cfg: DeadlineConfig,
    *,
    started_on: date,
    extension_days: int = 0,
    testing_periods: Iterable[DateRange] = (),
) -> Deadline:
    """End of a sealing/seizure term: 30 cd, + one extension ≤ 30 cd, + excluded testing days."""
    if not 0 <= extension_days <= cfg.seal_seize.max_extension_calendar_days:
        raise DomainValueError(f"an extension of {extension_days} days exceeds the statutory maximum")
    adjustments: list[Adjustment] = []
    if extension_days:
        adjustments.append(Adjustment("extension", extension_days, "《行政强制法》第二十五条第一款"))
    for span in merge(testing_periods):
        if span.end is None:
            raise DomainValueError("a testing period must be closed before it is excluded")
        adjustments.append(Adjustment(f"testing {span.start}..{span.end}", span.days, "《行政强制法》第二十五条第三款"))
    return _calendar(cal, DeadlineKind.SEAL_SEIZE_TERM, started_on, cfg.seal_seize.term_calendar_days,
                     roll=False, adjustments=tuple(adjustments))


def freeze_term(cal: WorkingCalendar, cfg: DeadlineConfig, *, frozen_on: date, extension_days: int = 0) -> Deadline:
    """Handling or release decision within 30 cd of freezing, + one extension ≤ 30 cd."""
    if not 0 <= extension_days <= cfg.freeze.max_extension_calendar_days:
        raise DomainValueError(f"an extension of {extension_days} days exceeds the statutory maximum")
    adjustments = (Adjustment("extension", extension_days, "《行政强制法》第三十二条"),) if extension_days else ()
    return _calendar(cal, DeadlineKind.FREEZE_TERM, frozen_on, cfg.freeze.term_calendar_days,
                     roll=False, adjustments=adjustments)


def freeze_decision_service_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, frozen_on: date) -> Deadline:
    return _working(cal, DeadlineKind.FREEZE_DECISION_SERVICE, frozen_on, cfg.freeze.decision_service_working_days)


def emergency_report_deadline(cfg: DeadlineConfig, *, started_at: datetime) -> Deadline:
    """An emergency measure must be reported to the agency head within 24 hours."""
    require_aware(started_at, "started_at")
    hours = cfg.emergency_measure.report_hours
    due_at = started_at + timedelta(hours=hours)
    kind = DeadlineKind.EMERGENCY_REPORT
    return Deadline(kind, BASIS[kind], DeadlineUnit.HOURS, hours, started_at.date(), due_at.date(),
                    start_at=started_at, due_at=due_at)


def limitation_deadline(
    cfg: DeadlineConfig, *, violation_start: date, violation_end: date | None, continuous: bool, extended: bool
) -> Deadline:
    """Last day the violation may still be discovered (Art. 36): 2 years, or 5 years where it
    concerns 公民生命健康安全/金融安全 with harmful consequences; counted from the end of a
    continuous violation. Needs no working-day calendar (the years may predate it)."""
    start = violation_end if continuous and violation_end is not None else violation_start
    years = cfg.limitation.extended_years if extended else cfg.limitation.general_years
    kind = DeadlineKind.LIMITATION
    return Deadline(kind, BASIS[kind], DeadlineUnit.YEARS, years, start, add_years(start, years))


def legal_review_deadline(
    cal: WorkingCalendar, cfg: DeadlineConfig, *, submitted_on: date, extended: bool = False
) -> Deadline:
    days = cfg.legal_review.working_days + (cfg.legal_review.extension_working_days if extended else 0)
    return _working(cal, DeadlineKind.LEGAL_REVIEW, submitted_on, days)


def publicity_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, decided_on: date) -> Deadline:
    return _working(cal, DeadlineKind.PUBLICITY, decided_on, cfg.publicity.working_days)


def publicity_withdrawal_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, changed_on: date) -> Deadline:
    return _working(cal, DeadlineKind.PUBLICITY_WITHDRAWAL, changed_on, cfg.publicity.withdraw_working_days)


def closure_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, final_event_on: date) -> Deadline:
    return _working(cal, DeadlineKind.CLOSURE, final_event_on, cfg.closure.working_days)


def archive_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, closed_on: date) -> Deadline:
    return _calendar(cal, DeadlineKind.ARCHIVE, closed_on, cfg.archive.calendar_days, roll=False)


def simple_record_deadline(cal: WorkingCalendar, cfg: DeadlineConfig, *, decided_on: date) -> Deadline:
    return _working(cal, DeadlineKind.SIMPLE_RECORD, decided_on, cfg.simple_procedure.record_working_days)


def remedy_periods_end(cfg: DeadlineConfig, *, served_on: date) -> date:
    """Last day on which review (60 days) or litigation (6 months) could still be brought."""
    review_end = served_on + timedelta(days=cfg.remedy.review_days)
    litigation_end = add_months(served_on, cfg.remedy.litigation_months)
    return max(review_end, litigation_end)


def court_application_window(
    cfg: DeadlineConfig, *, served_on: date, deferral_end: date | None = None
) -> Deadline:
    """The court may be asked to enforce after the review/litigation periods lapse (or after the end
    of an approved deferral, Art. 72 ¶2) and within 3 months of that date (强制法 Art. 53).

    `start` is the last day of the remedy periods; applications are in time on start+1 .. due.
    """
    lapse = remedy_periods_end(cfg, served_on=served_on)
    if deferral_end is not None and deferral_end > lapse:
        lapse = deferral_end
    months = cfg.execution.court_window_months
    kind = DeadlineKind.COURT_APPLICATION
    return Deadline(kind, BASIS[kind], DeadlineUnit.MONTHS, months, lapse, add_months(lapse, months))


def court_reminder_period(cal: WorkingCalendar, cfg: DeadlineConfig, *, reminder_served_on: date) -> Deadline:
    """The party's 10 wd after the 催告书; a court application must come after `due`."""
    return _working(cal, DeadlineKind.COURT_REMINDER, reminder_served_on,
                    cfg.execution.court_reminder_working_days)
