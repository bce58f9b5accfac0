"""Access tokens: ES256 JWTs with the hub's claims, signed by the key ring's current key.

Claims: iss, sub, aud, iat, nbf, exp, jti, name, roles, body_uscc, region_code, scope; services also
carry client_id and "typ_sub": "service". The header names the signing key's `kid`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from simulators.identity.directory import Principal
from simulators.identity.keys import ALGORITHM, KeyRing
from simulators.identity.wire import OAuthError

DEFAULT_AUDIENCE = "enforcement-hub"
DEFAULT_LIFETIME_S = 3600
#: without the test flag a caller may ask for a lifetime in this range only
NORMAL_LIFETIME_RANGE = (300, 3600)
#: with the test flag (credentials["allow_test_expiry"] == "1"), already expired tokens are possible
TEST_LIFETIME_RANGE = (-86_400, 86_400)


class LifetimePolicy:
    """Which token lifetimes a caller may ask for; the test flag can be turned on and off while running
    (`PUT /__admin/test-expiry`), so a test of a whole stack can hold short-lived tokens."""

    def __init__(self, *, allow_test_expiry: bool) -> None:
        self.allow_test_expiry = allow_test_expiry

    @property
    def allowed(self) -> tuple[int, int]:
        return TEST_LIFETIME_RANGE if self.allow_test_expiry else NORMAL_LIFETIME_RANGE

    @property
    def at_authorize(self) -> tuple[int, int] | None:
        """The range an authorization request may ask for (None: it may not ask)."""
        return TEST_LIFETIME_RANGE if self.allow_test_expiry else None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    scope: str
    kid: str


def narrow_scope(principal: Principal, requested: str | None) -> str | None:
    """The scope asked for, when every part of it is the principal's (None: the whole role scope).

    Raises `OAuthError` invalid_scope naming what the principal does not hold."""
    if not requested:
        return None
    allowed = principal.scope.split()
    wanted = requested.split()
    refused = [s for s in wanted if s not in allowed]
    if refused:
        raise OAuthError(400, "invalid_scope", f"not granted to this identity: {' '.join(refused)}")
    return " ".join(dict.fromkeys(wanted))


class TokenIssuer:
    def __init__(self, keys: KeyRing, clock: Callable[[], float]) -> None:
        self._keys = keys
        self._clock = clock

    def issue(
        self, principal: Principal, *, issuer: str, audience: str, lifetime_s: int, scope: str | None = None
    ) -> IssuedToken:
        """Sign a token for `principal`; `scope` narrows the role scope (already checked by the caller)."""
        granted = principal.scope if scope is None else scope
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": principal.subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_s,
            "jti": uuid.uuid4().hex,
            "name": principal.name,
            "roles": list(principal.roles),
            "body_uscc": principal.body_uscc,
            "region_code": principal.region_code,
            "scope": granted,
        }
        if principal.client_id is not None:
            claims["client_id"] = principal.client_id
            claims["typ_sub"] = "service"
        key = self._keys.current
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return IssuedToken(token=token, expires_in=lifetime_s, scope=granted, kid=key.kid)
