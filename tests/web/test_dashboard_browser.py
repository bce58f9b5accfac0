"""The dashboard in Chromium over the real stack: the charts are drawn, a bar opens its list, the filter
form narrows the page to a county, the tree opens from the keyboard; screenshots at both sizes; every
request goes to 127.0.0.1 and the page logs no error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.dashboard_kit import settled_figures
from tests.web.stack import ConsoleStack, InProcessConsole

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHARTS = ("months", "rules", "items", "kinds", "rates", "fines")
COUNTY = "445102"


@pytest.fixture(scope="module", autouse=True)
def _settled(stack: ConsoleStack) -> None:
    settled_figures(stack)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as running:
        yield running


def _open(browser: Browser, console: InProcessConsole, size: str, path: str = "/dashboard",
          user: str = "supervisor1") -> Any:
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    context.add_cookies([{"name": "hub_session", "value": console.cookie(user)["hub_session"],
                          "url": console.url}])
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(console.url + path)
    _wait_for_charts(page)
    return context, page, requests, errors


def _wait_for_charts(page: Page) -> None:
    page.wait_for_function("document.querySelectorAll('.chart canvas').length === document.querySelectorAll('.chart').length",
                           timeout=20_000)


def _name(size: str) -> str:
    viewport = VIEWPORTS[size]
    return f"{viewport['width']}x{viewport['height']}"


def _cases(stack: ConsoleStack, flt: dict[str, Any] | None) -> int:
    answer = stack.graph("query($f: StatisticsFilter) { supervisionCaseCounts(dimension: STATUS, filter: $f) { cases } }",
                         {"f": flt}, purpose="SUPERVISION")
    return sum(g["cases"] for g in answer["data"]["supervisionCaseCounts"])


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_the_charts_are_drawn_at_both_sizes(browser: Browser, console: InProcessConsole, size: str) -> None:
    context, page, requests, errors = _open(browser, console, size)
    try:
        for key in CHARTS:
            node = page.locator(f"#chart-{key}")
            assert node.count() == 1, key  # the small seed has figures for every chart
            assert node.get_attribute("role") == "img"
            assert node.locator("canvas").count() >= 1, key
            drawn = page.evaluate("id => window.echarts.getInstanceByDom(document.getElementById(id)) !== undefined"
                                  " && window.echarts.getInstanceByDom(document.getElementById(id)) !== null",
                                  f"chart-{key}")
            assert drawn, key
            box = node.bounding_box()
            assert box is not None
            assert box["width"] > 200
            assert box["height"] > 200
        screenshot(page, f"dashboard-overview-{_name(size)}")
        errors.assert_none()
        requests.assert_local()
    finally:
        context.close()


def test_a_bar_opens_the_list_behind_it(browser: Browser, console: InProcessConsole) -> None:
    context, page, requests, errors = _open(browser, console, "desktop")
    try:
        spec = json.loads(page.locator("#dashboard-charts").text_content() or "{}")["rules"]
        first = spec["series"][0]
        index = next(i for i, n in enumerate(first["data"]) if n)
        # the middle of that bar's first segment, in the chart's own pixels
        point = page.evaluate("([i, v]) => window.echarts.getInstanceByDom(document.getElementById('chart-rules'))"
                              ".convertToPixel({seriesIndex: 0}, [i, v])", [index, first["data"][index] / 2])
        page.locator("#chart-rules").scroll_into_view_if_needed()
        box = page.locator("#chart-rules").bounding_box()
        assert box is not None
        errors.assert_none()
        with page.expect_navigation():
            page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        assert page.url == console.url + first["links"][index]
        assert page.url.startswith(f"{console.url}/alerts?rule={spec['categories'][index]}&severity=")
        requests.assert_local()
    finally:
        context.close()


def test_the_filter_form_narrows_the_page_to_a_county(browser: Browser, console: InProcessConsole,
                                                      stack: ConsoleStack) -> None:
    context, page, requests, errors = _open(browser, console, "desktop")
    try:
        assert page.locator("#stat-cases").inner_text() == f"{_cases(stack, None):,}"
        assert page.locator("#body-tree details details[open]").count() == 0  # three counties, folded
        page.select_option("#f-region", COUNTY)
        with page.expect_navigation():
            page.get_by_role("button", name="筛选").click()
        _wait_for_charts(page)
        assert f"region={COUNTY}" in page.url
        assert page.locator("#stat-cases").inner_text() == f"{_cases(stack, {'regionCode': COUNTY}):,}"
        assert "湘桥区" in page.locator("#filter-status").inner_text()
        # the tree: the city and the only county open; the county folds and unfolds from the keyboard
        county = page.locator("#body-tree details details").first
        assert county.get_attribute("open") is not None
        assert county.locator(".leaf").count() > 1
        county.locator("summary").focus()
        page.keyboard.press("Enter")
        assert county.get_attribute("open") is None
        page.keyboard.press("Enter")
        assert county.get_attribute("open") is not None
        screenshot(page, f"dashboard-county-{_name('desktop')}")
        page.go_back()
        _wait_for_charts(page)
        assert page.locator("#stat-cases").inner_text() == f"{_cases(stack, None):,}"
        errors.assert_none()
        requests.assert_local()
    finally:
        context.close()


def test_a_bad_date_shows_its_message_in_the_browser(browser: Browser, console: InProcessConsole) -> None:
    context, page, requests, errors = _open(browser, console, "tablet", "/dashboard?from=2025-05-01&to=2025-04-01")
    try:
        assert page.locator("#err-to").inner_text() == "结束日期不能早于开始日期"
        screenshot(page, f"dashboard-bad-filter-{_name('tablet')}", full_page=False)
        errors.assert_none()
        requests.assert_local()
    finally:
        context.close()


def test_a_body_head_s_dashboard(browser: Browser, console: InProcessConsole, stack: ConsoleStack) -> None:
    rates = stack.graph("{ supervisionBodyRates { bodyId cases } }", purpose="SUPERVISION")["data"]["supervisionBodyRates"]
    busiest = max(rates, key=lambda r: (r["cases"], r["bodyId"]))
    context, page, requests, errors = _open(browser, console, "desktop", user=f"head-{busiest['bodyId']}")
    try:
        assert "仅能查看本机关" in page.locator("#whose").inner_text()
        assert page.locator("#stat-cases").inner_text() == f"{busiest['cases']:,}"
        assert page.locator("#body-tree .leaf").count() == 1
        screenshot(page, f"dashboard-body-head-{_name('desktop')}")
        errors.assert_none()
        requests.assert_local()
    finally:
        context.close()
