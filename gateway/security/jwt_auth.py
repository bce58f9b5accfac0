"""Authenticate callers by JWT (PyJWT) against the identity provider's JWKS, fetched with httpx.

Checks, in order: a bearer token of at most `max_token_bytes`; header ``alg`` in the allow-list
(ES256, RS256 -- never ``none`` or HMAC); a ``kid`` present in the JWKS (an unknown kid triggers
one refetch, at most once per `jwks_min_refresh_s`, which is how key rotation is picked up); the
key's type fits the algorithm; signature; ``iss``; ``aud``; ``exp`` / ``nbf`` / ``iat`` with
`leeway_s`; required claims ``iss sub aud iat exp``; a lifetime (``exp`` minus ``iat``, or minus now when
``iat`` lies ahead) of at most `max_lifetime_s`, so a leaked long-lived token is refused. Every failure is an `AuthenticationError`
(code UNAUTHENTICATED) with a `reason`; an unreachable JWKS with nothing cached is
`IdentityProviderUnavailable` (a stale cached key set keeps being used when a refresh fails).

The httpx client belongs to the application's lifespan and is passed in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx
import jwt

from gateway.security.errors import AuthenticationError, IdentityProviderUnavailable
from gateway.security.roles import Role

__all__ = [
    "JwksCache",
    "JwksKey",
    "JwtAuthenticator",
    "JwtSettings",
    "Principal",
    "Role",
    "bearer_token",
    "principal_from_claims",
]

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS: Final = frozenset({"ES256", "RS256"})
_KEY_TYPE_FOR_ALG: Final = {"ES256": "EC", "RS256": "RSA"}


_KNOWN_ROLES: Final = frozenset(r.value for r in Role)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the rest of the gateway sees it."""

    subject: str
    roles: frozenset[str]
    body_uscc: str | None
    region_code: str | None
    scopes: frozenset[str]
    client_id: str | None
    is_service: bool
    token_id: str | None
    expires_at: datetime
    name: str | None = None


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """How tokens are checked. `audience` is this gateway's identifier at the identity provider."""

    jwks_url: str
    issuer: str
    audience: str
    algorithms: tuple[str, ...] = ("ES256", "RS256")
    leeway_s: float = 30.0
    jwks_ttl_s: float = 600.0
    jwks_min_refresh_s: float = 30.0
    jwks_timeout_s: float = 5.0
    max_token_bytes: int = 8192
    #: the longest lifetime a token may have (exp - iat); the identity provider issues at most an hour
    max_lifetime_s: float = 12 * 3600.0

    def __post_init__(self) -> None:
        if self.max_lifetime_s <= 0:
            raise ValueError("max_lifetime_s must be positive")
        unknown = set(self.algorithms) - ALLOWED_ALGORITHMS
        if unknown or not self.algorithms:
            raise ValueError(f"algorithms must be a non-empty subset of {sorted(ALLOWED_ALGORITHMS)}")


def _unauthenticated(reason: str, message: str) -> AuthenticationError:
    return AuthenticationError(message, reason=reason)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    if not authorization:
        raise _unauthenticated("TOKEN_MISSING", "authentication required: no bearer token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("TOKEN_MISSING", "authentication required: expected a Bearer token")
    return token.strip()


@dataclass(frozen=True, slots=True)
class JwksKey:
    """One usable signing key of the JWKS."""

    jwk: jwt.PyJWK
    kty: str
    declared_alg: str | None


def _parse_jwks(document: object) -> dict[str, JwksKey]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document has no 'keys' list")
    keys: dict[str, JwksKey] = {}
    for item in document["keys"]:
        if not isinstance(item, dict):
            continue
        kid, kty, use, alg = item.get("kid"), item.get("kty"), item.get("use"), item.get("alg")
        if not isinstance(kid, str) or kty not in ("EC", "RSA") or use not in (None, "sig"):
            continue
        if alg is not None and alg not in ALLOWED_ALGORITHMS:
            continue
        try:
            parsed = jwt.PyJWK(item)
        except jwt.PyJWTError as exc:
            log.warning("skipping unusable JWKS key %s: %s", kid, exc)
            continue
        keys[kid] = JwksKey(jwk=parsed, kty=str(kty), declared_alg=alg if isinstance(alg, str) else None)
    return keys


class JwksCache:
    """The identity provider's signing keys, cached for `ttl_s`; refetched on an unknown kid."""

    def __init__(
        self,
        url: str,
        *,
        http: httpx.AsyncClient,
        ttl_s: float = 600.0,
        min_refresh_s: float = 30.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._http = http
        self._ttl_s = ttl_s
        self._min_refresh_s = min_refresh_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._keys: dict[str, JwksKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0  # successful and failed fetches, for tests and metrics

    async def _refresh(self) -> None:
        self._attempted_at = self._clock()
        self.fetch_count += 1
        try:
            response = await self._http.get(self._url, timeout=self._timeout_s)
            response.raise_for_status()
            keys = _parse_jwks(json.loads(response.content))
        except (httpx.HTTPError, ValueError) as exc:
            if not self._keys:
                raise IdentityProviderUnavailable("identity provider keys unavailable") from exc
            log.warning("JWKS refresh failed, keeping %d cached keys: %s", len(self._keys), exc)
            return
        self._keys = keys
        self._fetched_at = self._clock()

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._ttl_s

    def _may_refetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._min_refresh_s

    async def key_for(self, kid: str) -> JwksKey:
        """The key with id `kid`; refetches the JWKS when stale or when `kid` is unknown (rate-limited)."""
        if (self._stale() and self._may_refetch()) or not self._keys:
            async with self._lock:
                if (self._stale() and self._may_refetch()) or not self._keys:
                    await self._refresh()
        key = self._keys.get(kid)
        if key is None and self._may_refetch():
            async with self._lock:
                key = self._keys.get(kid)
                if key is None and self._may_refetch():
                    await self._refresh()
                    key = self._keys.get(kid)
        if key is None:
            raise _unauthenticated("UNKNOWN_KEY", "token signed with an unknown key")
        return key


_REQUIRED_CLAIMS: Final = ["iss", "sub", "aud", "iat", "exp"]


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _unauthenticated("MALFORMED_TOKEN", f"claim {name!r} must be a string")
    return value


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Build the `Principal` from verified claims (the claim names of the identity provider)."""
    roles_claim = claims.get("roles", [])
    if not isinstance(roles_claim, list) or not all(isinstance(r, str) for r in roles_claim):
        raise _unauthenticated("MALFORMED_TOKEN", "claim 'roles' must be a list of strings")
    scope_claim = claims.get("scope", "")
    if not isinstance(scope_claim, str):
        raise _unauthenticated("MALFORMED_TOKEN", "claim 'scope' must be a space-separated string")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _unauthenticated("MALFORMED_TOKEN", "claim 'sub' must be a non-empty string")
    is_service = claims.get("typ_sub") == "service"
    client_id = _optional_str(claims, "client_id")
    if is_service and not client_id:
        raise _unauthenticated("MALFORMED_TOKEN", "service token without 'client_id'")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise _unauthenticated("MALFORMED_TOKEN", "claim 'exp' must be a number")
    return Principal(
        subject=subject,
        roles=frozenset(r for r in roles_claim if r in _KNOWN_ROLES),
        body_uscc=_optional_str(claims, "body_uscc"),
        region_code=_optional_str(claims, "region_code"),
        scopes=frozenset(scope_claim.split()),
        client_id=client_id,
        is_service=is_service,
        token_id=_optional_str(claims, "jti"),
        expires_at=datetime.fromtimestamp(exp, tz=UTC),
        name=_optional_str(claims, "name"),
    )


class JwtAuthenticator:
    """Verifies tokens and returns `Principal`s. One per application, built in its lifespan."""

    def __init__(
        self,
        settings: JwtSettings,
        *,
        http: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._wall_clock = wall_clock
        self.jwks = JwksCache(
            settings.jwks_url,
            http=http,
            ttl_s=settings.jwks_ttl_s,
            min_refresh_s=settings.jwks_min_refresh_s,
            timeout_s=settings.jwks_timeout_s,
            clock=clock,
        )

    async def authenticate_header(self, authorization: str | None) -> Principal:
        """Authenticate an ``Authorization`` header value."""
        return await self.authenticate(bearer_token(authorization))

    async def authenticate(self, token: str) -> Principal:
        """Verify `token` and return its principal, or raise `AuthenticationError`."""
        if len(token.encode("utf-8", "surrogatepass")) > self.settings.max_token_bytes:
            raise _unauthenticated("MALFORMED_TOKEN", "token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthenticated("MALFORMED_TOKEN", "token is not a well-formed JWT") from exc
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.settings.algorithms:
            raise _unauthenticated("ALGORITHM_NOT_ALLOWED", "token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _unauthenticated("UNKNOWN_KEY", "token header has no key id")
        key = await self.jwks.key_for(kid)
        if key.kty != _KEY_TYPE_FOR_ALG[alg] or (key.declared_alg is not None and key.declared_alg != alg):
            raise _unauthenticated("ALGORITHM_NOT_ALLOWED", "token algorithm does not match its key")
        claims = self._decode(token, key, alg)
        self._check_lifetime(claims)
        return principal_from_claims(claims)

    def _check_lifetime(self, claims: Mapping[str, Any]) -> None:
        """Refuse a token that lives longer than `max_lifetime_s` (from its ``iat``, or from now when
        ``iat`` is not a number or lies ahead: a forged ``iat`` cannot shorten the lifetime)."""
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise _unauthenticated("MALFORMED_TOKEN", "claim 'exp' must be a number")
        now = self._wall_clock()
        start = iat if isinstance(iat, int | float) and not isinstance(iat, bool) and iat <= now else now
        if exp - start > self.settings.max_lifetime_s:
            raise _unauthenticated("TOKEN_LIFETIME_TOO_LONG",
                                   f"token lifetime exceeds {self.settings.max_lifetime_s:.0f} s")

    def _decode(self, token: str, key: JwksKey, alg: str) -> dict[str, Any]:
        s = self.settings
        try:
            return jwt.decode(
                token,
                key=key.jwk.key,
                algorithms=[alg],
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_s,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated("TOKEN_EXPIRED", "token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise _unauthenticated("TOKEN_NOT_YET_VALID", "token not yet valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise _unauthenticated("WRONG_AUDIENCE", "token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise _unauthenticated("WRONG_ISSUER", "token from an unexpected issuer") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise _unauthenticated("MALFORMED_TOKEN", f"token lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise _unauthenticated("BAD_SIGNATURE", "token signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise _unauthenticated("MALFORMED_TOKEN", "token is not acceptable") from exc
