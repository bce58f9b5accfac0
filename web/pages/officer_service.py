"""移动执法 · 送达: serve a notice or a decision on the party from the phone, and the PDF documents.

    GET  /m/cases/{id}/service/notice|decision   the served document rendered server-side as PDF (stored with
                                                 uploadFile, attached with attachDocument — the decision sealed),
                                                 a link to it, the signature pad, or 拒绝签收 with a witness
    POST /m/cases/{id}/service/notice|decision   the signature PNG stored (uploadFile), the 送达回证 rendered with
                                                 the signature and the served document's SM3, stored and attached;
                                                 answers the receipt's link. A retry attaches once (same bytes,
                                                 same idempotency key: the case, the kind and the signature's hash)
    GET  /m/cases/{id}/documents/{sm3}.pdf       a PDF attached to the case, read through the graph
                                                 (`penaltyCaseFile`, a chunk of up to 1 MiB at a time)

Roles as the rest of the phone app (officer.OFFICERS). Everything goes through the gateway with the
officer's token; nothing here writes anything but through the graph.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.documents import penalty_decision_pdf, penalty_notice_pdf, service_receipt_pdf
from web.formatting import CHINA
from web.graph import GraphError, InputRefused
from web.pagekit import checked_form, graph, render, require
from web.pages import officer_service_data as data
from web.pages.officer import CASE_ID, OFFICERS, STATIC
from web.sessions import Session

__all__ = ["ROUTES"]

log = logging.getLogger("web.officer.service")

PURPOSE: Final = "CASE_HANDLING"
_SM3: Final = re.compile(r"^[0-9a-f]{64}$")
_PNG: Final = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES: Final = 512 * 1024
MAX_FILE_CHUNKS: Final = 64  # 64 × 1 MiB: a document larger than that is not served on a phone
MAX_TEXT: Final = 60
METHODS: Final = {"DIRECT": "直接送达", "LEFT_AT_ADDRESS": "留置送达"}


class Problem(Exception):
    """A field of the service form the officer must put right (message beside the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _kind(request: Request) -> data.ServiceKind:
    kind = data.KINDS.get(str(request.path_params["kind"]))
    case_id = str(request.path_params["case_id"])
    if kind is None or not CASE_ID.match(case_id):
        raise HTTPException(404)
    return kind


def _key(*parts: str) -> str:
    return "svc-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


async def _case(request: Request, session: Session, case_id: str) -> dict[str, Any] | None:
    result = await graph(request).run("officer-service-case", {"id": case_id}, token=session.token,
                                      purpose=PURPOSE, purpose_ref=f"case:{case_id}")
    case: dict[str, Any] | None = result.data.get("penaltyCase")
    return case


async def _item(request: Request, session: Session, case: dict[str, Any]) -> tuple[str, list[str]]:
    try:
        result = await graph(request).run("officer-service-items", {}, token=session.token)
    except GraphError as exc:  # the document names the item by its code then
        log.info("service: item catalogue unavailable (%s)", exc.code)
        return "", []
    items = [i for i in (result.data.get("enforcementItems") or {}).get("items") or []
             if i.get("code") == case.get("itemCode")]
    chosen = next((i for i in items if str(i.get("version")) == str(case.get("itemVersion"))),
                  max(items, key=lambda i: int(i.get("version") or 0), default=None))
    if chosen is None:
        return "", []
    return str(chosen.get("name") or ""), data.item_basis(chosen.get("content"))


async def _store(request: Request, session: Session, case_id: str, content: bytes, sm3: str | None = None) -> str:
    result = await graph(request).run("officer-service-upload", {
        "content": base64.b64encode(content).decode(), "sm3": sm3}, token=session.token, purpose=PURPOSE,
        purpose_ref=f"case:{case_id}")
    return str(result.data["uploadFile"]["sm3"])


async def _attach(request: Request, session: Session, case_id: str, doc: dict[str, Any], key: str) -> None:
    await graph(request).run("officer-service-attach", {"caseId": case_id, "input": doc, "key": key},
                             token=session.token, purpose=PURPOSE, purpose_ref=f"case:{case_id}",
                             allow_partial=False)


async def _served_document(request: Request, session: Session, case: dict[str, Any],
                           kind: data.ServiceKind) -> tuple[str, dict[str, Any]]:
    """The served document's SM3 (rendered, stored and attached unless it is already) and its data."""
    name, basis = await _item(request, session, case)
    facts = data.document_data(case, kind, name, basis)
    pdf = penalty_notice_pdf(facts) if kind.key == "notice" else penalty_decision_pdf(facts)
    sm3 = await _store(request, session, str(case["id"]), pdf)
    if data.find_document(case, kind.doc_type, sm3) is None:
        doc = {"docType": kind.doc_type, "title": kind.title, "sm3": sm3, "mediaType": "application/pdf",
               "docNo": facts.get("docNo"), "seal": kind.key == "decision"}
        await _attach(request, session, str(case["id"]), doc, _key(str(case["id"]), kind.key, "document", sm3))
        log.info("service: %s attached to case %s (sm3 %s)", kind.key, case["id"], sm3[:12])
    return sm3, facts


def _now_text() -> str:
    return datetime.now(CHINA).replace(second=0, microsecond=0).isoformat()


def _context(case: dict[str, Any], kind: data.ServiceKind, sm3: str, values: dict[str, str],
             errors: dict[str, str]) -> dict[str, Any]:
    parties = [str(p.get("name")) for p in case.get("parties") or []]
    return {"case": case, "kind": kind, "sm3": sm3, "tab": "work", "values": values, "errors": errors,
            "pdf": f"/m/cases/{case['id']}/documents/{sm3}.pdf", "parties": parties, "methods": METHODS,
            "has_sm3": (STATIC / "sm3.js").is_file(),
            "receipts": [d for d in case.get("documents") or [] if d.get("docType") == data.RECEIPT_TYPE
                         and kind.title in str(d.get("title"))]}


async def _page(request: Request) -> tuple[Session, data.ServiceKind, dict[str, Any] | None, str | None]:
    session = require(request, OFFICERS)
    kind = _kind(request)
    case = await _case(request, session, str(request.path_params["case_id"]))
    return session, kind, case, (data.ready(case, kind) if case else None)


def _not_ready(request: Request, session: Session, case: dict[str, Any] | None, why: str | None) -> Response:
    if case is None:
        return render(request, "mobile/missing.html", {"case_id": request.path_params["case_id"], "tab": "work"},
                      status=404, session=session)
    return render(request, "mobile/service_unready.html", {"case": case, "why": why, "tab": "work"}, status=409,
                  session=session)


async def service_form(request: Request) -> Response:
    session, kind, case, why = await _page(request)
    if case is None or why:
        return _not_ready(request, session, case, why)
    sm3, _ = await _served_document(request, session, case, kind)
    parties = [str(p.get("name")) for p in case.get("parties") or []]
    values = {"recipient": parties[0] if parties else "", "method": "DIRECT", "served_at": _now_text()}
    return render(request, "mobile/service.html", _context(case, kind, sm3, values, {}), session=session)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _signature(raw: str) -> bytes:
    """The drawn signature's PNG bytes from the pad's data URL; Problem when absent or not a PNG."""
    if not raw:
        raise Problem("signature", "请当事人签名")
    head, _, body = raw.partition(",")
    if head != "data:image/png;base64":
        raise Problem("signature", "签名图像格式不正确，请清除后重新签名")
    try:
        png = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Problem("signature", "签名图像格式不正确，请清除后重新签名") from exc
    if not png.startswith(_PNG):
        raise Problem("signature", "签名图像格式不正确，请清除后重新签名")
    if len(png) > MAX_SIGNATURE_BYTES:
        raise Problem("signature", "签名图像过大，请清除后重新签名")
    return png


def _served_at(raw: str) -> str:
    try:
        at = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Problem("served_at", "送达时间无效，请重新打开本页") from exc
    if at.tzinfo is None:
        raise Problem("served_at", "送达时间无效，请重新打开本页")
    now = datetime.now(CHINA)
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=1):
        raise Problem("served_at", "送达时间不在当日，请重新打开本页")
    return at.astimezone(CHINA).isoformat()


def _checked(form: Any) -> tuple[dict[str, str], bytes | None]:
    values = {name: _text(form, name) for name in ("recipient", "place", "witness", "method", "served_at")}
    raw_sm3 = form.get("signature_sm3")
    values["signature_sm3"] = raw_sm3.strip()[:64] if isinstance(raw_sm3, str) else ""
    values["refused"] = "1" if form.get("refused") else ""
    raw = form.get("signature")
    values["signature"] = raw if isinstance(raw, str) and len(raw) < 2 * MAX_SIGNATURE_BYTES else ""
    values["served_at"] = _served_at(values["served_at"])
    if not values["place"]:
        raise Problem("place", "请填写送达地点")
    if values["refused"]:
        if not values["witness"]:
            raise Problem("witness", "当事人拒绝签收的，请填写见证人姓名")
        values["method"] = "LEFT_AT_ADDRESS"
        return values, None
    if not values["recipient"]:
        raise Problem("recipient", "请填写签收人")
    values["method"] = values["method"] if values["method"] in METHODS else "DIRECT"
    sm3 = values["signature_sm3"].lower()
    values["signature_sm3"] = sm3 if _SM3.match(sm3) else ""
    return values, _signature(values["signature"])


async def service_post(request: Request) -> Response:
    session = require(request, OFFICERS)
    form = await checked_form(request, session)  # a forged post is refused before anything else is looked at
    kind = _kind(request)
    case = await _case(request, session, str(request.path_params["case_id"]))
    why = data.ready(case, kind) if case else None
    if case is None or why:
        return _not_ready(request, session, case, why)
    case_id = str(case["id"])
    sm3, facts = await _served_document(request, session, case, kind)
    values = {name: _text(form, name) for name in ("recipient", "place", "witness", "method", "served_at")}
    values["signature"] = str(form.get("signature") or "")[: 2 * MAX_SIGNATURE_BYTES]
    values["refused"] = "1" if form.get("refused") else ""
    try:
        values, png = _checked(form)
        signature_sm3 = ""
        if png is not None:
            try:
                signature_sm3 = await _store(request, session, case_id, png, values["signature_sm3"] or None)
            except GraphError as exc:
                log.info("service: signature refused for case %s (%s)", case_id, exc.code)
                raise Problem("signature", "签名图像未能保存（校验值不一致或服务暂不可用），请重试") from exc
        receipt = _receipt(case, kind, sm3, facts, values, signature_sm3, session)
        pdf = service_receipt_pdf(receipt, png)
        who = signature_sm3 or hashlib.sha256(("refused|" + values["witness"]).encode()).hexdigest()
        try:
            receipt_sm3 = await _store(request, session, case_id, pdf)
            if data.find_document(case, data.RECEIPT_TYPE, receipt_sm3) is None:
                await _attach(request, session, case_id, {
                    "docType": data.RECEIPT_TYPE, "title": f"送达回证（{kind.title}）", "sm3": receipt_sm3,
                    "mediaType": "application/pdf", "docNo": facts.get("docNo"), "seal": False,
                    "at": receipt["at"]}, _key(case_id, kind.key, "receipt", who))
        except InputRefused as exc:
            log.info("service: receipt refused for case %s (%s)", case_id, exc.code)
            if exc.code == "IDEMPOTENCY_KEY_REUSED":  # this signature already signed another receipt
                raise Problem("signature", "该签名已用于另一份送达回证，请清除后由当事人重新签名") from exc
            raise Problem("receipt", f"送达回证未能保存：{exc.message}") from exc
        except GraphError as exc:
            log.warning("service: receipt not stored for case %s (%s)", case_id, exc.code)
            raise Problem("receipt", "送达回证未能保存，签名已保留，请稍后重试") from exc
    except Problem as problem:
        return render(request, "mobile/service.html", _context(case, kind, sm3, values, {problem.field: problem.message}),
                      status=422, session=session)
    log.info("service: receipt for the %s of case %s attached (sm3 %s)", kind.key, case_id, receipt_sm3[:12])
    return render(request, "mobile/service_done.html", {
        "case": case, "kind": kind, "tab": "work", "receipt": f"/m/cases/{case_id}/documents/{receipt_sm3}.pdf",
        "receipt_sm3": receipt_sm3, "document": f"/m/cases/{case_id}/documents/{sm3}.pdf", "sm3": sm3,
        "refused": bool(values["refused"]), "signature_sm3": signature_sm3}, session=session)


def _receipt(case: dict[str, Any], kind: data.ServiceKind, sm3: str, facts: dict[str, Any], values: dict[str, str],
             signature_sm3: str, session: Session) -> dict[str, Any]:
    officers = data.officer_names(case)
    if session.user.name and session.user.name not in officers:
        officers.insert(0, session.user.name)
    return {"caseNo": case.get("caseNo"), "bodyName": (case.get("body") or {}).get("name"),
            "parties": facts.get("parties"), "documentTitle": kind.title, "documentNo": facts.get("docNo"),
            "documentSm3": sm3, "method": values["method"], "at": values["served_at"], "place": values["place"],
            "recipient": values["recipient"], "refused": bool(values["refused"]), "witness": values["witness"],
            "officers": officers, "signatureSm3": signature_sm3}


async def document_pdf(request: Request) -> Response:
    session = require(request, OFFICERS)
    case_id, sm3 = str(request.path_params["case_id"]), str(request.path_params["sm3"]).lower()
    if not CASE_ID.match(case_id) or not _SM3.match(sm3):
        raise HTTPException(404)
    content = await _file(request, session, case_id, sm3)
    if content is None:
        raise HTTPException(404)
    return Response(content, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="{sm3[:16]}.pdf"', "cache-control": "private, no-store",
        "x-content-sm3": sm3})


async def _file(request: Request, session: Session, case_id: str, sm3: str) -> bytes | None:
    """The file's bytes through the graph, `penaltyCaseFile` chunk by chunk (None: not the case's file)."""
    chunks: list[bytes] = []
    offset = 0
    try:
        for _ in range(MAX_FILE_CHUNKS):
            result = await graph(request).run("officer-service-file", {"caseId": case_id, "sm3": sm3, "offset": offset},
                                              token=session.token, purpose=PURPOSE, purpose_ref=f"case:{case_id}")
            chunk = result.data.get("penaltyCaseFile")
            if not chunk:
                return None
            piece = base64.b64decode(str(chunk.get("contentBase64") or ""))
            chunks.append(piece)
            offset += len(piece)
            if offset >= int(chunk.get("size") or 0) or not piece:
                return b"".join(chunks)
        return None
    except InputRefused:  # NOT_FOUND: no such file attached to this case
        return None


ROUTES = [
    Route("/m/cases/{case_id}/service/{kind}", service_form, methods=["GET"]),
    Route("/m/cases/{case_id}/service/{kind}", service_post, methods=["POST"]),
    Route("/m/cases/{case_id}/documents/{sm3}.pdf", document_pdf, methods=["GET"]),
]
