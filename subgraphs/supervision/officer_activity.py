"""Per-officer workforce figures (队伍管理, one body's officers): training hours and case activity.

`supervisionOfficerActivity(bodyId)` gives, for each officer of one body still listed, the 培训学时
of a training year and the last time a case the officer is on was updated — the per-officer view
behind `supervisionWorkforce`'s per-body counts (`belowTrainingTarget`, `inactiveOfficers`), with
the same definitions, so that a body's rows add up to its counts. One grouped query; the officer's
name, certificates and status come from the personnel subgraph (`enforcementBody.officers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import strawberry
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from subgraphs.cases.access import body_region_of
from subgraphs.cases.domain.clock import CHINA_TZ, local_date
from subgraphs.cases.rows import CaseOfficerRow, CaseRow
from subgraphs.common.errors import graphql_error
from subgraphs.common.security import CaseScope
from subgraphs.personnel.store import OfficerRow
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.stats import TRAINING_TARGET_HOURS

__all__ = ["OfficerActivity", "OfficerFigures", "officer_figures", "supervision_officer_activity"]

MAX_USCC_LENGTH = 18


@dataclass(frozen=True, slots=True)
class OfficerFigures:
    officer_id: str
    training_hours: int | None  # None: no hours recorded for the year
    last_case_activity: datetime | None  # latest update of a case the officer is on; None: never on a case
    inactive: bool  # on no case updated since the start of the inactivity period


async def officer_figures(engine: AsyncEngine, *, body_uscc: str, training_year: int, since: datetime,
                          scope: CaseScope | None = None) -> list[OfficerFigures]:
    """The officers of `body_uscc` still listed (any status), by id, with their figures; none when the
    body is outside `scope`. `since` starts the inactivity period, bounded as `stats.inactive_officers`
    bounds it (so that a body's inactive officers here are the ones counted there)."""
    recent = case((CaseRow.updated_at >= since, 1), else_=0)
    cases = select(CaseOfficerRow.officer_id.label("officer_id"), func.max(CaseRow.updated_at).label("last"),
                   func.max(recent).label("recent")) \
        .join(CaseRow, CaseRow.id == CaseOfficerRow.case_id).group_by(CaseOfficerRow.officer_id).subquery()
    hours = OfficerRow.training_hours[str(training_year)].as_integer()
    q = select(OfficerRow.id, hours, cases.c.last, cases.c.recent) \
        .outerjoin(cases, cases.c.officer_id == OfficerRow.id) \
        .where(OfficerRow.body_uscc == body_uscc, OfficerRow.vanished_at.is_(None)).order_by(OfficerRow.id)
    if scope is not None:  # the row scope of the per-body figures: the body's USCC or its registered region
        body = OfficerRow.body_uscc.expression
        q = q.where(scope.where(body, body_region_of(body)))
    async with engine.connect() as conn:
        rows = (await conn.execute(q)).all()
    return [OfficerFigures(r[0], int(r[1]) if r[1] is not None else None, _aware(r[2]), not r[3])
            for r in rows]


def _aware(value: datetime | str | None) -> datetime | None:
    """A stored timestamp as an aware one (the store keeps UTC; SQLite hands it back without a zone)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@strawberry.type(description="执法人员履职情况 — one officer's training hours and case activity.")
class OfficerActivity:
    officer_id: strawberry.ID = strawberry.field(description="人员编号 — the officer's id in the personnel records")
    training_year: int = strawberry.field(description="培训年度 — the year `trainingHours` is for")
    training_hours: int | None = strawberry.field(
        description="培训学时 — hours recorded for the training year; null when none is recorded")
    below_training_target: bool = strawberry.field(
        description=f"未达标 — under {TRAINING_TARGET_HOURS} 学时 in the year (none recorded counts as 0)")
    last_case_activity: datetime | None = strawberry.field(
        description="最近办案时间 — the latest update of a case the officer is on; null if on none")
    inactive: bool = strawberry.field(
        description="零执法 — on no case updated within the inactivity period before `asOf` (as inactiveOfficers)")


async def supervision_officer_activity(
    info: Info[SupervisionContext, None],
    body_id: Annotated[str, strawberry.argument(description="执法主体 — the body's USCC")],
    as_of: Annotated[date | None, strawberry.argument(
        description="截至日期 — the day the answer is as of (default: today in China time)")] = None,
    training_year: Annotated[int | None, strawberry.argument(
        description="培训年度 — the year of the training hours, 2000 to this year (default: last year)")] = None,
) -> list[OfficerActivity]:
    today = as_of or local_date(info.context.now())
    year = training_year if training_year is not None else today.year - 1
    if not 2000 <= year <= today.year:
        raise graphql_error("BAD_USER_INPUT", f"trainingYear must be between 2000 and {today.year}")
    if not body_id or len(body_id) > MAX_USCC_LENGTH:
        raise graphql_error("BAD_USER_INPUT", "bodyId must be a USCC of 18 characters")
    since = datetime.combine(today - timedelta(days=info.context.config.inactivity_days), time(), tzinfo=CHINA_TZ)
    figures = await officer_figures(info.context.engine, body_uscc=body_id, training_year=year, since=since,
                                    scope=info.context.row_scope)
    return [OfficerActivity(officer_id=strawberry.ID(f.officer_id), training_year=year, training_hours=f.training_hours,
                            below_training_target=(f.training_hours or 0) < TRAINING_TARGET_HOURS,
                            last_case_activity=f.last_case_activity,
                            inactive=f.inactive)
            for f in figures]
