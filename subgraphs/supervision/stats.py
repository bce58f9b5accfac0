"""Supervision statistics (统计分析) computed by the database with grouped SQL, never row by row.

Every function returns `[(group, value…)]` rows. On-time rates are derived from the alerts of
the latest sweep (a case is late for decision when it has an S02 breach, for service with S03).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from subgraphs.cases.access import body_region_of
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.rows import CaseOfficerRow, CasePenaltyKindRow, CaseRow
from subgraphs.common.security import CaseScope
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow
from subgraphs.supervision.rows import AlertRow, SampleRow
from subgraphs.supervision.stats_filter import (
    PeriodBasis,
    StatsFilter,
    alert_conditions,
    alerts_of_filed_cases,
    case_conditions,
)


class CaseDimension(StrEnum):
    BODY = "BODY"
    LEVEL = "LEVEL"
    REGION = "REGION"
    ITEM = "ITEM"
    PROCEDURE = "PROCEDURE"
    STATUS = "STATUS"
    MONTH = "MONTH"  # the month of decision (kept for existing clients: the same as DECIDED_MONTH)
    DECIDED_MONTH = "DECIDED_MONTH"  # 决定月份; cases not yet decided count under UNDECIDED
    FILED_MONTH = "FILED_MONTH"  # 立案月份; cases not yet filed count under NOT_FILED
    PENALTY_KIND = "PENALTY_KIND"  # a case with several kinds counts once under each


#: the dimensions whose period applies to the decision date; every other one's to the filing date
DECIDED_BASIS = frozenset({CaseDimension.MONTH, CaseDimension.DECIDED_MONTH, CaseDimension.PENALTY_KIND})


def period_basis(dimension: CaseDimension) -> PeriodBasis:
    return PeriodBasis.DECIDED if dimension in DECIDED_BASIS else PeriodBasis.FILED


@dataclass(frozen=True, slots=True)
class CaseGroup:
    key: str
    cases: int
    decided: int
    fine_total_fen: int


def _within(scope: CaseScope | None, body: Any, fallback_region: Any = None) -> list[ColumnElement[bool]]:
    """The caller's row scope over a body column (none: unrestricted, an unsigned dev call)."""
    if scope is None:
        return []
    region = body_region_of(body)
    if fallback_region is not None:
        region = func.coalesce(region, fallback_region)
    return [scope.where(body, region)]


def _month(engine: AsyncEngine, column: Any = CaseRow.decided_at) -> ColumnElement[Any]:
    if engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


async def cases_by(engine: AsyncEngine, dimension: CaseDimension, *, scope: CaseScope | None = None,
                   flt: StatsFilter | None = None) -> list[CaseGroup]:
    """Cases per group, within the caller's scope and `flt` (its period by `period_basis(dimension)`)."""
    key: Any
    # the level's own alias of the body register: the row scope's subquery on the register must not
    # correlate with the joined table (it would lose its FROM clause)
    level_body = aliased(BodyRow, name="level_body")
    if dimension is CaseDimension.LEVEL:
        key = func.coalesce(level_body.level, "UNKNOWN")
    elif dimension is CaseDimension.PENALTY_KIND:
        key = func.coalesce(CasePenaltyKindRow.kind, "NONE")
    else:
        key = {CaseDimension.BODY: CaseRow.body_uscc, CaseDimension.REGION: CaseRow.region_code,
               CaseDimension.ITEM: CaseRow.item_code, CaseDimension.PROCEDURE: func.coalesce(CaseRow.procedure, "NONE"),
               CaseDimension.STATUS: CaseRow.status, CaseDimension.MONTH: func.coalesce(_month(engine), "UNDECIDED"),
               CaseDimension.DECIDED_MONTH: func.coalesce(_month(engine), "UNDECIDED"),
               CaseDimension.FILED_MONTH: func.coalesce(_month(engine, CaseRow.filed_at), "NOT_FILED"),
               }[dimension]
    query = select(key.label("k"), func.count().label("n"), func.count(CaseRow.decided_at).label("d"),
                   func.coalesce(func.sum(CaseRow.fine_fen), 0).label("f")).select_from(CaseRow)
    if dimension is CaseDimension.LEVEL:
        query = query.outerjoin(level_body, level_body.uscc == CaseRow.body_uscc)
    elif dimension is CaseDimension.PENALTY_KIND:
        query = query.outerjoin(CasePenaltyKindRow, CasePenaltyKindRow.case_id == CaseRow.id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.where(*_within(scope, CaseRow.body_uscc, CaseRow.region_code),
                                               *case_conditions(flt, period_basis(dimension)))
                                   .group_by(key).order_by(key))).all()
    return [CaseGroup(str(r.k), int(r.n), int(r.d), int(r.f)) for r in rows]


@dataclass(frozen=True, slots=True)
class BodyRates:
    body_id: str
    cases: int
    alerts: int
    red_alerts: int
    decision_late: int
    service_late: int

    @property
    def decision_on_time_rate(self) -> float:
        return 1 - self.decision_late / self.cases if self.cases else 1.0

    @property
    def service_on_time_rate(self) -> float:
        return 1 - self.service_late / self.cases if self.cases else 1.0


async def rates_by_body(engine: AsyncEngine, *, scope: CaseScope | None = None,
                        flt: StatsFilter | None = None) -> list[BodyRates]:
    """Alerts per body and the on-time rates (S02/S03 breaches) — two grouped queries. With a period,
    the cases filed within it and the alerts about those cases (alerts about no case drop out)."""
    alert_filter = alert_conditions(flt, period=False)
    if flt is not None and flt.has_period:
        alert_filter.append(alerts_of_filed_cases(flt))
    active = AlertRow.active.is_(True)
    red = and_(active, AlertRow.severity == "RED")
    alert_q = select(
        AlertRow.body_id, func.count().label("alerts"), func.sum(case((red, 1), else_=0)).label("red"),
        func.count(distinct(case((and_(red, AlertRow.rule_id == "S02"), AlertRow.case_id)))).label("s02"),
        func.count(distinct(case((and_(red, AlertRow.rule_id == "S03"), AlertRow.case_id)))).label("s03"),
    ).where(active, *_within(scope, AlertRow.body_id), *alert_filter).group_by(AlertRow.body_id)
    case_q = select(CaseRow.body_uscc, func.count().label("n")) \
        .where(*_within(scope, CaseRow.body_uscc, CaseRow.region_code), *case_conditions(flt)) \
        .group_by(CaseRow.body_uscc)
    async with engine.connect() as conn:
        alerts = {r.body_id: r for r in (await conn.execute(alert_q)).all()}
        cases = {r.body_uscc: int(r.n) for r in (await conn.execute(case_q)).all()}
    out = []
    for body in sorted(set(alerts) | set(cases)):
        a = alerts.get(body)
        out.append(BodyRates(body, cases.get(body, 0), int(a.alerts) if a else 0, int(a.red or 0) if a else 0,
                             int(a.s02) if a else 0, int(a.s03) if a else 0))
    return out


async def alerts_by_rule(engine: AsyncEngine, *, scope: CaseScope | None = None,
                         flt: StatsFilter | None = None) -> list[tuple[str, str, int]]:
    """Active alerts per (rule, severity); a period applies to the day each was first detected."""
    q = select(AlertRow.rule_id, AlertRow.severity, func.count()) \
        .where(AlertRow.active.is_(True), *_within(scope, AlertRow.body_id), *alert_conditions(flt)) \
        .group_by(AlertRow.rule_id, AlertRow.severity).order_by(AlertRow.rule_id, AlertRow.severity)
    async with engine.connect() as conn:
        return [(r[0], r[1], int(r[2])) for r in (await conn.execute(q)).all()]


async def review_scores_by_body(engine: AsyncEngine, *, scope: CaseScope | None = None
                                ) -> list[tuple[str, int, float, int]]:
    """(body, files graded, average score, files 不合格)."""
    q = select(SampleRow.body_id, func.count(SampleRow.total), func.avg(SampleRow.total),
               func.sum(case((SampleRow.grade == "不合格", 1), else_=0))) \
        .where(SampleRow.total.is_not(None), *_within(scope, SampleRow.body_id)).group_by(SampleRow.body_id).order_by(SampleRow.body_id)
    async with engine.connect() as conn:
        return [(r[0], int(r[1]), float(r[2] or 0), int(r[3] or 0)) for r in (await conn.execute(q)).all()]


#: [M] the national action plan's yearly training target per officer (DOMAIN.md §4: ≥ 60 学时)
TRAINING_TARGET_HOURS = 60


@dataclass(frozen=True, slots=True)
class BodyStaff:
    """One body's workforce: every count and training figure is over its ACTIVE officers (在岗)."""

    body_id: str
    level: str
    officers: int
    legal_reviewers: int
    qualified_legal_reviewers: int  # legal-review staff holding the 法律职业资格
    trained_officers: int  # officers with training hours recorded for the year
    average_training_hours: float | None  # over the officers with hours recorded
    below_training_target: int  # officers under TRAINING_TARGET_HOURS (none recorded counts as 0)
    by_status: tuple[tuple[str, int], ...] = ()  # officers still listed, by status (ACTIVE, TRANSFERRED …)


#: the officer status that counts for the workforce; TRANSFERRED and RETIRED officers stay listed
ACTIVE_OFFICER = "ACTIVE"


async def officers_by_body_level(engine: AsyncEngine, *, training_year: int, scope: CaseScope | None = None
                                 ) -> list[BodyStaff]:
    """Officers still listed, per body: counts of the ACTIVE ones, their legal-review staff and its
    qualification, the training hours (培训学时) of `training_year`, and every listed officer by status —
    two grouped queries (the hours sit in a JSON column)."""
    active = OfficerRow.status == ACTIVE_OFFICER
    hours = case((active, OfficerRow.training_hours[str(training_year)].as_integer()), else_=None)
    reviewer = and_(active, OfficerRow.is_legal_reviewer.is_(True))
    listed = (OfficerRow.vanished_at.is_(None), *_within(scope, OfficerRow.body_uscc))
    q = select(OfficerRow.body_uscc, BodyRow.level, func.sum(case((active, 1), else_=0)),
               func.sum(case((reviewer, 1), else_=0)),
               func.sum(case((and_(reviewer, OfficerRow.has_legal_qualification.is_(True)), 1), else_=0)),
               func.count(hours), func.avg(hours),
               func.sum(case((and_(active, func.coalesce(hours, 0) < TRAINING_TARGET_HOURS), 1), else_=0))) \
        .join(BodyRow, BodyRow.uscc == OfficerRow.body_uscc) \
        .where(*listed).group_by(OfficerRow.body_uscc, BodyRow.level).order_by(OfficerRow.body_uscc)
    statuses = select(OfficerRow.body_uscc, OfficerRow.status, func.count()).where(*listed) \
        .group_by(OfficerRow.body_uscc, OfficerRow.status).order_by(OfficerRow.body_uscc, OfficerRow.status)
    async with engine.connect() as conn:
        rows = (await conn.execute(q)).all()
        by_status: dict[str, list[tuple[str, int]]] = {}
        for body, status, count in (await conn.execute(statuses)).all():
            by_status.setdefault(body, []).append((status, int(count)))
    return [BodyStaff(r[0], r[1], int(r[2] or 0), int(r[3] or 0), int(r[4] or 0), int(r[5] or 0),
                      round(float(r[6]), 2) if r[6] is not None else None, int(r[7] or 0),
                      tuple(by_status.get(r[0], ()))) for r in rows]


async def expiring_certificates(engine: AsyncEngine, *, today: date, scope: CaseScope | None = None
                                ) -> dict[int, int]:
    """ACTIVE certificates ending within 30, 60 and 90 days of `today` (cumulative counts)."""
    ends = CertificateRow.valid_to  # a DATE column: no CAST (SQLite would turn it into the year)
    cols = [func.sum(case((and_(ends >= today, ends <= today + timedelta(days=d)), 1), else_=0)) for d in (30, 60, 90)]
    q = select(*cols).where(CertificateRow.status == "ACTIVE", CertificateRow.vanished_at.is_(None))
    if scope is not None:
        q = q.where(CertificateRow.officer_id.in_(select(OfficerRow.id).where(*_within(scope, OfficerRow.body_uscc))))
    async with engine.connect() as conn:
        row = (await conn.execute(q)).one()
    return {d: int(v or 0) for d, v in zip((30, 60, 90), row, strict=True)}


async def inactive_officers(engine: AsyncEngine, *, today: date, days: int = 365, scope: CaseScope | None = None
                            ) -> list[tuple[str, int]]:
    """零执法: per body, officers on no case updated within `days` (one grouped anti-join)."""
    since = datetime.combine(today - timedelta(days=days), time(), tzinfo=CHINA_TZ)
    active = select(CaseOfficerRow.officer_id).join(CaseRow, CaseRow.id == CaseOfficerRow.case_id) \
        .where(CaseRow.updated_at >= since)  # a timestamp bound, not CAST(… AS DATE): portable
    q = select(OfficerRow.body_uscc, func.count()).where(OfficerRow.vanished_at.is_(None),
                                                         OfficerRow.id.not_in(active),
                                                         *_within(scope, OfficerRow.body_uscc)) \
        .group_by(OfficerRow.body_uscc).order_by(OfficerRow.body_uscc)
    async with engine.connect() as conn:
        return [(r[0], int(r[1])) for r in (await conn.execute(q)).all()]


async def reversal_rate(engine: AsyncEngine, *, scope: CaseScope | None = None) -> float:
    """Share of decided cases whose decision was revoked (TERMINATED after a decision) — 纠错率 proxy."""
    q = select(func.count(CaseRow.decided_at), func.sum(case((and_(CaseRow.status == "TERMINATED",
                                                                   CaseRow.decided_at.is_not(None)), 1), else_=0))) \
        .where(*_within(scope, CaseRow.body_uscc, CaseRow.region_code))
    async with engine.connect() as conn:
        decided, revoked = (await conn.execute(q)).one()
    return float(revoked or 0) / decided if decided else 0.0


async def expiring_certificates_by_body(engine: AsyncEngine, *, today: date, within_days: int,
                                        scope: CaseScope | None = None) -> list[tuple[str, int]]:
    """Per body: ACTIVE certificates of listed officers ending within `within_days` of `today`."""
    ends = CertificateRow.valid_to
    q = select(OfficerRow.body_uscc, func.count()).select_from(CertificateRow) \
        .join(OfficerRow, OfficerRow.id == CertificateRow.officer_id) \
        .where(CertificateRow.status == "ACTIVE", CertificateRow.vanished_at.is_(None), OfficerRow.vanished_at.is_(None),
               ends >= today, ends <= today + timedelta(days=within_days), *_within(scope, OfficerRow.body_uscc)) \
        .group_by(OfficerRow.body_uscc).order_by(OfficerRow.body_uscc)
    async with engine.connect() as conn:
        return [(r[0], int(r[1])) for r in (await conn.execute(q)).all()]
