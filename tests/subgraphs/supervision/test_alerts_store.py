"""Alerts are recorded idempotently, move through their lifecycle, deactivate and reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.alerts import AlertFilter, get_alert, list_alerts, move_alert, record_findings
from subgraphs.supervision.errors import IllegalAlertTransition
from subgraphs.supervision.lifecycle import TERMINAL, AlertAction, next_status
from subgraphs.supervision.model import AlertStatus, Finding, Severity, SubjectKind

NOW = datetime(2026, 10, 30, 2, tzinfo=UTC)


def finding(rule: str, case: str, severity: Severity = Severity.RED) -> Finding:
    return Finding(rule, severity, SubjectKind.CASE, case, "11445100MBYK2ADL3R", case, None, {"x": 1})


@given(st.lists(st.sampled_from(list(AlertAction)), max_size=6))
def test_lifecycle_never_leaves_a_terminal_status(actions: list[AlertAction]) -> None:
    status = AlertStatus.OPEN
    for action in actions:
        try:
            new = next_status(status, action, reason="理由")
        except IllegalAlertTransition:
            assert status in TERMINAL or (status is AlertStatus.ACKNOWLEDGED and action is AlertAction.ACKNOWLEDGE)
            continue
        assert status not in TERMINAL
        status = new


def test_dismissal_needs_a_reason() -> None:
    with pytest.raises(IllegalAlertTransition):
        next_status(AlertStatus.OPEN, AlertAction.DISMISS, reason="  ")


async def test_record_page_and_move_alerts(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        found = [finding("S02", f"C-{i:03d}") for i in range(5)] + [finding("S03", "C-000")]
        first = await record_findings(engine, found, now=NOW, rectification_days=15)
        assert (first.created, first.updated, first.deactivated) == (6, 0, 0)
        again = await record_findings(engine, found, now=NOW + timedelta(days=1), rectification_days=15)
        assert (again.created, again.updated, again.deactivated) == (0, 6, 0)

        page, nxt, total = await list_alerts(engine, AlertFilter(rule_id="S02"), first=3, after=None)
        assert total == 5
        assert len(page) == 3
        assert nxt is not None
        rest, nxt2, _ = await list_alerts(engine, AlertFilter(rule_id="S02"), first=3, after=nxt)
        assert len(rest) == 2
        assert nxt2 is None
        assert not {a.id for a in page} & {a.id for a in rest}

        # an alert the next sweep finds again (C-004's is the one it no longer finds); the page order
        # is the store's, so pick by case rather than by position
        alert = next(a for a in [*page, *rest] if a.case_id == "C-001")
        assert alert.rectification_due == NOW.date() + timedelta(days=15)
        acked = await move_alert(engine, alert.id, AlertAction.ACKNOWLEDGE, actor_id="SUP-1", now=NOW)
        assert acked.status is AlertStatus.ACKNOWLEDGED
        done = await move_alert(engine, alert.id, AlertAction.RECTIFY, actor_id="SUP-1", now=NOW)
        assert done.status is AlertStatus.RECTIFIED
        with pytest.raises(IllegalAlertTransition):
            await move_alert(engine, alert.id, AlertAction.DISMISS, actor_id="SUP-1", now=NOW, reason="x")

        # the next sweep no longer finds C-004's alert; finds the rectified one again (reopened)
        later = [f for f in found if f.case_id != "C-004"]
        result = await record_findings(engine, later, now=NOW + timedelta(days=2), rectification_days=15)
        assert result.deactivated == 1
        assert (await get_alert(engine, alert.id)).status is AlertStatus.OPEN
        _, _, active = await list_alerts(engine, AlertFilter(rule_id="S02"), first=10, after=None)
        assert active == 4

        # incremental evaluation of one case touches only that case's alerts
        one = await record_findings(engine, [], now=NOW, rectification_days=15, case_ids=["C-000"])
        assert one.deactivated == 2
        _, _, left = await list_alerts(engine, AlertFilter(), first=10, after=None)
        assert left == 3
    finally:
        await engine.dispose()
