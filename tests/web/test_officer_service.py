"""移动执法 · 送达 over the real stack: a case driven to NOTIFIED (and to SERVED) through the gateway; the page
renders and attaches the served document, a signed post attaches the 送达回证 whose SM3 is that of the bytes
served at the PDF route, a retried post attaches once, the errors stand beside their fields with nothing
attached, CSRF-less posts and other roles are refused."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import httpx
import pypdf
import pytest

from domain.sm import sm3_hex
from tests.integration import production_case
from tests.web import service_kit as kit
from tests.web.stack import InProcessConsole

RECEIPT = "送达回证"
LINK = re.compile(r'id="receipt-link" href="(/m/cases/[^"]+/documents/([0-9a-f]{64})\.pdf)"')


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


@pytest.fixture(scope="module")
def notified(console: InProcessConsole) -> str:
    return kit.drive(console.stack, "recordStatement")


@pytest.fixture(scope="module")
def served(console: InProcessConsole) -> str:
    return kit.drive(console.stack, "startPayment")


def _form(client: httpx.Client, case_id: str, kind: str) -> tuple[str, dict[str, str]]:
    page = client.get(f"/m/cases/{case_id}/service/{kind}")
    assert page.status_code == 200, page.text[-2000:]
    sm3 = kit.SM3.search(page.text)
    assert sm3, page.text[-2000:]
    return sm3.group(1), {"csrf": kit.CSRF.findall(page.text)[-1], "served_at": kit.SERVED_AT.search(page.text)
                          .group(1)}  # type: ignore[union-attr]


def _pdf(client: httpx.Client, case_id: str, sm3: str) -> bytes:
    answer = client.get(f"/m/cases/{case_id}/documents/{sm3}.pdf")
    assert answer.status_code == 200, answer.text[-1000:]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    return answer.content


def test_the_notice_is_attached_signed_for_and_its_receipt_attached_once(console: InProcessConsole,
                                                                          notified: str) -> None:
    stack = console.stack
    party = kit.case(stack, notified)["parties"][0]["name"]
    with console.client("officer1") as client:
        sm3, form = _form(client, notified, "notice")
        notices = kit.documents(stack, notified, "行政处罚事先告知书")
        assert [d["sm3"] for d in notices] == [sm3]
        served = _pdf(client, notified, sm3)
        assert sm3_hex(served) == sm3
        text = _text(served)
        assert party in text
        assert "第四十四条" in text
        assert "陈述和申辩" in text
        who = kit.cast(stack)
        found = production_case.BASE - timedelta(days=3)  # the day the violation was found, as registered
        assert f"{found.year}年{found.month}月{found.day}日发现" in text, "the facts name when it was found"
        assert f"《{who.item['penalty_provisions'][0]['regulation']}》" in text, "the notice cites the item's provision"
        # opening the page again renders the same bytes: nothing attached twice
        again, _ = _form(client, notified, "notice")
        assert again == sm3
        assert len(kit.documents(stack, notified, "行政处罚事先告知书")) == 1

        png = kit.signature_png()
        post = {**form, "place": "天河区体育西路1号", "recipient": party, "signature": kit.data_url(png),
                "signature_sm3": sm3_hex(png)}
        done = client.post(f"/m/cases/{notified}/service/notice", data=post)
        assert done.status_code == 200, done.text[-2000:]
        link = LINK.search(done.text)
        assert link, done.text[-2000:]
        receipts = kit.documents(stack, notified, RECEIPT)
        assert [d["sm3"] for d in receipts] == [link.group(2)]
        receipt = _pdf(client, notified, link.group(2))
        assert sm3_hex(receipt) == link.group(2)
        text = _text(receipt)
        assert sm3 in text, "the receipt names the served document's SM3"
        assert sm3_hex(png) in text, "and the signature's"
        assert len(pypdf.PdfReader(io.BytesIO(receipt)).pages[0].images) == 1

        retry = client.post(f"/m/cases/{notified}/service/notice", data=post)
        assert retry.status_code == 200, retry.text[-2000:]
        assert LINK.search(retry.text).group(2) == link.group(2)  # type: ignore[union-attr]
        assert len(kit.documents(stack, notified, RECEIPT)) == 1
        # the same signature under another place is another receipt: refused, the party signs again
        other = client.post(f"/m/cases/{notified}/service/notice", data={**post, "place": "另一地点"})
        assert other.status_code == 422
        assert "该签名已用于另一份送达回证" in other.text
        assert len(kit.documents(stack, notified, RECEIPT)) == 1


def test_an_empty_pad_or_a_refusal_without_witness_is_refused_beside_the_field(console: InProcessConsole,
                                                                                notified: str) -> None:
    before = kit.documents(console.stack, notified, RECEIPT)
    with console.client("officer1") as client:
        _, form = _form(client, notified, "notice")
        empty = client.post(f"/m/cases/{notified}/service/notice", data={**form, "place": "现场", "recipient": "某"})
        assert empty.status_code == 422
        assert 'id="err-signature" role="alert">请当事人签名' in empty.text
        no_place = client.post(f"/m/cases/{notified}/service/notice",
                               data={**form, "recipient": "某", "signature": kit.data_url(kit.signature_png(3))})
        assert no_place.status_code == 422
        assert "请填写送达地点" in no_place.text
        assert kit.data_url(kit.signature_png(3)) in no_place.text, "the signature is kept for the retry"
        fake = client.post(f"/m/cases/{notified}/service/notice",
                           data={**form, "place": "现场", "recipient": "某", "signature": "data:image/png;base64,AAAA"})
        assert fake.status_code == 422
        assert "签名图像格式不正确" in fake.text
        wrong_hash = client.post(f"/m/cases/{notified}/service/notice", data={
            **form, "place": "现场", "recipient": "某", "signature": kit.data_url(kit.signature_png(5)),
            "signature_sm3": "0" * 64})
        assert wrong_hash.status_code == 422
        assert "签名图像未能保存" in wrong_hash.text
        lone = client.post(f"/m/cases/{notified}/service/notice", data={**form, "place": "现场", "refused": "1"})
        assert lone.status_code == 422
        assert "请填写见证人姓名" in lone.text
    assert kit.documents(console.stack, notified, RECEIPT) == before


def test_a_refusal_with_a_witness_gives_a_receipt_naming_them(console: InProcessConsole, notified: str) -> None:
    with console.client("officer1") as client:
        _, form = _form(client, notified, "notice")
        done = client.post(f"/m/cases/{notified}/service/notice",
                           data={**form, "place": "当事人经营场所", "refused": "1", "witness": "赵社区"})
        assert done.status_code == 200, done.text[-2000:]
        link = LINK.search(done.text)
        assert link
        text = _text(_pdf(client, notified, link.group(2)))
    assert "拒绝签收" in text
    assert "赵社区" in text
    assert "留置送达" in text
    assert link.group(2) in [d["sm3"] for d in kit.documents(console.stack, notified, RECEIPT)]


def test_the_decision_is_attached_sealed_and_states_the_terms(console: InProcessConsole, served: str) -> None:
    decision = kit.case(console.stack, served)["decision"]
    with console.client("officer1") as client:
        sm3, _ = _form(client, served, "decision")
        text = _text(_pdf(client, served, sm3))
    attached = kit.documents(console.stack, served, "行政处罚决定书")
    assert [(d["sm3"], d["sealed"], d["docNo"]) for d in attached] == [(sm3, True, decision["docNo"])]
    whole, cents = divmod(int(decision["fineFen"]), 100)
    for expected in (decision["docNo"], f"{whole:,}.{cents:02d} 元", "第六十七条", "60日内", "6个月内"):
        assert expected in text, expected


def test_a_case_without_a_notice_cannot_be_served_yet(console: InProcessConsole, served: str) -> None:
    early = kit.drive(console.stack, "serveNotice")
    with console.client("officer1") as client:
        page = client.get(f"/m/cases/{early}/service/notice")
        decision = client.get(f"/m/cases/{early}/service/decision")
        nothing = client.get(f"/m/cases/{early}/service/warrant")
        bad = client.get(f"/m/cases/{early}/documents/{'f' * 64}.pdf")
    assert page.status_code == 409
    assert "尚未作出行政处罚告知" in page.text
    assert decision.status_code == 409
    assert "尚未作出行政处罚决定" in decision.text
    assert nothing.status_code == 404
    assert bad.status_code == 404
    assert kit.case(console.stack, early)["documents"] == []


def test_a_post_without_the_csrf_token_is_refused_and_nothing_attached(console: InProcessConsole,
                                                                        notified: str) -> None:
    before = kit.documents(console.stack, notified, RECEIPT)
    with console.client("officer1") as client:
        _, form = _form(client, notified, "notice")
        body = {"served_at": form["served_at"], "place": "现场", "refused": "1", "witness": "钱某"}
        answer = client.post(f"/m/cases/{notified}/service/notice", data=body)
        foreign = client.post(f"/m/cases/{notified}/service/notice", data={**body, "csrf": form["csrf"]},
                              headers={"origin": "http://evil.example"})
    assert answer.status_code == 403
    assert foreign.status_code == 403
    assert kit.documents(console.stack, notified, RECEIPT) == before


@pytest.mark.parametrize("user", ["supervisor1", "public1"])
def test_others_than_officers_are_refused(console: InProcessConsole, notified: str, user: str) -> None:
    sm3 = kit.documents(console.stack, notified, "行政处罚事先告知书")[0]["sm3"]
    with console.client(user) as client:
        answers: list[Any] = [client.get(f"/m/cases/{notified}/service/notice"),
                              client.post(f"/m/cases/{notified}/service/notice", data={"refused": "1"}),
                              client.get(f"/m/cases/{notified}/documents/{sm3}.pdf")]
    for answer in answers:
        assert answer.status_code == 403, answer.text[-500:]
        assert "Traceback" not in answer.text
        assert "%PDF" not in answer.text
