"""The reviewer journey in Chromium over the real stack: a supervisor creates a campaign with a seed
(twice: the same sample), opens a file; each assigned reviewer fills the score sheet by clicking and
typing; after the last one the grade is on the page. Every review page is photographed at both
viewports; every request goes to 127.0.0.1 and no console error occurs."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.review_kit import FILES, expected_grade, expected_total
from tests.web.stack import ConsoleStack, InProcessConsole

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000
SEED = "8086"


def _page(browser: Browser, console: InProcessConsole, user: str, viewport: str) -> tuple[Page, Any, Any]:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    context.add_cookies([{"name": "hub_session", "value": console.cookie(user)["hub_session"], "url": console.url}])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())  # the "submit? cannot be changed" confirmation
    requests, errors = watch(page)
    return page, requests, errors


def _go(page: Page, locator: Any) -> None:
    """Click something that loads a page, and wait until that page (scripts included) has loaded."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def _size(viewport: str) -> str:
    return f"{VIEWPORTS[viewport]['width']}x{VIEWPORTS[viewport]['height']}"


def _case_no(stack: ConsoleStack, case_id: str) -> str:
    """The case number as the store holds it."""
    with sqlite3.connect(f"file:{stack.store}?mode=ro", uri=True) as db:
        row = db.execute("SELECT case_no FROM penalty_case WHERE id = ?", (case_id,)).fetchone()
    assert row is not None, case_id
    return str(row[0])


def _create(page: Page, console: InProcessConsole, name: str) -> tuple[str, list[str]]:
    page.goto(f"{console.url}/review")
    _go(page, page.get_by_role("link", name="新建评查活动"))
    page.get_by_label("评查活动名称").fill(name)
    page.get_by_label("随机种子").fill(SEED)
    page.get_by_label("每主体抽取案卷数").fill("1")
    _go(page, page.get_by_role("button", name="创建并抽取案卷"))
    assert re.search(r"/review/[0-9a-f-]{36}$", page.url), page.url
    campaign = page.url.rsplit("/", 1)[1]
    return campaign, sorted(page.locator("table.sample tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.case)"))


def test_reviewer_journey_in_the_browser(stack: ConsoleStack, console: InProcessConsole) -> None:
    watched = []
    with launch() as browser:
        boss, requests, errors = _page(browser, console, "supervisor1", "desktop")
        watched.append((requests, errors))
        first, sample = _create(boss, console, "浏览器评查一")
        assert "同一随机种子抽取相同样本" in boss.locator("dl.facts").inner_text()
        screenshot(boss, f"review-campaign-{_size('desktop')}")
        second, again = _create(boss, console, "浏览器评查二")
        assert sample, "closed files were sampled"
        assert again == sample, "the same seed gives the same sample"
        files = stack.graph(FILES, {"id": first})["data"]["reviewCampaignFiles"]
        assert sorted(f["caseId"] for f in files) == sample
        target = files[0]
        boss.goto(f"{console.url}/review/{first}")
        _go(boss, boss.locator(f'tr[data-case="{target["caseId"]}"] a').first)
        assert boss.url.endswith(f"/review/{first}/{target['caseId']}")
        assert boss.locator("#grade").inner_text().strip() == "待评定"

        deductions = [{"B": "6", "E": "2"}, {"G": "4"}]
        for i, reviewer in enumerate(target["reviewers"]):
            page, r_requests, r_errors = _page(browser, console, reviewer, "desktop")
            watched.append((r_requests, r_errors))
            page.goto(f"{console.url}/review")
            screenshot(page, f"review-mine-{_size('desktop')}")
            _go(page, page.locator(f'#assignments a[href="/review/{first}/{target["caseId"]}"]'))
            if i == 0:
                screenshot(page, f"review-sheet-{_size('desktop')}")
            for part, points in deductions[i].items():
                page.locator(f"#f-d_{part}").fill(points)
            _go(page, page.get_by_role("button", name="提交评分"))
            assert page.url.endswith("scored=1")
            assert "评分已提交" in page.locator(".notice.ok").inner_text()
            if i == 0:
                assert page.locator("#grade").inner_text().strip() == "待评定", "graded after all reviewers"
            else:
                shown_grade = page.locator("#grade").inner_text().strip()
                shown_total = page.locator("#total").inner_text().strip()
                screenshot(page, f"review-graded-{_size('desktop')}")
            page.context.close()
        manual = {"B": 6, "E": 2, "G": 4}
        total = expected_total(target["sheet"], manual)
        assert shown_total == str(total)
        assert shown_grade == expected_grade(total, target["autoVetoes"])

        # the other pages, and all of them at the tablet size
        boss.goto(f"{console.url}/review")
        screenshot(boss, f"review-index-{_size('desktop')}")
        boss.goto(f"{console.url}/review/new")
        _go(boss, boss.get_by_role("button", name="创建并抽取案卷"))  # empty: messages beside the fields
        assert boss.locator("#err-name").inner_text() == "请填写评查活动名称"
        screenshot(boss, f"review-new-{_size('desktop')}")
        boss.context.close()
        tablet, t_requests, t_errors = _page(browser, console, "supervisor1", "tablet")
        watched.append((t_requests, t_errors))
        for name, path in (("index", "/review"), ("new", "/review/new"), ("campaign", f"/review/{first}"),
                           ("graded", f"/review/{first}/{target['caseId']}")):
            tablet.goto(console.url + path)
            screenshot(tablet, f"review-{name}-{_size('tablet')}")
        tablet.context.close()
        reviewer_tab, rt_requests, rt_errors = _page(browser, console, target["reviewers"][0], "tablet")
        watched.append((rt_requests, rt_errors))
        reviewer_tab.goto(f"{console.url}/review")
        screenshot(reviewer_tab, f"review-mine-{_size('tablet')}")
        other = next(f for f in files if f["caseId"] != target["caseId"])
        reviewer = other["reviewers"][0]
        reviewer_tab.context.close()
        sheet_tab, s_requests, s_errors = _page(browser, console, reviewer, "tablet")
        watched.append((s_requests, s_errors))
        sheet_tab.goto(f"{console.url}/review/{first}/{other['caseId']}")
        screenshot(sheet_tab, f"review-sheet-{_size('tablet')}")
        # the assigned reviewer (of another body) reads the file: its number on the sheet and its case page
        case_no = _case_no(stack, other["caseId"])
        facts = sheet_tab.locator("dl.facts").first.inner_text()
        assert case_no in facts
        assert "未获返回" not in facts
        _go(sheet_tab, sheet_tab.locator("#case-link"))
        assert sheet_tab.url.endswith(f"/cases/{other['caseId']}")
        assert case_no in sheet_tab.locator("main").inner_text()
        screenshot(sheet_tab, f"review-casefile-{_size('tablet')}")
        sheet_tab.context.close()
    assert second != first
    for recorded, console_errors in watched:
        recorded.assert_local()
        console_errors.assert_none()
