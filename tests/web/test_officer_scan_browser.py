"""扫码 on a phone (Chromium, 390×844, touch) over the real stack: a photo of a business licence's QR code
(drawn by the test with segno, as a URL holding the USCC, the way licences print it) is chosen in 查询; the
phone decodes it with the vendored jsQR, fills the USCC and looks the entity up; a QR code without a USCC
says so and asks nothing of the graph."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import segno

from tests.web.browser_kit import phone, screenshot, watch
from tests.web.certified import certified_pair
from tests.web.stack import InProcessConsole

pytestmark = pytest.mark.slow

WAIT_MS = 30_000



def _qr(path: Path, text: str) -> Path:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=4)
    path.write_bytes(out.getvalue())
    return path


def test_a_licence_qr_code_opens_the_entity(browser: Any, console: InProcessConsole, tmp_path: Path) -> None:
    stack = console.stack
    me = certified_pair(stack).officers[0]
    entity = stack.graph('{ searchLegalEntities(name: "有限", first: 1) { items { uscc name } } }',
                         user=me)["data"]["searchLegalEntities"]["items"][0]
    context = phone(browser, console.cookie(me)["hub_session"], console.url)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/m/lookup")
    page.get_by_role("heading", name="扫描营业执照二维码").wait_for()
    screenshot(page, "officer-scan-390x844")

    page.set_input_files("#scan-photo", str(_qr(tmp_path / "other.png", "https://example.invalid/notice?id=42")))
    page.locator("#scan-status", has_text="没有统一社会信用代码").wait_for(timeout=WAIT_MS)
    assert page.get_by_label("统一社会信用代码").input_value() == ""

    licence = f"https://licence.example/verify?uniscid={entity['uscc']}&entname=x"
    page.set_input_files("#scan-photo", str(_qr(tmp_path / "licence.png", licence)))
    page.wait_for_url(f"**/m/lookup?uscc={entity['uscc']}", timeout=WAIT_MS)
    page.get_by_role("heading", name=entity["name"]).wait_for(timeout=WAIT_MS)
    screenshot(page, "officer-scan-found-390x844")
    requests.assert_local()
    errors.assert_none()
    context.close()
