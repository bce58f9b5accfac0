"""The console's Starlette application: pages, sign-in, static assets, error pages, security headers.

`create_app(config)` builds it; `hub web` (and `hub up`) serve it. Every page module under
`web/pages/` contributes its `ROUTES`. Error outcomes become pages, never stack traces:

    not signed in / token expired  -> 303 to /signin?next=<the page>   (back to it after signing in)
    role not allowed               -> 403 refusal page naming the roles that may
    form without CSRF token        -> 403 page, nothing done
    the graph refused / is down    -> 403 / 502 page with the graph's message
    anything else                  -> 500 page with a reference to the log line
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import auth, formatting, pages
from web.config import WebConfig
from web.graph import GraphClient, GraphUnavailable, InputRefused, Refused, SignInRequired
from web.pagekit import CsrfRefused, NotSignedIn, RoleRefused, current, next_of, render, signin_url
from web.roles import ROLE_NAMES
from web.sessions import COOKIE, SessionStore

__all__ = ["create_app"]

log = logging.getLogger("web")
HERE = Path(__file__).resolve().parent

#: no page loads anything from another host; scripts only from files (no inline script)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self' {idp}; "
       "base-uri 'none'; object-src 'none'")


class SecurityHeaders:
    """Headers on every answer: CSP, no framing, no sniffing, no referrer to other sites."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.headers = [(b"content-security-policy", csp.encode()), (b"x-frame-options", b"DENY"),
                        (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(yuan=formatting.yuan, wan=formatting.wan_yuan, count=formatting.count,
                       pct=formatting.percent, day=formatting.china_date, moment=formatting.china_datetime,
                       role=lambda r: ROLE_NAMES.get(r, r))
    return env


def page_routes() -> list[BaseRoute]:
    """Every page module's ROUTES, in module-name order."""
    routes: list[BaseRoute] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(pages.__path__)):
        routes.extend(importlib.import_module(f"web.pages.{module}").ROUTES)
    return routes


async def _health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _is_partial(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    next_path = exc.next_path if isinstance(exc, NotSignedIn) else next_of(request)
    if isinstance(exc, SignInRequired):
        request.app.state.sessions.drop(request.cookies.get(COOKIE))
    if _is_partial(request):  # htmx: leave the page for the sign-in, coming back to the page shown
        shown = urlsplit(request.headers.get("hx-current-url", ""))
        back = shown.path + (f"?{shown.query}" if shown.query else "") if shown.path.startswith("/") else next_path
        return Response(status_code=200, headers={"hx-redirect": signin_url(back)})
    return RedirectResponse(signin_url(next_path), status_code=303)


async def _role_refused(request: Request, exc: Exception) -> Response:
    needed = sorted(exc.needed) if isinstance(exc, RoleRefused) else []
    return render(request, "refused.html", {"needed": [ROLE_NAMES.get(r, r) for r in needed],
                                            "reason": "您的角色无权访问此页面"}, status=403)


async def _graph_refused(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, Refused) else "无权访问"
    return render(request, "refused.html", {"needed": [], "reason": message, "code": getattr(exc, "code", "")},
                  status=403)


async def _csrf(request: Request, _: Exception) -> Response:
    return render(request, "refused.html", {"needed": [], "reason": "表单已过期或来源不明，未执行任何操作。请刷新页面后重试。",
                                            "code": "CSRF"}, status=403)


async def _unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GraphUnavailable | InputRefused)
    return render(request, "error.html", {"title": "数据暂时无法获取", "message": exc.message, "code": exc.code},
                  status=502 if isinstance(exc, GraphUnavailable) else 400)


async def _http(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    title = {404: "页面不存在", 405: "不支持的请求方式"}.get(status, "请求无法处理")
    detail = exc.detail if isinstance(exc, HTTPException) and status != 404 else ""
    return render(request, "error.html", {"title": title, "message": detail, "code": str(status)}, status=status)


async def _crash(request: Request, exc: Exception) -> Response:
    ref = secrets.token_hex(4)
    log.exception("page %s failed (ref %s)", request.url.path, ref, exc_info=exc)
    return render(request, "error.html", {"title": "系统内部错误", "message": f"已记录（编号 {ref}），请稍后重试或联系管理员。",
                                          "code": "500"}, status=500)


def create_app(config: WebConfig, *, test_token_lifetime: int | None = None) -> Starlette:
    client = GraphClient(config.gateway_url, timeout_s=config.gateway_timeout_s)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await client.close()

    routes: list[BaseRoute] = [
        Route("/health", _health, methods=["GET"]),
        *auth.ROUTES,
        *page_routes(),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers: dict[Any, Any] = {
        NotSignedIn: _not_signed_in, SignInRequired: _not_signed_in, RoleRefused: _role_refused,
        Refused: _graph_refused, CsrfRefused: _csrf, GraphUnavailable: _unavailable, InputRefused: _unavailable,
        HTTPException: _http, Exception: _crash,
    }
    idp = config.identity_url.rstrip("/")
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders, csp=CSP.format(idp=idp))])
    app.state.config = config
    app.state.graph = client
    app.state.sessions = SessionStore(config.session_ttl_s)
    app.state.templates = templates()
    app.state.test_token_lifetime = test_token_lifetime
    app.state.current = current
    return app
