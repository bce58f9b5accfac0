"""The alert store: record findings of a sweep or of one case, move alerts through their lifecycle, page them.

Recording is idempotent: an alert is identified by (rule, subject, case); a finding seen again
updates severity, evidence and `last_seen_at` and keeps the lifecycle status; an alert of the
evaluated scope that is no longer found becomes `active = false` (its status stays, so a
supervisor still sees what was rectified or dismissed). A finding that reappears after being
RECTIFIED reopens the alert (OPEN): rectification did not hold. `RecordResult.raised` lists the
alerts a recording raised — new ones, reopened ones and inactive ones found again — for the live
feed (`subgraphs.supervision.live`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.access import body_region_of
from subgraphs.cases.rows import CaseRow
from subgraphs.supervision.alert_order import AlertOrder, after_condition, sort_key
from subgraphs.supervision.errors import AlertNotFound
from subgraphs.supervision.lifecycle import AlertAction, next_status
from subgraphs.supervision.model import AlertStatus, Finding, Severity, SubjectKind
from subgraphs.supervision.rows import AlertRow

if TYPE_CHECKING:
    from subgraphs.cases.replay import Remember

CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    rule_id: str
    severity: Severity
    subject_kind: SubjectKind
    subject_id: str
    case_id: str | None
    body_id: str
    status: AlertStatus
    active: bool
    evidence: dict[str, Any]
    period_due: date | None
    detected_at: datetime
    last_seen_at: datetime
    rectification_due: date | None
    dismiss_reason: str | None
    acknowledged_at: datetime | None = None
    rectified_at: datetime | None = None
    dismissed_at: datetime | None = None


def key_text(f: Finding) -> str:
    return "|".join(f.key)


def _alert(row: Any) -> Alert:
    return Alert(row.id, row.rule_id, Severity(row.severity), SubjectKind(row.subject_kind), row.subject_id,
                 row.case_id, row.body_id, AlertStatus(row.status), row.active, dict(row.evidence),
                 row.period_due, row.detected_at, row.last_seen_at, row.rectification_due, row.dismiss_reason,
                 acknowledged_at=row.acknowledged_at, rectified_at=row.rectified_at, dismissed_at=row.dismissed_at)


@dataclass(frozen=True, slots=True)
class RecordResult:
    created: int
    updated: int
    deactivated: int
    #: ids of the alerts raised: created, reopened after rectification, or active again (in finding order)
    raised: tuple[str, ...] = ()


async def record_findings(engine: AsyncEngine, findings: Sequence[Finding], *, now: datetime,
                          rectification_days: int, case_ids: Sequence[str] | None = None) -> RecordResult:
    """Store `findings`. `case_ids=None` means a full sweep (every active alert is in scope);
    otherwise only the alerts of those cases are deactivated when not found again."""
    by_key = {key_text(f): f for f in findings}
    cols = (AlertRow.id, AlertRow.alert_key, AlertRow.status, AlertRow.active)
    async with engine.begin() as conn:
        existing: dict[str, tuple[str, str]] = {}
        inactive: set[str] = set()
        if case_ids is None:
            for row in (await conn.execute(select(*cols).where(AlertRow.active.is_(True)))).all():
                existing[row.alert_key] = (row.id, row.status)
        else:
            for i in range(0, len(case_ids), CHUNK):
                part = case_ids[i:i + CHUNK]
                for row in (await conn.execute(select(*cols).where(AlertRow.case_id.in_(part)))).all():
                    existing[row.alert_key] = (row.id, row.status)
                    if not row.active:
                        inactive.add(row.alert_key)
        keys = list(by_key)
        for i in range(0, len(keys), CHUNK):  # alerts inactive from earlier sweeps come back to life
            missing = [k for k in keys[i:i + CHUNK] if k not in existing]
            if missing:
                for row in (await conn.execute(select(*cols).where(AlertRow.alert_key.in_(missing)))).all():
                    existing[row.alert_key] = (row.id, row.status)
                    if not row.active:
                        inactive.add(row.alert_key)
        new_rows = []
        updates = []
        raised: list[str] = []
        for key, f in by_key.items():
            if key in existing:
                alert_id, status = existing[key]
                reopened = AlertStatus.OPEN.value if status == AlertStatus.RECTIFIED.value else status
                if reopened != status or key in inactive:
                    raised.append(alert_id)
                updates.append({"b_id": alert_id, "b_sev": f.severity.value, "b_ev": dict(f.evidence),
                                "b_due": f.due, "b_status": reopened})
            else:
                new_rows.append({
                    "id": str(uuid.uuid4()), "alert_key": key, "rule_id": f.rule_id, "severity": f.severity.value,
                    "subject_kind": f.subject_kind.value, "subject_id": f.subject_id, "case_id": f.case_id,
                    "body_id": f.body_id, "status": AlertStatus.OPEN.value, "active": True,
                    "evidence": dict(f.evidence), "period_due": f.due, "detected_at": now, "last_seen_at": now,
                    "rectification_due": (now.date() + timedelta(days=rectification_days))
                    if f.severity is not Severity.YELLOW else None,
                })
                raised.append(str(new_rows[-1]["id"]))
        for i in range(0, len(new_rows), CHUNK):
            await conn.execute(insert(AlertRow), new_rows[i:i + CHUNK])
        if updates:
            stmt = update(AlertRow).where(AlertRow.id == bindparam("b_id")).values(
                severity=bindparam("b_sev"), evidence=bindparam("b_ev"), period_due=bindparam("b_due"),
                status=bindparam("b_status"), active=True, last_seen_at=now)
            for i in range(0, len(updates), CHUNK):
                await conn.execute(stmt.execution_options(synchronize_session=False), updates[i:i + CHUNK])
        gone = [alert_id for key, (alert_id, _s) in existing.items() if key not in by_key]
        for i in range(0, len(gone), CHUNK):
            await conn.execute(update(AlertRow).where(AlertRow.id.in_(gone[i:i + CHUNK]))
                               .values(active=False, last_seen_at=now))
    return RecordResult(len(new_rows), len(updates), len(gone), tuple(raised))


async def get_alert(engine: AsyncEngine, alert_id: str) -> Alert:
    async with engine.connect() as conn:
        row = (await conn.execute(select(AlertRow).where(AlertRow.id == alert_id))).first()
    if row is None:
        raise AlertNotFound(f"alert {alert_id} not found")
    return _alert(row)


async def find_alert(engine: AsyncEngine, alert_id: str, *, scope: Any = None) -> Alert | None:
    """The alert with this id if the caller's row `scope` (SQL over `AlertRow`; None: all) covers it."""
    conds = [AlertRow.id == alert_id, *([scope] if scope is not None else [])]
    async with engine.connect() as conn:
        row = (await conn.execute(select(AlertRow).where(*conds))).first()
    return _alert(row) if row is not None else None


async def move_alert(engine: AsyncEngine, alert_id: str, action: AlertAction, *, actor_id: str, now: datetime,
                     reason: str | None = None, rectification_due: date | None = None,
                     remember: Remember | None = None) -> Alert:
    """Apply a lifecycle action; `rectification_due` may be set when acknowledging."""
    current = await get_alert(engine, alert_id)
    target = next_status(current.status, action, reason=reason)
    values: dict[str, Any] = {"status": target.value}
    if action is AlertAction.ACKNOWLEDGE:
        values.update(acknowledged_by=actor_id, acknowledged_at=now)
        if rectification_due is not None:
            values["rectification_due"] = rectification_due
    elif action is AlertAction.RECTIFY:
        values.update(rectified_by=actor_id, rectified_at=now)
    else:
        values.update(dismissed_by=actor_id, dismissed_at=now, dismiss_reason=(reason or "").strip())
    async with engine.begin() as conn:
        result = await conn.execute(update(AlertRow).where(
            and_(AlertRow.id == alert_id, AlertRow.status == current.status.value)).values(**values))
        if result.rowcount != 1:
            raise AlertNotFound(f"alert {alert_id} changed meanwhile; read it again")
        if remember is not None:
            await remember(conn, {"id": alert_id})
    return await get_alert(engine, alert_id)


@dataclass(frozen=True, slots=True)
class AlertFilter:
    rule_id: str | None = None
    body_id: str | None = None
    status: AlertStatus | None = None
    case_ids: Sequence[str] | None = None
    severity: Severity | None = None
    active_only: bool = True
    case_id: str | None = None
    #: alerts whose region (`alert_region`) starts with this prefix (`region_prefix` of a region code)
    region_prefix: str | None = None
    #: the caller's row scope as SQL over `AlertRow` (None: unrestricted, an unsigned dev call)
    scope: Any = None


def alert_region() -> ColumnElement[Any]:
    """SQL: an alert's region — its body's in the body register, else its case's (as the row scope)."""
    case_region = select(CaseRow.region_code).where(CaseRow.id == AlertRow.case_id).limit(1).scalar_subquery()
    body: Any = AlertRow.body_id
    return func.coalesce(body_region_of(body), case_region)


def _where(flt: AlertFilter) -> list[Any]:
    conds: list[Any] = []
    if flt.case_id is not None:
        conds.append(AlertRow.case_id == flt.case_id)
    if flt.region_prefix is not None:
        conds.append(alert_region().startswith(flt.region_prefix, autoescape=True))
    if flt.rule_id:
        conds.append(AlertRow.rule_id == flt.rule_id)
    if flt.body_id:
        conds.append(AlertRow.body_id == flt.body_id)
    if flt.status:
        conds.append(AlertRow.status == flt.status.value)
    if flt.severity:
        conds.append(AlertRow.severity == flt.severity.value)
    if flt.case_ids is not None:
        conds.append(AlertRow.case_id.in_(list(flt.case_ids)))
    if flt.active_only:
        conds.append(AlertRow.active.is_(True))
    if flt.scope is not None:
        conds.append(flt.scope)
    return conds


async def list_alerts(engine: AsyncEngine, flt: AlertFilter, *, first: int, after: str | None,
                      order: AlertOrder | None = None, descending: bool = False, after_value: Any = None
                      ) -> tuple[list[Alert], str | None, int]:
    """One page: (alerts, id to continue after, total matching). By id order, or by `order` then id
    (both descending when `descending`); a page continues after (`after_value`, `after`), the last
    row's sort value and id (keyset paging)."""
    conds = _where(flt)
    query = select(AlertRow).where(*conds)
    if order is None:
        if after:
            query = query.where(AlertRow.id > after)
        query = query.order_by(AlertRow.id)
    else:
        key = sort_key(order, descending)
        if after:
            query = query.where(after_condition(key, descending, after_value, after))
        query = query.order_by(key.desc(), AlertRow.id.desc()) if descending else query.order_by(key, AlertRow.id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.limit(first + 1))).all()
        total = (await conn.execute(select(func.count()).select_from(AlertRow).where(*conds))).scalar_one()
    items = [_alert(r) for r in rows[:first]]
    return items, (items[-1].id if len(rows) > first else None), int(total)


async def alerts_of_cases(engine: AsyncEngine, case_ids: Sequence[str], *, scope: Any = None
                          ) -> dict[str, list[Alert]]:
    """The active alerts of each case; `scope`: the caller's row scope over `AlertRow` (None: all)."""
    out: dict[str, list[Alert]] = {c: [] for c in case_ids}
    extra = [scope] if scope is not None else []
    async with engine.connect() as conn:
        for i in range(0, len(case_ids), CHUNK):
            rows = (await conn.execute(select(AlertRow).where(
                AlertRow.case_id.in_(list(case_ids[i:i + CHUNK])), AlertRow.active.is_(True), *extra)
                .order_by(AlertRow.id))).all()
            for r in rows:
                out[r.case_id].append(_alert(r))
    return out


#: the alerts listed with one body (`EnforcementBody.alerts`)
BODY_ALERTS_LISTED = 200


async def alerts_of_bodies(engine: AsyncEngine, keys: Sequence[tuple[str, str | None, str | None]], *,
                           scope: Any = None) -> dict[tuple[str, str | None, str | None], list[Alert]]:
    """The active alerts of each (body, severity, status) key — None: any — in id order, at most
    BODY_ALERTS_LISTED each: one query per (severity, status) pair over all the bodies asking it."""
    out: dict[tuple[str, str | None, str | None], list[Alert]] = {k: [] for k in keys}
    pairs: dict[tuple[str | None, str | None], list[str]] = {}
    for body, severity, status in keys:
        pairs.setdefault((severity, status), []).append(body)
    extra = [scope] if scope is not None else []
    async with engine.connect() as conn:
        for (severity, status), bodies in pairs.items():
            conds = [AlertRow.active.is_(True), *extra]
            if severity is not None:
                conds.append(AlertRow.severity == severity)
            if status is not None:
                conds.append(AlertRow.status == status)
            for i in range(0, len(bodies), CHUNK):
                rows = (await conn.execute(select(AlertRow).where(AlertRow.body_id.in_(bodies[i:i + CHUNK]), *conds)
                                           .order_by(AlertRow.body_id, AlertRow.id))).all()
                for r in rows:
                    listed = out[(r.body_id, severity, status)]
                    if len(listed) < BODY_ALERTS_LISTED:
                        listed.append(_alert(r))
    return out

