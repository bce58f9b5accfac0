"""Alert lifecycle: OPEN → ACKNOWLEDGED → RECTIFIED, or → DISMISSED with a reason (from OPEN or ACKNOWLEDGED).

    OPEN ──acknowledge──▶ ACKNOWLEDGED ──rectify──▶ RECTIFIED
      │                        │
      └──rectify───────────────┼──────────────────▶ RECTIFIED
      └──dismiss(reason)───────┴──────────────────▶ DISMISSED
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.supervision.errors import IllegalAlertTransition
from subgraphs.supervision.model import AlertStatus


class AlertAction(StrEnum):
    ACKNOWLEDGE = "ACKNOWLEDGE"
    RECTIFY = "RECTIFY"
    DISMISS = "DISMISS"


_MOVES: dict[AlertAction, tuple[frozenset[AlertStatus], AlertStatus]] = {
    AlertAction.ACKNOWLEDGE: (frozenset({AlertStatus.OPEN}), AlertStatus.ACKNOWLEDGED),
    AlertAction.RECTIFY: (frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}), AlertStatus.RECTIFIED),
    AlertAction.DISMISS: (frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}), AlertStatus.DISMISSED),
}

TERMINAL = frozenset({AlertStatus.RECTIFIED, AlertStatus.DISMISSED})


def next_status(current: AlertStatus, action: AlertAction, *, reason: str | None = None) -> AlertStatus:
    allowed, target = _MOVES[action]
    if current not in allowed:
        raise IllegalAlertTransition(f"cannot {action.value.lower()} an alert that is {current.value}")
    if action is AlertAction.DISMISS and not (reason or "").strip():
        raise IllegalAlertTransition("dismissing an alert needs a reason")
    return target
