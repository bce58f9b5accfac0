"""送达回证 — the receipt of a served document: what was served (with the SM3 of the PDF served), how,
when and where, and the recipient's drawn signature as an image — or the refusal to sign (拒绝签收)
with the witness and the officers (留置送达).

    caseNo, bodyName, parties [str], documentTitle, documentNo, documentSm3, method (ServiceMethod),
    at (the moment of service), place, recipient, refused (bool), witness, officers [str],
    signatureSm3 (the SM3 of the signature image as stored)
"""

from __future__ import annotations

from collections.abc import Mapping

from web.documents.common import EPOCH, day_text, moment, moment_text
from web.documents.sheet import Sheet
from web.documents.terms import METHODS


def _text(value: object) -> str:
    return "" if value is None else str(value)


def service_receipt_pdf(data: Mapping[str, object], signature_png: bytes | None) -> bytes:
    """The 送达回证 as PDF bytes; `signature_png` is embedded unless the recipient refused."""
    at = moment(data.get("at")) or EPOCH
    body = _text(data.get("bodyName")) or "—"
    refused = bool(data.get("refused"))
    sheet = Sheet("送达回证", at, subject=_text(data.get("caseNo")), author=body)
    sheet.title("送达回证", _text(data.get("caseNo")))
    parties = data.get("parties")
    sheet.line("受送达人", "、".join(str(p) for p in parties) if isinstance(parties, list | tuple) else parties)
    sheet.line("送达文书", _text(data.get("documentTitle")))
    if data.get("documentNo"):
        sheet.line("文书文号", data.get("documentNo"))
    sheet.line("文书 SM3", data.get("documentSm3"))
    method = _text(data.get("method"))
    sheet.line("送达方式", METHODS.get(method, method))
    sheet.line("送达时间", moment_text(at))
    sheet.line("送达地点", data.get("place"))
    officers = data.get("officers")
    sheet.line("送达人", "、".join(str(o) for o in officers) if isinstance(officers, list | tuple) else officers)
    if refused:
        sheet.line("签收情况", "受送达人拒绝签收")
        sheet.line("见证人", data.get("witness"))
        sheet.paragraph("受送达人拒绝签收，送达人邀请见证人到场，说明情况，在本回证上记明拒收事由和日期，"
                        "由送达人、见证人签名，把文书留在受送达人的住所，即视为送达。")
    else:
        sheet.line("签收人", data.get("recipient"))
        if signature_png:
            sheet.image("签收人签名", signature_png)
        if data.get("signatureSm3"):
            sheet.line("签名 SM3", data.get("signatureSm3"))
    sheet.signoff([body, day_text(at)])
    return sheet.finish()
