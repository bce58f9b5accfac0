"""Issue 16's journey on a phone (Chromium, 390×844, touch) over the real `hub up` stack, signed in through the
identity provider as an officer certified today: 查询 → 开始现场检查 → findings, one 不符合 → 立案调查 (the
clue opens from the finding) → the body head files the case → 开始调查 with a partner → a photo taken as
evidence (its SM3 computed on the phone equals the stored file's) → 调查终结 → 提交审查 → the notice of intended
penalty served and signed on the screen → the party waives statements → the head decides → the decision
served and signed → 开始履行 → 确认缴款 (a tampered upload on the way is refused and records nothing). The supervision console's case page then shows every step of the
record, one line per event the graph holds. The head's acts go through the gateway with the head's token, as
the body head's own client would send them."""

from __future__ import annotations

import re
import uuid
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from domain.sm import sm3_hex
from tests.web.browser_kit import phone, screenshot, watch
from tests.web.certified import Pair, certified_pair
from tests.web.stack import ConsoleStack

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
FIELDS = "{ id version status }"
HEAD_STEPS = {
    "assignVerifier": "AssignVerifierInput!", "fileCase": "FileCaseInput!", "reassess": "ReassessInput!",
    "decide": "DecideInput!",
}
CASE = """query($id: ID!) { penaltyCase(id: $id) { id version status fineFen paidFen: payment { paidFen }
  evidence { sm3 } documents { docType sm3 } events { seq kind } } }"""


def _png(width: int = 64, height: int = 48) -> bytes:
    """A small real PNG (a grey gradient), written without an image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\x00" + bytes((x * 4 + y) % 256 for x in range(width)) for y in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")



def _sign_in(page: Any, stack: ConsoleStack, url: str, user: str) -> None:
    page.goto(url)
    assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc  # the provider's own page
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(f"{user}-pass")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(url, timeout=WAIT_MS)


def _head(stack: ConsoleStack, pair: Pair, name: str, case_id: str, version: int, given: dict[str, Any]) -> int:
    query = (f"mutation($caseId: ID!, $input: {HEAD_STEPS[name]}, $v: Int, $key: String) "
             f"{{ {name}(caseId: $caseId, input: $input, expectedVersion: $v, idempotencyKey: $key) {FIELDS} }}")
    answer = httpx.post(f"{stack.gateway}/graphql", timeout=30, json={"query": query, "variables": {
        "caseId": case_id, "input": given, "v": version, "key": str(uuid.uuid4())}},
        headers={"authorization": f"Bearer {stack.token(pair.head)}", "x-purpose-code": "CASE_HANDLING"}).json()
    assert not answer.get("errors"), answer
    return int(answer["data"][name]["version"])


def _case(stack: ConsoleStack, pair: Pair, case_id: str) -> dict[str, Any]:
    answer = stack.graph(CASE, {"id": case_id}, user=pair.officers[0], purpose="CASE_HANDLING")
    assert not answer.get("errors"), answer
    found: dict[str, Any] = answer["data"]["penaltyCase"]
    return found


def _step(page: Any, case_id: str, title: str, status_after: str) -> None:
    """Tap the step on the case page, confirm the form, and wait for the phone to land back (or on `next`)."""
    page.locator("a.st-action", has_text=title).first.tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/**", timeout=WAIT_MS)
    page.get_by_role("button", name=f"确认{title}").tap()
    _left_the_form(page)
    if status_after:
        page.locator(".m-state", has_text=status_after).first.wait_for(timeout=WAIT_MS)


def _left_the_form(page: Any) -> None:
    """Wait until the phone leaves the step form (sent, then on to the case or `next`), or say what it showed."""
    page.wait_for_function("() => location.pathname.indexOf('/steps/') < 0 || "
                           "!!document.querySelector('#step-result .notice.bad, #step-result .notice.warn + .x')",
                           timeout=WAIT_MS)
    assert "/steps/" not in page.url, page.locator("#step-result").inner_text()


def _sign_pad(page: Any) -> None:
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    left, top = box["x"], box["y"]
    page.mouse.move(left + 30, top + 120)
    page.mouse.down()
    for n in range(30):
        page.mouse.move(left + 30 + n * 9, top + 130 - (n % 10) * 9, steps=2)
    page.mouse.up()
    page.wait_for_timeout(800)  # the pad marks itself signed after the stroke


def test_from_the_market_stall_to_the_payment(browser: Any, stack: ConsoleStack, tmp_path: Path) -> None:
    pair = certified_pair(stack)
    me, partner = pair.officers
    entity = stack.graph('{ searchLegalEntities(name: "有限", first: 1) { items { uscc name } } }',
                         user=me)["data"]["searchLegalEntities"]["items"][0]
    context = phone(browser)
    page = context.new_page()
    requests, errors = watch(page)
    _sign_in(page, stack, f"{stack.web}/m/", me)

    # 查询 → 开始现场检查: the entity's registry data through the graph, the body's items, a partner
    page.locator(".m-tabs").get_by_text("查询").tap()
    page.get_by_label("统一社会信用代码").fill(entity["uscc"])
    page.get_by_role("button", name="查询").tap()
    page.get_by_role("heading", name=entity["name"]).wait_for(timeout=WAIT_MS)
    page.get_by_role("link", name="开始现场检查").tap()
    page.get_by_role("heading", name="开始现场检查").wait_for(timeout=WAIT_MS)
    page.get_by_label("检查事项").select_option(pair.item["code"])
    page.get_by_label("同行执法人员").select_option(partner)
    page.get_by_label("已向当事人出示执法证件").check()
    screenshot(page, "officer-inspect-start-390x844")
    page.get_by_role("button", name="开始检查").tap()
    page.wait_for_url("**/m/inspections/**", timeout=WAIT_MS)
    page.get_by_text("现场检查中").first.wait_for(timeout=WAIT_MS)

    # findings per check item, one 不符合; 立案调查 opens the case from the finding in the same step
    page.locator("#f-item-0").fill("经营许可证件公示")
    page.locator('input[name="finding-0"][value="PASS"]').check()
    page.locator("#f-item-1").fill("食品经营许可")
    page.locator('input[name="finding-1"][value="FAIL"]').check()
    page.locator("#f-note-1").fill("未取得食品经营许可从事食品经营活动")
    page.get_by_label("检查地点").fill("经营场所")
    page.locator('input[name="result"][value="FILE_CASE"]').check()
    screenshot(page, "officer-inspect-findings-390x844")
    page.get_by_role("button", name="完成检查").tap()
    page.wait_for_function("() => location.pathname.indexOf('/m/cases/') === 0 || !!document.querySelector('.m-error')",
                           timeout=WAIT_MS)
    assert "/m/cases/" in page.url, page.locator(".m-error").all_inner_texts()
    case_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    assert _case(stack, pair, case_id)["status"] == "CLUE"
    screenshot(page, "officer-journey-clue-390x844")

    # the body head verifies and files the case (the head's own acts)
    version = _case(stack, pair, case_id)["version"]
    version = _head(stack, pair, "assignVerifier", case_id, version, {"verifierId": me})
    _head(stack, pair, "fileCase", case_id, version, {"filingStandardMet": True, "filedFirstElsewhere": False})
    page.reload()
    page.locator(".m-state", has_text="已立案").first.wait_for(timeout=WAIT_MS)

    # 开始调查 with the partner ticked too (two officers, 第四十二条)
    page.locator("a.st-action", has_text="开始调查").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/startInvestigation", timeout=WAIT_MS)
    page.locator(f'input[name="officerIds"][value="{partner}"]').check()
    page.get_by_label("已核实调查人员无应当回避的情形").check()
    page.get_by_role("button", name="确认开始调查").tap()
    _left_the_form(page)
    page.locator(".m-state", has_text="调查取证").first.wait_for(timeout=WAIT_MS)

    # evidence: a photo hashed on the phone, uploaded, recorded; the stored file has the page's SM3
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(_png())
    page.locator("a.st-action", has_text="采集证据").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/evidence/new", timeout=WAIT_MS)
    page.get_by_label("证据名称").fill("现场照片")
    page.get_by_label("当事人已签字确认").check()  # a record the party signed (第五十五条; checked at 调查终结)
    page.set_input_files("#f-file", str(photo))
    page.get_by_role("button", name="计算哈希并上传").tap()
    page.locator("#ev-status", has_text="上传完成").wait_for(timeout=WAIT_MS)
    shown = page.locator("#ev-hash").get_attribute("data-sm3")
    assert shown == sm3_hex(photo.read_bytes())
    assert [e["sm3"] for e in _case(stack, pair, case_id)["evidence"]] == [shown]
    stored = list(stack.data_dir.rglob(str(shown)))
    assert stored
    assert sm3_hex(stored[0].read_bytes()) == shown
    screenshot(page, "officer-journey-evidence-390x844")

    # a tampered upload: the bytes change on the way (one flipped), the subgraph's hash differs from the
    # phone's, the page says so and nothing is recorded (a page of its own: its 422 is expected there)
    tampered = context.new_page()

    def flip(route: Any) -> None:
        body = route.request.post_data_buffer or b""
        route.continue_(post_data=bytes([body[0] ^ 0xFF]) + body[1:] if body else body)

    tampered.route(re.compile(r"/m/uploads/[0-9A-Za-z-]+\?offset="), flip)
    other = tmp_path / "现场照片-2.png"
    other.write_bytes(_png(80, 40))
    tampered.goto(f"{stack.web}/m/cases/{case_id}/evidence/new")
    tampered.get_by_label("证据名称").fill("现场照片（二）")
    tampered.set_input_files("#f-file", str(other))
    tampered.get_by_role("button", name="计算哈希并上传").tap()
    tampered.locator("#ev-status", has_text=re.compile("上传未完成|上传完成")).wait_for(timeout=WAIT_MS)
    assert "哈希校验失败" in tampered.locator("#ev-error").inner_text()
    assert [e["sm3"] for e in _case(stack, pair, case_id)["evidence"]] == [shown]
    assert not list(stack.data_dir.rglob(sm3_hex(other.read_bytes())))
    screenshot(tampered, "officer-journey-tampered-390x844")
    tampered.close()
    page.goto(f"{stack.web}/m/cases/{case_id}")

    _step(page, case_id, "调查终结", "调查终结")
    _step(page, case_id, "提交负责人审查", "")
    page.locator(".m-state").first.wait_for(timeout=WAIT_MS)

    # the notice of intended penalty, with the fine of the ordinary band, served and signed on the screen
    band = next(b for b in pair.item["discretion_benchmarks"] if b["circumstance_level"] == "一般")
    fine_yuan = band["min_fen"] // 100
    page.locator("a.st-action", has_text="送达行政处罚事先告知书").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/serveNotice", timeout=WAIT_MS)
    page.get_by_label("罚款金额（元）").fill(str(fine_yuan))
    page.get_by_role("button", name="确认送达行政处罚事先告知书").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/service/notice", timeout=WAIT_MS)
    _sign_pad(page)
    page.get_by_label("送达地点").fill("当事人经营场所")
    page.get_by_role("button", name="确认送达并生成送达回证").tap()
    page.get_by_role("heading", name="行政处罚事先告知书已送达").wait_for(timeout=WAIT_MS)
    receipt = page.locator("#receipt-link").get_attribute("href")
    pdf = page.request.get(f"{stack.web}{receipt}")
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    screenshot(page, "officer-journey-notice-served-390x844")

    page.goto(f"{stack.web}/m/cases/{case_id}")
    _step(page, case_id, "当事人放弃陈述申辩", "")

    # the head re-assesses on the heard case and decides
    proposal = {"kinds": ["FINE"], "circumstance": "ORDINARY", "fineFen": band["min_fen"],
                "confiscatedGainsFen": 0, "confiscatedPropertyFen": 0, "mitigatingFactors": []}
    basis = [f"《{p['regulation']}》{p['article']}" for p in pair.item["penalty_provisions"]]
    version = _case(stack, pair, case_id)["version"]
    version = _head(stack, pair, "reassess", case_id, version, {"proposal": proposal, "newFacts": False})
    _head(stack, pair, "decide", case_id, version, {
        "docNo": f"罚〔2026〕{case_id[:4]}号", "proposal": proposal, "signedBy": pair.head, "sealed": True,
        "contentsComplete": True, "basisRefs": basis})
    page.reload()

    # the decision served and signed, then the payment
    page.locator("a.st-action", has_text="送达行政处罚决定书").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/serveDecision", timeout=WAIT_MS)
    page.get_by_role("button", name="确认送达行政处罚决定书").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/service/decision", timeout=WAIT_MS)
    _sign_pad(page)
    page.get_by_label("送达地点").fill("当事人经营场所")
    page.get_by_role("button", name="确认送达并生成送达回证").tap()
    page.get_by_role("heading", name="行政处罚决定书已送达").wait_for(timeout=WAIT_MS)
    screenshot(page, "officer-journey-decision-served-390x844")
    page.goto(f"{stack.web}/m/cases/{case_id}")
    _step(page, case_id, "开始履行（缴款期）", "")
    page.locator("a.st-action", has_text="确认缴款").tap()
    page.wait_for_url(f"**/m/cases/{case_id}/steps/confirmPayment", timeout=WAIT_MS)
    page.get_by_label("缴款金额（元）").fill(str(fine_yuan))
    page.get_by_label("缴款凭证号").fill("NS-2026-000123")
    page.get_by_role("button", name="确认确认缴款").tap()
    _left_the_form(page)
    final = _case(stack, pair, case_id)
    assert final["status"] == "PERFORMED", final["status"]
    kinds = [e["kind"] for e in final["events"]]
    for kind in ("RegisterClue", "FileCase", "StartInvestigation", "RecordEvidence", "ConcludeInvestigation",
                 "SubmitForReview", "ServeNotice", "WaiveStatements", "Decide", "ServeDecision", "StartPayment",
                 "ConfirmPayment"):
        assert kind in kinds, (kind, kinds)
    assert {"行政处罚事先告知书", "行政处罚决定书", "送达回证"} <= {d["docType"] for d in final["documents"]}
    screenshot(page, "officer-journey-performed-390x844")
    requests.assert_local()
    errors.assert_none()
    context.close()

    # the supervision console's case page: one line per event of the record, the chain intact
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    console = desk.new_page()
    _sign_in(console, stack, f"{stack.web}/cases/{case_id}", "supervisor1")
    console.wait_for_selector("#timeline li[data-seq]", timeout=WAIT_MS)
    assert console.locator("#timeline li[data-seq]").count() == len(final["events"])
    screenshot(console, "officer-journey-console-timeline-1440x900")
    desk.close()
