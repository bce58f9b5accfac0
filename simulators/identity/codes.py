"""Authorization codes (RFC 6749 §4.1.2) and the PKCE check that redeems them (RFC 7636, S256 only).

A code is random (`secrets.token_urlsafe`), valid for 60 s, redeemable once, and bound to the
client, the redirect URI, the code challenge, the signed-in principal, the scope asked for and the
token lifetime asked for. The store keeps only a hash of each code. Any redemption that names a
live code spends it, whether or not the rest of the request is right: a stolen code gets one try,
and a code used twice is refused (RFC 6749 §4.1.2 "MUST deny"). Spent codes are remembered until
they would have expired, so the refusal can say "reused" in the log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from simulators.identity.directory import Principal

CODE_TTL_S = 60.0
#: at most this many live codes (and as many spent ones) are kept; the oldest go first
MAX_CODES = 10_000

#: RFC 7636 §4.1: 43..128 characters of the unreserved set
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
#: RFC 7636 §4.2: BASE64URL(SHA256(verifier)) without padding is always 43 characters
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def s256(verifier: str) -> str:
    """The S256 code challenge of `verifier`."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    """Whether `verifier` is well formed and its S256 challenge is `challenge` (constant-time compare)."""
    if VERIFIER.fullmatch(verifier) is None or CHALLENGE.fullmatch(challenge) is None:
        return False
    return hmac.compare_digest(s256(verifier), challenge)


@dataclass(frozen=True)
class CodeGrant:
    """What a code stands for."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    principal: Principal
    scope: str | None
    lifetime_s: int | None
    expires_at: float


class CodeRefused(Exception):
    """A code that cannot be redeemed; `reason` is for the log only (the client sees invalid_grant)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _key(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class CodeStore:
    """Live and spent codes, in memory, oldest first."""

    def __init__(self, clock: Callable[[], float], *, ttl_s: float = CODE_TTL_S, max_codes: int = MAX_CODES) -> None:
        self._clock = clock
        self._ttl_s = ttl_s
        self._max = max_codes
        self._live: OrderedDict[str, CodeGrant] = OrderedDict()
        self._spent: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        code_challenge: str,
        principal: Principal,
        scope: str | None,
        lifetime_s: int | None,
    ) -> str:
        code = secrets.token_urlsafe(32)
        grant = CodeGrant(client_id, redirect_uri, code_challenge, principal, scope, lifetime_s,
                          self._clock() + self._ttl_s)
        with self._lock:
            self._prune()
            while len(self._live) >= self._max:
                self._live.popitem(last=False)
            self._live[_key(code)] = grant
        return code

    def redeem(self, code: str, *, client_id: str, redirect_uri: str, verifier: str) -> CodeGrant:
        """The grant behind `code`, spending it; `CodeRefused` when any binding does not hold."""
        key = _key(code)
        now = self._clock()
        with self._lock:
            self._prune()
            grant = self._live.pop(key, None)
            if grant is None:
                raise CodeRefused("reused" if key in self._spent else "unknown")
            while len(self._spent) >= self._max:
                self._spent.popitem(last=False)
            self._spent[key] = grant.expires_at
        if now > grant.expires_at:
            raise CodeRefused("expired")
        if grant.client_id != client_id:
            raise CodeRefused("client_id differs")
        if grant.redirect_uri != redirect_uri:
            raise CodeRefused("redirect_uri differs")
        if not verifier_matches(verifier, grant.code_challenge):
            raise CodeRefused("code_verifier does not match")
        return grant

    def live_count(self) -> int:
        with self._lock:
            return len(self._live)

    def _prune(self) -> None:
        """Forget spent codes past their expiry, and live ones a ttl past it (bounded by the sizes)."""
        now = self._clock()
        for _ in range(len(self._spent)):
            key, expires_at = next(iter(self._spent.items()))
            if expires_at >= now:
                break
            del self._spent[key]
        for _ in range(len(self._live)):
            key, grant = next(iter(self._live.items()))
            if grant.expires_at + self._ttl_s >= now:
                break
            del self._live[key]  # kept a ttl past expiry so that a late redemption is logged as "expired"
