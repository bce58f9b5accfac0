"""Workforce (队伍管理) and statistics (统计分析) fields of the supervision subgraph.

Each field is one or two grouped SQL queries of `stats.py` over the hub's store; none reads row by
row. Dates default to today in China time; `asOf` makes answers reproducible against seeded data.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.cases.domain.clock import local_date
from subgraphs.common.errors import graphql_error
from subgraphs.supervision import stats
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.stats_filter import StatisticsFilter, parse_filter

#: the look-ahead windows of the certificate-expiry summary, in days
EXPIRY_WINDOWS = (30, 60, 90)
MAX_WINDOW_DAYS = 3_660


def _today(info: Info[SupervisionContext, None], as_of: date | None) -> date:
    return as_of or local_date(info.context.now())


@strawberry.type(description="Officers of one status (人员状态) and how many there are.")
class StatusCount:
    status: str = strawberry.field(description="officer status: ACTIVE (在岗), TRANSFERRED (调离), RETIRED (退休) …")
    count: int = strawberry.field(description="人数 — officers of the body in this status")


@strawberry.type(description=(
    "One body's workforce (队伍: 执法人员和法制审核人员): the counts and training figures are over its ACTIVE "
    "officers; byStatus lists every officer still listed, by status."))
class BodyWorkforce:
    body_id: str = strawberry.field(description="执法主体 — USCC of the enforcement body")
    level: str = strawberry.field(description="主体层级 — the body's level: PROVINCE, CITY, COUNTY or TOWN")
    officers: int = strawberry.field(
        description="在岗执法人员 — ACTIVE officers (TRANSFERRED and RETIRED ones are in byStatus)")
    legal_reviewers: int = strawberry.field(description="ACTIVE legal-review staff (法制审核人员)")
    qualified_legal_reviewers: int = strawberry.field(description="legal-review staff holding the 法律职业资格")
    training_year: int = strawberry.field(description="培训年度 — the year the training figures are for")
    trained_officers: int = strawberry.field(
        description="参训人数 — ACTIVE officers with training hours recorded for the year")
    average_training_hours: float | None = strawberry.field(
        description="average 培训学时 of the officers with hours recorded")
    below_training_target: int = strawberry.field(
        description=f"officers under {stats.TRAINING_TARGET_HOURS} 学时 in the year (none recorded counts as 0)")
    by_status: list[StatusCount] = strawberry.field(
        description="按状态人数 — officers still listed, by status, in status order")


@strawberry.type(description="即将到期执法证 — ACTIVE certificates ending within a number of days.")
class ExpiringCertificates:
    within_days: int = strawberry.field(description="天数 — the look-ahead window in days (30, 60 or 90)")
    certificates: int = strawberry.field(
        description="证件数 — ACTIVE certificates ending within the window (cumulative: 60 includes 30)")


@strawberry.type(description="主体计数 — a count for one enforcement body.")
class BodyCount:
    body_id: str = strawberry.field(description="执法主体 — USCC of the enforcement body")
    count: int = strawberry.field(
        description="数量 — officers or certificates of the body, as the field returning it says")


@strawberry.type(description="规则预警统计 — alerts of a rule by severity (active alerts only).")
class RuleAlertCount:
    rule_id: str = strawberry.field(description="规则编号 — the supervision rule, S01–S34")
    severity: str = strawberry.field(description="预警等级 — RED, YELLOW or INFO")
    alerts: int = strawberry.field(description="预警数 — active alerts of the rule at this severity")


@strawberry.type(description="主体评查得分 — review scores of one body's sampled, graded case files.")
class BodyReviewScore:
    body_id: str = strawberry.field(description="执法主体 — USCC of the enforcement body")
    files_graded: int = strawberry.field(description="已评分案卷 — the body's sampled files with a final score")
    average_score: float = strawberry.field(description="平均分 — average score of those files (out of 100)")
    files_failed: int = strawberry.field(description="不合格案卷 — of them, files graded 不合格 (fail)")


@strawberry.type(description="队伍管理 — the workforce: staff per body, expiring certificates, inactive officers.")
class Workforce:
    by_body: list[BodyWorkforce] = strawberry.field(
        description="各主体队伍 — per body (by USCC): officers, legal-review staff and training figures")
    expiring: list[ExpiringCertificates] = strawberry.field(
        description="即将到期执法证 — ACTIVE certificates ending within 30, 60 and 90 days")
    inactive_officers: list[BodyCount] = strawberry.field(
        description="per body, officers on no case updated within the inactivity period (零执法)")


_AsOf = Annotated[date | None, strawberry.argument(
    description="截至日期 — the day the answer is as of (default: today in China time)")]


async def supervision_workforce(
    info: Info[SupervisionContext, None],
    as_of: _AsOf = None,
    training_year: Annotated[int | None, strawberry.argument(
        description="培训年度 — the year of the training figures, 2000 to this year (default: last year)")] = None,
) -> Workforce:
    """The workforce as of `asOf`; training figures for `trainingYear` (default: the last full year)."""
    engine, today, scope = info.context.engine, _today(info, as_of), info.context.row_scope
    year = training_year if training_year is not None else today.year - 1
    if not 2000 <= year <= today.year:
        raise graphql_error("BAD_USER_INPUT", f"trainingYear must be between 2000 and {today.year}")
    by_body = [BodyWorkforce(body_id=b.body_id, level=b.level, officers=b.officers, legal_reviewers=b.legal_reviewers,
                             qualified_legal_reviewers=b.qualified_legal_reviewers, training_year=year,
                             trained_officers=b.trained_officers, average_training_hours=b.average_training_hours,
                             below_training_target=b.below_training_target,
                             by_status=[StatusCount(status=s, count=n) for s, n in b.by_status])
               for b in await stats.officers_by_body_level(engine, training_year=year, scope=scope)]
    expiring = await stats.expiring_certificates(engine, today=today, scope=scope)
    inactive = await stats.inactive_officers(engine, today=today, days=info.context.config.inactivity_days,
                                            scope=scope)
    return Workforce(by_body=by_body,
                     expiring=[ExpiringCertificates(within_days=d, certificates=expiring[d]) for d in EXPIRY_WINDOWS],
                     inactive_officers=[BodyCount(body_id=b, count=n) for b, n in inactive])


async def supervision_expiring_certificates(
    info: Info[SupervisionContext, None],
    within_days: Annotated[int, strawberry.argument(
        description=f"天数 — certificates ending within this many days, 0–{MAX_WINDOW_DAYS}")],
    as_of: _AsOf = None,
) -> list[BodyCount]:
    if not 0 <= within_days <= MAX_WINDOW_DAYS:
        raise graphql_error("BAD_USER_INPUT", f"withinDays must be between 0 and {MAX_WINDOW_DAYS}")
    rows = await stats.expiring_certificates_by_body(info.context.engine, today=_today(info, as_of),
                                                     within_days=within_days, scope=info.context.row_scope)
    return [BodyCount(body_id=b, count=n) for b, n in rows]


async def supervision_alerts_by_rule(
    info: Info[SupervisionContext, None],
    filter_: Annotated[StatisticsFilter | None, strawberry.argument(name="filter", description=(
        "统计筛选 — level, region, body and period (default: none); the period applies to the day an alert "
        "was first detected (发现日期, China time)"))] = None,
) -> list[RuleAlertCount]:
    rows = await stats.alerts_by_rule(info.context.engine, scope=info.context.row_scope, flt=parse_filter(filter_))
    return [RuleAlertCount(rule_id=r, severity=s, alerts=n) for r, s, n in rows]


async def supervision_review_scores(info: Info[SupervisionContext, None]) -> list[BodyReviewScore]:
    return [BodyReviewScore(body_id=b, files_graded=n, average_score=avg, files_failed=bad)
            for b, n, avg, bad in await stats.review_scores_by_body(info.context.engine, scope=info.context.row_scope)]


async def supervision_reversal_rate(info: Info[SupervisionContext, None]) -> float:
    return await stats.reversal_rate(info.context.engine, scope=info.context.row_scope)


@strawberry.type
class StatsQuery:
    supervision_workforce: Workforce | None = strawberry.field(
        resolver=supervision_workforce,
        description="队伍管理 — officers and legal-review staff per body and level, certificates expiring within "
                    "30/60/90 days, officers with no case activity within the inactivity period.")
    supervision_expiring_certificates: list[BodyCount] | None = strawberry.field(
        resolver=supervision_expiring_certificates,
        description="即将到期执法证 — per body: ACTIVE certificates of listed officers ending within `withinDays` "
                    "of `asOf`.")
    supervision_alerts_by_rule: list[RuleAlertCount] | None = strawberry.field(
        resolver=supervision_alerts_by_rule,
        description="规则预警统计 — active alerts by rule and severity, narrowed by filter.")
    supervision_review_scores: list[BodyReviewScore] | None = strawberry.field(
        resolver=supervision_review_scores,
        description="评查得分 — average review score and failed files per body.")
    supervision_reversal_rate: float | None = strawberry.field(
        resolver=supervision_reversal_rate,
        description="Share of decided cases later terminated (纠错率 proxy), 0 when none is decided.")
