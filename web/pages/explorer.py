"""接口调试: the GraphQL explorer for front-end teams (dev profile only), GraphiQL over a same-origin proxy.

    GET  /explorer          the page: who you are, a purpose selector, GraphiQL (schema docs, autocomplete,
                            variables) from the vendored files; 404 when `config.explorer` is off
    POST /explorer/graphql  GraphiQL's fetcher: the body goes to the gateway as the signed-in user, with
                            the chosen purpose code and reference; the gateway's answer and status come
                            back as they are (introspection for the docs too, which the dev gateway allows)

The access token stays on the server: the browser holds only the session cookie. The proxy answers in
GraphQL's own error shape, never an HTML page, so GraphiQL shows it in its result pane:

    no or expired session           401  UNAUTHENTICATED   (the page offers 重新登录, back to /explorer)
    role not allowed (PUBLIC)       403  FORBIDDEN
    no / wrong x-csrf-token, or a   403  CSRF
      post from another origin
    body over MAX_BODY_BYTES        413  PAYLOAD_TOO_LARGE
    not JSON / bad purpose header   400 / 415  BAD_USER_INPUT / UNSUPPORTED_MEDIA_TYPE (naming the field)
    gateway unreachable             502  GATEWAY_UNREACHABLE

The page runs under the console's own CSP (`script-src 'self'`, no relaxation): GraphiQL 3's UMD bundle
uses no eval, no `new Function` and no workers (its editor is CodeMirror 5), which the browser test
confirms by running it with no console errors.

Nothing of a request's body (variables may hold personal data) is logged: only the operation's size,
the purpose code, the status and the caller's subject.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Final

import httpx
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.pagekit import config, current, graph, render, require, same_origin, sessions, signin_url
from web.roles import NAV

__all__ = ["EXPLORER_ROLES", "MAX_BODY_BYTES", "PURPOSES", "ROUTES"]

log = logging.getLogger("web.explorer")

#: the roles the explorer is open to: every signed-in role of the menu entry (not PUBLIC)
EXPLORER_ROLES: Final = next(item.roles for item in NAV if item.path == "/explorer")
#: a GraphQL request larger than this is refused before it reaches the gateway
MAX_BODY_BYTES: Final = 256 * 1024
#: the gateway's purpose codes (x-purpose-code), with what each is for, in the words users know
PURPOSES: Final = (
    ("SUPERVISION", "执法监督", "监督人员对执法机关、案件的监督检查"),
    ("CASE_HANDLING", "办案", "立案、调查取证、作出决定等办案环节"),
    ("LEGAL_REVIEW", "法制审核", "重大执法决定前的法制审核"),
    ("INSPECTION", "行政检查", "现场检查、抽查等行政检查"),
    ("CASE_FILE_REVIEW", "案卷评查", "评查人员查阅被抽中的案卷（关联编号填 case:案件ID）"),
    ("DATA_EXCHANGE", "数据共享", "部门系统之间的数据交换"),
)
PURPOSE_CODES: Final = frozenset(code for code, _, _ in PURPOSES)
#: the gateway refuses longer references (need-to-know binding)
MAX_REF_CHARS: Final = 80

DEFAULT_QUERY: Final = """# 编写查询，Ctrl+Enter 执行
# 左侧书本图标：接口文档
# 花括号内 Ctrl+Space：字段提示
# 以您的身份、按上方用途代码发送
query EnforcementBodies($first: Int!) {
  searchEnforcementBodies(level: "CITY", first: $first) {
    items {
      name
    }
  }
}
"""
DEFAULT_VARIABLES: Final = '{\n  "first": 5\n}\n'


def _error(status: int, code: str, message: str, **extensions: Any) -> JSONResponse:
    """An answer in GraphQL's error shape, so GraphiQL shows it like the gateway's own errors."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
                        status_code=status, headers={"cache-control": "no-store"})


def _enabled(request: Request) -> None:
    if not config(request).explorer:
        raise HTTPException(404)


async def explorer_page(request: Request) -> Response:
    _enabled(request)
    session = require(request, EXPLORER_ROLES)
    settings = {"endpoint": "/explorer/graphql", "signin": signin_url("/explorer"),
                "defaultQuery": DEFAULT_QUERY, "defaultVariables": DEFAULT_VARIABLES,
                "maxRefChars": MAX_REF_CHARS}
    return render(request, "explorer.html", {"title": "接口调试", "purposes": PURPOSES, "settings": settings},
                  session=session)


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None as soon as it is longer than MAX_BODY_BYTES (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _purpose(request: Request) -> tuple[str | None, str | None, JSONResponse | None]:
    purpose = request.headers.get("x-purpose-code", "").strip() or None
    ref = request.headers.get("x-purpose-ref", "").strip() or None
    if purpose is not None and purpose not in PURPOSE_CODES:
        return None, None, _error(400, "BAD_USER_INPUT", "用途代码无效，请从列表中选择", field="purposeCode")
    if ref is not None and (len(ref) > MAX_REF_CHARS or not ref.isprintable()):
        return None, None, _error(400, "BAD_USER_INPUT", f"用途关联编号至多 {MAX_REF_CHARS} 个字符，且不能含控制字符",
                                  field="purposeRef")
    return purpose, ref, None


async def explorer_graphql(request: Request) -> Response:
    if not config(request).explorer:
        return _error(404, "NOT_FOUND", "接口调试未启用")
    session = current(request)
    if session is None:
        return _error(401, "UNAUTHENTICATED", "登录已失效")
    if not session.user.has_any(EXPLORER_ROLES):
        log.info("explorer refused: role of sub=%s", session.user.subject)
        return _error(403, "FORBIDDEN", "您的角色无权使用接口调试")
    sent = request.headers.get("x-csrf-token", "")
    if not same_origin(request) or not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        log.warning("explorer refused: missing or wrong CSRF token or foreign origin (sub=%s)", session.user.subject)
        return _error(403, "CSRF", "请求缺少有效的防伪令牌，未执行。请刷新页面后重试。")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return _error(415, "UNSUPPORTED_MEDIA_TYPE", "请求体须为 JSON（content-type: application/json）",
                      field="content-type")
    purpose, ref, refused = _purpose(request)
    if refused is not None:
        return refused
    try:
        body = await _bounded_body(request)
    except ClientDisconnect:
        return Response(status_code=400)
    if body is None:
        log.info("explorer refused: body over %d bytes (sub=%s)", MAX_BODY_BYTES, session.user.subject)
        return _error(413, "PAYLOAD_TOO_LARGE", f"请求体超过 {MAX_BODY_BYTES // 1024} KiB 上限", limit=MAX_BODY_BYTES)
    try:
        answer = await graph(request).raw(body, token=session.token, purpose=purpose, purpose_ref=ref)
    except httpx.HTTPError as exc:
        log.warning("explorer: gateway did not answer (%s)", type(exc).__name__)
        return _error(502, "GATEWAY_UNREACHABLE", "统一数据服务暂时无法访问，请稍后再试")
    log.info("explorer: %d bytes as sub=%s purpose=%s -> %d", len(body), session.user.subject, purpose or "-",
             answer.status_code)
    if answer.status_code == 401:  # the gateway no longer takes the token: the session is over
        sessions(request).drop(session.id)
        return _error(401, "UNAUTHENTICATED", "登录已失效")
    media_type = answer.headers.get("content-type", "application/json")
    return Response(answer.content, status_code=answer.status_code, media_type=media_type,
                    headers={"cache-control": "no-store"})


ROUTES = [
    Route("/explorer", explorer_page, methods=["GET"]),
    Route("/explorer/graphql", explorer_graphql, methods=["POST"]),
]
