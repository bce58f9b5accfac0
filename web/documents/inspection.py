"""现场检查笔录 — the record of an inspection on site, one finding per check item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from web.documents.common import EPOCH, first, moment, moment_text
from web.documents.sheet import Sheet

RESULTS = {
    "PASS": "符合", "PASSED": "符合", "OK": "符合", "COMPLIANT": "符合",
    "FAIL": "不符合", "FAILED": "不符合", "VIOLATION": "不符合", "NONCOMPLIANT": "不符合",
    "NA": "不适用", "NOT_APPLICABLE": "不适用",
}


def result_text(value: object) -> str:
    text = "" if value is None else str(value)
    return RESULTS.get(text.upper(), text)


def inspection_record_pdf(
    inspection: Mapping[str, object], findings: Sequence[Mapping[str, object]], officers: Sequence[str]
) -> bytes:
    """The 现场检查笔录 as PDF bytes.

    `inspection` keys (all optional but the object): objectName, objectUscc (or uscc), startedAt
    (or inspectedAt / time), finishedAt, place (or address), bodyName, itemName (or itemCode), id, result,
    note. `findings`: {item, result, note} per check item (result PASS/FAIL/NA or Chinese text).
    `officers`: the inspecting officers as printed (name and certificate number).
    The same arguments give the same bytes.
    """
    started = moment(first(inspection, "startedAt", "inspectedAt", "time", "createdAt", default=None))
    finished = moment(first(inspection, "finishedAt", "closedAt", default=None))
    sheet = Sheet("现场检查笔录", started or EPOCH, subject=str(first(inspection, "id")))
    sheet.title("现场检查笔录", str(first(inspection, "docNo", "recordNo", "id")))
    sheet.line("检查对象", first(inspection, "objectName", "name"))
    sheet.line("统一社会信用代码", first(inspection, "objectUscc", "uscc"))
    sheet.line("执法主体", first(inspection, "bodyName", "bodyUscc"))
    sheet.line("检查事项", first(inspection, "itemName", "itemCode"))
    when = moment_text(started)
    if finished:
        when += " 至 " + moment_text(finished)
    sheet.line("检查时间", when)
    sheet.line("检查地点", first(inspection, "place", "address", "location"))
    sheet.line("检查人员", "、".join(o for o in officers if o) or "—")
    sheet.heading("检查情况")
    if findings:
        rows = [
            [str(n), first(f, "item", "name"), result_text(first(f, "result")), first(f, "note")]
            for n, f in enumerate(findings, 1)
        ]
        sheet.table(["序号", "检查项目", "检查结果", "说明"], rows, [0.7, 4, 1.4, 4])
    else:
        sheet.paragraph("本次检查未记录检查项目。")
    outcome = first(inspection, "result", "outcome")
    if outcome:
        sheet.line("检查结论", result_text(outcome))
    if first(inspection, "note"):
        sheet.paragraph(str(first(inspection, "note")))
    sheet.paragraph("以上笔录经当事人核对无误。", indent=False)
    sheet.space()
    sheet.line("当事人签名", "", blank=True)
    sheet.line("检查人员签名", "", blank=True)
    sheet.signoff([moment_text(started)])
    return sheet.finish()
