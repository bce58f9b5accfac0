"""移动执法 · 办案步骤: one form per officer-side step of a penalty case, sent through the phone's queue.

    GET  /m/cases/{id}/steps/{step}   the form (fields from officer_forms.STEPS), the case's version in a
                                      hidden field and a fresh idempotency key; the next legal steps beside it
    POST /m/cases/{id}/steps/{step}   JSON {idempotencyKey, expectedVersion, fields} from queue.js (the
                                      x-csrf-token header, same origin) -> JSON:
        {"ok": true, "version", "status", "next"}                      applied (or replayed: same key, one event)
        {"error": {"code": "GUARD_FAILED", "message", "rule", "article", "articleText", "field"}}
        {"error": {"code": "BAD_USER_INPUT", "message", "field"}}      a field refused before or by the graph
        {"error": {"code": "OTHER_OFFICER", ...}}                      queued on this phone by another officer
        {"conflict": {"expectedVersion", "current": {version, status, statusName, events}}}
                                                                       the case changed since the phone read it
    Every step goes to the graph with the officer's own token (purpose CASE_HANDLING); the graph's guards,
    version check and idempotency keys decide — the page only words the answer.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Final

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.graph import GraphError, GraphUnavailable, InputRefused, Refused, SignInRequired
from web.law_articles import article_text, law_name, rule_words
from web.pagekit import RoleRefused, call_is_ours, current, graph, render, require
from web.pages import cases_terms as terms
from web.pages import officer_forms as forms
from web.pages import officer_steps
from web.pages.officer import CASE_ID
from web.sessions import Session

__all__ = ["ROUTES"]

log = logging.getLogger("web.officer.steps")

OFFICERS: Final = frozenset({"OFFICER", "LEGAL_REVIEWER", "BODY_HEAD"})
_KEY: Final = re.compile(r"^[0-9A-Za-z-]{8,64}$")
MAX_BODY: Final = 64 * 1024
SINCE: Final = 10  # events shown of a conflict


def _names(path: str) -> tuple[str, forms.Step]:
    step = forms.STEPS.get(path)
    if step is None:
        raise HTTPException(404)
    return path, step


def _operation(step: str) -> str:
    return "officer-step-" + re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), step)


async def _case(request: Request, session: Session, case_id: str) -> tuple[dict[str, Any] | None, list[str]]:
    result = await graph(request).run("officer-step-case", {"id": case_id}, token=session.token,
                                      purpose="CASE_HANDLING", purpose_ref=f"case:{case_id}")
    return result.data.get("penaltyCase"), result.warnings


async def _officers(request: Request, session: Session, body: str | None) -> list[dict[str, str]]:
    if not body:
        return []
    try:
        result = await graph(request).run("officer-step-officers", {"body": body}, token=session.token,
                                          purpose="CASE_HANDLING")
    except GraphError as exc:  # the form still takes ids typed in
        log.info("step form: the body's officers unavailable (%s)", exc.code)
        return []
    items = (result.data.get("searchOfficers") or {}).get("items") or []
    return [{"id": str(o["id"]), "name": str(o.get("name") or o["id"])} for o in items if o.get("id")]


def _step_links(case_id: str, status: str | None, roles: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"name": s.name, "title": s.title, "href": f"/m/cases/{case_id}/steps/{s.name}"}
            for s in forms.legal_steps(status, roles)]


async def step_form(request: Request) -> Response:
    session = require(request, OFFICERS)
    case_id = str(request.path_params["case_id"])
    if not CASE_ID.match(case_id):
        raise HTTPException(404)
    name, step = _names(str(request.path_params["step"]))
    case, warnings = await _case(request, session, case_id)
    if case is None:
        return render(request, "mobile/missing.html", {"case_id": case_id, "tab": "work"}, status=404, session=session)
    status = case.get("status")
    allowed = any(r in step.roles for r in session.user.roles)
    legal = status in step.states
    needs_officers = any(f.kind == "officers" for f in step.fields)
    officers = await _officers(request, session, (case.get("body") or {}).get("uscc")) if needs_officers else []
    return render(request, "mobile/step.html", {
        "case": case, "step": step, "fields": forms.fields_of(step), "tab": "work", "warnings": warnings, "officers": officers,
        "me": session.user.subject, "key": str(uuid.uuid4()), "allowed": allowed, "legal": legal,
        "state": terms.name(terms.STATES, status), "next_steps": officer_steps.next_steps(status),
        "others": [s for s in _step_links(case_id, status, session.user.roles) if s["name"] != name],
        "post_url": f"/m/cases/{case_id}/steps/{name}", "case_url": f"/m/cases/{case_id}",
        "required_states": [terms.name(terms.STATES, s) for s in sorted(step.states)],
    }, session=session)


def _json(payload: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers={"cache-control": "no-store"})


def _refusal(code: str, message: str, status: int, field: str | None = None) -> JSONResponse:
    """The queue reads `error`; `errors` says the same in the graph's own shape (extensions.code)."""
    return _json({"error": {"code": code, "message": message, "field": field},
                  "errors": [{"message": message, "extensions": {"code": code, **({"field": field} if field else {})}}]},
                 status)


async def _body(request: Request) -> dict[str, Any] | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def _guard(exc: InputRefused) -> dict[str, Any]:
    text = article_text(exc.article)
    words = rule_words(exc.rule) or "本步骤不符合法定条件"
    return {"code": "GUARD_FAILED", "message": words, "detail": exc.message, "rule": exc.rule,
            "article": law_name(exc.article), "articleText": text, "field": exc.field}


async def _conflict(request: Request, session: Session, case_id: str, expected: int) -> JSONResponse:
    try:
        case, _ = await _case(request, session, case_id)
    except GraphError:
        case = None
    case = case or {}
    events = [e for e in case.get("events") or [] if isinstance(e.get("seq"), int) and e["seq"] > expected]
    return _json({"conflict": {"expectedVersion": expected, "current": {
        "version": case.get("version"), "status": case.get("status"),
        "statusName": terms.name(terms.STATES, case.get("status")),
        "events": [{"seq": e["seq"], "kind": e.get("kind"), "kindName": terms.name(terms.EVENT_KINDS, e.get("kind")), "at": e.get("at"), "actorId": e.get("actorId"),
                    "toState": terms.name(terms.STATES, e.get("toState")) if e.get("toState") else None,
                    "summary": e.get("summary")} for e in events[-SINCE:]],
    }}}, 409)


async def step_post(request: Request) -> Response:
    session = current(request)
    if session is None:
        return _refusal("UNAUTHENTICATED", "登录已失效，请重新登录后再发送", 401)
    if not session.user.has_any(OFFICERS):
        raise RoleRefused(OFFICERS)  # the refusal page, as every page gives it
    if not call_is_ours(request, session):
        log.warning("step refused: CSRF check failed on %s (sub=%s)", request.url.path, session.user.subject)
        return _refusal("CSRF", "请求来源校验未通过，未执行任何操作", 403)
    case_id = str(request.path_params["case_id"])
    name = str(request.path_params["step"])
    step = forms.STEPS.get(name)
    if step is None or not CASE_ID.match(case_id):
        return _refusal("NOT_FOUND", "没有这个办案步骤", 404)
    if not any(r in step.roles for r in session.user.roles):
        return _refusal("FORBIDDEN", f"“{step.title}”须由执法机关负责人办理", 403)
    body = await _body(request)
    if body is None:
        return _refusal("BAD_USER_INPUT", "提交内容格式不正确", 400)
    key, expected, fields = body.get("idempotencyKey"), body.get("expectedVersion"), body.get("fields") or {}
    if not isinstance(key, str) or not _KEY.match(key):
        return _refusal("BAD_USER_INPUT", "缺少有效的幂等键", 400, "idempotencyKey")
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0:
        return _refusal("BAD_USER_INPUT", "缺少案件版本号", 400, "expectedVersion")
    if not isinstance(fields, dict):
        return _refusal("BAD_USER_INPUT", "提交内容格式不正确", 400, "fields")
    recorder = body.get("subject")
    if isinstance(recorder, str) and recorder and recorder != session.user.subject:
        # a step queued on a shared phone by another officer is never sent under this officer's name
        log.info("step refused: queued by another officer (sub=%s)", session.user.subject)
        return _refusal("OTHER_OFFICER", "此记录由另一名执法人员在本机录入，须由其本人登录后发送", 403)
    try:
        given = forms.parse(step, fields)
    except forms.FieldRefused as exc:
        return _refusal("BAD_USER_INPUT", exc.message, 422, exc.name)
    recorded = forms.recorded_at(body.get("recordedAt"))
    if "at" not in given and recorded:
        given["at"] = recorded  # a step queued offline happened when the phone recorded it
    variables = {"caseId": case_id, "input": given, "v": expected, "key": key}
    try:
        result = await graph(request).run(_operation(name), variables, token=session.token, purpose="CASE_HANDLING",
                                          purpose_ref=f"case:{case_id}", allow_partial=False)
    except SignInRequired:
        return _refusal("UNAUTHENTICATED", "登录已失效，请重新登录后再发送", 401)
    except Refused as exc:
        return _refusal("FORBIDDEN", exc.message, 403)
    except GraphUnavailable as exc:
        return _refusal(exc.code or "UNAVAILABLE", "统一数据服务暂时无法访问，稍后自动重发", 503)
    except InputRefused as exc:
        log.info("step %s on case %s refused: %s %s", name, case_id, exc.code, exc.rule or "")
        if exc.code == "VERSION_CONFLICT":
            return await _conflict(request, session, case_id, expected)
        if exc.code == "GUARD_FAILED":
            return _json({"error": _guard(exc)}, 422)
        if exc.code == "ILLEGAL_TRANSITION":
            return _refusal(exc.code, f"案件当前状态不能办理“{step.title}”，请返回案件查看最新状态", 422)
        return _refusal(exc.code or "BAD_USER_INPUT", exc.message, 422, exc.field)
    answer = result.data.get(name) or {}
    then = f"/m/cases/{case_id}/service/{step.then}" if step.then else f"/m/cases/{case_id}"
    return _json({"ok": True, "version": answer.get("version"), "status": answer.get("status"),
                  "statusName": terms.name(terms.STATES, answer.get("status")), "next": then})


ROUTES = [
    Route("/m/cases/{case_id}/steps/{step}", step_form, methods=["GET"]),
    Route("/m/cases/{case_id}/steps/{step}", step_post, methods=["POST"]),
]
