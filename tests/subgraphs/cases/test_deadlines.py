"""Deadlines: the acceptance figures of DOMAIN.md §5.3/§5.5/§6.1 and each period's rule."""

from __future__ import annotations

from datetime import date

import pytest

from subgraphs.cases.domain import deadlines as dl
from subgraphs.cases.domain.config import DeadlineConfig
from subgraphs.cases.domain.deadlines import DeadlineKind, DeadlineUnit, Extension
from subgraphs.cases.domain.enums import BasisLevel
from subgraphs.cases.domain.errors import DomainValueError
from subgraphs.cases.domain.periods import DateRange
from subgraphs.cases.domain.working_calendar import WorkingCalendar

from .harness import at, d


def test_decision_deadline_acceptance_figure(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    deadline = dl.decision_deadline(cal, cfg, filed_on=d("2024-03-01"))
    assert deadline.due == date(2024, 5, 30)
    assert (deadline.kind, deadline.unit, deadline.amount, deadline.start) == (
        DeadlineKind.DECISION, DeadlineUnit.CALENDAR_DAYS, 90, date(2024, 3, 1))
    assert deadline.basis == "《行政处罚法》第六十条"
    assert not deadline.rolled


def test_decision_deadline_with_extensions_and_excluded_periods(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    law = Extension(30, "HEAD", BasisLevel.RULE, "《市场监督管理行政处罚程序规定》")
    unapproved = Extension(30, "", BasisLevel.LAW, "x")
    normative = Extension(30, "HEAD", BasisLevel.NORMATIVE_DOC, "某通知")
    excluded = (DateRange(d("2024-03-10"), d("2024-03-19")), DateRange(d("2024-03-15"), d("2024-03-24")))
    deadline = dl.decision_deadline(cal, cfg, filed_on=d("2024-03-01"), extensions=(law, unapproved, normative),
                                    excluded=excluded)
    assert deadline.due == date(2024, 5, 30) + (date(2024, 3, 25) - date(2024, 3, 10)) + (date(2024, 7, 1) - date(2024, 6, 1))
    assert [a.days for a in deadline.adjustments] == [30, 15]


def test_payment_acceptance_figure_and_holiday_roll(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    due = dl.payment_deadline(cal, cfg, served_on=d("2024-06-03"))
    assert (due.due, due.rolled) == (date(2024, 6, 18), False)
    rolled = dl.payment_deadline(cal, cfg, served_on=d("2024-09-16"))  # 15 cd = 10-01, 国庆
    assert (rolled.due, rolled.rolled) == (date(2024, 10, 8), True)


def test_working_day_periods(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    assert dl.service_deadline(cal, cfg, decided_on=d("2024-04-22")).due == date(2024, 4, 30)
    assert dl.statement_deadline(cal, cfg, notice_served_on=d("2024-05-06")).due == date(2024, 5, 11)
    assert dl.hearing_request_deadline(cal, cfg, notice_served_on=d("2024-05-06")).due == date(2024, 5, 11)
    assert dl.hearing_earliest_date(cal, cfg, hearing_notice_served_on=d("2024-05-13")).due == date(2024, 5, 22)
    assert dl.preservation_deadline(cal, cfg, preserved_on=d("2024-09-27")).due == date(2024, 10, 12)  # 09-29 and 10-12 are 调休 days
    assert dl.legal_review_deadline(cal, cfg, submitted_on=d("2024-05-24")).due == date(2024, 5, 31)
    assert dl.legal_review_deadline(cal, cfg, submitted_on=d("2024-05-24"), extended=True).due == date(2024, 6, 7)
    assert dl.publicity_deadline(cal, cfg, decided_on=d("2024-05-27")).due == date(2024, 6, 5)
    assert dl.publicity_withdrawal_deadline(cal, cfg, changed_on=d("2024-07-10")).due == date(2024, 7, 15)
    assert dl.closure_deadline(cal, cfg, final_event_on=d("2024-06-14")).due == date(2024, 6, 28)
    assert dl.freeze_decision_service_deadline(cal, cfg, frozen_on=d("2024-04-10")).due == date(2024, 4, 15)
    assert dl.filing_decision_deadline(cal, cfg, received_on=d("2024-02-26")).due == date(2024, 3, 18)


def test_calendar_day_terms(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    assert dl.archive_deadline(cal, cfg, closed_on=d("2024-06-20")).due == date(2024, 7, 20)
    assert dl.seal_seize_term(cal, cfg, started_on=d("2024-04-10")).due == date(2024, 5, 10)
    assert dl.seal_seize_term(cal, cfg, started_on=d("2024-04-10"), extension_days=30).due == date(2024, 6, 9)
    tested = dl.seal_seize_term(cal, cfg, started_on=d("2024-04-10"),
                                testing_periods=(DateRange(d("2024-04-15"), d("2024-04-19")),))
    assert tested.due == date(2024, 5, 15)
    assert dl.freeze_term(cal, cfg, frozen_on=d("2024-04-10"), extension_days=30).due == date(2024, 6, 9)
    with pytest.raises(DomainValueError):
        dl.seal_seize_term(cal, cfg, started_on=d("2024-04-10"), extension_days=31)


def test_emergency_report_is_counted_in_hours(cfg: DeadlineConfig) -> None:
    deadline = dl.emergency_report_deadline(cfg, started_at=at("2024-04-10 21:00"))
    assert deadline.unit is DeadlineUnit.HOURS
    assert deadline.due_at == at("2024-04-11 21:00")
    assert deadline.is_met_at(at("2024-04-11 21:00"))
    assert not deadline.is_met_at(at("2024-04-11 21:01"))


@pytest.mark.parametrize(("start", "end", "continuous", "extended", "due"), [
    ("2022-03-01", None, False, False, "2024-03-01"),
    ("2022-03-01", "2023-01-10", True, False, "2025-01-10"),
    ("2022-03-01", "2023-01-10", False, False, "2024-03-01"),
    ("2020-02-29", None, False, False, "2022-02-28"),
    ("2020-06-01", None, False, True, "2025-06-01"),
])
def test_limitation_period(cfg: DeadlineConfig, start: str, end: str | None, continuous: bool, extended: bool,
                           due: str) -> None:
    deadline = dl.limitation_deadline(cfg, violation_start=d(start), violation_end=d(end) if end else None,
                                      continuous=continuous, extended=extended)
    assert deadline.due == d(due)


def test_court_application_window_and_reminder(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    window = dl.court_application_window(cfg, served_on=d("2024-06-03"))
    assert (window.start, window.due) == (date(2024, 12, 3), date(2025, 3, 3))
    deferred = dl.court_application_window(cfg, served_on=d("2024-06-03"), deferral_end=d("2025-01-31"))
    assert (deferred.start, deferred.due) == (date(2025, 1, 31), date(2025, 4, 30))
    assert dl.court_reminder_period(cal, cfg, reminder_served_on=d("2024-11-20")).due == date(2024, 12, 4)


def test_provisional_years_mark_the_deadline(cal: WorkingCalendar, cfg: DeadlineConfig) -> None:
    assert dl.service_deadline(cal, cfg, decided_on=d("2027-03-01")).provisional
    assert not dl.service_deadline(cal, cfg, decided_on=d("2026-03-02")).provisional
