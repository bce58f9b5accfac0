"""The working-day calendar (工作日) built from the yearly holiday schedules.

A working day is a Monday-Friday that is not a statutory holiday, or a weekend day that the
State Council declared a make-up working day (调休). Days outside the loaded years raise
`CalendarRangeError`: assuming "weekends only" there would silently miscount statutory periods.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from .calendar_data import YearSchedule, load_schedules, order_schedules
from .errors import CalendarRangeError, DomainValueError

_ONE_DAY = timedelta(days=1)
_MEMO_MAX = 100_000


class WorkingCalendar:
    """Answers working-day questions for the loaded years; immutable after construction."""

    __slots__ = ("_by_year", "_holidays", "_makeup", "_memo")

    def __init__(self, schedules: Iterable[YearSchedule]) -> None:
        ordered = order_schedules(schedules)
        self._by_year = {s.year: s for s in ordered}
        self._holidays = frozenset(d for s in ordered for d in s.holidays)
        self._makeup = frozenset(d for s in ordered for d in s.makeup_workdays)
        # answers already counted (the calendar never changes): a sweep asks the same few thousand
        # (day, n) questions of every case; bounded, emptied when full
        self._memo: dict[tuple[str, date, object], object] = {}

    def _remember(self, key: tuple[str, date, object], value: object) -> None:
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        self._memo[key] = value

    @classmethod
    def from_directory(cls, directory: Path) -> WorkingCalendar:
        """Load every `CN-<year>.json` file in `directory`."""
        return cls(load_schedules(directory))

    @property
    def loaded_years(self) -> tuple[int, ...]:
        return tuple(self._by_year)

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self._by_year[year]
        except KeyError:
            raise CalendarRangeError(year, self.loaded_years) from None

    def _check(self, day: date) -> None:
        if day.year not in self._by_year:
            raise CalendarRangeError(day, self.loaded_years)

    def covers(self, day: date) -> bool:
        return day.year in self._by_year

    def is_provisional(self, day: date) -> bool:
        """True when the day's year is known only provisionally (no official notice yet)."""
        return self.schedule(day.year).provisional

    def is_statutory_holiday(self, day: date) -> bool:
        self._check(day)
        return day in self._holidays

    def is_makeup_workday(self, day: date) -> bool:
        self._check(day)
        return day in self._makeup

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        if day in self._makeup:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    def add_calendar_days(self, day: date, n: int) -> date:
        """`day` plus `n` calendar days; the result must lie in a loaded year."""
        result = day + timedelta(days=n)
        self._check(result)
        return result

    def roll_forward_to_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day`; the day of the event itself does not count.

        `n == 0` returns `day` unchanged; for `n >= 1` the result is always a working day.
        """
        if n < 0:
            raise DomainValueError(f"add_working_days needs n >= 0, got {n}")
        key = ("add", day, n)
        known = self._memo.get(key)
        if known is not None:
            return known  # type: ignore[return-value]
        self._check(day)
        remaining = n
        while remaining > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        self._remember(key, day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (negative when end is before start).

        It inverts `add_working_days`: `working_days_between(d, add_working_days(d, n)) == n`.
        """
        if end < start:
            return -self.working_days_between(end, start)
        key = ("between", start, end)
        known = self._memo.get(key)
        if known is not None:
            return known  # type: ignore[return-value]
        self._check(start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        self._remember(key, count)
        return count
