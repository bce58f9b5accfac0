"""JWT authentication against a JWKS served over real HTTP on loopback."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.security.errors import AuthenticationError, IdentityProviderUnavailable
from gateway.security.jwt_auth import JwtAuthenticator, JwtSettings, Principal, bearer_token
from tests.support.servers import serve

ISSUER = "https://idp.test.local/realms/enforcement"
AUDIENCE = "enforcement-hub"


@dataclass
class Idp:
    """A tiny identity provider: keys it signs with and the JWKS document it publishes."""

    published: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    failing: bool = False

    def app(self) -> Starlette:
        async def jwks(_: Request) -> Response:
            self.requests += 1
            if self.failing:
                return Response("down", status_code=503)
            return JSONResponse({"keys": self.published})

        return Starlette(routes=[Route("/jwks.json", jwks)])


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def publish(idp: Idp, kid: str, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, alg: str) -> None:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    idp.published.append({**jwk, "kid": kid, "use": "sig", "alg": alg})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "officer-0001",
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "t-1",
        "name": "张三",
        "roles": ["OFFICER", "LEGAL_REVIEWER", "SOMETHING_ELSE"],
        "body_uscc": "11445100MB2C12345X",
        "region_code": "445102",
        "scope": "case:read case:write",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any, kid: str, alg: str = "ES256", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def idp() -> Iterator[tuple[Idp, str]]:
    provider = Idp()
    with serve(provider.app()) as base_url:
        yield provider, f"{base_url}/jwks.json"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def authenticator(url: str, http: httpx.AsyncClient, **overrides: Any) -> JwtAuthenticator:
    settings = JwtSettings(jwks_url=url, issuer=ISSUER, audience=AUDIENCE, **overrides)
    return JwtAuthenticator(settings, http=http)


async def reason_of(auth: JwtAuthenticator, token: str) -> str:
    with pytest.raises(AuthenticationError) as info:
        await auth.authenticate(token)
    assert info.value.code == "UNAUTHENTICATED"
    assert info.value.to_graphql()["extensions"]["code"] == "UNAUTHENTICATED"
    return info.value.reason


async def test_valid_token_gives_typed_principal(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http)
    principal = await auth.authenticate_header(f"Bearer {sign(key, 'k1')}")
    assert isinstance(principal, Principal)
    assert principal.subject == "officer-0001"
    assert principal.roles == frozenset({"OFFICER", "LEGAL_REVIEWER"})  # unknown role dropped
    assert principal.scopes == frozenset({"case:read", "case:write"})
    assert (principal.body_uscc, principal.region_code, principal.token_id) == ("11445100MB2C12345X", "445102", "t-1")
    assert principal.is_service is False
    assert principal.client_id is None
    assert principal.expires_at > datetime.now(UTC)
    # second token: served from the cache
    await auth.authenticate(sign(key, "k1"))
    assert provider.requests == 1


async def test_service_token(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http)
    token = sign(key, "k1", typ_sub="service", client_id="market-supervision-sync", roles=["DEPARTMENT_SYSTEM"])
    principal = await auth.authenticate(token)
    assert principal.is_service
    assert principal.client_id == "market-supervision-sync"
    assert principal.roles == frozenset({"DEPARTMENT_SYSTEM"})
    assert await reason_of(auth, sign(key, "k1", typ_sub="service")) == "MALFORMED_TOKEN"


async def test_rs256_is_accepted(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    publish(provider, "rsa-1", key, "RS256")
    principal = await authenticator(url, http).authenticate(sign(key, "rsa-1", alg="RS256"))
    assert principal.subject == "officer-0001"


async def test_key_rotation_refetches_on_unknown_kid(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    old, new = ec_key(), ec_key()
    publish(provider, "old", old, "ES256")
    auth = authenticator(url, http, jwks_min_refresh_s=0.0)
    await auth.authenticate(sign(old, "old"))
    assert provider.requests == 1
    publish(provider, "new", new, "ES256")  # the provider rotates
    principal = await auth.authenticate(sign(new, "new"))
    assert principal.subject == "officer-0001"
    assert provider.requests == 2


async def test_unknown_kid_refetch_is_rate_limited(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key, stranger = ec_key(), ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http, jwks_min_refresh_s=3600.0)
    await auth.authenticate(sign(key, "k1"))
    for _ in range(5):
        assert await reason_of(auth, sign(stranger, f"forged-{_}")) == "UNKNOWN_KEY"
    assert provider.requests == 1  # no refetch storm


async def test_expired_and_not_yet_valid(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http, leeway_s=5.0)
    now = int(time.time())
    assert await reason_of(auth, sign(key, "k1", iat=now - 7200, nbf=now - 7200, exp=now - 60)) == "TOKEN_EXPIRED"
    assert await reason_of(auth, sign(key, "k1", nbf=now + 600)) == "TOKEN_NOT_YET_VALID"
    # within the leeway: accepted
    await auth.authenticate(sign(key, "k1", iat=now - 100, nbf=now - 100, exp=now - 2))


async def test_other_audience_and_wrong_issuer(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http)
    assert await reason_of(auth, sign(key, "k1", aud="another-app")) == "WRONG_AUDIENCE"
    assert await reason_of(auth, sign(key, "k1", iss="https://evil.example/realm")) == "WRONG_ISSUER"
    assert await reason_of(auth, sign(key, "k1", aud=None)) == "MALFORMED_TOKEN"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_tampered_token_and_wrong_key(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http)
    header_b64, _payload_b64, signature_b64 = sign(key, "k1").split(".")
    promoted = _b64(json.dumps(claims(roles=["SUPERVISOR"])).encode())
    assert await reason_of(auth, f"{header_b64}.{promoted}.{signature_b64}") == "BAD_SIGNATURE"
    assert await reason_of(auth, sign(ec_key(), "k1")) == "BAD_SIGNATURE"  # right kid, wrong key
    assert await reason_of(auth, "not-a-jwt") == "MALFORMED_TOKEN"
    assert await reason_of(auth, "x" * 20000) == "MALFORMED_TOKEN"


async def test_alg_none_and_hmac_are_refused(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http)
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "k1"}).encode())
    payload = _b64(json.dumps(claims()).encode())
    assert await reason_of(auth, f"{header}.{payload}.") == "ALGORITHM_NOT_ALLOWED"
    hs = jwt.encode(claims(), "a-shared-secret-of-32-bytes-long!", algorithm="HS256", headers={"kid": "k1"})
    assert await reason_of(auth, hs) == "ALGORITHM_NOT_ALLOWED"
    assert provider.requests == 0  # refused before any key lookup


async def test_algorithm_must_match_the_key(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    publish(provider, "rsa-1", rsa_key, "RS256")
    token = sign(ec_key(), "rsa-1", alg="ES256")  # ES256 header pointing at an RSA key
    assert await reason_of(authenticator(url, http), token) == "ALGORITHM_NOT_ALLOWED"


async def test_missing_header_and_scheme() -> None:
    for value in [None, "", "Basic abc", "Bearer   "]:
        with pytest.raises(AuthenticationError) as info:
            bearer_token(value)
        assert info.value.reason == "TOKEN_MISSING"
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"


async def test_idp_down_with_nothing_cached(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    provider.failing = True
    key = ec_key()
    with pytest.raises(IdentityProviderUnavailable) as info:
        await authenticator(url, http).authenticate(sign(key, "k1"))
    assert info.value.http_status == 503


async def test_idp_down_keeps_using_cached_keys(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http, jwks_ttl_s=0.0, jwks_min_refresh_s=0.0)
    await auth.authenticate(sign(key, "k1"))
    provider.failing = True
    principal = await auth.authenticate(sign(key, "k1"))  # stale cache, failed refresh: still served
    assert principal.subject == "officer-0001"
    assert provider.requests >= 2


def test_settings_reject_weak_algorithms() -> None:
    with pytest.raises(ValueError, match="algorithms"):
        JwtSettings(jwks_url="http://127.0.0.1/x", issuer=ISSUER, audience=AUDIENCE, algorithms=("HS256",))


async def test_token_living_longer_than_the_maximum_is_refused(idp: tuple[Idp, str], http: httpx.AsyncClient) -> None:
    provider, url = idp
    key = ec_key()
    publish(provider, "k1", key, "ES256")
    auth = authenticator(url, http, max_lifetime_s=3600)
    now = int(time.time())
    assert (await auth.authenticate(sign(key, "k1", exp=now + 3600))).subject == "officer-0001"
    assert await reason_of(auth, sign(key, "k1", exp=now + 3601)) == "TOKEN_LIFETIME_TOO_LONG"
    ten_years = 10 * 365 * 86400
    assert await reason_of(auth, sign(key, "k1", exp=now + ten_years)) == "TOKEN_LIFETIME_TOO_LONG"
    # an iat moved forward (within the leeway) does not shorten the lifetime: it counts from now
    assert await reason_of(auth, sign(key, "k1", iat=now + 20, nbf=now, exp=now + 3610)) == "TOKEN_LIFETIME_TOO_LONG"
    # issued long ago, expiring soon: the lifetime counts from iat
    assert await reason_of(auth, sign(key, "k1", iat=now - 86400, nbf=now - 86400, exp=now + 60)) \
        == "TOKEN_LIFETIME_TOO_LONG"
    assert JwtSettings(jwks_url=url, issuer=ISSUER, audience=AUDIENCE).max_lifetime_s == 12 * 3600
    with pytest.raises(ValueError, match="max_lifetime_s"):
        JwtSettings(jwks_url=url, issuer=ISSUER, audience=AUDIENCE, max_lifetime_s=0)
