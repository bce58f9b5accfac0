"""移动执法 · 送达 in Chromium on a phone (390×844, touch) over the real stack: the notice's page, an empty pad
refused on the device, a signature drawn with the mouse and with touch, the receipt's PDF link answering
a real PDF whose signature image is not blank; the decision served with 拒绝签收 and a witness.
Screenshots officer-service-*-390x844.png; no console errors; every request to 127.0.0.1."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest

from tests.web import service_kit as kit
from tests.web.browser_kit import SCREENSHOTS, phone, screenshot, watch
from tests.web.stack import InProcessConsole

pytestmark = pytest.mark.slow

WAIT_MS = 30_000



def _phone(browser: Any, console: InProcessConsole) -> Any:
    return phone(browser, console.cookie("officer1")["hub_session"], console.url)


def _stroke_by_touch(page: Any, context: Any, points: list[tuple[float, float]]) -> None:
    cdp = context.new_cdp_session(page)
    first, *rest = points
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
    for x, y in rest:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    page.wait_for_timeout(800)  # the finger lifted: the next tap is a tap of its own


def _pdf(context: Any, url: str) -> bytes:
    answer = context.request.get(url)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    body: bytes = answer.body()
    assert body.startswith(b"%PDF-")
    return body


def test_a_notice_signed_on_the_phone(browser: Any, console: InProcessConsole) -> None:
    case_id = kit.drive(console.stack, "recordStatement")
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/m/cases/{case_id}/service/notice")
    page.get_by_role("heading", name="送达行政处罚事先告知书").wait_for()
    pad = page.locator("#signature-pad")
    box = pad.bounding_box()
    assert box is not None
    assert box["width"] >= 300
    assert box["height"] >= 150
    screenshot(page, "officer-service-notice-390x844")

    # an empty pad is refused on the device, nothing sent
    page.get_by_label("送达地点").fill("天河区体育西路1号 当事人经营场所")
    page.get_by_role("button", name="确认送达并生成送达回证").tap()
    page.get_by_text("请当事人签名").wait_for()
    assert page.url.endswith("/service/notice")
    assert kit.documents(console.stack, case_id, "送达回证") == []
    screenshot(page, "officer-service-empty-390x844")

    # a stroke with the mouse, one with a finger, cleared, then the signature drawn again
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    left, top = box["x"], box["y"]
    page.mouse.move(left + 30, top + 120)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(left + 30 + step * 12, top + 120 - 60 * ((step % 8) / 8), steps=2)
    page.mouse.up()
    page.get_by_role("button", name="清除").tap()
    assert "signed" not in (pad.get_attribute("class") or "")
    page.mouse.move(left + 30, top + 130)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(left + 30 + step * 9, top + 130 - (step % 10) * 9, steps=2)
    page.mouse.up()
    _stroke_by_touch(page, context, [(left + 80 + n * 10, top + 60 + (n % 5) * 12) for n in range(20)])
    assert "signed" in (pad.get_attribute("class") or "")
    screenshot(page, "officer-service-signed-390x844")
    page.get_by_role("button", name="确认送达并生成送达回证").tap()
    page.get_by_role("heading", name="行政处罚事先告知书已送达").wait_for(timeout=WAIT_MS)
    screenshot(page, "officer-service-done-390x844")
    link = page.locator("#receipt-link")
    href = link.get_attribute("href")
    assert href
    receipt = _pdf(context, console.url + href)
    (SCREENSHOTS / "officer-service-receipt.pdf").write_bytes(receipt)  # to look at beside the screenshots
    images = pypdf.PdfReader(io.BytesIO(receipt)).pages[0].images
    assert len(images) == 1
    assert images[0].image is not None
    assert images[0].image.convert("RGBA").getbbox() is not None, "the drawn signature is in the receipt"
    sm3 = href.rsplit("/", 1)[1].removesuffix(".pdf")
    assert [d["sm3"] for d in kit.documents(console.stack, case_id, "送达回证")] == [sm3]
    errors.assert_none()
    requests.assert_local()
    context.close()


def test_a_decision_refused_with_a_witness_on_the_phone(browser: Any, console: InProcessConsole) -> None:
    case_id = kit.drive(console.stack, "startPayment")
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/m/cases/{case_id}/service/decision")
    page.get_by_role("heading", name="送达行政处罚决定书").wait_for()
    witness = page.get_by_label("见证人姓名")
    assert not witness.is_visible()
    page.get_by_label("当事人拒绝签收").check()
    assert witness.is_visible()
    assert not page.locator("#signature-pad").is_visible()
    page.get_by_label("送达地点").fill("当事人住所")
    witness.fill("赵社区")
    screenshot(page, "officer-service-refused-390x844")
    page.get_by_role("button", name="确认送达并生成送达回证").tap()
    page.get_by_role("heading", name="行政处罚决定书已送达").wait_for(timeout=WAIT_MS)
    href = page.locator("#receipt-link").get_attribute("href")
    assert href
    text = pypdf.PdfReader(io.BytesIO(_pdf(context, console.url + href))).pages[0].extract_text()
    assert "拒绝签收" in text
    assert "赵社区" in text
    decision_href = page.get_by_role("link", name="查看行政处罚决定书（PDF）").get_attribute("href")
    assert decision_href
    assert "第六十七条" in pypdf.PdfReader(io.BytesIO(_pdf(context, console.url + decision_href))).pages[0].extract_text()
    errors.assert_none()
    requests.assert_local()
    context.close()
