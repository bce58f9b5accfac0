"""A certificate's status over time, derived from its term and the day its current status took effect.

The provincial file states only the current status, the term (valid_from..valid_to) and, for a
decided status (SUSPENDED, REVOKED, CANCELLED, LOST), the day it took effect. From these:

- ACTIVE from valid_from until the day before the decided status took effect, or until valid_to;
- EXPIRED from valid_to + 1 when the term ran out first (before a later decision, or for good);
- the decided status from its day, open-ended.

An ACTIVE certificate therefore reads EXPIRED after valid_to, as the supervision rules read it. A
decided status whose day is unknown (rows imported before the file carried it) gives one UNKNOWN
period from valid_from: what happened when cannot be told, and the history does not guess.
The periods are contiguous, do not overlap and start at valid_from; before it a certificate is
NOT_YET_VALID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.entities import DATED_CERTIFICATE_STATUSES, CertificateStatus

NOT_YET_VALID = "NOT_YET_VALID"
UNKNOWN = "UNKNOWN"
_DAY = timedelta(days=1)
_DATED = frozenset(s.value for s in DATED_CERTIFICATE_STATUSES)


@dataclass(frozen=True)
class StatusPeriod:
    """`status` held from `start` through `until` (inclusive); `until` None = still so."""

    status: str
    start: date
    until: date | None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


def _next(day: date) -> date | None:
    return None if day == date.max else day + _DAY


def status_history(*, valid_from: date, valid_to: date, status: str,
                   status_since: date | None) -> tuple[StatusPeriod, ...]:
    """The periods of one certificate, oldest first (see the module docstring)."""
    end = _next(valid_to)  # the first day after the term; None for a term to the end of the calendar
    if end is not None and end < valid_from:  # an empty term (valid_to before valid_from) ends at once
        end = valid_from
    if status in _DATED:
        if status_since is None:
            return (StatusPeriod(UNKNOWN, valid_from, None),)
        since = max(status_since, valid_from)
        return (*_term(valid_from, end, since), StatusPeriod(status, since, None))
    if status in (CertificateStatus.ACTIVE.value, CertificateStatus.EXPIRED.value):
        return _term(valid_from, end, None)
    return (StatusPeriod(UNKNOWN, valid_from, None),)


def _term(valid_from: date, end: date | None, stop: date | None) -> tuple[StatusPeriod, ...]:
    """ACTIVE until `end`, then EXPIRED; both cut off before `stop`, the day a decision took effect."""
    bounds = [d for d in (end, stop) if d is not None]
    if not bounds:
        return (StatusPeriod(CertificateStatus.ACTIVE.value, valid_from, None),)
    periods: list[StatusPeriod] = []
    active_stop = min(bounds)
    if active_stop > valid_from:
        periods.append(StatusPeriod(CertificateStatus.ACTIVE.value, valid_from, active_stop - _DAY))
    if end is not None and (stop is None or end < stop):
        periods.append(StatusPeriod(CertificateStatus.EXPIRED.value, end, None if stop is None else stop - _DAY))
    return tuple(periods)


def status_on(periods: tuple[StatusPeriod, ...], day: date) -> str:
    """The status on `day`: the period containing it, NOT_YET_VALID before the first."""
    for period in periods:
        if period.contains(day):
            return period.status
    return NOT_YET_VALID
