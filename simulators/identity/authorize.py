"""The authorization endpoint (RFC 6749 §4.1 with PKCE, RFC 7636 S256) and the code redemption.

    GET  /oauth/authorize?response_type=code&client_id=..&redirect_uri=..&state=..
                          &code_challenge=..&code_challenge_method=S256[&scope=..][&expires_in=..]
         -> 200 the sign-in page, the request carried in hidden fields
    POST /oauth/authorize  (form: the hidden fields, form_token, username, password)
         -> 302 redirect_uri?code=..&state=..&iss=..  on a right password
         -> 200 the page again with 用户名或密码错误 (username kept, never the password)
         -> 400 the page again naming an empty field; 403 the page again when the form is stale or forged

Errors (§4.1.2.1): an unknown client or a redirect URI not registered for it gets a 400 error page and
no redirect; every other fault in the request is sent back to the redirect URI as
`error=invalid_request|unsupported_response_type|invalid_scope` with the state. `expires_in` (the
lifetime of the token the code will buy) is accepted only with the test flag (credentials
["allow_test_expiry"] == "1", or turned on with `PUT /__admin/test-expiry`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from simulators.base import Fault, SimulatorRuntime
from simulators.identity.clients import ClientRegistry, PublicClient
from simulators.identity.codes import CHALLENGE, CodeGrant, CodeRefused, CodeStore
from simulators.identity.directory import Directory
from simulators.identity.formguard import FORM_FIELD, FormGuard, cookie_header
from simulators.identity.signin_page import (
    FORM_EXPIRED,
    WRONG_CREDENTIALS,
    error_page,
    page_headers,
    sign_in_page,
)
from simulators.identity.tokens import LifetimePolicy, narrow_scope
from simulators.identity.wire import OAuthError, read_form

log = logging.getLogger("simulators.identity")

#: RFC 6749 §3.3: a scope token is printable ASCII without space, double quote or backslash
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*")
_OAUTH_FIELDS = ("response_type", "client_id", "redirect_uri", "state", "code_challenge",
                 "code_challenge_method", "scope", "expires_in")


@dataclass(frozen=True)
class AuthorizeRequest:
    """A checked authorization request."""

    client: PublicClient
    redirect_uri: str
    state: str | None
    code_challenge: str
    scope: str | None
    lifetime_s: int | None

    def hidden(self) -> dict[str, str]:
        fields = {"response_type": "code", "client_id": self.client.client_id, "redirect_uri": self.redirect_uri}
        if self.state is not None:
            fields["state"] = self.state
        fields.update(code_challenge=self.code_challenge, code_challenge_method="S256")
        if self.scope is not None:
            fields["scope"] = self.scope
        if self.lifetime_s is not None:
            fields["expires_in"] = str(self.lifetime_s)
        return fields


class ErrorPage(Exception):
    """The request cannot be answered at the client's redirect URI (it is not known to be the client's)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class ErrorRedirect(Exception):
    """An error to send back to the (checked) redirect URI."""

    def __init__(self, redirect_uri: str, state: str | None, code: str, description: str) -> None:
        super().__init__(description)
        self.redirect_uri, self.state, self.code, self.description = redirect_uri, state, code, description


def _only(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values and len(values) == 1 else None


def parse_request(
    fields: dict[str, list[str]], clients: ClientRegistry, test_lifetimes: tuple[int, int] | None
) -> AuthorizeRequest:
    """Check an authorization request; `ErrorPage` or `ErrorRedirect` when it cannot go on."""
    client = clients.get(_only(fields, "client_id"))
    if client is None:
        raise ErrorPage(400, "无法登录：应用未登记",
                        "请求中的应用标识（client_id）缺失、重复或未在统一身份认证平台登记。")
    redirect_uri = _only(fields, "redirect_uri")
    if redirect_uri is None or not client.allows_redirect(redirect_uri):
        raise ErrorPage(400, "无法登录：回调地址未登记",
                        f"请求中的回调地址（redirect_uri）缺失、重复或未为“{client.name}”登记，登录已停止。")
    state = _only(fields, "state")

    def refuse(code: str, description: str) -> ErrorRedirect:
        return ErrorRedirect(redirect_uri, state, code, description)

    repeated = sorted(name for name in _OAUTH_FIELDS if len(fields.get(name, [])) > 1)
    if repeated:
        raise refuse("invalid_request", f"parameters given more than once: {', '.join(repeated)}")
    response_type = _only(fields, "response_type")
    if not response_type:
        raise refuse("invalid_request", "response_type is required")
    if response_type != "code":
        raise refuse("unsupported_response_type", "only response_type=code is supported")
    challenge = _only(fields, "code_challenge")
    if not challenge:
        raise refuse("invalid_request", "code_challenge is required (PKCE)")
    if _only(fields, "code_challenge_method") != "S256":
        raise refuse("invalid_request", "code_challenge_method must be S256")
    if CHALLENGE.fullmatch(challenge) is None:
        raise refuse("invalid_request", "code_challenge must be 43 base64url characters")
    scope = _only(fields, "scope") or None
    if scope is not None and _SCOPE.fullmatch(scope) is None:
        raise refuse("invalid_scope", "scope must be space-separated scope tokens")
    return AuthorizeRequest(client, redirect_uri, state, challenge, scope,
                            _lifetime(_only(fields, "expires_in"), test_lifetimes, refuse))


def _lifetime(
    value: str | None, test_lifetimes: tuple[int, int] | None, refuse: Callable[[str, str], ErrorRedirect]
) -> int | None:
    if value is None or value == "":
        return None
    if test_lifetimes is None:
        raise refuse("invalid_request", "expires_in on an authorization request is for tests only")
    low, high = test_lifetimes
    try:
        seconds = int(value)
    except ValueError as exc:
        raise refuse("invalid_request", "expires_in must be an integer") from exc
    if not low <= seconds <= high:
        raise refuse("invalid_request", f"expires_in must be between {low} and {high}")
    return seconds


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_HOST_PORT = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?")


def _origin(uri: str) -> str:
    """The CSP source a redirect to `uri` needs: its origin, or its scheme alone for a private-use
    scheme of a native app (RFC 8252 §7.1, `cn.example.app:/auth/callback`)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if _SCHEME.fullmatch(scheme) is None:
        return "'none'"
    if parts.netloc and _HOST_PORT.fullmatch(parts.netloc):
        return f"{scheme}://{parts.netloc}"
    return f"{scheme}:"


class AuthorizeEndpoint:
    """GET shows the sign-in page, POST signs in and answers the client with a code."""

    def __init__(
        self,
        *,
        runtime: SimulatorRuntime,
        directory: Directory,
        clients: ClientRegistry,
        codes: CodeStore,
        guard: FormGuard,
        issuer_url: Callable[[Request], str],
        lifetimes: LifetimePolicy,
    ) -> None:
        self._runtime = runtime
        self._directory = directory
        self._clients = clients
        self._codes = codes
        self._guard = guard
        self._issuer_url = issuer_url
        self._lifetimes = lifetimes

    async def show(self, request: Request) -> Response:
        fields: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            fields.setdefault(name, []).append(value)
        try:
            await self._enter("authorize")
            auth = parse_request(fields, self._clients, self._lifetimes.at_authorize)
        except ErrorPage as exc:
            return _error(exc)
        except ErrorRedirect as exc:
            return self._refusal(request, exc)
        return self._form(request, auth, status=200)

    async def sign_in(self, request: Request) -> Response:
        try:
            await self._enter("sign_in")
            fields = await read_form(request)
            auth = parse_request(fields, self._clients, self._lifetimes.at_authorize)
        except OAuthError as exc:
            return _error(ErrorPage(400, "无法登录", f"登录请求格式不正确：{exc}"))
        except ErrorPage as exc:
            return _error(exc)
        except ErrorRedirect as exc:
            return self._refusal(request, exc)
        client_id = auth.client.client_id
        if not self._guard.accepts(request, _only(fields, FORM_FIELD) or ""):
            log.warning("sign-in form refused (stale, forged or cross-site): client=%s", client_id)
            return self._form(request, auth, status=403, error=FORM_EXPIRED)
        username = (_only(fields, "username") or "").strip()
        password = _only(fields, "password") or ""
        missing = frozenset(name for name, value in (("username", username), ("password", password)) if not value)
        if missing:
            return self._form(request, auth, status=400, username=username, missing=missing)
        principal = self._directory.user(username, password)
        if principal is None:
            log.info("sign-in refused: wrong username or password, client=%s", client_id)  # never the name typed
            return self._form(request, auth, status=200, username=username, error=WRONG_CREDENTIALS)
        try:
            scope = narrow_scope(principal, auth.scope)
        except OAuthError as exc:
            return self._refusal(request, ErrorRedirect(auth.redirect_uri, auth.state, exc.code, str(exc)))
        code = self._codes.issue(client_id=client_id, redirect_uri=auth.redirect_uri,
                                 code_challenge=auth.code_challenge, principal=principal, scope=scope,
                                 lifetime_s=auth.lifetime_s)
        log.info("sign-in: sub=%s client=%s", principal.subject, client_id)
        answer = {"code": code}
        if auth.state is not None:
            answer["state"] = auth.state
        answer["iss"] = self._issuer_url(request)
        return RedirectResponse(_with_query(auth.redirect_uri, answer), status_code=302,
                                headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def _enter(self, operation: str) -> None:
        self._runtime.count(operation)
        try:
            await self._runtime.apply_faults()
        except Fault as exc:
            raise ErrorPage(503, "统一身份认证服务暂不可用",
                            "统一身份认证服务暂时无法处理登录，请稍后再试。") from exc

    def _form(
        self,
        request: Request,
        auth: AuthorizeRequest,
        *,
        status: int,
        username: str = "",
        error: str | None = None,
        missing: frozenset[str] = frozenset(),
    ) -> Response:
        cookie, token = self._guard.bind(request)
        html = sign_in_page(client_name=auth.client.name, hidden={**auth.hidden(), FORM_FIELD: token},
                            username=username, error=error, missing=missing)
        headers = page_headers(form_action=_origin(auth.redirect_uri))
        headers["Set-Cookie"] = cookie_header(cookie)
        return HTMLResponse(html, status_code=status, headers=headers)

    def _refusal(self, request: Request, exc: ErrorRedirect) -> Response:
        log.info("authorization refused: error=%s (%s)", exc.code, exc.description)
        answer = {"error": exc.code, "error_description": exc.description}
        if exc.state is not None:
            answer["state"] = exc.state
        answer["iss"] = self._issuer_url(request)
        return RedirectResponse(_with_query(exc.redirect_uri, answer), status_code=302,
                                headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _error(exc: ErrorPage) -> Response:
    log.info("authorization stopped without redirect: %s", exc.title)
    return HTMLResponse(error_page(title=exc.title, message=exc.message), status_code=exc.status,
                        headers=page_headers(form_action=None))


_CODE_FIELDS = ("code", "redirect_uri", "client_id", "code_verifier")


def redeem(form: dict[str, str], *, clients: ClientRegistry, codes: CodeStore) -> CodeGrant:
    """The grant behind an authorization_code token request (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
    missing = [name for name in _CODE_FIELDS if not form.get(name)]
    if missing:
        raise OAuthError(400, "invalid_request", f"required: {', '.join(missing)}")
    client_id = form["client_id"]
    if clients.get(client_id) is None:
        raise OAuthError(401, "invalid_client")
    try:
        return codes.redeem(form["code"], client_id=client_id, redirect_uri=form["redirect_uri"],
                            verifier=form["code_verifier"])
    except CodeRefused as exc:
        log.info("authorization code refused: client=%s reason=%s", client_id, exc.reason)
        raise OAuthError(400, "invalid_grant", exc.reason) from exc
