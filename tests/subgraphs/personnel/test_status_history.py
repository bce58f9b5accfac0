"""A certificate's status history: contiguous periods from validFrom, and statusOn reads the period of the day."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from subgraphs.personnel.status_history import (
    NOT_YET_VALID,
    UNKNOWN,
    StatusPeriod,
    status_history,
    status_on,
)

DAY = timedelta(days=1)
STATUSES = ("ACTIVE", "EXPIRED", "SUSPENDED", "REVOKED", "CANCELLED", "LOST")
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def d(text: str) -> date:
    return date.fromisoformat(text)


def history(valid_from: str, valid_to: str, status: str, since: str | None = None) -> list[tuple[str, str, str | None]]:
    periods = status_history(valid_from=d(valid_from), valid_to=d(valid_to), status=status,
                             status_since=None if since is None else d(since))
    return [(p.status, p.start.isoformat(), None if p.until is None else p.until.isoformat()) for p in periods]


def test_active_reads_expired_after_its_term() -> None:
    assert history("2024-01-10", "2029-01-09", "ACTIVE") == [
        ("ACTIVE", "2024-01-10", "2029-01-09"), ("EXPIRED", "2029-01-10", None)]


def test_expired_ran_out_at_valid_to() -> None:
    assert history("2019-03-01", "2024-02-29", "EXPIRED") == [
        ("ACTIVE", "2019-03-01", "2024-02-29"), ("EXPIRED", "2024-03-01", None)]


def test_suspended_is_active_until_the_day_before() -> None:
    assert history("2024-01-10", "2029-01-09", "SUSPENDED", "2026-05-20") == [
        ("ACTIVE", "2024-01-10", "2026-05-19"), ("SUSPENDED", "2026-05-20", None)]


def test_revoked_on_its_first_day_was_never_active() -> None:
    assert history("2024-01-10", "2029-01-09", "REVOKED", "2024-01-10") == [("REVOKED", "2024-01-10", None)]


def test_cancelled_after_the_term_ran_out_was_expired_in_between() -> None:
    assert history("2018-01-01", "2022-12-31", "CANCELLED", "2023-06-01") == [
        ("ACTIVE", "2018-01-01", "2022-12-31"), ("EXPIRED", "2023-01-01", "2023-05-31"),
        ("CANCELLED", "2023-06-01", None)]


def test_a_decided_status_without_its_day_is_unknown_not_guessed() -> None:
    assert history("2024-01-10", "2029-01-09", "SUSPENDED") == [(UNKNOWN, "2024-01-10", None)]
    periods = status_history(valid_from=d("2024-01-10"), valid_to=d("2029-01-09"), status="SUSPENDED",
                             status_since=None)
    assert status_on(periods, d("2024-01-09")) == NOT_YET_VALID
    assert status_on(periods, d("2025-01-01")) == UNKNOWN


def _check(periods: tuple[StatusPeriod, ...], valid_from: date) -> None:
    assert periods, "a history is never empty"
    assert periods[0].start == valid_from
    for earlier, later in itertools.pairwise(periods):
        assert earlier.until is not None, "only the last period is open"
        assert earlier.start <= earlier.until, "no empty period"
        assert later.start == earlier.until + DAY, "contiguous and not overlapping"
        assert earlier.status != later.status
    assert periods[-1].until is None


@settings(max_examples=400, deadline=None)
@given(valid_from=days, length=st.integers(min_value=-30, max_value=4000), status=st.sampled_from(STATUSES),
       since_offset=st.none() | st.integers(min_value=-100, max_value=5000), probes=st.lists(days, max_size=8))
def test_periods_are_contiguous_from_valid_from_and_status_on_reads_them(
    valid_from: date, length: int, status: str, since_offset: int | None, probes: list[date],
) -> None:
    valid_to = valid_from + timedelta(days=length)
    since = None if since_offset is None else valid_from + timedelta(days=since_offset)
    periods = status_history(valid_from=valid_from, valid_to=valid_to, status=status, status_since=since)
    _check(periods, valid_from)
    for day in [*probes, valid_from, valid_from - DAY, valid_to, valid_to + DAY]:
        containing = [p for p in periods if p.contains(day)]
        if day < valid_from:
            assert containing == []
            assert status_on(periods, day) == NOT_YET_VALID
        else:
            assert len(containing) == 1, "every day from validFrom on lies in exactly one period"
            assert status_on(periods, day) == containing[0].status
    if status in ("SUSPENDED", "REVOKED", "CANCELLED", "LOST") and since is not None:
        assert periods[-1].status == status
        assert periods[-1].start == max(since, valid_from)
    if status in ("ACTIVE", "EXPIRED") and valid_to >= valid_from:
        assert status_on(periods, valid_to) == "ACTIVE"
        assert status_on(periods, valid_to + DAY) == "EXPIRED"


@given(status=st.sampled_from(STATUSES))
def test_a_term_to_the_end_of_the_calendar_does_not_overflow(status: str) -> None:
    periods = status_history(valid_from=date(2020, 1, 1), valid_to=date.max, status=status,
                             status_since=date(2021, 1, 1))
    _check(periods, date(2020, 1, 1))
