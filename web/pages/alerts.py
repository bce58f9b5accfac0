"""监督预警: the alerts to work on — the filterable, sortable list, one alert with its actions, new-alert polling.

    GET  /alerts                       the list (SUPERVISOR, BODY_HEAD); filters and order in the query string
    GET  /alerts/fresh?since=...       htmx fragment: how many alerts of the same filters are newer than `since`
    GET  /alerts/<id>                  one alert: rule, basis, evidence, case, body, dates, history, actions
    POST /alerts/<id>/acknowledge      签收 / 记录整改 / 驳回 (dismiss needs a reason), CSRF-checked, each with
    POST /alerts/<id>/rectify          the idempotency key the page was rendered with (a double submit acts
    POST /alerts/<id>/dismiss          once), then 303 back to the alert with a notice

New alerts are found by polling through the gateway with the user's token (`alert_poll_s`): it passes
government proxies, and the console keeps no connection per user (the graph has no alert subscription).
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from web.alert_view import (
    ACTIONS,
    REASON_MAX,
    SEVERITY_NAMES,
    STATUS_NAMES,
    ListQuery,
    allowed_actions,
    evidence_facts,
    history,
    parse_instant,
    parse_list,
)
from web.graph import InputRefused
from web.pagekit import checked_form, config, graph, render, require
from web.roles import SUPERVISION
from web.sessions import Session

log = logging.getLogger("web.alerts")

PURPOSE = "SUPERVISION"
FRESH_LIMIT = 100  # the check counts at most this many newer alerts ("100+")
_DONE = {"acknowledge": "已签收该预警", "rectify": "已记录整改", "dismiss": "已驳回该预警"}
_REFUSALS = {
    "ILLEGAL_TRANSITION": "该预警的当前状态不允许此操作（可能已在其他窗口处理），未做任何更改。",
    "NOT_FOUND": "该预警已被他人同时处理，请刷新后查看最新状态，未做任何更改。",
    "IDEMPOTENCY_KEY_REUSED": "此表单已用于其他操作，请刷新页面后重试，未做任何更改。",
}


def _bodies_named(items: list[dict[str, Any]]) -> None:
    for item in items:
        body = item.get("body") or {}
        item["bodyName"] = body.get("shortName") or body.get("name") or item.get("bodyId")


async def alert_list(request: Request) -> Response:
    session = require(request, SUPERVISION)
    query = parse_list(request.query_params)
    notice = ""
    try:
        result = await graph(request).run("alerts-list", query.variables(), token=session.token, purpose=PURPOSE)
    except InputRefused as exc:
        if exc.field != "after" and not (query.after and "cursor" in exc.message):
            raise
        notice = "翻页位置已失效，已回到第一页。"  # a cursor of another order, or damaged: start again
        query.after = None
        result = await graph(request).run("alerts-list", query.variables(), token=session.token, purpose=PURPOSE)
    page = result.data.get("supervisionAlerts") or {"items": [], "total": 0, "nextCursor": None}
    _bodies_named(page["items"])
    newest = ((result.data.get("newest") or {}).get("items") or [{}])[0].get("detectedAt")
    newest = newest or datetime.now(UTC).isoformat()  # an empty list: anything found from now on is new
    for name, message in query.errors.items():
        log.info("alert list: %s refused (%s)", name, message)
    return render(request, "alerts/list.html", {
        "q": query, "page": page, "warnings_list": result.warnings, "notice": notice,
        "since": newest, "fresh_url": _fresh_url(query, newest), "poll_s": config(request).alert_poll_s,
        "status_names": STATUS_NAMES, "severity_names": SEVERITY_NAMES,
    }, session=session)


def _fresh_url(query: ListQuery, since: str) -> str:
    link = query.link(sort=None, dir=None, after=None).replace("/alerts?", "/alerts/fresh?", 1)
    joiner = "&" if "?" in link else "?"
    return f"{link}{joiner}since={quote(since, safe='')}"


async def fresh(request: Request) -> Response:
    """The fragment the list polls: a notice when alerts newer than `since` match its filters."""
    session = require(request, SUPERVISION)
    query = parse_list(request.query_params)
    since = parse_instant(request.query_params.get("since"))
    result = await graph(request).run("alerts-fresh", query.filter_variables(), token=session.token, purpose=PURPOSE)
    items = (result.data.get("supervisionAlerts") or {}).get("items") or []
    # without a valid `since` (a list that was empty when shown) nothing is "new" to it
    count = 0 if since is None else sum(1 for i in items if (parse_instant(i.get("detectedAt")) or since) > since)
    html = request.app.state.templates.get_template("alerts/_fresh.html").render(
        count=count, more=count >= FRESH_LIMIT, reload=query.link(after=None))
    return HTMLResponse(html, headers={"cache-control": "no-store"})


async def _load(request: Request, session: Session, alert_id: str) -> dict[str, Any] | None:
    result = await graph(request).run("alerts-detail", {"id": alert_id}, token=session.token, purpose=PURPOSE)
    alert: dict[str, Any] | None = result.data.get("supervisionAlert")
    return alert


async def _detail_page(request: Request, session: Session, alert_id: str, *, errors: dict[str, str] | None = None,
                       refusal: str = "", reason: str = "", status: int = 200) -> Response:
    alert = await _load(request, session, alert_id)
    if alert is None:
        return render(request, "error.html", {"title": "预警不存在", "code": "NOT_FOUND",
                                              "message": "没有找到该预警，或它不在您可查看的范围内。"}, status=404)
    body = alert.get("body") or {}
    done = request.query_params.get("done")
    return render(request, "alerts/detail.html", {
        "alert": alert, "body_name": body.get("name") or alert.get("bodyId"), "facts": evidence_facts(alert.get("evidence")),
        "history": history(alert), "actions": allowed_actions(session.user, alert), "action_defs": ACTIONS,
        "keys": {name: secrets.token_urlsafe(16) for name in ACTIONS}, "errors": errors or {},
        "refusal": refusal, "reason": reason, "reason_max": REASON_MAX,
        "done": _DONE.get(done or "", ""), "status_names": STATUS_NAMES, "severity_names": SEVERITY_NAMES,
    }, status=status, session=session)


async def alert_detail(request: Request) -> Response:
    session = require(request, SUPERVISION)
    return await _detail_page(request, session, request.path_params["alert_id"])


async def act(request: Request) -> Response:
    session = require(request, SUPERVISION)
    form = await checked_form(request, session)
    alert_id, action = request.path_params["alert_id"], request.path_params["action"]
    if action not in ACTIONS:
        return render(request, "error.html", {"title": "页面不存在", "code": "404", "message": ""}, status=404)
    _label, operation, _statuses = ACTIONS[action]
    key = str(form.get("idempotencyKey") or "")[:100] or None
    variables: dict[str, Any] = {"id": alert_id, "idempotencyKey": key}
    reason = str(form.get("reason") or "")
    if action == "dismiss":
        problem = _reason_problem(reason)
        if problem:
            log.info("alert %s: dismiss refused in the console (%s)", alert_id, problem)
            return await _detail_page(request, session, alert_id, errors={"reason": problem}, reason=reason[:2000])
        variables["reason"] = reason.strip()
    try:
        await graph(request).run(operation, variables, token=session.token, purpose=PURPOSE, allow_partial=False)
    except InputRefused as exc:
        log.info("alert %s: %s refused by the graph (%s)", alert_id, action, exc.code)
        message = _REFUSALS.get(exc.code, f"操作未完成：{exc.message}")
        if exc.field == "reason":
            return await _detail_page(request, session, alert_id, errors={"reason": message}, reason=reason)
        return await _detail_page(request, session, alert_id, refusal=message)
    return RedirectResponse(f"/alerts/{quote(alert_id, safe='')}?done={action}", status_code=303)


def _reason_problem(reason: str) -> str:
    text = reason.strip()
    if not text:
        return "请填写驳回理由"
    if len(text) > REASON_MAX:
        return f"驳回理由不能超过 {REASON_MAX} 字（当前 {len(text)} 字）"
    return ""


ROUTES = [
    Route("/alerts", alert_list, methods=["GET"]),
    Route("/alerts/fresh", fresh, methods=["GET"]),
    Route("/alerts/{alert_id}", alert_detail, methods=["GET"]),
    Route("/alerts/{alert_id}/{action}", act, methods=["POST"]),
]
