"""Inclusive date ranges (excluded periods, surcharge pauses) and counting the days they cover."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import DomainValueError


@dataclass(frozen=True, slots=True)
class DateRange:
    """Days `start`..`end`, both included; `end=None` means still running."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise DomainValueError(f"date range ends ({self.end}) before it starts ({self.start})")

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def days_within(self, lo: date, hi: date) -> int:
        """How many days of this range fall inside [lo, hi]."""
        first = max(self.start, lo)
        last = hi if self.end is None else min(self.end, hi)
        return max(0, (last - first).days + 1)

    @property
    def days(self) -> int:
        if self.end is None:
            raise DomainValueError("an open date range has no length")
        return (self.end - self.start).days + 1


def merge(ranges: Iterable[DateRange]) -> tuple[DateRange, ...]:
    """Union of ranges as disjoint, ordered ranges (touching ranges are joined)."""
    ordered = sorted(ranges, key=lambda r: r.start)
    out: list[DateRange] = []
    for current in ordered:
        if out:
            last = out[-1]
            if last.end is None or current.start <= last.end + timedelta(days=1):
                if last.end is None or current.end is None:
                    out[-1] = DateRange(last.start, None)
                else:
                    out[-1] = DateRange(last.start, max(last.end, current.end))
                continue
        out.append(current)
    return tuple(out)


def days_covered(ranges: Iterable[DateRange], lo: date, hi: date) -> int:
    """Days of [lo, hi] covered by at least one range (overlaps counted once)."""
    if hi < lo:
        return 0
    return sum(r.days_within(lo, hi) for r in merge(ranges))
