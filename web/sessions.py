"""Server-side sessions: the browser holds only a random id in an HttpOnly, SameSite=Strict cookie.

The access token never reaches the browser. Sessions live in this process's memory (a restart signs
everyone out, which the sign-in flow handles by returning them to the page they were on); the store
is bounded, the oldest sessions go first.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["PendingSignIn", "Session", "SessionStore", "User", "binding_of", "pkce_pair"]

COOKIE = "hub_session"
MAX_SESSIONS = 10_000
MAX_PENDING = 10_000
PENDING_TTL_S = 600


@dataclass(frozen=True)
class User:
    """Who is signed in, as the identity provider's token says (for display and page choice only: the
    gateway checks the token itself on every request)."""

    subject: str
    name: str
    roles: tuple[str, ...]
    body_uscc: str | None
    region_code: str | None

    def has_any(self, roles: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return any(role in roles for role in self.roles)

    @classmethod
    def from_token(cls, token: str) -> User:
        """The claims of a token this server received from the token endpoint itself (back channel)."""
        try:
            payload = token.split(".")[1]
            claims: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError) as exc:
            raise ValueError("the identity provider's token is not a JWT") from exc
        roles = claims.get("roles") or []
        return cls(subject=str(claims.get("sub", "")), name=str(claims.get("name") or claims.get("sub", "")),
                   roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
                   body_uscc=claims.get("body_uscc"), region_code=claims.get("region_code"))


@dataclass
class Session:
    id: str
    token: str
    user: User
    csrf: str
    expires_at: float  # monotonic-free wall clock: the token's own expiry or the session cap, the earlier
    created_at: float = field(default_factory=time.time)

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in on its way through the identity provider: the PKCE verifier and where to return."""

    verifier: str
    next_path: str
    created_at: float
    #: SHA-256 of the browser's sign-in cookie: the callback must come from the browser that began it
    binding: str = ""


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge) pair, RFC 7636 §4.1–4.2."""
    verifier = secrets.token_urlsafe(48)  # 64 characters of the unreserved set
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def binding_of(browser: str) -> str:
    """What a pending sign-in keeps of the browser's sign-in cookie (a digest, not the value)."""
    return hashlib.sha256(browser.encode("utf-8", "replace")).hexdigest() if browser else ""


class SessionStore:
    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._pending: OrderedDict[str, PendingSignIn] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, next_path: str, browser: str = "") -> tuple[str, str]:
        """Start a sign-in: returns (state, S256 challenge); the verifier stays here under the state,
        bound to `browser` (the value of the browser's sign-in cookie)."""
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[state] = PendingSignIn(verifier, next_path, time.time(), binding_of(browser))
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
        return state, challenge

    def finish(self, state: str) -> PendingSignIn | None:
        """The pending sign-in of `state`, once (a replayed callback finds nothing)."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or time.time() - pending.created_at > PENDING_TTL_S:
            return None
        return pending

    def create(self, token: str, expires_in: int) -> Session:
        now = time.time()
        session = Session(id=secrets.token_urlsafe(32), token=token, user=User.from_token(token),
                          csrf=secrets.token_urlsafe(24), expires_at=now + min(expires_in, self.ttl_s))
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            return self._sessions.get(session_id)

    def drop(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)
