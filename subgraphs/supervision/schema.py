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
from subgraphs.cases.replay import Remember, Target
from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor, page_size
from subgraphs.common.references import PersonRef
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.security import region_prefix
from subgraphs.common.types import described_enum
from subgraphs.supervision import stats
from subgraphs.supervision.access_rules import RULES
from subgraphs.supervision.alert_order import AlertOrder, parse_value, value_of
from subgraphs.supervision.alerts import AlertFilter, find_alert, get_alert, list_alerts, move_alert
from subgraphs.supervision.authority import alert_scope, ensure_may_act
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.errors import SupervisionError
from subgraphs.supervision.keys import KEY_DESCRIPTION, idempotency, run_once
from subgraphs.supervision.lifecycle import AlertAction
from subgraphs.supervision.live import Subscription
from subgraphs.supervision.model import AlertStatus, Severity
from subgraphs.supervision.purpose import ReviewPurposeCheck, review_purpose_binding
from subgraphs.supervision.review.store import sampled
from subgraphs.supervision.review_assignments import ReviewAssignment, my_review_assignments
from subgraphs.supervision.review_schema import ReviewMutation, ReviewQuery, review_file
from subgraphs.supervision.stats_filter import StatisticsFilter, parse_filter, region_code_problem
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


described_enum(AlertOrder, name="AlertOrder", description=(
    "预警排序 — what the alert list is sorted by (ties: by alert id, in the same direction)."), values={
    AlertOrder.DETECTED_AT: "发现时间 — by when the alert was first found",
    AlertOrder.PERIOD_DUE: "期限届满日 — by the due date of the period the rule watches (alerts without one last)",
    AlertOrder.SEVERITY: "预警等级 — by severity rank: INFO, YELLOW, RED (descending: RED first)",
    AlertOrder.RULE: "规则编号 — by rule id",
})


def _after(after: str | None, order: AlertOrder | None, descending: bool) -> tuple[str | None, object]:
    """(last id, last sort value) of a cursor; BAD_USER_INPUT for a damaged one or another order's."""
    if not after:
        return None, None
    pos = decode_cursor(after)
    key = pos.get("k")
    if not isinstance(key, str) or pos.get("o") != (order.value if order else None) \
            or (order is not None and pos.get("d") is not descending):
        raise graphql_error("BAD_USER_INPUT", "after: the cursor belongs to another list or order", field="after")
    if order is None:
        return key, None
    try:
        return key, parse_value(order, pos.get("v"))
    except ValueError as exc:
        raise graphql_error("BAD_USER_INPUT", "after: invalid cursor", field="after") from exc


async def supervision_alerts(
    info: Info[SupervisionContext, None],
    rule_id: Annotated[str | None, strawberry.argument(
        description="规则编号 — only alerts of this rule, e.g. S02")] = None,
    body_id: Annotated[str | None, strawberry.argument(
        description="执法主体 — only alerts of the body with this USCC")] = None,
    status: Annotated[AlertStatus | None, strawberry.argument(
        description="处理状态 — only alerts in this status")] = None,
    severity: Annotated[Severity | None, strawberry.argument(
        description="预警等级 — only alerts of this severity")] = None,
    include_inactive: Annotated[bool, strawberry.argument(
        description="含已消失预警 — also alerts the latest sweep no longer finds (default: active only)")] = False,
    first: Annotated[int | None, strawberry.argument(
        description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(
        description="游标 — `nextCursor` of the previous page (of the same orderBy and descending)")] = None,
    case_id: Annotated[str | None, strawberry.argument(
        description="案件标识 — only alerts concerning this case")] = None,
    region_code: Annotated[str | None, strawberry.argument(description=(
        "区域 — only alerts of this region and everything under it (445100 the whole city, 445102 that "
        "district and its towns): the body's registered region, else the alert's case's"))] = None,
    order_by: Annotated[AlertOrder | None, strawberry.argument(
        description="排序 — sort by this key, then by alert id (default: by alert id alone)")] = None,
    descending: Annotated[bool | None, strawberry.argument(
        description="降序 — highest (latest, most severe) first; applies with orderBy (default: ascending)")] = None,
) -> AlertPage:
    size = page_size(first)
    prefix = None
    if region_code is not None:
        reason = region_code_problem(region_code)
        if reason is not None:
            raise graphql_error("BAD_USER_INPUT", f"regionCode (区域): {reason}", field="regionCode")
        prefix = region_prefix(region_code)
    down = bool(descending) and order_by is not None
    last_id, last_value = _after(after, order_by, down)
    flt = AlertFilter(rule_id=rule_id, body_id=body_id, status=status, severity=severity,
                      active_only=not include_inactive, case_id=case_id, region_prefix=prefix,
                      scope=alert_scope(info.context.caller))
    items, nxt, total = await list_alerts(info.context.engine, flt, first=size, after=last_id,
                                          order=order_by, descending=down, after_value=last_value)
    cursor = None
    if nxt:
        pos: dict[str, object] = {"k": nxt}
        if order_by is not None:
            pos.update(o=order_by.value, d=down, v=value_of(order_by, items[-1], down))
        cursor = encode_cursor(pos)
    return AlertPage(items=[SupervisionAlertType.of(a) for a in items], next_cursor=cursor, total=total)

def supervision_persons(
    keys: Annotated[list[PersonKeyInput], strawberry.argument(
        description=f"人员键 — the persons' keys (at most {MAX_PERSON_KEYS}), answered in the same order")],
) -> list[PersonRef | None]:
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

async def supervision_case_counts(
    info: Info[SupervisionContext, None],
    dimension: Annotated[stats.CaseDimension, strawberry.argument(
        description="统计维度 — what the cases are grouped by")],
    filter_: Annotated[StatisticsFilter | None, strawberry.argument(name="filter", description=(
        "统计筛选 — level, region, body and period (default: none). The period applies to the decision date "
        "(决定日期) for DECIDED_MONTH, MONTH and PENALTY_KIND, to the filing date (立案日期) for every other "
        "dimension (a group's decided count and fines are of its cases so chosen); cases without that date fall "
        "outside any period"))] = None,
) -> list[GroupCount]:
    rows = await stats.cases_by(info.context.engine, dimension, scope=info.context.row_scope,
                                flt=parse_filter(filter_))
    return [GroupCount(key=r.key, cases=r.cases, decided=r.decided, fine_total_fen=str(r.fine_total_fen))
            for r in rows]

class BodyRateOrder(Enum):
    DECISION_ON_TIME_RATE = "decision_on_time_rate"
    SERVICE_ON_TIME_RATE = "service_on_time_rate"
    ALERT_RATE = "alert_rate"
    RED_ALERTS = "red_alerts"
    CASES = "cases"


described_enum(BodyRateOrder, name="BodyRateOrder", description=(
    "主体排名依据 — what bodies are ranked by (ties: by USCC)."), values={
    BodyRateOrder.DECISION_ON_TIME_RATE: "按期决定率 — by the share of cases decided on time (no S02 alert)",
    BodyRateOrder.SERVICE_ON_TIME_RATE: "按期送达率 — by the share of cases served on time (no S03 alert)",
    BodyRateOrder.ALERT_RATE: "预警率 — by active alerts per case",
    BodyRateOrder.RED_ALERTS: "红色预警数 — by the number of active RED alerts",
    BodyRateOrder.CASES: "案件数 — by the number of cases",
})


async def supervision_body_rates(
    info: Info[SupervisionContext, None],
    order_by: Annotated[BodyRateOrder | None, strawberry.argument(
        description="排序 — rank by this rate or count (default: by USCC)")] = None,
    descending: Annotated[bool, strawberry.argument(description="降序 — highest first")] = True,
    filter_: Annotated[StatisticsFilter | None, strawberry.argument(name="filter", description=(
        "统计筛选 — level, region, body and period (default: none). With a period: the cases filed (立案日期) "
        "within it and the active alerts about those cases (alerts about no case are left out)"))] = None,
) -> list[BodyRate]:
    rates = [BodyRate(body_id=r.body_id, cases=r.cases, alerts=r.alerts, red_alerts=r.red_alerts,
                      alert_rate=r.alerts / r.cases if r.cases else 0.0,
                      decision_on_time_rate=r.decision_on_time_rate,
                      service_on_time_rate=r.service_on_time_rate)
             for r in await stats.rates_by_body(info.context.engine, scope=info.context.row_scope,
                                                flt=parse_filter(filter_))]
    if order_by is not None:  # one row per body: ranking them here is ranking a few dozen numbers
        key = order_by.value
        rates.sort(key=lambda b: b.body_id)
        rates.sort(key=lambda b: getattr(b, key), reverse=descending)
    return rates

async def review_campaign_files(
    info: Info[SupervisionContext, None],
    campaign_id: Annotated[strawberry.ID, strawberry.argument(description="评查活动标识 — the campaign's id")],
) -> list[ReviewFile]:
    return [review_file(f) for f in await sampled(info.context.engine, str(campaign_id))]


async def supervision_alert(
    info: Info[SupervisionContext, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="预警标识 — the alert's id")],
) -> SupervisionAlertType | None:
    alert = await find_alert(info.context.engine, str(id), scope=alert_scope(info.context.caller))
    return SupervisionAlertType.of(alert) if alert is not None else None


@strawberry.type(description="执法监督查询 — supervision queries: alerts, statistics, workforce and case-file review")
class Query(StatsQuery, ReviewQuery):
    supervision_alert: SupervisionAlertType | None = strawberry.field(resolver=supervision_alert, description="预警详情 — one alert by id, also one the latest sweep no longer finds; null if unknown or outside the caller's scope.")
    supervision_alerts: AlertPage | None = strawberry.field(resolver=supervision_alerts, description="监督预警 — alerts by rule, body, case, region, status or severity, by id order or by orderBy, a page at a time.")
    supervision_persons: list[PersonRef | None] | None = strawberry.field(resolver=supervision_persons, description="人员引用 — person references by hash, resolved by the population subgraph; a person the population register does not know comes back null, alone.")
    supervision_case_counts: list[GroupCount] | None = strawberry.field(resolver=supervision_case_counts, description="案件统计 — cases grouped by BODY, LEVEL, REGION, ITEM, PROCEDURE, STATUS, DECIDED_MONTH (决定月份; MONTH is the same), FILED_MONTH (立案月份) or PENALTY_KIND (a case counts once under each of its kinds), narrowed by filter.")
    supervision_body_rates: list[BodyRate] | None = strawberry.field(resolver=supervision_body_rates, description="主体执法质量 — per body: alert counts, alerts per case and on-time rates (decision S02, service S03), rankable with orderBy, narrowed by filter.")
    review_campaign_files: list[ReviewFile] | None = strawberry.field(resolver=review_campaign_files, description="评查案卷 — sampled case files of a review campaign with their scores.")
    my_review_assignments: list[ReviewAssignment] | None = strawberry.field(
        resolver=my_review_assignments,
        description="我的评查任务 — the case files review campaigns assigned to the caller (a legal reviewer), newest campaign first (at most 500).")
    review_purpose_binding: ReviewPurposeCheck | None = strawberry.field(
        resolver=review_purpose_binding,
        description="评查目的核验 — is the caller's CASE_FILE_REVIEW purpose bound to a review assignment (the gateway's need-to-know check)?")


async def _move(info: Info[SupervisionContext, None], alert_id: strawberry.ID, action: AlertAction,
                reason: str | None = None, key: str | None = None) -> SupervisionAlertType:
    ctx = info.context
    actor = ctx.actor_id
    if not actor:
        raise graphql_error("UNAUTHENTICATED", "a supervisor identity is required")
    idem = idempotency(key, f"{action.value.lower()}Alert", id=str(alert_id), reason=reason, actor=actor)

    async def act(remember: Remember | None) -> Target:
        await ensure_may_act(ctx.engine, ctx.caller, await get_alert(ctx.engine, str(alert_id)))
        await move_alert(ctx.engine, str(alert_id), action, actor_id=actor, now=ctx.now(), reason=reason,
                         remember=remember)
        return {"id": str(alert_id)}

    try:
        await run_once(ctx.engine, idem, "supervision_alert", act)
        alert = await get_alert(ctx.engine, str(alert_id))
    except SupervisionError as exc:
        raise _error(exc) from exc
    return SupervisionAlertType.of(alert)


_AlertId = Annotated[strawberry.ID, strawberry.argument(description="预警标识 — the alert's id")]


_Key = Annotated[str | None, strawberry.argument(description=KEY_DESCRIPTION)]


async def acknowledge_alert(info: Info[SupervisionContext, None], id: _AlertId,
                            idempotency_key: _Key = None) -> SupervisionAlertType:
    return await _move(info, id, AlertAction.ACKNOWLEDGE, key=idempotency_key)


async def rectify_alert(info: Info[SupervisionContext, None], id: _AlertId,
                        idempotency_key: _Key = None) -> SupervisionAlertType:
    return await _move(info, id, AlertAction.RECTIFY, key=idempotency_key)


async def dismiss_alert(
    info: Info[SupervisionContext, None], id: _AlertId,
    reason: Annotated[str, strawberry.argument(description="排除理由 — why the alert is dismissed (required)")],
    idempotency_key: _Key = None,
) -> SupervisionAlertType:
    return await _move(info, id, AlertAction.DISMISS, reason, key=idempotency_key)


@strawberry.type(description="执法监督操作 — supervision mutations: handling alerts and running case-file reviews")
class Mutation(ReviewMutation):
    acknowledge_alert: SupervisionAlertType = strawberry.mutation(
        resolver=acknowledge_alert,
        description="签收预警 — acknowledge an OPEN alert (a supervisor over its body, never the body itself)")
    rectify_alert: SupervisionAlertType = strawberry.mutation(
        resolver=rectify_alert, description="整改完成 — mark an OPEN or ACKNOWLEDGED alert rectified")
    dismiss_alert: SupervisionAlertType = strawberry.mutation(
        resolver=dismiss_alert, description="排除预警 — dismiss an OPEN or ACKNOWLEDGED alert, with a reason")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(subgraph="supervision", access=RULES, query=Query, mutation=Mutation,
                          subscription=Subscription, types=[PenaltyCase, EnforcementBody, PersonRef])
