"""Issue 15's journeys in Chromium over the real `hub up` stack, signing in on the identity provider's page.

* The supervisor: sign in -> the dashboard shows the seeded totals (asserted against the graph's own
  numbers) -> filter to one county -> open a red alert -> its case -> the timeline shows the chain intact
  -> acknowledge the alert -> after a reload the alert list shows it acknowledged.
* Every page of the console at 1440×900 and 768×1024: a screenshot each, every request the browser made
  to 127.0.0.1, no console error.

(The reviewer's journey is `test_review_browser.py`, the tampered event `test_case_browser.py`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.dashboard_kit import settled_figures
from tests.web.stack import ConsoleStack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

COUNTY = "445102"  # 湘桥区
RED_ALERTS = "query($region: String) { supervisionAlerts(severity: RED, regionCode: $region, first: 1000) { total items { id status caseId } } }"
TOTAL_CASES = "query($f: StatisticsFilter) { supervisionCaseCounts(dimension: STATUS, filter: $f) { cases } }"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as running:
        yield running


def _number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def _sign_in(page: Page, stack: ConsoleStack, username: str) -> None:
    assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc, page.url  # the provider's page
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"{username}-pass")
    page.get_by_role("button", name="登录").click()


def _cases(stack: ConsoleStack, flt: dict[str, Any] | None) -> int:
    answer = stack.graph(TOTAL_CASES, {"f": flt}, purpose="SUPERVISION")
    return sum(group["cases"] for group in answer["data"]["supervisionCaseCounts"])


def test_the_supervisors_journey(stack: ConsoleStack, browser: Browser) -> None:
    settled_figures(stack)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    page = context.new_page()
    requests, errors = watch(page)

    # sign in -> the dashboard with the seeded totals, as the graph counts them
    page.goto(stack.web + "/")
    page.get_by_role("link", name="统一身份认证登录").click()
    _sign_in(page, stack, "supervisor1")
    page.wait_for_url(f"{stack.web}/dashboard")
    assert _number(page.locator("#stat-cases").inner_text()) == _cases(stack, None)
    red = stack.graph(RED_ALERTS, {"region": None}, purpose="SUPERVISION")["data"]["supervisionAlerts"]
    assert _number(page.locator("#stat-red").inner_text()) == red["total"]
    screenshot(page, "journey-1-dashboard-1440x900")

    # filter to one county: the figures are the county's
    page.select_option("#f-region", COUNTY)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf".*/dashboard\?.*region={COUNTY}.*"))
    county_cases = _cases(stack, {"regionCode": COUNTY})
    assert _number(page.locator("#stat-cases").inner_text()) == county_cases
    assert county_cases < _cases(stack, None)
    county_red = stack.graph(RED_ALERTS, {"region": COUNTY}, purpose="SUPERVISION")["data"]["supervisionAlerts"]
    assert _number(page.locator("#stat-red").inner_text()) == county_red["total"]
    screenshot(page, "journey-2-county-1440x900")

    # the red figure opens the county's red alerts; open one still to be handled that has a case
    page.locator("#stat-red").click()
    page.wait_for_url(re.compile(r".*/alerts\?.*severity=RED.*"))
    open_with_case = {a["id"]: a["caseId"] for a in county_red["items"] if a["status"] == "OPEN" and a["caseId"]}
    assert open_with_case, "the seeded county has an open red alert about a case"
    rows = page.locator("tr[data-alert-id]")
    shown = [rows.nth(i).get_attribute("data-alert-id") for i in range(rows.count())]
    alert_id = next(a for a in shown if a in open_with_case)
    page.locator(f'tr[data-alert-id="{alert_id}"] a', has_text="查看").click()
    page.wait_for_url(f"{stack.web}/alerts/{alert_id}")
    screenshot(page, "journey-3-alert-1440x900")

    # its case: the full-process record with the chain verified intact
    page.locator("#alert-case").click()
    page.wait_for_url(f"{stack.web}/cases/{open_with_case[alert_id]}")
    status = page.locator("#chain-status")
    assert status.get_attribute("data-ok") == "true"
    assert "链条完整" in status.inner_text()
    assert page.locator(".timeline li").count() >= 1
    screenshot(page, "journey-4-case-1440x900")

    # back to the alert: acknowledge it; after a reload the list shows it acknowledged
    page.go_back()
    page.wait_for_url(f"{stack.web}/alerts/{alert_id}")
    page.locator("#act-acknowledge").click()
    page.wait_for_load_state()
    page.goto(f"{stack.web}/alerts?severity=RED&region={COUNTY}")
    page.reload()
    row = page.locator(f'tr[data-alert-id="{alert_id}"]')
    assert "已签收" in row.inner_text()
    after = stack.graph("query($id: ID!) { supervisionAlert(id: $id) { status } }", {"id": alert_id},
                        purpose="SUPERVISION")
    assert after["data"]["supervisionAlert"]["status"] == "ACKNOWLEDGED"
    screenshot(page, "journey-5-acknowledged-1440x900")

    requests.assert_local()
    errors.assert_none()
    context.close()


def _first_href(page: Page, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, selector
    return href


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_every_page_at_both_sizes_requests_only_this_machine(stack: ConsoleStack, browser: Browser,
                                                             size: str) -> None:
    viewport = VIEWPORTS[size]
    tag = f"{viewport['width']}x{viewport['height']}"
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(stack.web + "/dashboard")
    _sign_in(page, stack, "supervisor1")
    page.wait_for_url(f"{stack.web}/dashboard")
    pages = ["/dashboard", "/alerts", "/cases", "/workforce", "/review", "/review/new", "/explorer"]
    for path in pages:
        page.goto(stack.web + path)
        assert page.locator("main h1").count() >= 1, path
        screenshot(page, f"page{path.replace('/', '-')}-{tag}")
        if path == "/alerts":
            pages_detail = [_first_href(page, 'tr[data-alert-id] a:has-text("查看")')]
        if path == "/cases":
            case_href = _first_href(page, "table a[href^='/cases/']")
        if path == "/workforce":
            body_href = _first_href(page, "table a[href^='/workforce/']")
    for name, href in (("alert", pages_detail[0]), ("case", case_href), ("workforce-body", body_href)):
        page.goto(stack.web + href)
        assert page.locator("main h1").count() >= 1, href
        screenshot(page, f"page-{name}-{tag}")
    # the refusal page, as a role without the section sees it
    page.goto(stack.web + "/")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("您已安全退出").wait_for()
    page.goto(stack.web + "/dashboard")
    _sign_in(page, stack, "officer1")
    page.wait_for_url(f"{stack.web}/dashboard")
    assert page.get_by_text("无权访问").first.is_visible()
    screenshot(page, f"page-refused-{tag}")
    requests.assert_local()
    _no_errors_but_the_refusal(errors)
    context.close()


def _no_errors_but_the_refusal(errors: Any) -> None:
    """The refusal page answers 403, which Chromium reports as a console error; nothing else may be there."""
    others = [e for e in errors.errors if "status of 403" not in e]
    assert not others, f"errors in the pages: {others}"
