"""Query and mutation fields of the supervision subgraph and its schema.

`supervisionPersons(keys)` hands out `Person` references by hash so that the supervision service
(or any client) can read birth dates of many parties with one request: the gateway resolves them
with one batched `_entities` fetch to the population subgraph (FEDERATION_NOTE: the list field
carries only key fields; the population subgraph owns every other `Person` field).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.entities import IdType
from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.common.references import PersonRef
from subgraphs.common.schema import SubgraphSchema
from subgraphs.supervision import stats
from subgraphs.supervision.access_rules import RULES
from subgraphs.supervision.alerts import AlertFilter, get_alert, list_alerts, move_alert
from subgraphs.supervision.authority import alert_scope, ensure_may_act
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.errors import SupervisionError
from subgraphs.supervision.lifecycle import AlertAction
from subgraphs.supervision.model import AlertStatus, Severity
from subgraphs.supervision.purpose import ReviewPurposeCheck, review_purpose_binding
from subgraphs.supervision.review.store import sampled
from subgraphs.supervision.review_schema import ReviewMutation, ReviewQuery
from subgraphs.supervision.stats_schema import StatsQuery
from subgraphs.supervision.types import (
    AlertPage,
    BodyRate,
    EnforcementBody,
    GroupCount,
    PenaltyCase,
    PersonKeyInput,
    ReviewFile,
    SupervisionAlertType,
)

MAX_PERSON_KEYS = 1_000


def _error(exc: SupervisionError) -> Exception:
    return graphql_error(exc.code, str(exc))


async def supervision_alerts(info: Info[SupervisionContext, None], rule_id: str | None = None,
                             body_id: str | None = None, status: AlertStatus | None = None,
                             severity: Severity | None = None, include_inactive: bool = False,
                             first: int | None = None, after: str | None = None) -> AlertPage:
    size = page_size(first)
    key = decode_cursor(after).get("k") if after else None
    flt = AlertFilter(rule_id=rule_id, body_id=body_id, status=status, severity=severity,
                      active_only=not include_inactive, scope=alert_scope(info.context.caller))
    items, nxt, total = await list_alerts(info.context.engine, flt, first=size,
                                          after=str(key) if key is not None else None)
    return AlertPage(items=[SupervisionAlertType.of(a) for a in items],
                     next_cursor=encode_cursor({"k": nxt}) if nxt else None, total=total)

def supervision_persons(keys: list[PersonKeyInput]) -> list[PersonRef | None]:
    if len(keys) > MAX_PERSON_KEYS:
        raise graphql_error("BAD_USER_INPUT", f"at most {MAX_PERSON_KEYS} keys")
    out: list[PersonRef | None] = []
    for k in keys:
        try:
            id_type = IdType(k.id_type)
        except ValueError as exc:
            raise graphql_error("BAD_USER_INPUT", "unknown idType") from exc
        out.append(PersonRef(id_type=id_type, id_number_hash=k.id_number_hash))
    return out

async def supervision_case_counts(info: Info[SupervisionContext, None],
                                  dimension: stats.CaseDimension) -> list[GroupCount]:
    rows = await stats.cases_by(info.context.engine, dimension, scope=info.context.row_scope)
    return [GroupCount(key=r.key, cases=r.cases, decided=r.decided, fine_total_fen=str(r.fine_total_fen))
            for r in rows]

@strawberry.enum(description="主体排名依据 — what bodies are ranked by (ties: by USCC).")
class BodyRateOrder(Enum):
    DECISION_ON_TIME_RATE = "decision_on_time_rate"
    SERVICE_ON_TIME_RATE = "service_on_time_rate"
    ALERT_RATE = "alert_rate"
    RED_ALERTS = "red_alerts"
    CASES = "cases"


async def supervision_body_rates(
    info: Info[SupervisionContext, None],
    order_by: Annotated[BodyRateOrder | None, strawberry.argument(
        description="排序 — rank by this rate or count (default: by USCC)")] = None,
    descending: Annotated[bool, strawberry.argument(description="降序 — highest first")] = True,
) -> list[BodyRate]:
    rates = [BodyRate(body_id=r.body_id, cases=r.cases, alerts=r.alerts, red_alerts=r.red_alerts,
                      alert_rate=r.alerts / r.cases if r.cases else 0.0,
                      decision_on_time_rate=r.decision_on_time_rate,
                      service_on_time_rate=r.service_on_time_rate)
             for r in await stats.rates_by_body(info.context.engine, scope=info.context.row_scope)]
    if order_by is not None:  # one row per body: ranking them here is ranking a few dozen numbers
        key = order_by.value
        rates.sort(key=lambda b: b.body_id)
        rates.sort(key=lambda b: getattr(b, key), reverse=descending)
    return rates

async def review_campaign_files(info: Info[SupervisionContext, None],
                                campaign_id: strawberry.ID) -> list[ReviewFile]:
    return [ReviewFile(case_id=f.case_id, body_id=f.body_id, reviewers=f.reviewers, vetoes=f.vetoes,
                       total=f.total, grade=f.grade, rectification_due=f.rectification_due,
                       rectified_at=f.rectified_at) for f in await sampled(info.context.engine, str(campaign_id))]


@strawberry.type
class Query(StatsQuery, ReviewQuery):
    supervision_alerts: AlertPage | None = strawberry.field(resolver=supervision_alerts, description="Alerts by rule, body, status or severity, by id order, a page at a time.")
    supervision_persons: list[PersonRef | None] = strawberry.field(resolver=supervision_persons, description="Person references by hash, resolved by the population subgraph; a person the population register does not know comes back null, alone.")
    supervision_case_counts: list[GroupCount] = strawberry.field(resolver=supervision_case_counts, description="案件统计 — cases grouped by BODY, LEVEL, REGION, ITEM, PROCEDURE, STATUS, DECIDED_MONTH (决定月份; MONTH is the same), FILED_MONTH (立案月份) or PENALTY_KIND (a case counts once under each of its kinds).")
    supervision_body_rates: list[BodyRate] = strawberry.field(resolver=supervision_body_rates, description="主体执法质量 — per body: alert counts, alerts per case and on-time rates (decision S02, service S03), rankable with orderBy.")
    review_campaign_files: list[ReviewFile] = strawberry.field(resolver=review_campaign_files, description="Sampled case files of a review campaign with their scores.")
    review_purpose_binding: ReviewPurposeCheck = strawberry.field(
        resolver=review_purpose_binding,
        description="Is the caller's CASE_FILE_REVIEW purpose bound to a review assignment (the gateway's need-to-know check)?")


async def _move(info: Info[SupervisionContext, None], alert_id: strawberry.ID, action: AlertAction,
                reason: str | None = None) -> SupervisionAlertType:
    ctx = info.context
    if not ctx.actor_id:
        raise graphql_error("UNAUTHENTICATED", "a supervisor identity is required")
    try:
        await ensure_may_act(ctx.engine, ctx.caller, await get_alert(ctx.engine, str(alert_id)))
        alert = await move_alert(ctx.engine, str(alert_id), action, actor_id=ctx.actor_id, now=ctx.now(),
                                 reason=reason)
    except SupervisionError as exc:
        raise _error(exc) from exc
    return SupervisionAlertType.of(alert)


@strawberry.type
class Mutation(ReviewMutation):
    @strawberry.mutation
    async def acknowledge_alert(self, info: Info[SupervisionContext, None], id: strawberry.ID) -> SupervisionAlertType:
        return await _move(info, id, AlertAction.ACKNOWLEDGE)

    @strawberry.mutation
    async def rectify_alert(self, info: Info[SupervisionContext, None], id: strawberry.ID) -> SupervisionAlertType:
        return await _move(info, id, AlertAction.RECTIFY)

    @strawberry.mutation
    async def dismiss_alert(self, info: Info[SupervisionContext, None], id: strawberry.ID,
                            reason: str) -> SupervisionAlertType:
        return await _move(info, id, AlertAction.DISMISS, reason)


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="supervision", access=RULES, query=Query, mutation=Mutation,
                          types=[PenaltyCase, EnforcementBody, PersonRef])
