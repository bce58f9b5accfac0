"""移动执法 · 办案步骤 in Chromium on a phone (390×844, touch) over the real stack: (a) one officer only -> the
form shows 第四十二条's text; (b) offline, two steps are taken, the page reloaded, both still 待发送; back online
each is sent once (one event each in the store, also when the test replays the captured requests); (c) the case
changed by another officer while the phone was offline -> 冲突 with both versions, nothing written until the
officer chooses; re-submitted with the latest version -> applied once. Screenshots of each screen."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web import officer_steps_kit as kit
from tests.web.browser_kit import phone, screenshot, watch
from tests.web.stack import InProcessConsole

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
STATEMENT = ("mutation($c: ID!, $i: RecordStatementInput!, $v: Int, $k: String) { recordStatement(caseId: $c, "
             "input: $i, expectedVersion: $v, idempotencyKey: $k) { id version status } }")



def _phone(browser: Any, console: InProcessConsole) -> tuple[Any, Any]:
    context = phone(browser, console.cookie("officer1")["hub_session"], console.url)
    return context, context.new_page()


def _controlled(page: Any, url: str) -> None:
    """Open `url` until the service worker controls the page (so later navigations are cached by it)."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(20):
        if page.evaluate("!!navigator.serviceWorker.controller"):
            return
        page.reload()
    raise AssertionError("the service worker never took the page")


def _wait_until(check: Any, what: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _only_local(requests: Any) -> None:
    assert requests.urls
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requests.urls), requests.urls


def _step_posts(page: Any) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = []
    page.on("request", lambda r: posts.append({"url": r.url, "body": r.post_data})
            if r.method == "POST" and "/steps/" in r.url else None)
    return posts


def test_a_guard_failure_shows_the_article_text_on_the_form(browser: Any, console: InProcessConsole) -> None:
    case_id = kit.case_at(console.stack, "startInvestigation")
    context, page = _phone(browser, console)
    requests, _ = watch(page)
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"{console.url}/m/cases/{case_id}")
    page.locator("a.st-action", has_text="开始调查").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/startInvestigation")
    page.get_by_label("已核实调查人员无应当回避的情形").check()
    page.get_by_label("办理时间").fill(kit.AT["startInvestigation"])
    screenshot(page, "officer-step-form-390x844")
    page.get_by_role("button", name="确认开始调查").tap()  # only the officer's own box is ticked
    law = page.locator("#step-result .q-law")
    law.wait_for(timeout=WAIT_MS)
    assert "执法人员不得少于两人" in law.inner_text()
    assert "第四十二条" in page.locator("#step-result").inner_text()
    assert "两名以上" in page.locator("#step-result").inner_text()
    screenshot(page, "officer-step-guard-failure-390x844", full_page=False)
    assert kit.events(console.stack.store, case_id, "StartInvestigation") == []
    requests.assert_local()
    assert page_errors == []
    context.close()


def test_offline_steps_wait_survive_a_reload_and_are_sent_once(browser: Any, console: InProcessConsole) -> None:
    stack = console.stack
    case_id = kit.case_at(stack, "recordStatement")
    version = kit.now(stack, case_id)["version"]
    context, page = _phone(browser, console)
    requests, _ = watch(page)
    posts = _step_posts(page)
    base = f"{console.url}/m/cases/{case_id}"
    _controlled(page, base)
    for url in (f"{base}/steps/recordStatement", f"{base}/steps/reviewStatement", base):
        page.goto(url)  # each page once online: the service worker keeps a copy

    context.set_offline(True)
    page.goto(f"{base}/steps/recordStatement")
    page.get_by_label("陈述、申辩要点").fill("当事人称已整改，请求从轻处罚")
    page.get_by_label("办理时间").fill("2026-09-28T10:00")
    page.get_by_role("button", name="确认记录陈述申辩").tap()
    page.locator("#step-result", has_text="待发送").wait_for(timeout=WAIT_MS)
    page.goto(f"{base}/steps/reviewStatement")
    page.get_by_label("办理时间").fill("2026-09-29T10:00")
    page.get_by_role("button", name="确认复核陈述申辩").tap()
    page.locator("#step-result", has_text="待发送").wait_for(timeout=WAIT_MS)
    page.reload()
    items = page.locator("#step-queue .q-item")
    items.nth(1).wait_for(timeout=WAIT_MS)
    assert items.count() == 2
    assert [t.strip() for t in page.locator("#step-queue .q-state").all_inner_texts()] == ["待发送", "待发送"]
    screenshot(page, "officer-step-pending-390x844")
    page.goto(base)  # the case page, from the phone's cache
    page.locator("#case-queue .q-item").nth(1).wait_for(timeout=WAIT_MS)
    assert page.locator(".m-tabs .q-badge").inner_text() == "2"
    screenshot(page, "officer-step-case-pending-390x844")
    assert kit.events(stack.store, case_id, "RecordStatement") == []

    context.set_offline(False)
    _wait_until(lambda: len(kit.events(stack.store, case_id, "ReviewStatement")) == 1, "both steps sent")
    page.locator("#case-queue").wait_for(state="hidden", timeout=WAIT_MS)
    assert len(kit.events(stack.store, case_id, "RecordStatement")) == 1
    assert kit.now(stack, case_id)["version"] == version + 2

    # a retry storm: every captured request sent again, twice — still one event each
    sent = [p for p in posts if p["body"]]
    assert {p["url"].rsplit("/", 1)[1] for p in sent} == {"recordStatement", "reviewStatement"}
    csrf = page.locator('form[action="/signout"] input[name="csrf"]').get_attribute("value")
    for _ in range(2):
        for p in sent:
            answer = context.request.post(p["url"], data=p["body"], headers={
                "content-type": "application/json", "x-csrf-token": csrf, "origin": console.url})
            assert answer.status == 200, answer.text()
            assert json.loads(answer.text())["ok"] is True
    assert len(kit.events(stack.store, case_id, "RecordStatement")) == 1
    assert len(kit.events(stack.store, case_id, "ReviewStatement")) == 1
    _only_local(requests)  # offline sends fail by design; every request stays on 127.0.0.1
    context.close()


def test_a_conflict_waits_for_the_officer_and_a_resubmission_applies_once(browser: Any,
                                                                         console: InProcessConsole) -> None:
    stack = console.stack
    me, partner = kit.officers(stack)
    case_id = kit.case_at(stack, "recordStatement")
    version = kit.now(stack, case_id)["version"]
    context, page = _phone(browser, console)
    requests, _ = watch(page)
    base = f"{console.url}/m/cases/{case_id}"
    _controlled(page, f"{base}/steps/recordStatement")
    context.set_offline(True)

    other = stack.graph(STATEMENT, {"c": case_id, "v": version, "k": f"other-{case_id}",
                                    "i": {"summary": "当事人电话陈述", "at": "2026-09-27T10:00:00+08:00"}},
                        user="officer2", purpose="CASE_HANDLING")
    assert not other.get("errors"), other
    page.get_by_label("陈述、申辩要点").fill("当事人当面陈述：初次违法")
    page.get_by_label("办理时间").fill("2026-09-28T10:00")
    page.get_by_role("button", name="确认记录陈述申辩").tap()
    page.locator("#step-result", has_text="待发送").wait_for(timeout=WAIT_MS)

    context.set_offline(False)
    conflict = page.locator("#step-queue .q-clash")
    conflict.wait_for(timeout=WAIT_MS)
    assert f"基于版本 {version}" in conflict.locator(".q-mine").inner_text()
    assert f"版本 {version + 1}" in conflict.locator(".q-now").inner_text()
    assert "2026-09-27 10:00" in conflict.locator(".q-since").inner_text(), "the other officer's step, China time"
    page.reload()  # a reload (and the sends it starts) writes nothing either
    page.locator("#step-queue .q-clash").wait_for(timeout=WAIT_MS)
    assert page.locator("#step-queue .q-state").inner_text().strip() == "冲突"
    mine = [e for e in kit.events(stack.store, case_id, "RecordStatement") if e[2] == me]
    assert mine == [], "nothing from the phone until the officer chooses"
    screenshot(page, "officer-step-conflict-390x844")

    page.get_by_role("button", name="以最新版本重新提交").tap()
    page.get_by_role("button", name="确认重新提交").tap()
    _wait_until(lambda: len([e for e in kit.events(stack.store, case_id, "RecordStatement") if e[2] == me]) == 1,
                "the re-submitted step")
    page.locator("#step-queue").wait_for(state="hidden", timeout=WAIT_MS)
    assert kit.now(stack, case_id)["version"] == version + 2
    assert [e[2] for e in kit.events(stack.store, case_id, "RecordStatement")] == [partner, me]
    _only_local(requests)  # offline sends fail by design; every request stays on 127.0.0.1
    context.close()
