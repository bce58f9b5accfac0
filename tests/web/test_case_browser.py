"""The case pages in Debian's Chromium over the real stack: list -> filter -> open a case -> the timeline
with the chain intact; a tampered event shown broken and brought into view; both viewports; no console
errors; every request to 127.0.0.1."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.stack import ConsoleStack, InProcessConsole
from tests.web.test_case_page import _case, _cases, tamper_target, tampered

TIMEOUT_MS = 30_000


def _context(browser: Any, console: InProcessConsole, viewport: str, user: str = "supervisor1") -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    context.add_cookies([{"name": "hub_session", "value": console.cookie(user)["hub_session"], "url": console.url}])
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
def test_list_filter_open_a_case_and_see_the_chain_intact(stack: ConsoleStack, console: InProcessConsole,
                                                         viewport: str) -> None:
    size = VIEWPORTS[viewport]
    status = "SERVED"
    expected = _cases(stack, {"statuses": [status]})
    assert expected["items"], "the seed has served cases"
    first = expected["items"][0]
    with launch() as browser:
        context = _context(browser, console, viewport)
        page = context.new_page()
        requests, errors = watch(page)
        page.goto(f"{console.url}/cases")
        page.wait_for_selector("#case-table tbody tr[data-case]")
        screenshot(page, f"cases-list-{size['width']}x{size['height']}")
        # filter by choosing a state, by keyboard-reachable controls
        page.select_option("#f-status", status)
        page.click("form.filters button[type=submit]")
        page.wait_for_url(re.compile(r"status=SERVED"))
        assert page.inner_text("[data-total]").replace(",", "") == str(expected["total"])
        shown = page.locator("#case-table tbody tr[data-case] td:first-child a").all_inner_texts()
        assert shown == [c["caseNo"] for c in expected["items"]]
        screenshot(page, f"cases-filtered-{size['width']}x{size['height']}")
        # open the first case
        page.click(f"#case-table tbody tr[data-case='{first['id']}'] td:first-child a")
        page.wait_for_url(re.compile(rf"/cases/{first['id']}$"))
        page.wait_for_selector("#timeline li[data-seq]")
        chain = page.locator("#chain-status")
        assert "链条完整" in chain.inner_text()
        events = _case(stack, first["id"])["penaltyCase"]["events"]
        assert page.locator("#timeline li[data-seq]").count() == len(events)
        # a hash's details open by click
        page.click("#event-1 details summary")
        assert page.locator("#event-1 details").get_attribute("open") is not None
        screenshot(page, f"case-detail-{size['width']}x{size['height']}")
        # the export link is a download of the zip
        with page.expect_download() as download:
            page.click("#export-archive")
        assert download.value.suggested_filename == f"{first['id']}.zip"
        errors.assert_none()
        requests.assert_local()
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
def test_tampered_case_shows_the_broken_event(stack: ConsoleStack, console: InProcessConsole, viewport: str) -> None:
    size = VIEWPORTS[viewport]
    case_id, seq = tamper_target(stack)
    with launch() as browser, tampered(stack.store, case_id, seq):
        context = _context(browser, console, viewport)
        page = context.new_page()
        requests, errors = watch(page)
        page.goto(f"{console.url}/cases/{case_id}")
        page.wait_for_selector("#chain-status")
        assert f"链条在第 {seq} 个事件处断裂" in page.inner_text("#chain-status")
        broken = page.locator("li.broken")
        assert broken.count() == 1
        assert broken.get_attribute("id") == f"event-{seq}"
        assert broken.locator("details").get_attribute("open") is not None  # opened by the page's script
        page.click("#goto-broken")
        page.wait_for_function(
            "id => { const r = document.getElementById(id).getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }", arg=f"event-{seq}")
        screenshot(page, f"case-broken-{size['width']}x{size['height']}", full_page=False)
        errors.assert_none()
        requests.assert_local()
        context.close()
