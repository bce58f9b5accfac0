"""行政处罚事先告知书 and 行政处罚决定书 — the two documents an officer serves on the party in a penalty case.

Both take one dict assembled from the graph (the page does that): names as the graph returns them,
so a masked name stays masked on paper too.

    caseNo, docNo, date (the document's date), bodyName, parties [str], itemName, facts,
    kinds [PenaltyKind], fineFen, confiscatedGainsFen, confiscatedPropertyFen, basis [str],
    includesHearingRight (notice), signedBy (decision)
"""

from __future__ import annotations

from collections.abc import Mapping

from web.documents.common import EPOCH, day_text, first, moment, yuan_text
from web.documents.sheet import Sheet
from web.documents.terms import LAW, kind_names

#: days the party has to ask for a hearing after the notice (第六十四条)
HEARING_DAYS = 5
#: days to pay a fine from the decision's service (第六十七条)
PAYMENT_DAYS = 15
#: 行政复议法: 60 days to apply for review; 行政诉讼法: 6 months to sue
REVIEW_DAYS = 60
SUIT_MONTHS = 6


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def penalty_text(data: Mapping[str, object]) -> str:
    """The penalty in words: the kinds, the fine and the confiscations in 元."""
    parts = []
    for kind, name in zip(_list(data.get("kinds")), kind_names(data.get("kinds")), strict=True):
        if kind == "FINE":
            parts.append(f"罚款人民币 {yuan_text(data.get('fineFen') or 0)}")
        elif kind == "CONFISCATE_GAINS":
            parts.append(f"没收违法所得人民币 {yuan_text(data.get('confiscatedGainsFen') or 0)}")
        elif kind == "CONFISCATE_PROPERTY":
            parts.append(f"没收非法财物（价值人民币 {yuan_text(data.get('confiscatedPropertyFen') or 0)}）")
        else:
            parts.append(name)
    return "；".join(parts) or "—"


def _head(sheet: Sheet, data: Mapping[str, object], title: str) -> None:
    sheet.title(title, _text(first(data, "docNo", "caseNo")))
    sheet.line("当事人", "、".join(_list(data.get("parties"))) or "—")
    sheet.line("案件编号", data.get("caseNo"))
    sheet.line("执法事项", data.get("itemName"))


def penalty_notice_pdf(data: Mapping[str, object]) -> bytes:
    """行政处罚事先告知书 (第四十四条: the facts, reasons, basis and the intended penalty; the right to state
    and defend; with `includesHearingRight`, the right to ask for a hearing within 5 days, 第六十三条、第六十四条)."""
    dated = moment(data.get("date")) or EPOCH
    body = _text(data.get("bodyName")) or "—"
    sheet = Sheet("行政处罚事先告知书", dated, subject=_text(data.get("caseNo")), author=body)
    _head(sheet, data, "行政处罚事先告知书")
    parties = "、".join(_list(data.get("parties"))) or "当事人"
    sheet.paragraph(f"{parties}：")
    sheet.paragraph(f"经调查，{_text(data.get('facts')) or '你（单位）存在违法行为'}。")
    basis = "、".join(_list(data.get("basis"))) or "有关法律、法规、规章"
    sheet.paragraph(f"以上事实有本机关收集的证据为证。你（单位）的上述行为违反了有关规定，依据{basis}的规定，"
                    f"本机关拟对你（单位）作出如下行政处罚：{penalty_text(data)}。")
    sheet.heading("告知事项")
    sheet.paragraph(f"根据{LAW}第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
                    "本机关将充分听取你（单位）的意见，对你（单位）提出的事实、理由和证据进行复核；"
                    "你（单位）提出的事实、理由或者证据成立的，本机关将予以采纳，不因你（单位）的陈述、申辩而给予更重的处罚。")
    if data.get("includesHearingRight"):
        sheet.paragraph(f"根据{LAW}第六十三条、第六十四条的规定，你（单位）有权要求听证。如要求听证，"
                        f"应当在收到本告知书之日起{HEARING_DAYS}日内向本机关提出；逾期未提出的，视为放弃听证权利。")
    sheet.paragraph("逾期未提出陈述、申辩的，视为放弃上述权利。")
    sheet.signoff([body, day_text(dated)])
    return sheet.finish()


def penalty_decision_pdf(data: Mapping[str, object]) -> bytes:
    """行政处罚决定书 (第五十九条): the party, the facts, the basis, the penalty, the payment term of 15 days
    (第六十七条) and the remedies: 行政复议 within 60 days, 行政诉讼 within 6 months."""
    dated = moment(data.get("date")) or EPOCH
    body = _text(data.get("bodyName")) or "—"
    sheet = Sheet("行政处罚决定书", dated, subject=_text(data.get("docNo")), author=body)
    _head(sheet, data, "行政处罚决定书")
    sheet.heading("违法事实和证据")
    sheet.paragraph(f"经查，{_text(data.get('facts')) or '当事人存在违法行为'}。以上事实有本机关收集的证据为证。")
    sheet.heading("处罚依据和决定")
    basis = "、".join(_list(data.get("basis"))) or "有关法律、法规、规章"
    sheet.paragraph(f"当事人的上述行为违反了有关规定。依据{basis}的规定，本机关决定对当事人作出如下行政处罚："
                    f"{penalty_text(data)}。")
    sheet.heading("履行方式和期限")
    if "FINE" in _list(data.get("kinds")):
        sheet.paragraph(f"根据{LAW}第六十七条的规定，当事人应当自收到本决定书之日起{PAYMENT_DAYS}日内，"
                        "到指定的银行或者通过电子支付系统缴纳罚款。到期不缴纳罚款的，"
                        f"本机关可以依照{LAW}第七十二条的规定，每日按罚款数额的百分之三加处罚款。")
    else:
        sheet.paragraph("当事人应当自收到本决定书之日起履行本决定。")
    sheet.heading("救济途径和期限")
    sheet.paragraph(f"当事人对本决定不服的，可以在收到本决定书之日起{REVIEW_DAYS}日内依法申请行政复议，"
                    f"或者在{SUIT_MONTHS}个月内依法向人民法院提起行政诉讼。申请行政复议或者提起行政诉讼的，"
                    "行政处罚不停止执行，法律另有规定的除外。")
    signed = _text(data.get("signedBy"))
    sheet.signoff([f"签发人：{signed}" if signed else "", body, day_text(dated)])
    return sheet.finish()
