"""队伍管理 in Chromium: the page at the desktop and tablet sizes, filtering by clicking, through to one
body, both exports downloaded by clicking their links; no console errors, every request to 127.0.0.1.
Screenshots in test-artifacts/screenshots/workforce-*.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.stack import InProcessConsole

AS_OF = "2026-10-30"
TIMEOUT_MS = 30_000


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_workforce_in_the_browser(console: InProcessConsole, size: str, tmp_path: Path) -> None:
    viewport = VIEWPORTS[size]
    tag = f"{viewport['width']}x{viewport['height']}"
    with launch() as browser:
        context = browser.new_context(viewport=viewport, accept_downloads=True, locale="zh-CN")
        context.add_cookies([{"name": "hub_session", "value": console.cookie("supervisor1")["hub_session"],
                              "url": console.url}])
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        requests, errors = watch(page)

        page.goto(f"{console.url}/workforce?asOf={AS_OF}")
        rows = page.locator("#workforce-table tbody tr")
        assert rows.count() > 10
        all_rows = rows.count()
        assert page.locator("h1").inner_text() == "队伍管理"
        screenshot(page, f"workforce-overview-{tag}")

        # filter by clicking: a county's bodies only
        page.select_option("#f-region", "445102")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url("**region=445102**")
        assert 0 < rows.count() < all_rows
        assert all(t == "湘桥区" for t in page.locator("#workforce-table tbody tr td:nth-child(3)").all_inner_texts())
        screenshot(page, f"workforce-filtered-{tag}")

        # a bad date typed into the URL gets its message beside the field
        page.goto(f"{console.url}/workforce?asOf=2026-02-30")
        assert page.locator("#err-asOf").is_visible()
        assert "有效的日期" in page.locator("#err-asOf").inner_text()
        screenshot(page, f"workforce-bad-date-{tag}", full_page=False)
        # the page answers 400 (the filter was refused), which Chromium reports on its console: that one
        # report is expected, any other error still fails the test
        expected_report = f"status of 400 (Bad Request) at {console.url}/workforce?asOf=2026-02-30"
        assert sum(expected_report in e for e in errors.errors) == 1
        errors.errors = [e for e in errors.errors if expected_report not in e]

        # through to the body with the most certificates due (first in the 90-day column)
        page.goto(f"{console.url}/workforce?asOf={AS_OF}")
        link = page.locator("#exp-90 tbody tr a").first
        name = link.inner_text()
        link.click()
        page.wait_for_url("**/workforce/*")
        assert page.locator("h1").inner_text() == name
        assert page.locator("#officers-table tbody tr").count() > 0
        assert page.locator("#officers-table tr.wf-soon").count() > 0, "certificates due within 90 days are marked"
        screenshot(page, f"workforce-body-{tag}")
        page.get_by_role("link", name="队伍管理").first.click()
        page.wait_for_url("**/workforce")

        # both exports, by clicking their links
        page.goto(f"{console.url}/workforce?asOf={AS_OF}&level=CITY")
        city_rows = rows.count()
        with page.expect_download() as csv_download:
            page.locator("#export-csv").click()
        csv_file = tmp_path / f"export-{size}.csv"
        csv_download.value.save_as(csv_file)
        assert csv_download.value.suggested_filename.endswith(".csv")
        raw = csv_file.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))) == city_rows
        with page.expect_download() as xlsx_download:
            page.locator("#export-xlsx").click()
        assert xlsx_download.value.suggested_filename.endswith(".xlsx")
        xlsx_file = tmp_path / f"export-{size}.xlsx"
        xlsx_download.value.save_as(xlsx_file)
        assert xlsx_file.read_bytes()[:2] == b"PK"

        requests.assert_local()
        errors.assert_none()
        context.close()
