"""采集证据 in Chromium on a phone (390×844, touch) over the real stack: the page's SM3 against the project's;
a photo through the file input, uploaded, its stored SM3 equal to the one the page showed; a 50 MB video over
a throttled connection with two parts lost on the way (a reset, a 503), arriving whole and checked. Screenshots
officer-evidence-*-390x844.png; no console errors but those of the two parts the test cut; every request to
127.0.0.1."""

from __future__ import annotations

import base64
import io
import os
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from domain.sm import sm3_hex
from tests.web import service_kit as kit
from tests.web.browser_kit import phone, screenshot, watch
from tests.web.stack import InProcessConsole

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
BIG_WAIT_MS = 150_000
#: inside the demo case's investigation and the seeded certificates' validity (the file's date is its capture time)
CAPTURED = datetime(2026, 9, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))
EVIDENCE_Q = "query($id: ID!) { penaltyCase(id: $id) { evidence { sm3 size title mediaType capturedAt } } }"



def _phone(browser: Any, console: InProcessConsole) -> Any:
    return phone(browser, console.cookie("officer1")["hub_session"], console.url)


def _captured_file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    os.utime(path, (CAPTURED.timestamp(), CAPTURED.timestamp()))
    return path


def _evidence(console: InProcessConsole, case_id: str) -> list[dict[str, Any]]:
    answer = console.stack.graph(EVIDENCE_Q, {"id": case_id}, user="officer1", purpose="CASE_HANDLING")
    return list(answer["data"]["penaltyCase"]["evidence"])


def _stored(console: InProcessConsole, sm3: str) -> Path | None:
    found = [p for p in console.stack.data_dir.rglob(sm3 + "*") if p.is_file()]
    return found[0] if found else None


def test_the_pages_sm3_equals_the_projects_in_chromium(browser: Any, console: InProcessConsole) -> None:
    case_id = kit.drive(console.stack, "recordEvidence")
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/m/cases/{case_id}/evidence/new")
    rng = random.Random(390)
    inputs = [rng.randbytes(n) for n in (0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 129, 4097)]
    inputs += [rng.randbytes(rng.randrange(0, 3000)) for _ in range(30)] + [rng.randbytes(3 * 1024 * 1024 + 5)]
    got = page.evaluate("""(items) => items.map(b64 => {
        const raw = atob(b64), bytes = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
        const h = window.hubSm3.create();
        for (let at = 0; at < bytes.length; at += 1000) h.update(bytes.subarray(at, at + 1000));
        return [window.hubSm3.hex(bytes), h.hex()];
    })""", [base64.b64encode(b).decode() for b in inputs])
    for data, (whole, pieces) in zip(inputs, got, strict=True):
        assert whole == sm3_hex(data), len(data)
        assert pieces == whole, len(data)
    requests.assert_local()
    errors.assert_none()
    context.close()


def test_a_photo_taken_on_the_phone_is_stored_with_the_sm3_the_page_showed(browser: Any, console: InProcessConsole,
                                                                           tmp_path: Path) -> None:
    case_id = kit.drive(console.stack, "recordEvidence")
    image = Image.effect_noise((640, 480), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    photo = _captured_file(tmp_path / "现场照片.png", out.getvalue())
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{console.url}/m/cases/{case_id}/evidence/new")
    assert page.locator("#f-file").get_attribute("accept") == "image/*,audio/*,video/*"
    assert page.locator("#f-file").get_attribute("capture") is not None
    page.select_option("#f-kind", "PHYSICAL")
    page.set_input_files("#f-file", str(photo))
    page.fill("#f-title", "摊位现场照片")
    page.fill("#f-location", "东门市场 3 号摊位")
    screenshot(page, "officer-evidence-form-390x844")
    page.tap("#ev-submit")
    page.locator("#ev-status", has_text="上传完成").wait_for(timeout=WAIT_MS)
    shown = page.locator("#ev-hash").get_attribute("data-sm3")
    assert page.locator(f'#ev-list .ev-sm3[data-sm3="{shown}"]').count() == 1
    screenshot(page, "officer-evidence-done-390x844")
    assert shown == sm3_hex(photo.read_bytes())
    recorded = [e for e in _evidence(console, case_id) if e["sm3"] == shown]
    assert len(recorded) == 1
    assert recorded[0]["mediaType"] == "image/png"
    assert recorded[0]["size"] == photo.stat().st_size
    stored = _stored(console, shown)
    assert stored is not None
    assert sm3_hex(stored.read_bytes()) == shown
    page.goto(f"{console.url}/m/cases/{case_id}/evidence/new")
    assert page.locator(f'.ev-sm3[data-sm3="{shown}"]').count() == 1
    screenshot(page, "officer-evidence-list-390x844")
    requests.assert_local()
    errors.assert_none()
    context.close()


def test_a_50_mb_video_over_a_throttled_connection_cut_twice_arrives_whole(browser: Any, console: InProcessConsole,
                                                                           tmp_path: Path) -> None:
    case_id = kit.drive(console.stack, "recordEvidence")
    video = _captured_file(tmp_path / "执法记录仪.mp4", os.urandom(50 * 1024 * 1024))
    expected = sm3_hex(video.read_bytes())
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {  # a slow mobile uplink: 4 MB/s up, 60 ms latency
        "offline": False, "latency": 60, "downloadThroughput": 8 * 1024 * 1024, "uploadThroughput": 4 * 1024 * 1024})
    parts = {"seen": 0}
    cut: list[str] = []

    def part(route: Any) -> None:
        if route.request.method == "PUT":
            parts["seen"] += 1
            if parts["seen"] == 7:  # the connection drops mid-file
                cut.append(route.request.url)
                route.abort("connectionreset")
                return
            if parts["seen"] == 31:  # then a proxy on the way answers 503 without passing the part on
                cut.append(route.request.url)
                route.fulfill(status=503, content_type="application/json",
                              body='{"error": {"code": "UNAVAILABLE", "message": "服务暂不可用"}}')
                return
        route.continue_()

    page.route("**/m/uploads/**", part)
    page.goto(f"{console.url}/m/cases/{case_id}/evidence/new")
    page.set_input_files("#f-file", str(video))
    page.fill("#f-title", "执法记录仪视频")
    page.tap("#ev-submit")
    page.locator("#ev-status", has_text=re.compile(r"正在上传 … [1-9][0-9]%")).wait_for(timeout=BIG_WAIT_MS)
    screenshot(page, "officer-evidence-uploading-390x844", full_page=False)
    page.locator("#ev-status", has_text="上传完成").wait_for(timeout=BIG_WAIT_MS)
    screenshot(page, "officer-evidence-video-done-390x844")
    assert page.locator("#ev-hash").get_attribute("data-sm3") == expected
    assert len(cut) == 2
    recorded = [e for e in _evidence(console, case_id) if e["sm3"] == expected]
    assert len(recorded) == 1
    assert recorded[0]["size"] == 50 * 1024 * 1024
    stored = _stored(console, expected)
    assert stored is not None
    assert stored.stat().st_size == 50 * 1024 * 1024
    assert sm3_hex(stored.read_bytes()) == expected
    assert [f.split(" ")[0] for f in requests.failed] == cut[:1]  # the reset; the 503 was an answer
    requests.failed.clear()  # the two cuts were the test's own
    requests.assert_local()
    dropped = [e for e in errors.errors if "Failed to load resource" in e]
    assert len(dropped) <= len(cut)
    errors.errors = [e for e in errors.errors if e not in dropped]
    errors.assert_none()
    context.close()


def test_after_a_reload_the_same_file_picked_again_resumes_from_what_the_server_has(
        browser: Any, console: InProcessConsole, tmp_path: Path) -> None:
    case_id = kit.drive(console.stack, "recordEvidence")
    clip = _captured_file(tmp_path / "录音.m4a", os.urandom(12 * 1024 * 1024 + 321))
    expected = sm3_hex(clip.read_bytes())
    context = _phone(browser, console)
    page = context.new_page()
    requests, errors = watch(page)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 40, "downloadThroughput": 4 * 1024 * 1024, "uploadThroughput": 1024 * 1024})
    offsets: list[int] = []
    page.on("request", lambda r: offsets.append(int(r.url.rsplit("offset=", 1)[1]))
            if r.method == "PUT" and "offset=" in r.url else None)
    form = f"{console.url}/m/cases/{case_id}/evidence/new"
    page.goto(form)
    page.set_input_files("#f-file", str(clip))
    page.fill("#f-title", "现场录音")
    page.tap("#ev-submit")
    page.locator("#ev-status", has_text=re.compile(r"正在上传 … [2-9][0-9]%")).wait_for(timeout=BIG_WAIT_MS)
    page.reload()  # the tab is gone mid-upload; IndexedDB still holds {sm3, uploadId, name, size}
    kept = page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open("hub-evidence", 1);
        open.onsuccess = () => { const all = open.result.transaction("uploads").objectStore("uploads").getAll();
                                 all.onsuccess = () => resolve(all.result); };
    })""")
    assert [(k["sm3"], k["size"], k["name"]) for k in kept] == [(expected, clip.stat().st_size, clip.name)]
    before_reload = len(offsets)
    page.set_input_files("#f-file", str(clip))
    page.fill("#f-title", "现场录音")
    page.tap("#ev-submit")
    page.locator("#ev-status", has_text="上传完成").wait_for(timeout=BIG_WAIT_MS)
    resumed = offsets[before_reload:]
    assert resumed
    assert resumed[0] > 0  # not from the start: from the server's `received`
    assert resumed[0] % (1024 * 1024) == 0
    assert [e["sm3"] for e in _evidence(console, case_id)].count(expected) == 1
    left = page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open("hub-evidence", 1);
        open.onsuccess = () => { const all = open.result.transaction("uploads").objectStore("uploads").getAll();
                                 all.onsuccess = () => resolve(all.result.length); };
    })""")
    assert left == 0  # done: nothing left to resume
    requests.failed = [f for f in requests.failed if "/m/uploads/" not in f]  # the part the reload cut off
    requests.assert_local()
    errors.errors = [e for e in errors.errors if "Failed to load resource" not in e]
    errors.assert_none()
    context.close()
