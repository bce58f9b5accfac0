"""Sign-in and sign-out: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636) against the
identity provider; the token stays on this server, the browser gets a session cookie (HttpOnly,
SameSite=Strict) and nothing else.

    GET  /signin?next=/alerts   -> 302 to the provider's /oauth/authorize (state, S256 challenge)
    GET  /auth/callback         -> code + state -> token (back channel) -> session -> 303 to `next`
    POST /signout               -> (CSRF-checked) the session is dropped -> the signed-out page
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.pagekit import checked_form, config, current, render, sessions
from web.sessions import COOKIE

__all__ = ["ROUTES", "safe_next"]

log = logging.getLogger("web.auth")


def safe_next(value: str | None) -> str:
    """Only a path of this site: never `//other.host` or `https://...` (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value[:2000]


async def signin(request: Request) -> Response:
    cfg = config(request)
    next_path = safe_next(request.query_params.get("next"))
    state, challenge = sessions(request).begin(next_path)
    params = {"response_type": "code", "client_id": cfg.client_id, "redirect_uri": cfg.redirect_uri,
              "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
    if request.app.state.test_token_lifetime:
        params["expires_in"] = str(request.app.state.test_token_lifetime)
    return RedirectResponse(f"{cfg.authorize_url}?{urlencode(params)}", status_code=302)


async def callback(request: Request) -> Response:
    cfg = config(request)
    error = request.query_params.get("error")
    state = request.query_params.get("state", "")
    pending = sessions(request).finish(state) if state else None
    if error:
        log.info("sign-in refused by the identity provider: %s", error)
        return render(request, "signin_failed.html", {"reason": "统一身份认证拒绝了登录请求", "code": error}, status=400)
    code = request.query_params.get("code")
    if pending is None or not code:
        log.warning("sign-in callback with an unknown or used state")
        return render(request, "signin_failed.html", {"reason": "登录请求已失效或已使用，请重新登录", "code": "invalid_state"},
                      status=400)
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
    body = answer.json()
    try:
        session = sessions(request).create(str(body["access_token"]), int(body.get("expires_in", 300)))
    except (KeyError, ValueError) as exc:
        log.warning("token endpoint answer unusable: %s", exc)
        return render(request, "signin_failed.html", {"reason": "统一身份认证返回了无法识别的结果", "code": "bad_token"},
                      status=502)
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
