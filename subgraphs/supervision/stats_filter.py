"""统计筛选: the filter every supervision statistic takes — level, region, body and period — and its SQL.

`StatisticsFilter` is the graph input; `parse_filter` checks it once (BAD_USER_INPUT naming the
field, never echoing the value) and hands back a `StatsFilter` of plain values. The conditions are
SQL over the case store or the alert store, ANDed with the caller's row scope: a filter narrows
what the scope lets through, it never widens it.

Where each condition looks:

* level (层级): the body register's level of the case's or alert's body (PROVINCE/CITY/COUNTY/TOWN);
  a body the register does not know has no level and matches no level;
* region (区域): a code and everything under it (`region_prefix`: 445100 → every code starting 4451,
  445102 → that district and its towns). A case by its own region code (the REGION dimension's key);
  an alert by its body's registered region, else the region of the alert's case (as the row scope);
* body (执法主体): the case's or alert's body USCC;
* period (统计期间, `from`–`to`, both inclusive, China dates): one date per figure, named in the
  description of each field (`PeriodBasis`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, select

from domain import input_checks as chk
from subgraphs.cases.domain.clock import CHINA_TZ, add_years
from subgraphs.cases.rows import CaseRow
from subgraphs.common.errors import graphql_error
from subgraphs.common.security import region_prefix
from subgraphs.personnel.store import BodyRow
from subgraphs.supervision.alerts import alert_region
from subgraphs.supervision.rows import AlertRow

#: the body levels of the body register (主体层级)
LEVELS = ("PROVINCE", "CITY", "COUNTY", "TOWN")
#: six ASCII digits, or a town's nine or twelve
_REGION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
#: the longest period a statistic may cover, in years
MAX_PERIOD_YEARS = 10


@strawberry.input(description=(
    "统计筛选 — narrows a statistic to a level, region, body and period; every given condition must hold, "
    "a condition left out (null) does not filter, and the caller's row scope still applies (a filter "
    "never widens it)."))
class StatisticsFilter:
    level: str | None = strawberry.field(default=None, description=(
        "层级 — only bodies of this level in the body register: PROVINCE, CITY, COUNTY or TOWN"))
    region_code: str | None = strawberry.field(default=None, description=(
        "区域 — a region code (GB/T 2260, 6 digits; a town's 9 or 12) and everything under it: 445100 the whole "
        "city, 445102 that district and its towns. Cases by their own region code; alerts by their body's "
        "registered region, else their case's"))
    body_id: str | None = strawberry.field(default=None, description=(
        "执法主体 — only the body with this USCC (统一社会信用代码)"))
    from_: date | None = strawberry.field(name="from", default=None, description=(
        "统计期间起 — first day of the period (inclusive, China date); which date of a case or alert it "
        "applies to is said by each field"))
    to: date | None = strawberry.field(default=None, description=(
        "统计期间止 — last day of the period (inclusive, China date); at most 10 years after `from`"))


class PeriodBasis(StrEnum):
    """Which date of a case a period applies to."""

    FILED = "FILED"  # 立案日期 (filed_at): cases never filed fall outside any period
    DECIDED = "DECIDED"  # 决定日期 (decided_at): cases not decided fall outside any period


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """A checked filter: plain values, None where not filtering."""

    level: str | None = None
    region_prefix: str | None = None
    body_id: str | None = None
    start: date | None = None
    end: date | None = None

    @property
    def has_period(self) -> bool:
        return self.start is not None or self.end is not None


def _problem(field: str, label: str, reason: str) -> Exception:
    return graphql_error("BAD_USER_INPUT", f"filter.{field} ({label}): {reason}", field=f"filter.{field}")


def region_code_problem(code: str) -> str | None:
    """A reason when `code` is not a region code a filter can use (6 digits, or a town's 9 or 12)."""
    if not _REGION_CODE.fullmatch(code):
        return "a region code is 6 digits (GB/T 2260), or 9 or 12 for a town"
    if len(code) > 6 and code[:6].endswith("00"):
        return "a town code lies under a county's six digits"
    return chk.region_code_problem(code[:6])


def parse_filter(flt: StatisticsFilter | None) -> StatsFilter | None:
    """Check `flt`; raise BAD_USER_INPUT with `extensions.field` (e.g. "filter.regionCode")."""
    if flt is None:
        return None
    level = None
    if flt.level is not None:
        level = flt.level.strip().upper()
        if level not in LEVELS:
            raise _problem("level", "层级", f"must be one of {', '.join(LEVELS)}")
    prefix = None
    if flt.region_code is not None:
        reason = region_code_problem(flt.region_code)
        if reason is not None:
            raise _problem("regionCode", "区域", reason)
        prefix = region_prefix(flt.region_code)
    if flt.body_id is not None:
        reason = chk.uscc_problem(flt.body_id)
        if reason is not None:
            raise _problem("bodyId", "执法主体", reason)
    if flt.from_ is not None and flt.to is not None:
        if flt.from_ > flt.to:
            raise _problem("from", "统计期间起", "is after `to`")
        if flt.from_.year + MAX_PERIOD_YEARS <= date.max.year and flt.to > add_years(flt.from_, MAX_PERIOD_YEARS):
            raise _problem("to", "统计期间止", f"a period is at most {MAX_PERIOD_YEARS} years long")
    return StatsFilter(level, prefix, flt.body_id, flt.from_, flt.to)


def _level_of(body_column: Any, level: str) -> ColumnElement[bool]:
    column: ColumnElement[Any] = body_column
    return column.in_(select(BodyRow.uscc).where(BodyRow.level == level))


def _within_dates(column: Any, flt: StatsFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if flt.start is not None:
        out.append(column >= flt.start)
    if flt.end is not None:
        out.append(column <= flt.end)
    return out


def case_conditions(flt: StatsFilter | None, basis: PeriodBasis = PeriodBasis.FILED) -> list[ColumnElement[bool]]:
    """WHERE clauses over `penalty_case`; the period on the filing or the decision date."""
    if flt is None:
        return []
    out: list[ColumnElement[bool]] = []
    if flt.level is not None:
        out.append(_level_of(CaseRow.body_uscc, flt.level))
    if flt.region_prefix is not None:
        out.append(CaseRow.region_code.startswith(flt.region_prefix, autoescape=True))
    if flt.body_id is not None:
        out.append(CaseRow.body_uscc == flt.body_id)
    out += _within_dates(CaseRow.decided_at if basis is PeriodBasis.DECIDED else CaseRow.filed_at, flt)
    return out


def _day_start(day: date) -> datetime:
    """Midnight of a China day as a UTC instant (the alert times are stored in UTC)."""
    return datetime.combine(day, time(), tzinfo=CHINA_TZ).astimezone(UTC)


def alert_conditions(flt: StatsFilter | None, *, period: bool = True) -> list[ColumnElement[bool]]:
    """WHERE clauses over `supervision_alert`; the period (when `period`) on the day an alert was first
    detected (China time): a timestamp bound, portable across databases."""
    if flt is None:
        return []
    out: list[ColumnElement[bool]] = []
    if flt.level is not None:
        out.append(_level_of(AlertRow.body_id, flt.level))
    if flt.region_prefix is not None:
        out.append(alert_region().startswith(flt.region_prefix, autoescape=True))
    if flt.body_id is not None:
        out.append(AlertRow.body_id == flt.body_id)
    # the first and the last day of the calendar bound nothing (and have no instant on the other side)
    if period and flt.start is not None and flt.start > date.min:
        out.append(AlertRow.detected_at >= _day_start(flt.start))
    if period and flt.end is not None and flt.end < date.max:
        out.append(AlertRow.detected_at < _day_start(flt.end + timedelta(days=1)))
    return out


def alerts_of_filed_cases(flt: StatsFilter) -> ColumnElement[bool]:
    """Alerts about a case filed within the period (the body-rate rule): alerts about no case drop out."""
    cases = select(CaseRow.id).where(*case_conditions(flt, PeriodBasis.FILED))
    return and_(AlertRow.case_id.is_not(None), AlertRow.case_id.in_(cases))
