"""Graph types of the supervision subgraph. Alerts never carry personal data (DOMAIN.md §10)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.common.types import described_enum
from subgraphs.supervision.alerts import Alert
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.model import AlertStatus, Severity
from subgraphs.supervision.stats import CaseDimension

described_enum(Severity, name="AlertSeverity", description=(
    "预警等级 — severity: RED must be rectified, YELLOW is a warning, INFO an indicator"), values={
    Severity.RED: "红色预警 — a breach of a rule: it must be rectified",
    Severity.YELLOW: "黄色预警 — pre-warning: most of a period (80 % by default) has elapsed, not yet breached",
    Severity.INFO: "提示 — an analytic indicator for a person to check, not itself a breach",
})
described_enum(AlertStatus, name="AlertStatus", description=(
    "预警处理状态 — lifecycle of an alert: OPEN → ACKNOWLEDGED → RECTIFIED, or DISMISSED with a reason"), values={
    AlertStatus.OPEN: "待处理 — raised (or raised again after rectification) and not yet taken up",
    AlertStatus.ACKNOWLEDGED: "已签收 — a supervisor has acknowledged it; rectification is pending",
    AlertStatus.RECTIFIED: "已整改 — rectified; it reopens if a later sweep finds it again",
    AlertStatus.DISMISSED: "已排除 — dismissed by a supervisor, with the reason recorded",
})
described_enum(CaseDimension, name="CaseDimension", description=(
    "统计维度 — what case counts are grouped by"), values={
    CaseDimension.BODY: "执法主体 — by the USCC of the enforcement body",
    CaseDimension.LEVEL: "主体层级 — by the body's level (PROVINCE, CITY, COUNTY, TOWN; UNKNOWN if not registered)",
    CaseDimension.REGION: "行政区划 — by the case's region code (GB/T 2260)",
    CaseDimension.ITEM: "执法事项 — by the code of the enforcement item",
    CaseDimension.PROCEDURE: "程序 — by procedure (NONE while none is set)",
    CaseDimension.STATUS: "案件状态 — by the case's state",
    CaseDimension.MONTH: "决定月份 — by month of decision, the same as DECIDED_MONTH (kept for existing clients)",
    CaseDimension.DECIDED_MONTH: "决定月份 — by month of decision (YYYY-MM); cases not yet decided: UNDECIDED",
    CaseDimension.FILED_MONTH: "立案月份 — by month of filing (YYYY-MM); cases not yet filed: NOT_FILED",
    CaseDimension.PENALTY_KIND: "处罚种类 — by penalty kind: a case counts once under each of its kinds (none: NONE)",
})


def _alert_body(root: SupervisionAlertType) -> EnforcementBody | None:
    return EnforcementBody(uscc=root.body_id)


@strawberry.type(name="SupervisionAlert", description=(
    "执法监督预警 — supervision alert: what a supervision rule found about a case, officer or body (DOMAIN.md §8); "
    "never personal data."))
class SupervisionAlertType:
    id: strawberry.ID = strawberry.field(description="预警标识 — the alert's id")
    rule_id: str = strawberry.field(description="规则编号 — the supervision rule that raised it, S01–S34")
    rule_name: str = strawberry.field(description="规则名称 — the rule's name, e.g. 超期未决 (decision overdue)")
    basis: str = strawberry.field(description="依据 — the legal basis of the rule (law and articles)")
    severity: Severity = strawberry.field(
        description="预警等级 — severity: RED must be rectified, YELLOW is a warning, INFO an indicator")
    subject_kind: str = strawberry.field(description="预警对象类型 — what the alert is about: CASE, OFFICER or BODY")
    subject_id: str = strawberry.field(
        description="预警对象标识 — the id of the case or officer, or the USCC of the body, the alert is about")
    case_id: str | None = strawberry.field(
        description="案件标识 — the case concerned, also when the subject is an officer or a body; null if none")
    body_id: str = strawberry.field(description="责任主体 — USCC of the enforcement body responsible")
    status: AlertStatus = strawberry.field(
        description="处理状态 — where the alert is in its lifecycle (OPEN, ACKNOWLEDGED, RECTIFIED, DISMISSED)")
    active: bool = strawberry.field(
        description="是否仍存在 — whether the latest sweep still finds it; false once it is no longer found "
                    "(its status stays)")
    evidence: JSON = strawberry.field(
        description="预警证据 — the facts the rule found, as a JSON object of plain values (no personal data)")
    period_due: date | None = strawberry.field(
        description="期限届满日 — last day of the statutory or configured period, for period rules; null otherwise")
    detected_at: datetime = strawberry.field(description="首次发现时间 — when a sweep first found it")
    last_seen_at: datetime = strawberry.field(description="最近发现时间 — when a sweep last found it")
    rectification_due: date | None = strawberry.field(
        description="整改期限 — the day by which it is to be rectified, set when a RED or INFO alert is raised; "
                    "null for YELLOW pre-warnings")
    dismiss_reason: str | None = strawberry.field(
        description="排除理由 — why a supervisor dismissed it; null unless DISMISSED")
    acknowledged_at: datetime | None = strawberry.field(
        description="签收时间 — when a supervisor acknowledged it; null if never acknowledged")
    rectified_at: datetime | None = strawberry.field(
        description="整改时间 — when it was last marked rectified; null if never")
    dismissed_at: datetime | None = strawberry.field(
        description="排除时间 — when a supervisor dismissed it; null unless dismissed")
    body: EnforcementBody | None = strawberry.field(
        resolver=_alert_body, description="责任主体 — the body responsible (its name from personnel, by `bodyId`; null when personnel does not answer)")

    @classmethod
    def of(cls, a: Alert) -> SupervisionAlertType:
        from subgraphs.supervision.rules import CATALOGUE

        name, basis = CATALOGUE.get(a.rule_id, ("", ""))
        return cls(id=strawberry.ID(a.id), rule_id=a.rule_id, rule_name=name, basis=basis, severity=a.severity,
                   subject_kind=a.subject_kind.value, subject_id=a.subject_id, case_id=a.case_id, body_id=a.body_id,
                   status=a.status, active=a.active, evidence=cast(JSON, a.evidence), period_due=a.period_due,
                   detected_at=a.detected_at, last_seen_at=a.last_seen_at, rectification_due=a.rectification_due,
                   dismiss_reason=a.dismiss_reason, acknowledged_at=a.acknowledged_at, rectified_at=a.rectified_at,
                   dismissed_at=a.dismissed_at)


async def _case_alerts(root: PenaltyCase, info: Info[SupervisionContext, None]) -> list[SupervisionAlertType]:
    return [SupervisionAlertType.of(a) for a in await info.context.case_alerts.load(str(root.id)) or []]


async def _body_alerts(
    root: EnforcementBody, info: Info[SupervisionContext, None],
    severity: Annotated[Severity | None, strawberry.argument(description="等级 — only alerts of this severity")] = None,
    status: Annotated[AlertStatus | None, strawberry.argument(description="状态 — only alerts in this status")] = None,
) -> list[SupervisionAlertType]:
    key = (root.uscc, severity.value if severity is not None else None, status.value if status is not None else None)
    return [SupervisionAlertType.of(a) for a in await info.context.body_alerts.load(key) or []]


@strawberry.federation.type(keys=["id"], description=(
    "行政处罚案件 — a penalty case (home: cases); the supervision subgraph adds its alerts."))
class PenaltyCase:
    id: strawberry.ID = strawberry.field(description="案件标识 — the case's id")
    alerts: list[SupervisionAlertType] | None = strawberry.field(
        resolver=_case_alerts, description="监督预警 — active supervision alerts of the case")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> PenaltyCase:
        return cls(id=id)


@strawberry.federation.type(keys=["uscc"], description=(
    "执法主体 — an enforcement body (home: personnel); the supervision subgraph adds its alerts."))
class EnforcementBody:
    uscc: str = strawberry.field(description="统一社会信用代码 — the body's unified social credit code")
    alerts: list[SupervisionAlertType] | None = strawberry.field(
        resolver=_body_alerts, description="监督预警 — active alerts of the body (first 200, by id)")

    @classmethod
    def resolve_reference(cls, uscc: str) -> EnforcementBody:
        return cls(uscc=uscc)


@strawberry.type(description="预警分页 — one page of alerts; pass `nextCursor` as `after` for the next page.")
class AlertPage:
    items: list[SupervisionAlertType] = strawberry.field(description="本页预警 — the alerts of this page, by id")
    next_cursor: str | None = strawberry.field(
        description="下一页游标 — opaque cursor of the next page (pass it as `after`); null on the last page")
    total: int = strawberry.field(description="总数 — how many alerts match the filters in all")


@strawberry.type(description="案件分组统计 — the cases of one group of a case-count dimension.")
class GroupCount:
    key: str = strawberry.field(
        description="分组值 — the group: a USCC, level, region or item code, procedure, state, YYYY-MM month or "
                    "penalty kind, or UNKNOWN / NONE / UNDECIDED / NOT_FILED where the case has none")
    cases: int = strawberry.field(description="案件数 — cases in the group")
    decided: int = strawberry.field(description="已决定数 — of them, cases with a decision")
    fine_total_fen: str = strawberry.field(description="罚款总额 — sum of fines in 分 (decimal string: Int64)")


def _rate_body(root: BodyRate) -> EnforcementBody:
    return EnforcementBody(uscc=root.body_id)


@strawberry.type(description="主体执法质量 — one body's alert counts, alerts per case and on-time rates.")
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

    body: EnforcementBody | None = strawberry.field(
        resolver=_rate_body, description="执法主体 — the body (its name and level from personnel, its alerts from here)")


@strawberry.type(description="评分项 — one scoring part (A–G) of a reviewed file's score sheet (DOMAIN.md §9).")
class ScoreItem:
    part: str = strawberry.field(description="评分部分 — the part's letter, A–G")
    name: str = strawberry.field(description="名称 — the part's name, e.g. 程序 (procedure)")
    max_points: int = strawberry.field(description="分值 — the part's points (100 over all parts)")
    auto_deduction: int = strawberry.field(
        description="自动扣分 — points the automatic checks deducted, from the file's active breach alerts at sampling")
    manual_deduction: int = strawberry.field(
        description="人工扣分 — points the reviewers who have scored deducted, added together")
    score: int = strawberry.field(description="得分 — the part's points less both deductions, not below 0")


@strawberry.type(description="评查案卷 — one sampled case file of a review campaign, with its score (DOMAIN.md §9).")
class ReviewFile:
    campaign_id: str = strawberry.field(description="评查活动标识 — the campaign the file was sampled in")
    case_id: str = strawberry.field(description="案件标识 — the case whose file is reviewed")
    body_id: str = strawberry.field(description="执法主体 — USCC of the body that handled the case")
    reviewers: list[str] = strawberry.field(
        description="评查人员 — officer ids of the assigned legal-review staff, none from the case's own body")
    vetoes: list[str] = strawberry.field(
        description="否决项 — veto items found (V1–V8), automatic and by reviewers: any one makes the file 不合格")
    auto_vetoes: list[str] = strawberry.field(
        description="自动否决项 — the veto items the automatic checks found (V1–V6, from breach alerts)")
    scored_by: list[str] = strawberry.field(
        description="已评分人员 — officer ids of the assigned reviewers who have scored the file")
    sheet: list[ScoreItem] = strawberry.field(
        description="评分表 — the score sheet: parts A–G with their points and the automatic and manual deductions")
    total: int | None = strawberry.field(
        description="总分 — score out of 100 (parts A–G); null until every assigned reviewer has scored")
    grade: str | None = strawberry.field(
        description="等级 — grade: 优秀 (excellent) / 良好 (good) / 合格 (pass) / 不合格 (fail); null until scored")
    rectification_due: date | None = strawberry.field(
        description="整改期限 — the day the file is to be rectified by, set when it scores under 90 or has a veto")
    rectified_at: datetime | None = strawberry.field(
        description="整改时间 — when the file was marked rectified; null until then")


@strawberry.input(description="人员键 — the key of a person: document type and the hash of the number.")
class PersonKeyInput:
    id_type: str = strawberry.field(description="证件类型 — the document type's name, e.g. RESIDENT_ID (see IdType)")
    id_number_hash: str = strawberry.field(
        description="证件号码摘要 — HMAC-SM3 hash of the ID type and number, as other subgraphs hand it out")
