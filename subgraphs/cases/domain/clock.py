"""Dates and instants in China Standard Time, and month/year arithmetic for statutory periods."""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, datetime, time, timedelta, timezone

from .errors import DomainValueError

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for
# every date the platform handles and needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def require_aware(instant: datetime, what: str) -> datetime:
    """Reject naive datetimes: an instant without an offset cannot be placed on the calendar."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainValueError(f"{what} must carry a UTC offset, got naive {instant.isoformat()}")
    return instant


def local_date(instant: datetime) -> date:
    """The calendar date of an instant in China Standard Time."""
    return require_aware(instant, "instant").astimezone(CHINA_TZ).date()


def local_time(instant: datetime) -> time:
    """The wall-clock time of an instant in China Standard Time."""
    return require_aware(instant, "instant").astimezone(CHINA_TZ).time()


def add_months(day: date, months: int) -> date:
    """Add calendar months; with no corresponding day the period ends on the month's last day.

    This is the rule of 《民法典》第二百零二条 for periods counted in months or years.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """Add calendar years (29 February maps to 28 February in a common year)."""
    return add_months(day, 12 * years)
