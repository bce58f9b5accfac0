"""预警排序: the orders of the alert list and their keyset conditions.

An order is one sort key then the alert id, so it is total and a page continues strictly after the
last row of the previous one: the cursor holds that row's sort value and id, never an offset. A
NULL due date (PERIOD_DUE) is replaced by a sentinel that puts it last in either direction;
severity sorts by rank (INFO < YELLOW < RED), not by its name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_

from subgraphs.supervision.model import Severity
from subgraphs.supervision.rows import AlertRow

if TYPE_CHECKING:
    from subgraphs.supervision.alerts import Alert

_LATE = date(9999, 12, 31)
_EARLY = date(1, 1, 1)
SEVERITY_RANK = {Severity.INFO: 1, Severity.YELLOW: 2, Severity.RED: 3}


class AlertOrder(StrEnum):
    DETECTED_AT = "DETECTED_AT"  # 发现时间: when the alert was first found
    PERIOD_DUE = "PERIOD_DUE"  # 期限届满日: the due date of the period the rule watches (none: last)
    SEVERITY = "SEVERITY"  # 预警等级: by rank, INFO < YELLOW < RED
    RULE = "RULE"  # 规则编号: by rule id


def sort_key(order: AlertOrder, descending: bool) -> ColumnElement[Any]:
    """The SQL value an order sorts by (never NULL)."""
    if order is AlertOrder.DETECTED_AT:
        return AlertRow.detected_at  # type: ignore[return-value]
    if order is AlertOrder.PERIOD_DUE:
        return func.coalesce(AlertRow.period_due, literal(_EARLY if descending else _LATE, AlertRow.period_due.type))
    if order is AlertOrder.SEVERITY:
        return case(*((AlertRow.severity == s.value, rank) for s, rank in SEVERITY_RANK.items()), else_=0)
    return AlertRow.rule_id  # type: ignore[return-value]


def _utc(at: datetime) -> datetime:
    """An instant in UTC: the alert times are written in UTC (a store without zones reads them back naive)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC)


def value_of(order: AlertOrder, alert: Alert, descending: bool) -> str | int:
    """The sort value of `alert` as the cursor carries it (JSON: text or an integer)."""
    if order is AlertOrder.DETECTED_AT:
        return _utc(alert.detected_at).isoformat()
    if order is AlertOrder.PERIOD_DUE:
        return (alert.period_due or (_EARLY if descending else _LATE)).isoformat()
    if order is AlertOrder.SEVERITY:
        return SEVERITY_RANK.get(alert.severity, 0)
    return alert.rule_id


def parse_value(order: AlertOrder, raw: object) -> Any:
    """The cursor's sort value back as the column's type; ValueError when it is not one."""
    if order is AlertOrder.SEVERITY:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ValueError("severity rank is an integer")
        return raw
    if not isinstance(raw, str):
        raise ValueError("sort value is text")
    if order is AlertOrder.DETECTED_AT:
        return _utc(datetime.fromisoformat(raw))
    if order is AlertOrder.PERIOD_DUE:
        return date.fromisoformat(raw)
    return raw


def after_condition(key: ColumnElement[Any], descending: bool, value: Any, last_id: str) -> ColumnElement[bool]:
    """Rows strictly after (value, last_id) in the order (key, id), both ascending or both descending."""
    if descending:
        return or_(key < value, and_(key == value, AlertRow.id < last_id))
    return or_(key > value, and_(key == value, AlertRow.id > last_id))
