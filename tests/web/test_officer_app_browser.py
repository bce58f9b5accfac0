"""移动执法 in Chromium on a phone (390×844, touch) over the real `hub up` stack: sign in as officer1
through the identity provider, my work, tap a case card -> the phone case view, look up a seeded USCC,
a wrong check digit refused beside the field; the service worker registers and takes the app offline-
capable. Screenshots of each screen; no console errors; every request to 127.0.0.1."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.browser_kit import PHONE, phone, screenshot, watch
from tests.web.stack import ConsoleStack

pytestmark = pytest.mark.slow

WAIT_MS = 30_000



def _seeded_uscc(stack: ConsoleStack) -> str:
    answer = stack.graph('{ searchLegalEntities(name: "有限", first: 1) { items { uscc name } } }', user="officer1")
    return str(answer["data"]["searchLegalEntities"]["items"][0]["uscc"])


def _sign_in(page: Any, stack: ConsoleStack) -> None:
    page.goto(f"{stack.web}/m/")
    assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc  # the provider's page
    page.get_by_label("用户名").fill("officer1")
    page.get_by_label("密码").fill("officer1-pass")
    page.get_by_role("button", name="登录").tap()
    page.wait_for_url(f"{stack.web}/m/", timeout=WAIT_MS)


def test_officer_on_a_phone(browser: Any, stack: ConsoleStack) -> None:
    context = phone(browser)
    page = context.new_page()
    requests, errors = watch(page)
    _sign_in(page, stack)

    # the shell: app name, the officer's name, the bottom tabs, all big enough to touch
    page.get_by_text("移动执法", exact=True).wait_for()
    for name in ("我的任务", "查询", "退出"):
        box = page.locator(".m-tabs").get_by_text(name).bounding_box()
        assert box is not None
    for tab in page.locator(".m-tab").all():
        box = tab.bounding_box()
        assert box is not None
        assert box["height"] >= 44
    cards = page.locator("a.m-card")
    assert cards.count() > 0
    assert cards.first.bounding_box()["height"] >= 44
    ready = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert urlsplit(ready).path == "/m/"
    screenshot(page, "officer-work-390x844")

    # tap the first card: the phone case view
    case_no = cards.first.get_attribute("data-case-no")
    cards.first.tap()
    page.wait_for_url("**/m/cases/**", timeout=WAIT_MS)
    page.get_by_role("heading", name=str(case_no)).wait_for()
    page.get_by_role("heading", name="下一步").wait_for()
    page.get_by_role("heading", name="全过程记录").wait_for()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing wider than the phone"
    screenshot(page, "officer-case-390x844")

    # 查询: a wrong check digit stays on the phone; a seeded code shows the registry data
    page.locator(".m-tabs").get_by_text("查询").tap()
    page.wait_for_url("**/m/lookup", timeout=WAIT_MS)
    uscc = _seeded_uscc(stack)
    wrong = uscc[:17] + ("1" if uscc[17] != "1" else "2")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_role("button", name="查询").tap()
    page.locator("#uscc-error").wait_for()
    assert "校验位" in page.locator("#uscc-error").inner_text()
    screenshot(page, "officer-lookup-refused-390x844")
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.get_by_role("button", name="查询").tap()
    page.get_by_role("heading", name="行政许可", exact=False).wait_for(timeout=WAIT_MS)
    assert uscc in page.locator(".m-facts").first.inner_text()
    screenshot(page, "officer-lookup-390x844")

    # the worker keeps the shell's assets
    cached = page.evaluate("() => caches.open('officer-shell-v2').then(c => c.keys()).then(k => k.map(r => r.url))")
    assert any(url.endswith("/static/mobile/mobile.css") for url in cached)

    # offline: a page seen before comes from the worker's copy, any other gives the offline notice
    context.set_offline(True)
    page.goto(f"{stack.web}/m/lookup")
    page.get_by_role("heading", name="查询检查对象").wait_for(timeout=WAIT_MS)
    page.goto(f"{stack.web}/m/cases/never-opened")
    page.get_by_role("heading", name="网络不可用").wait_for(timeout=WAIT_MS)
    screenshot(page, "officer-offline-390x844")
    context.set_offline(False)

    errors.assert_none()
    requests.assert_local()
    context.close()
