"""Sign-in and sign-out: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636) against the
identity provider; the token stays on this server, the browser gets a session cookie (HttpOnly,
SameSite=Strict) and nothing else.

    GET  /signin?next=/alerts   -> 302 to the provider's /oauth/authorize (state, S256 challenge)
    GET  /auth/callback         -> code + state -> token (back channel) -> session -> 303 to `next`
    POST /signout               -> (CSRF-checked) the session is dropped -> the signed-out page

A sign-in is bound to the browser that began it: /signin sets a random `hub_signin` cookie (HttpOnly,
SameSite=Lax so that it comes back on the provider's redirect, path /auth/callback, 10 minutes) and
the pending sign-in keeps its digest; a callback whose browser does not hold that cookie signs no
one in (a link with someone else's code and state cannot sign a victim in as that someone, RFC 6749
§10.12). A successful sign-in always issues a new session id and ends the session the browser held
before (no session fixation). The return path is a path of this site only (`safe_next`).
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlencode, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.pagekit import checked_form, config, current, render, sessions
from web.sessions import COOKIE, PENDING_TTL_S, binding_of

__all__ = ["ROUTES", "SIGNIN_COOKIE", "safe_next"]

log = logging.getLogger("web.auth")

#: the browser's sign-in binding cookie (see the module's docstring)
SIGNIN_COOKIE = "hub_signin"
CALLBACK_PATH = "/auth/callback"
MAX_NEXT_CHARS = 2000
_BINDING = re.compile(r"[A-Za-z0-9_-]{32}")
#: an OAuth error code as RFC 6749 §4.1.2.1 defines them (access_denied, invalid_request, ...)
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


def safe_next(value: str | None) -> str:
    """Only a path of this site: never `//other.host`, `/\\other.host` or `https://...` (an open
    redirect), and nothing a browser would strip or bend on its way (control characters, spaces at
    the ends, backslashes); anything else returns to the start page."""
    if not value or len(value) > MAX_NEXT_CHARS or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or value != value.strip() or not value.isprintable():
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return "/"
    return value


def _browser_binding(request: Request) -> str:
    """The browser's sign-in cookie when it holds a well-formed one, else a fresh value."""
    held = request.cookies.get(SIGNIN_COOKIE, "")
    return held if _BINDING.fullmatch(held) else secrets.token_urlsafe(24)


async def signin(request: Request) -> Response:
    cfg = config(request)
    next_path = safe_next(request.query_params.get("next"))
    browser = _browser_binding(request)
    state, challenge = sessions(request).begin(next_path, browser)
    params = {"response_type": "code", "client_id": cfg.client_id, "redirect_uri": cfg.redirect_uri,
              "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
    if request.app.state.test_token_lifetime:
        params["expires_in"] = str(request.app.state.test_token_lifetime)
    response = RedirectResponse(f"{cfg.authorize_url}?{urlencode(params)}", status_code=302)
    response.set_cookie(SIGNIN_COOKIE, browser, httponly=True, samesite="lax", secure=cfg.cookie_secure,
                        path=CALLBACK_PATH, max_age=PENDING_TTL_S)
    return response


async def callback(request: Request) -> Response:
    cfg = config(request)
    error = request.query_params.get("error")
    state = request.query_params.get("state", "")
    pending = sessions(request).finish(state) if state else None
    if error:
        refusal = error if _ERROR_CODE.fullmatch(error) else "unknown_error"  # no one else's text shown or logged
        log.info("sign-in refused by the identity provider: %s", refusal)
        return render(request, "signin_failed.html", {"reason": "统一身份认证拒绝了登录请求", "code": refusal},
                      status=400)
    code = request.query_params.get("code")
    if pending is None or not code:
        log.warning("sign-in callback with an unknown or used state")
        return render(request, "signin_failed.html", {"reason": "登录请求已失效或已使用，请重新登录", "code": "invalid_state"},
                      status=400)
    held = binding_of(request.cookies.get(SIGNIN_COOKIE, ""))
    if not pending.binding or not secrets.compare_digest(held, pending.binding):
        log.warning("sign-in callback from a browser that did not begin the sign-in")
        return render(request, "signin_failed.html", {"reason": "登录请求不是由本浏览器发起的，请重新登录",
                                                      "code": "invalid_state"}, status=400)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": cfg.redirect_uri,
            "client_id": cfg.client_id, "code_verifier": pending.verifier}
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            answer = await client.post(cfg.token_url, data=form)
    except httpx.HTTPError as exc:
        log.warning("token endpoint unreachable: %s", type(exc).__name__)
        return render(request, "signin_failed.html", {"reason": "统一身份认证服务暂时无法访问", "code": "idp_unreachable"},
                      status=502)
    if answer.status_code != 200:
        log.warning("token endpoint refused the code: HTTP %s", answer.status_code)
        return render(request, "signin_failed.html", {"reason": "登录凭证无效或已过期，请重新登录", "code": "invalid_grant"},
                      status=400)
    try:
        body = answer.json()
        session = sessions(request).create(str(body["access_token"]), int(body.get("expires_in", 300)))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        log.warning("token endpoint answer unusable: %s", type(exc).__name__)
        return render(request, "signin_failed.html", {"reason": "统一身份认证返回了无法识别的结果", "code": "bad_token"},
                      status=502)
    sessions(request).drop(request.cookies.get(COOKIE))  # whatever session the browser held ends here
    log.info("signed in: sub=%s roles=%s", session.user.subject, ",".join(session.user.roles))
    response = RedirectResponse(safe_next(pending.next_path), status_code=303)
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", secure=cfg.cookie_secure,
                        path="/", max_age=max(60, int(session.expires_at - session.created_at)))
    return response


async def signout(request: Request) -> Response:
    session = current(request)
    if session is not None:
        await checked_form(request, session)
        sessions(request).drop(session.id)
        log.info("signed out: sub=%s", session.user.subject)
    response = render(request, "signed_out.html", session=None)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=config(request).cookie_secure)
    return response


ROUTES = [
    Route("/signin", signin, methods=["GET"]),
    Route("/auth/callback", callback, methods=["GET"]),
    Route("/signout", signout, methods=["POST"]),
]
