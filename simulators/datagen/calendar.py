"""The fixed reference date every generated date is computed from (never the current time)."""

from __future__ import annotations

import random
from datetime import date, timedelta

#: "Today" in the generated world; stored in the manifest.
REFERENCE_DATE = date(2026, 11, 1)

LONG_TERM = date(2099, 12, 31)
"""The conventional valid_to of a long-term (长期) licence."""


def age_on(birth: date, on: date) -> int:
    """Completed years between `birth` and `on`."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    """Same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def random_date(rng: random.Random, first: date, last: date) -> date:
    """A uniformly random date in [first, last]."""
    if last < first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))
