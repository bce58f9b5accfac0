"""Graph types of the supervision subgraph. Alerts never carry personal data (DOMAIN.md §10)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.supervision.alerts import Alert
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.model import AlertStatus, Severity
from subgraphs.supervision.stats import CaseDimension

strawberry.enum(Severity, name="AlertSeverity")
strawberry.enum(AlertStatus, name="AlertStatus")
strawberry.enum(CaseDimension, name="CaseDimension")


@strawberry.type(name="SupervisionAlert", description="执法监督预警 (DOMAIN.md §8).")
class SupervisionAlertType:
    id: strawberry.ID
    rule_id: str
    rule_name: str
    basis: str
    severity: Severity
    subject_kind: str
    subject_id: str
    case_id: str | None
    body_id: str
    status: AlertStatus
    active: bool
    evidence: JSON
    period_due: date | None
    detected_at: datetime
    last_seen_at: datetime
    rectification_due: date | None
    dismiss_reason: str | None

    @classmethod
    def of(cls, a: Alert) -> SupervisionAlertType:
        from subgraphs.supervision.rules import CATALOGUE

        name, basis = CATALOGUE.get(a.rule_id, ("", ""))
        return cls(id=strawberry.ID(a.id), rule_id=a.rule_id, rule_name=name, basis=basis, severity=a.severity,
                   subject_kind=a.subject_kind.value, subject_id=a.subject_id, case_id=a.case_id, body_id=a.body_id,
                   status=a.status, active=a.active, evidence=cast(JSON, a.evidence), period_due=a.period_due,
                   detected_at=a.detected_at, last_seen_at=a.last_seen_at, rectification_due=a.rectification_due,
                   dismiss_reason=a.dismiss_reason)


async def _case_alerts(root: PenaltyCase, info: Info[SupervisionContext, None]) -> list[SupervisionAlertType]:
    return [SupervisionAlertType.of(a) for a in await info.context.case_alerts.load(str(root.id)) or []]


async def _body_alerts(
    root: EnforcementBody, info: Info[SupervisionContext, None],
    severity: Annotated[Severity | None, strawberry.argument(description="等级 — only alerts of this severity")] = None,
    status: Annotated[AlertStatus | None, strawberry.argument(description="状态 — only alerts in this status")] = None,
) -> list[SupervisionAlertType]:
    alerts = await info.context.body_alerts.load(root.uscc) or []
    return [SupervisionAlertType.of(a) for a in alerts
            if (severity is None or a.severity == severity) and (status is None or a.status == status)]


@strawberry.federation.type(keys=["id"], description="A penalty case; the supervision subgraph adds its alerts.")
class PenaltyCase:
    id: strawberry.ID
    alerts: list[SupervisionAlertType] = strawberry.field(resolver=_case_alerts,
                                                          description="active supervision alerts of the case")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> PenaltyCase:
        return cls(id=id)


@strawberry.federation.type(keys=["uscc"], description="An enforcement body; the supervision subgraph adds its alerts.")
class EnforcementBody:
    uscc: str
    alerts: list[SupervisionAlertType] = strawberry.field(resolver=_body_alerts,
                                                          description="active alerts of the body (first 200)")

    @classmethod
    def resolve_reference(cls, uscc: str) -> EnforcementBody:
        return cls(uscc=uscc)


@strawberry.type
class AlertPage:
    items: list[SupervisionAlertType]
    next_cursor: str | None
    total: int


@strawberry.type
class GroupCount:
    key: str
    cases: int
    decided: int
    fine_total_fen: str = strawberry.field(description="sum of fines in 分 (decimal string: Int64)")


def _rate_body(root: BodyRate) -> EnforcementBody:
    return EnforcementBody(uscc=root.body_id)


@strawberry.type
class BodyRate:
    body_id: str = strawberry.field(description="执法主体代码 — the body's USCC")
    cases: int = strawberry.field(description="案件数 — the body's cases")
    alerts: int = strawberry.field(description="预警数 — its active alerts")
    red_alerts: int = strawberry.field(description="红色预警 — its active RED alerts")
    alert_rate: float = strawberry.field(description="预警率 — active alerts per case")
    decision_on_time_rate: float = strawberry.field(
        description="按期决定率 — share of its cases without an active S02 (decision overdue) alert")
    service_on_time_rate: float = strawberry.field(
        description="按期送达率 — share of its cases without an active S03 (service overdue) alert")

    body: EnforcementBody = strawberry.field(
        resolver=_rate_body, description="执法主体 — the body (its name and level from personnel, its alerts from here)")


@strawberry.type
class ReviewFile:
    case_id: str
    body_id: str
    reviewers: list[str]
    vetoes: list[str]
    total: int | None
    grade: str | None
    rectification_due: date | None
    rectified_at: datetime | None


@strawberry.input
class PersonKeyInput:
    id_type: str
    id_number_hash: str
