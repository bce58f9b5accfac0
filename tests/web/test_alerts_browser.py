"""监督预警 in Chromium: filter to RED, open an alert, acknowledge it by clicking, see a new alert arrive.

The new alert is written into the hub's store the way a sweep in another process would leave it (a row
of the supervision store, found by the console only through the gateway); the open list's poll must
show the notice without a reload. The row is removed again afterwards.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.web.browser_kit import VIEWPORTS, screenshot, watch
from tests.web.stack import ConsoleStack, InProcessConsole

WAIT_MS = 30_000
COLUMNS = ("rule_id", "severity", "subject_kind", "subject_id", "case_id", "body_id", "status", "active", "evidence",
           "period_due", "rectification_due")



def _context(browser: Any, console: InProcessConsole, viewport: str, user: str = "supervisor1") -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    context.add_cookies([{"name": "hub_session", "value": console.cookie(user)["hub_session"], "url": console.url}])
    return context


def _status(stack: ConsoleStack, alert_id: str) -> str:
    answer = stack.graph("query($id: ID!) { supervisionAlert(id: $id) { status } }", {"id": alert_id})
    return str(answer["data"]["supervisionAlert"]["status"])


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
def test_filter_open_and_acknowledge_a_red_alert(browser: Any, console: InProcessConsole, stack: ConsoleStack,
                                                 viewport: str) -> None:
    size = VIEWPORTS[viewport]
    context = _context(browser, console, viewport)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/alerts")
    page.select_option("#f-severity", "RED")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/alerts?*severity=RED*")
    severities = page.locator("tbody td[data-severity]").evaluate_all("cells => cells.map(c => c.dataset.severity)")
    assert severities
    assert set(severities) == {"RED"}
    screenshot(page, f"alerts-list-{size['width']}x{size['height']}")

    # sort by clicking a column header: the due dates then run upwards
    page.get_by_role("link", name="期限届满日").click()
    page.wait_for_url("**sort=due*")
    dues = [d for d in page.locator("tbody td[data-due]").evaluate_all("cells => cells.map(c => c.dataset.due)") if d]
    assert dues == sorted(dues)
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"

    row = page.locator("tbody tr:has(.status-open)").first
    alert_id = str(row.get_attribute("data-alert-id"))
    row.get_by_role("link", name="查看", exact=False).click()
    page.wait_for_url(f"**/alerts/{alert_id}")
    assert page.locator("#alert-status").inner_text() == "待处理"
    assert page.locator("dl.evidence dt").count() > 0
    screenshot(page, f"alerts-detail-{size['width']}x{size['height']}")

    page.locator("#act-acknowledge").click()
    page.wait_for_url(f"**/alerts/{alert_id}?done=acknowledge")
    assert "已签收该预警" in page.locator("#alert-done").inner_text()
    page.reload()
    assert page.locator("#alert-status").inner_text() == "已签收"
    assert page.locator("#act-acknowledge").count() == 0
    assert _status(stack, alert_id) == "ACKNOWLEDGED"
    screenshot(page, f"alerts-acknowledged-{size['width']}x{size['height']}")

    # a dismiss without a reason: the message beside the field, the alert unchanged
    page.locator("#f-reason").fill("  ")
    page.locator("#act-dismiss").click()
    page.wait_for_selector("#err-reason")
    assert "请填写驳回理由" in page.locator("#err-reason").inner_text()
    assert _status(stack, alert_id) == "ACKNOWLEDGED"

    page.goto(f"{console.url}/alerts?severity=RED&status=ACKNOWLEDGED")
    assert page.locator(f'tr[data-alert-id="{alert_id}"] .status').inner_text() == "已签收"
    requests.assert_local()
    errors.assert_none()
    context.close()


def _insert_alert(store: Any, like: dict[str, Any], at: datetime) -> str:
    """A new alert row as a sweep writes it (same columns), detected at `at`; returns its id."""
    alert_id = str(uuid.uuid4())
    stamp = at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(store, timeout=30) as db:
        db.execute(
            f"INSERT INTO supervision_alert (id, alert_key, detected_at, last_seen_at, {', '.join(COLUMNS)}) "
            f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in COLUMNS)})",
            (alert_id, f"BROWSER-TEST|{alert_id}", stamp, stamp, *(like[c] for c in COLUMNS)))
    return alert_id


def _newest_red_row(store: Any) -> dict[str, Any]:
    with sqlite3.connect(store, timeout=30) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM supervision_alert WHERE severity = 'RED' AND active = 1 "
                         "ORDER BY detected_at DESC, id DESC LIMIT 1").fetchone()
    assert row is not None, "the seed raised no RED alert"
    return dict(row)


def test_a_new_alert_shows_a_notice_without_reload(browser: Any, console: InProcessConsole,
                                                   stack: ConsoleStack) -> None:
    context = _context(browser, console, "desktop")
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/alerts?severity=RED")
    total_before = page.locator("#alert-total").inner_text()
    like = _newest_red_row(stack.store)
    like = {**like, "status": "OPEN", "case_id": None, "subject_kind": "BODY", "subject_id": like["body_id"]}
    new_id = _insert_alert(stack.store, like, datetime.now(UTC) + timedelta(seconds=1))
    try:
        notice = page.locator("#fresh-alerts .fresh")
        notice.wait_for(timeout=WAIT_MS)
        assert re.search(r"有 [1-9]\d* 条新预警", notice.inner_text())
        assert page.locator("#alert-total").inner_text() == total_before, "the page itself was not reloaded"
        screenshot(page, "alerts-new-notice-1440x900")
        notice.get_by_role("link", name="刷新列表").click()
        page.wait_for_selector(f'tr[data-alert-id="{new_id}"]', timeout=WAIT_MS)
        assert page.locator("#fresh-alerts .fresh").count() == 0
    finally:
        with sqlite3.connect(stack.store, timeout=30) as db:
            db.execute("DELETE FROM supervision_alert WHERE id = ?", (new_id,))
    requests.assert_local()
    errors.assert_none()
    context.close()
