"""移动执法 · 证据采集: photos, audio and video from the phone, hashed with SM3 on the device, uploaded in parts.

    GET  /m/cases/{id}/evidence/new      the form (kind, title, the file from the camera, location, device) and
                                         the evidence already recorded on the case, each with its SM3
    POST /m/uploads                      start an upload session: {sm3, size, mediaType} as hashed on the phone
    PUT  /m/uploads/{id}?offset=N        the raw bytes of one part (at most 1 MiB; sent on in two uploadPart
                                         calls of 512 KiB) -> {received}
    GET  /m/uploads/{id}                 how much the server has: {received, size, complete}
    POST /m/uploads/{id}/finish          the server re-hashes the whole file; another SM3 stores nothing
    POST /m/cases/{id}/evidence          attachEvidence with the SM3 computed on the device, capture time, the
                                         officer as collector, device id and method (with the location text)

The phone's script (static/mobile/upload.js) drives the calls; each answers JSON, errors as
``{"error": {"code", "message"}}`` with a Chinese message (logged). Every post carries the session's CSRF
token in the ``x-csrf-token`` header and must come from this site. Everything goes through the gateway
with the officer's token; nothing is stored here.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from datetime import datetime
from typing import Any, Final

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.formatting import CHINA
from web.graph import GraphError, InputRefused, Refused, SignInRequired
from web.pagekit import CsrfRefused, call_is_ours, graph, render, require
from web.pages.cases_terms import EVIDENCE_KINDS
from web.pages.officer import CASE_ID, OFFICERS
from web.sessions import Session

__all__ = ["ROUTES"]

log = logging.getLogger("web.officer.evidence")

PURPOSE: Final = "CASE_HANDLING"
PART_BYTES: Final = 1024 * 1024
#: a phone's part goes on to the graph in pieces of this size: base64 of 1 MiB with the query around it is over
#: the 1 MiB request bound of the service-to-service call, half of it well under
GRAPH_PART_BYTES: Final = 512 * 1024
MAX_JSON_BYTES: Final = 16 * 1024
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
_UPLOAD_ID: Final = re.compile(r"^[0-9A-Za-z_-]{1,80}$")
_SM3: Final = re.compile(r"^[0-9a-f]{64}$")
_MEDIA: Final = re.compile(r"^[a-z]+/[0-9A-Za-z.+-]{1,80}$")
_TEXT = {"title": 60, "location": 120, "deviceId": 60}

#: the graph's codes as the officer reads them (HTTP status, message)
MESSAGES: Final = {
    "BLOB_INVALID": (422, "文件校验未通过：服务器收到的内容与手机上计算的 SM3 哈希值不一致，文件未保存。请重新选择文件上传。"),
    "NOT_FOUND": (404, "上传会话或案件不存在，或已过期。"),
    "FORBIDDEN": (403, "无权执行此操作。"),
    "UNAUTHENTICATED": (401, "登录已失效，请重新登录。"),
    "VERSION_CONFLICT": (409, "案件已被他人更新，请刷新后重试。"),
    "GUARD_FAILED": (409, "当前案件状态不允许记录证据。"),
    "ILLEGAL_TRANSITION": (409, "当前案件状态不允许记录证据。"),
}


TWO_OFFICERS: Final = ("收集证据的执法人员不得少于两人，并应持有执法证件（《中华人民共和国行政处罚法》第四十二条：“行政处罚应当由"
                       "具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外。”）。请勾选共同收集人。")


class Problem(Exception):
    """A value the phone sent that is refused before the graph is asked."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers={"cache-control": "no-store"})


def _from_graph(exc: GraphError, what: str, session: Session) -> JSONResponse:
    status, message = MESSAGES.get(exc.code, (0, ""))
    if exc.code == "GUARD_FAILED" and "officer" in exc.message:
        message = TWO_OFFICERS
    if not status:
        if isinstance(exc, InputRefused):
            status, message = 400, f"提交的内容未被接受：{exc.message}"
        elif isinstance(exc, Refused):
            status, message = 403, MESSAGES["FORBIDDEN"][1]
        elif isinstance(exc, SignInRequired):
            status, message = MESSAGES["UNAUTHENTICATED"]
        else:
            status, message = 503, "统一数据服务暂时无法访问，稍后将自动重试。"
    log.info("evidence: %s refused by the graph: %s %s (sub=%s)", what, exc.code or type(exc).__name__,
             exc.message[:300], session.user.subject)
    return _error(exc.code or "GRAPH_ERROR", message, status)


def _checked(request: Request, session: Session) -> None:
    """CSRF for the script's calls: same origin and the session's token in the header."""
    if not call_is_ours(request, session):
        log.warning("evidence: call refused without the CSRF token or from another origin: %s (sub=%s)",
                    request.url.path, session.user.subject)
        raise CsrfRefused()


async def _json(request: Request) -> dict[str, Any]:
    body = await _body(request, MAX_JSON_BYTES)
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem("BAD_REQUEST", "请求格式不正确。") from exc
    if not isinstance(value, dict):
        raise Problem("BAD_REQUEST", "请求格式不正确。")
    return value


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem("TOO_LARGE", f"单次提交不得超过 {limit // 1024} KB。", 413)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise Problem("TOO_LARGE", f"单次提交不得超过 {limit // 1024} KB。", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _upload_id(request: Request) -> str:
    upload_id = str(request.path_params["upload_id"])
    if not _UPLOAD_ID.match(upload_id):
        raise HTTPException(404)
    return upload_id


def _case_id(request: Request) -> str:
    case_id = str(request.path_params["case_id"])
    if not CASE_ID.match(case_id):
        raise HTTPException(404)
    return case_id


def _session_json(s: dict[str, Any]) -> dict[str, Any]:
    return {"id": s.get("id"), "received": int(s.get("received") or 0), "size": int(s.get("size") or 0),
            "complete": bool(s.get("complete"))}


async def _call(request: Request, what: str, handler: Any) -> Response:
    session = require(request, OFFICERS)
    try:
        if request.method != "GET":
            _checked(request, session)
        answer: Response = await handler(session)
        return answer
    except CsrfRefused:
        return _error("CSRF", "请求未通过安全校验（缺少令牌或来自其他站点），未执行任何操作。请刷新页面后重试。", 403)
    except Problem as exc:
        log.info("evidence: %s refused: %s (sub=%s)", what, exc.code, session.user.subject)
        return _error(exc.code, exc.message, exc.status)
    except GraphError as exc:
        return _from_graph(exc, what, session)


async def evidence_form(request: Request) -> Response:
    session = require(request, OFFICERS)
    case_id = _case_id(request)
    result = await graph(request).run("officer-evidence-case", {"id": case_id}, token=session.token,
                                      purpose=PURPOSE, purpose_ref=f"case:{case_id}")
    case = result.data.get("penaltyCase")
    if case is None:
        return render(request, "mobile/missing.html", {"case_id": case_id, "tab": "work"}, status=404,
                      session=session)
    return render(request, "mobile/evidence.html", {
        "case": case, "tab": "work", "kinds": EVIDENCE_KINDS, "warnings": result.warnings,
        "partners": _partners(case, session),
        "evidence": case.get("evidence") or [], "part_bytes": PART_BYTES,
    }, session=session)


def _partners(case: dict[str, Any], session: Session) -> list[dict[str, str]]:
    """The case's other assigned officers, who may have collected the evidence with the signed-in one."""
    seen: dict[str, dict[str, str]] = {}
    for a in case.get("assignments") or []:
        officer_id = str(a.get("officerId") or "")
        if officer_id and officer_id != session.user.subject:
            seen.setdefault(officer_id, {"id": officer_id, "name": str((a.get("officer") or {}).get("name") or
                                                                        officer_id)})
    return list(seen.values())


async def start_upload(request: Request) -> Response:
    async def run(session: Session) -> Response:
        body = await _json(request)
        sm3, size, media = str(body.get("sm3", "")).lower(), body.get("size"), str(body.get("mediaType", ""))
        if not _SM3.match(sm3):
            raise Problem("BAD_SM3", "哈希值格式不正确（应为 64 位十六进制 SM3）。")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_FILE_BYTES:
            raise Problem("BAD_SIZE", f"文件大小须在 1 字节至 {MAX_FILE_BYTES // 1024 // 1024} MB 之间。")
        if not _MEDIA.match(media):
            media = "application/octet-stream"
        result = await graph(request).run("officer-upload-start", {
            "input": {"sm3": sm3, "size": size, "mediaType": media}}, token=session.token, purpose=PURPOSE,
            allow_partial=False)
        started = result.data["startUpload"]
        log.info("evidence: upload %s started, %d bytes, sm3 %s (sub=%s)", started.get("id"), size, sm3[:12],
                 session.user.subject)
        return JSONResponse(_session_json(started), status_code=201)
    return await _call(request, "start", run)


async def upload_part(request: Request) -> Response:
    async def run(session: Session) -> Response:
        upload_id = _upload_id(request)
        offset_text = request.query_params.get("offset", "")
        if not offset_text.isdigit():
            raise Problem("BAD_OFFSET", "分片起点（offset）须为非负整数。")
        content = await _body(request, PART_BYTES)
        if not content:
            raise Problem("EMPTY_PART", "分片内容为空。")
        offset = int(offset_text)
        try:
            for at in range(0, len(content), GRAPH_PART_BYTES):  # each call's body stays under the subgraph's 1 MiB
                piece = content[at:at + GRAPH_PART_BYTES]
                result = await graph(request).run("officer-upload-part", {
                    "id": upload_id, "offset": offset + at, "content": base64.b64encode(piece).decode()},
                    token=session.token, purpose=PURPOSE, allow_partial=False)
        except InputRefused as exc:
            if exc.field == "offset" or "offset" in exc.message:
                log.info("evidence: part of %s at %s refused (gap) (sub=%s)", upload_id, offset_text,
                         session.user.subject)
                return _error("OFFSET", "分片起点与服务器已接收的长度不一致，请先查询已接收的长度。", 409)
            raise
        return JSONResponse(_session_json(result.data["uploadPart"]))
    return await _call(request, "part", run)


async def upload_status(request: Request) -> Response:
    async def run(session: Session) -> Response:
        result = await graph(request).run("officer-upload-session", {"id": _upload_id(request)},
                                          token=session.token, purpose=PURPOSE, allow_partial=False)
        found = result.data.get("uploadSession")
        if found is None:
            return _error("NOT_FOUND", MESSAGES["NOT_FOUND"][1], 404)
        return JSONResponse(_session_json(found), headers={"cache-control": "no-store"})
    return await _call(request, "status", run)


async def finish_upload(request: Request) -> Response:
    async def run(session: Session) -> Response:
        upload_id = _upload_id(request)
        result = await graph(request).run("officer-upload-finish", {"id": upload_id}, token=session.token,
                                          purpose=PURPOSE, allow_partial=False)
        stored = result.data["finishUpload"]
        log.info("evidence: upload %s stored as sm3 %s (sub=%s)", upload_id, str(stored.get("sm3"))[:12],
                 session.user.subject)
        return JSONResponse({"sm3": stored.get("sm3"), "size": stored.get("size")})
    return await _call(request, "finish", run)


def _evidence_input(body: dict[str, Any], session: Session, partners: list[dict[str, str]]) -> dict[str, Any]:
    kind, sm3 = str(body.get("kind", "")), str(body.get("sm3", "")).lower()
    if kind not in EVIDENCE_KINDS:
        raise Problem("BAD_KIND", "请选择证据种类。")
    if not _SM3.match(sm3):
        raise Problem("BAD_SM3", "哈希值格式不正确（应为 64 位十六进制 SM3）。")
    text = {k: " ".join(str(body.get(k) or "").split()) for k in _TEXT}
    for key, limit in _TEXT.items():
        if len(text[key]) > limit:
            raise Problem("TOO_LONG", f"“{key}”不得超过 {limit} 个字。")
    if not text["title"]:
        raise Problem("BAD_TITLE", "请填写证据名称。")
    try:
        captured = datetime.fromisoformat(str(body.get("capturedAt", "")).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Problem("BAD_TIME", "采集时间格式不正确。") from exc
    if captured.tzinfo is None:
        captured = captured.replace(tzinfo=CHINA)
    media = str(body.get("mediaType", ""))
    given = body.get("with")
    chosen: list[Any] = given if isinstance(given, list) else []
    known = {p["id"] for p in partners}
    if any(str(c) not in known for c in chosen):
        raise Problem("BAD_OFFICER", "共同收集人须为本案的承办人员。")
    method = "移动执法终端拍摄上传，设备端 SM3 校验"
    if text["location"]:
        method += f"；采集地点：{text['location']}"
    # the evidence was collected when it was captured: that is the event's time (the officers' certificates
    # are checked on that day), not the moment the phone found a network to send it
    return {"kind": kind, "title": text["title"], "sm3": sm3, "capturedAt": captured.isoformat(),
            "at": captured.isoformat(),
            "collectedBy": [session.user.subject, *dict.fromkeys(str(c) for c in chosen)], "mediaType": media if _MEDIA.match(media) else
            "application/octet-stream", "deviceId": text["deviceId"] or None, "method": method, "signed": body.get("signed") is True}


async def attach_evidence(request: Request) -> Response:
    async def run(session: Session) -> Response:
        case_id = _case_id(request)
        body = await _json(request)
        found = await graph(request).run("officer-evidence-case", {"id": case_id}, token=session.token,
                                         purpose=PURPOSE, purpose_ref=f"case:{case_id}")
        case = found.data.get("penaltyCase")
        if case is None:
            return _error("NOT_FOUND", "案件不存在或无权查看。", 404)
        evidence = _evidence_input(body, session, _partners(case, session))
        key = "evd-" + hashlib.sha256(f"{case_id}|{evidence['sm3']}|{evidence['kind']}".encode()).hexdigest()[:40]
        try:
            result = await graph(request).run("officer-evidence-attach", {
                "caseId": case_id, "input": evidence, "key": key}, token=session.token, purpose=PURPOSE,
                purpose_ref=f"case:{case_id}", allow_partial=False)
        except GraphError as exc:
            if exc.code != "BLOB_INVALID":
                raise
            log.info("evidence: attach refused, no stored file with sm3 %s (sub=%s)", evidence["sm3"][:12],
                     session.user.subject)
            return _error("BLOB_INVALID", "服务器上没有与该 SM3 哈希值相符的已上传文件，证据未记录。请重新上传。", 422)
        case = result.data["attachEvidence"]
        log.info("evidence: recorded on case %s, sm3 %s (sub=%s)", case_id, evidence["sm3"][:12],
                 session.user.subject)
        return JSONResponse({"caseId": case.get("id"), "version": case.get("version"), "sm3": evidence["sm3"],
                             "next": f"/m/cases/{case_id}"}, status_code=201)
    return await _call(request, "attach", run)


ROUTES = [
    Route("/m/cases/{case_id}/evidence/new", evidence_form, methods=["GET"]),
    Route("/m/cases/{case_id}/evidence", attach_evidence, methods=["POST"]),
    Route("/m/uploads", start_upload, methods=["POST"]),
    Route("/m/uploads/{upload_id}", upload_part, methods=["PUT"]),
    Route("/m/uploads/{upload_id}", upload_status, methods=["GET"]),
    Route("/m/uploads/{upload_id}/finish", finish_upload, methods=["POST"]),
]
