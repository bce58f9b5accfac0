"""Protection of the sign-in form against forged submissions (login CSRF), enough for a simulator.

Showing the form sets a random cookie (HttpOnly, SameSite=Strict, path /oauth/authorize) and puts a
form token in a hidden field: `<issued>.<HMAC-SHA256(server secret, cookie|issued)>`, valid 15
minutes. A submission is accepted only when the token matches the cookie the browser sent, and, when
the browser says where the request comes from, it comes from this origin (`Origin` equal to this
server's, `Sec-Fetch-Site` "same-origin" or "none"). The secret is random per process: a restart
invalidates open forms, which then ask the user to sign in again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from starlette.requests import Request

FORM_COOKIE = "idp_form"
FORM_FIELD = "form_token"
FORM_TOKEN_TTL_S = 900
COOKIE_PATH = "/oauth/authorize"

_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{32}")
_TOKEN = re.compile(r"(?P<issued>[0-9]{1,12})\.(?P<mac>[0-9a-f]{64})")


class FormGuard:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._secret = secrets.token_bytes(32)

    def _mac(self, cookie: str, issued: int) -> str:
        return hmac.new(self._secret, f"{cookie}|{issued}".encode(), hashlib.sha256).hexdigest()

    def bind(self, request: Request) -> tuple[str, str]:
        """(cookie value, form token) for a form about to be shown; keeps the browser's cookie when valid."""
        cookie = request.cookies.get(FORM_COOKIE, "")
        if _COOKIE_VALUE.fullmatch(cookie) is None:
            cookie = secrets.token_urlsafe(24)
        issued = int(self._clock())
        return cookie, f"{issued}.{self._mac(cookie, issued)}"

    def accepts(self, request: Request, token: str) -> bool:
        """Whether a submission carrying `token` comes from a form this server showed this browser."""
        if not _same_origin(request):
            return False
        cookie = request.cookies.get(FORM_COOKIE, "")
        match = _TOKEN.fullmatch(token)
        if match is None or _COOKIE_VALUE.fullmatch(cookie) is None:
            return False
        issued = int(match.group("issued"))
        if not 0 <= self._clock() - issued <= FORM_TOKEN_TTL_S:
            return False
        return hmac.compare_digest(match.group("mac"), self._mac(cookie, issued))


def _same_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def cookie_header(value: str) -> str:
    return f"{FORM_COOKIE}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age={FORM_TOKEN_TTL_S}"
