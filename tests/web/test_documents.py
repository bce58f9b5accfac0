"""The law-enforcement documents as PDF: real files (pypdf reads them back), the text a party must find
(the name, the fine, the articles), the same bytes for the same input, any Chinese text rendered."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from web.documents import inspection_record_pdf, penalty_decision_pdf, penalty_notice_pdf, service_receipt_pdf

NOTICE: dict[str, Any] = {
    "caseNo": "穗天市监罚〔2026〕88号", "docNo": "穗天市监告〔2026〕88号", "date": "2026-09-26T10:00:00+08:00",
    "bodyName": "广州市天河区市场监督管理局", "parties": ["陈晓明"], "itemName": "未取得食品经营许可从事食品经营",
    "facts": "当事人自2026年8月20日起在天河区体育西路未取得食品经营许可从事食品经营活动",
    "kinds": ["FINE", "WARNING"], "fineFen": 1234567, "basis": ["《中华人民共和国食品安全法》第一百二十二条"],
    "includesHearingRight": True, "signedBy": "林国强",
}


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def _png() -> bytes:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 100), (90, 20), (170, 100), (290, 30)], fill=(0, 0, 0, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_notice_names_the_party_the_fine_the_rights_and_the_hearing() -> None:
    pdf = penalty_notice_pdf(NOTICE)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = _text(pdf)
    for expected in ("行政处罚事先告知书", "陈晓明", "12,345.67 元", "第四十四条", "陈述和申辩", "第六十三条",
                     "第六十四条", "5日内", "《中华人民共和国食品安全法》第一百二十二条", "2026年9月26日",
                     "广州市天河区市场监督管理局", "警告"):
        assert expected in text, expected
    without = _text(penalty_notice_pdf({**NOTICE, "includesHearingRight": False}))
    assert "第四十四条" in without
    assert "听证" not in without


def test_the_decision_states_the_payment_term_and_the_remedies() -> None:
    text = _text(penalty_decision_pdf(NOTICE))
    for expected in ("行政处罚决定书", "穗天市监告〔2026〕88号", "陈晓明", "12,345.67 元", "第六十七条", "15日内",
                     "60日内", "行政复议", "6个月内", "行政诉讼", "签发人：林国强"):
        assert expected in text, expected


def test_the_receipt_carries_the_served_documents_hash_and_the_signature_image() -> None:
    receipt = {"caseNo": "X-1", "bodyName": "广州市天河区市场监督管理局", "parties": ["陈晓明"],
               "documentTitle": "行政处罚决定书", "documentSm3": "ab" * 32, "method": "DIRECT",
               "at": "2026-10-20T15:30:00+08:00", "place": "天河区体育西路1号", "recipient": "陈晓明",
               "officers": ["李文", "王芳"], "signatureSm3": "cd" * 32}
    pdf = service_receipt_pdf(receipt, _png())
    text = _text(pdf)
    for expected in ("送达回证", "ab" * 32, "直接送达", "2026年10月20日 15:30", "天河区体育西路1号", "李文、王芳",
                     "cd" * 32):
        assert expected in text, expected
    images = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
    refused = _text(service_receipt_pdf({**receipt, "refused": True, "witness": "赵见证", "method": "LEFT_AT_ADDRESS"},
                                        None))
    assert "拒绝签收" in refused
    assert "赵见证" in refused
    assert "留置送达" in refused
    assert not pypdf.PdfReader(io.BytesIO(service_receipt_pdf({**receipt, "refused": True}, None))).pages[0].images


def test_the_inspection_record_lists_each_finding() -> None:
    pdf = inspection_record_pdf({"objectName": "广州市好味餐饮有限公司", "objectUscc": "91440101MA5ABCDE1X",
                                 "startedAt": "2026-10-30T09:05:00+08:00", "place": "天河区体育西路1号"},
                                [{"item": "许可证公示", "result": "PASS", "note": ""},
                                 {"item": "从业人员健康证明", "result": "FAIL", "note": "两名员工健康证过期"}],
                                ["李文（44010001）", "王芳（44010002）"])
    text = _text(pdf)
    for expected in ("现场检查笔录", "广州市好味餐饮有限公司", "91440101MA5ABCDE1X", "2026年10月30日 09:05",
                     "许可证公示", "符合", "从业人员健康证明", "不符合", "两名员工健康证过期", "李文（44010001）"):
        assert expected in text, expected


def test_the_same_input_gives_the_same_bytes_and_the_date_is_the_documents_own() -> None:
    assert penalty_notice_pdf(NOTICE) == penalty_notice_pdf(dict(NOTICE))
    assert penalty_decision_pdf(NOTICE) != penalty_decision_pdf({**NOTICE, "fineFen": 1234568})
    meta = pypdf.PdfReader(io.BytesIO(penalty_notice_pdf(NOTICE))).metadata
    assert meta is not None
    assert str(meta.get("/CreationDate")).startswith("D:20260926100000")
    signature = _png()
    receipt = {"at": "2026-10-20T15:30:00+08:00", "documentSm3": "ab" * 32}
    assert service_receipt_pdf(receipt, signature) == service_receipt_pdf(dict(receipt), signature)


def test_a_long_record_runs_onto_more_pages() -> None:
    findings = [{"item": f"检查项目{n}", "result": "PASS", "note": "说明" * 30} for n in range(60)]
    pdf = inspection_record_pdf({"objectName": "某公司"}, findings, ["李文"])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    assert "检查项目59" in _text(pdf)


CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=80)
ANY_TEXT = st.text(max_size=120)  # whatever an officer or a register may hold: controls, emoji, surrogates


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(party=CHINESE, facts=CHINESE, place=ANY_TEXT, note=ANY_TEXT, fine=st.integers(0, 10**12))
def test_any_chinese_text_renders_and_reads_back(party: str, facts: str, place: str, note: str, fine: int) -> None:
    notice = penalty_notice_pdf({**NOTICE, "parties": [party], "facts": facts, "fineFen": fine})
    assert notice.startswith(b"%PDF-")
    assert party in _text(notice)
    decision = penalty_decision_pdf({**NOTICE, "parties": [party, note], "facts": facts + note})
    assert decision.startswith(b"%PDF-")
    record = inspection_record_pdf({"objectName": party, "place": place}, [{"item": facts, "result": note,
                                                                            "note": note}], [note])
    assert facts[:10] in _text(record)
    receipt = service_receipt_pdf({"place": place, "witness": note, "refused": True, "parties": [party]}, None)
    assert receipt.startswith(b"%PDF-")
