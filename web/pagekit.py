"""What every page handler uses: the signed-in session, role checks, CSRF on forms, rendering.

A handler is plain Starlette::

    async def alerts(request: Request) -> Response:
        session = require(request, SUPERVISION)          # SignInRequired / RoleRefused when not
        result = await graph(request).run("alerts-list", {...}, token=session.token, purpose="SUPERVISION")
        return render(request, "alerts/list.html", {"page": result.data})

Forms post a hidden ``csrf`` field (`csrf_field` in templates); `checked_form` refuses a post without
the session's token or from another origin (a 403 page, nothing done).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.config import WebConfig
from web.graph import GraphClient
from web.roles import NAV, ROLE_NAMES
from web.sessions import COOKIE, Session, SessionStore

__all__ = ["CsrfRefused", "NotSignedIn", "RoleRefused", "checked_form", "config", "current", "graph", "next_of", "render",
           "require", "same_origin", "signin_url"]

log = logging.getLogger("web")

#: a console form is a few fields; a larger body is refused before it is read
MAX_FORM_BYTES = 1024 * 1024


class RoleRefused(Exception):
    """The signed-in user's roles do not include one this page needs."""

    def __init__(self, needed: frozenset[str] | set[str]) -> None:
        super().__init__("role refused")
        self.needed = frozenset(needed)


class CsrfRefused(Exception):
    """A form post without this session's CSRF token, or from another origin."""


class NotSignedIn(Exception):
    """No live session: sign in, then come back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        super().__init__("not signed in")
        self.next_path = next_path


def config(request: Request) -> WebConfig:
    cfg: WebConfig = request.app.state.config
    return cfg


def graph(request: Request) -> GraphClient:
    client: GraphClient = request.app.state.graph
    return client


def sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def next_of(request: Request) -> str:
    """The page to return to after signing in: this path and query (same-origin paths only)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def signin_url(next_path: str) -> str:
    return f"/signin?next={quote(next_path, safe='')}"


def current(request: Request) -> Session | None:
    session = sessions(request).get(request.cookies.get(COOKIE))
    if session is not None and session.expired:
        sessions(request).drop(session.id)
        return None
    return session


def require(request: Request, roles: frozenset[str] | set[str] | None = None) -> Session:
    session = current(request)
    if session is None:
        raise NotSignedIn(_return_path(request))
    if roles is not None and not session.user.has_any(roles):
        log.info("page refused: %s for sub=%s roles=%s", request.url.path, session.user.subject,
                 ",".join(session.user.roles))
        raise RoleRefused(roles)
    return session


def _return_path(request: Request) -> str:
    if request.method == "GET":
        return next_of(request)
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if parts.netloc == request.url.netloc and parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.url.path


async def checked_form(request: Request, session: Session) -> FormData:
    """The posted form, after the CSRF checks: same origin (the `Origin` header, and `Sec-Fetch-Site`
    where the browser sends it) and the session's token (the `csrf` field or the `x-csrf-token` header)."""
    if not same_origin(request):
        log.warning("form refused: cross-origin post to %s", request.url.path)
        raise CsrfRefused()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        log.warning("form refused: %s bytes posted to %s", declared, request.url.path)
        raise HTTPException(413, "提交的内容过大，未执行任何操作。")
    form = await request.form()
    if not _token_is(form.get("csrf") or request.headers.get("x-csrf-token"), session):
        log.warning("form refused: missing or wrong CSRF token on %s (sub=%s)", request.url.path, session.user.subject)
        raise CsrfRefused()
    return form


def call_is_ours(request: Request, session: Session) -> bool:
    """CSRF for a page script's calls (JSON, raw parts): same origin and the session's token in `x-csrf-token`."""
    return same_origin(request) and _token_is(request.headers.get("x-csrf-token"), session)


def _token_is(sent: object, session: Session) -> bool:
    return isinstance(sent, str) and bool(sent) and secrets.compare_digest(sent.encode(), session.csrf.encode())


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from this site's own pages (or says nothing)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme == request.url.scheme and parts.netloc == request.url.netloc


def nav_for(request: Request, session: Session | None) -> list[dict[str, Any]]:
    if session is None:
        return []
    cfg = config(request)
    return [{"path": item.path, "label": item.label, "active": request.url.path.startswith(item.path)}
            for item in NAV if session.user.has_any(item.roles) and (cfg.explorer or not item.dev_only)]


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
           session: Session | None = None) -> HTMLResponse:
    env: Environment = request.app.state.templates
    session = session or current(request)
    page = {
        "request": request,
        "session": session,
        "user": session.user if session else None,
        "role_names": [ROLE_NAMES.get(r, r) for r in session.user.roles] if session else [],
        "csrf": session.csrf if session else "",
        "nav": nav_for(request, session),
        "path": request.url.path,
        **(context or {}),
    }
    html = env.get_template(template).render(page)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
