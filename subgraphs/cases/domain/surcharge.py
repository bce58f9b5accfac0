"""加处罚款: the late-payment surcharge of 《行政处罚法》第七十二条 and 《行政强制法》第四十五条.

Algorithm (DOMAIN.md §5.5):

* accrual starts the day after the payment due date;
* each calendar day in [due + 1, as_of] counts, except days inside a pause — a pending
  administrative review or lawsuit (《行政处罚法》第七十三条第三款) or an approved deferral;
* the daily amount is 3 % of the fine, rounded half up to the whole 分 once
  (`daily = (fine × 3 + 50) // 100`), and the total is `min(fine, daily × days)`
  (《行政强制法》第四十五条第二款: the surcharge never exceeds the principal).

The base is the fine decided, not the unpaid balance (the statute speaks of 罚款数额).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import DomainValueError
from .money import Fen, percent_of, require_non_negative
from .periods import DateRange, days_covered

DAILY_RATE_PERCENT = 3  # 《行政处罚法》第七十二条第一款第(一)项: 每日按罚款数额的百分之三


class PauseReason(StrEnum):
    ADMIN_REVIEW = "ADMIN_REVIEW"
    LITIGATION = "LITIGATION"
    DEFERRAL = "DEFERRAL"


@dataclass(frozen=True, slots=True)
class Pause:
    """Days on which no surcharge accrues."""

    span: DateRange
    reason: PauseReason


@dataclass(frozen=True, slots=True)
class SurchargeStatement:
    """The surcharge as of one day, with the figures that produce it."""

    fine_fen: Fen
    due: date
    as_of: date
    accrued_days: int
    daily_fen: Fen
    amount_fen: Fen

    @property
    def capped(self) -> bool:
        return self.amount_fen == self.fine_fen and self.daily_fen * self.accrued_days >= self.fine_fen


def daily_surcharge(fine_fen: Fen) -> Fen:
    return percent_of(require_non_negative(fine_fen, "fine"), DAILY_RATE_PERCENT)


def accrued_days(*, due: date, as_of: date, pauses: Iterable[Pause] = ()) -> int:
    """Calendar days after `due` up to and including `as_of`, minus paused days."""
    start = due + timedelta(days=1)
    if as_of < start:
        return 0
    total = (as_of - start).days + 1
    return total - days_covered((p.span for p in pauses), start, as_of)


def compute_surcharge(
    *, fine_fen: Fen, due: date, as_of: date, pauses: Iterable[Pause] = ()
) -> SurchargeStatement:
    """The surcharge owed on `as_of` for a fine due on `due`."""
    fine = require_non_negative(fine_fen, "fine")
    pause_list = tuple(pauses)
    for pause in pause_list:
        if not isinstance(pause, Pause):
            raise DomainValueError(f"not a surcharge pause: {pause!r}")
    days = accrued_days(due=due, as_of=as_of, pauses=pause_list)
    daily = daily_surcharge(fine)
    return SurchargeStatement(fine, due, as_of, days, daily, min(fine, daily * days))
