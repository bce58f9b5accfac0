"""The simulated identity provider over real HTTP: tokens verify against its JWKS, rotation, expiry."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.base import SimConfig
from simulators.identity.app import create_app
from tests.support.servers import serve

AUDIENCE = "enforcement-hub"
DEMO_USERS = {
    "officer1": ["OFFICER"],
    "officer2": ["OFFICER"],
    "reviewer1": ["OFFICER", "LEGAL_REVIEWER"],
    "head1": ["BODY_HEAD"],
    "supervisor1": ["SUPERVISOR"],
    "auditor1": ["AUDITOR"],
    "public1": ["PUBLIC"],
}

# -- GB 32100 check (to check the body codes the tokens carry) --------------------------------------

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in CHARSET for c in code):
        return False
    total = sum(CHARSET.index(char) * pow(3, i, 31) for i, char in enumerate(code[:17]))
    check = 31 - total % 31
    return code[17] == CHARSET[0 if check == 31 else check]


def uscc(body17: str) -> str:
    total = sum(CHARSET.index(char) * pow(3, i, 31) for i, char in enumerate(body17))
    check = 31 - total % 31
    return body17 + CHARSET[0 if check == 31 else check]


def test_uscc_check_accepts_the_published_example_only() -> None:
    assert uscc_is_valid("91350100M000100Y43")
    assert not uscc_is_valid("91350100M000100Y4Z")


# -- helpers ----------------------------------------------------------------------------------------------


def start(data_dir: Path, **credentials: str) -> Any:
    return serve(create_app(SimConfig(admin=True, data_dir=data_dir, credentials=credentials)))


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    with start(tmp_path, allow_test_expiry="1") as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10.0) as c:
        yield c


def password_token(client: httpx.Client, username: str, password: str | None = None, **extra: Any) -> httpx.Response:
    form = {"grant_type": "password", "username": username, "password": password or f"{username}-pass", **extra}
    return client.post("/oauth/token", data=form)


def token_of(client: httpx.Client, username: str, **extra: Any) -> str:
    response = password_token(client, username, **extra)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def verify(token: str, jwks: dict[str, Any], *, issuer: str, audience: str = AUDIENCE) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["ES256"], issuer=issuer, audience=audience)
    return claims


def jwks_of(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/jwks.json")
    assert response.status_code == 200
    keys: dict[str, Any] = response.json()
    return keys


# -- discovery and tokens ---------------------------------------------------------------------------------


def test_discovery_points_at_this_server(client: httpx.Client, base_url: str) -> None:
    config = client.get("/.well-known/openid-configuration").json()

    assert config["issuer"] == base_url
    assert config["token_endpoint"] == base_url + "/oauth/token"
    assert config["jwks_uri"] == base_url + "/jwks.json"
    assert client.get(config["jwks_uri"]).status_code == 200


def test_jwks_publishes_one_p256_public_key(client: httpx.Client) -> None:
    keys = jwks_of(client)["keys"]

    assert len(keys) == 1
    assert keys[0]["kty"] == "EC"
    assert keys[0]["crv"] == "P-256"
    assert keys[0]["alg"] == "ES256"
    assert "d" not in keys[0]  # never the private part


@pytest.mark.parametrize(("username", "roles"), DEMO_USERS.items())
def test_each_demo_user_gets_a_token_that_verifies(
    client: httpx.Client, base_url: str, username: str, roles: list[str]
) -> None:
    response = password_token(client, username)
    body = response.json()

    claims = verify(body["access_token"], jwks_of(client), issuer=base_url)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert claims["roles"] == roles
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] <= time.time() + 1
    assert claims["scope"] == body["scope"]
    assert claims["name"]
    assert "typ_sub" not in claims
    assert jwt.get_unverified_header(body["access_token"])["kid"] == jwks_of(client)["keys"][0]["kid"]


def test_role_claims_carry_body_region_and_scope(client: httpx.Client, base_url: str) -> None:
    jwks = jwks_of(client)
    officer = verify(token_of(client, "officer1"), jwks, issuer=base_url)
    supervisor = verify(token_of(client, "supervisor1"), jwks, issuer=base_url)
    public = verify(token_of(client, "public1"), jwks, issuer=base_url)

    assert uscc_is_valid(officer["body_uscc"])
    assert officer["region_code"].startswith("4451")
    assert {"cases:read", "cases:write", "population:read"} <= set(officer["scope"].split())
    assert uscc_is_valid(supervisor["body_uscc"])
    assert supervisor["region_code"] == "445100"
    assert "supervision:read" in supervisor["scope"].split()
    assert "supervision:read" not in officer["scope"].split()
    assert public["body_uscc"] is None
    assert public["region_code"] is None
    assert "cases:read" not in public["scope"].split()


def test_every_token_has_its_own_jti(client: httpx.Client, base_url: str) -> None:
    jwks = jwks_of(client)
    first = verify(token_of(client, "officer1"), jwks, issuer=base_url)
    second = verify(token_of(client, "officer1"), jwks, issuer=base_url)

    assert first["jti"] != second["jti"]
    assert first["sub"] == second["sub"]


@pytest.mark.parametrize(("username", "password"), [("officer1", "wrong"), ("nobody", "nobody-pass"), ("officer1", "")])
def test_wrong_password_or_unknown_user_is_invalid_grant(client: httpx.Client, username: str, password: str) -> None:
    response = client.post("/oauth/token", data={"grant_type": "password", "username": username, "password": password})

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "x"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, "invalid_request"),
        ({"username": "officer1", "password": "officer1-pass"}, "invalid_request"),
        ({"grant_type": "password", "username": "officer1"}, "invalid_request"),
    ],
)
def test_malformed_token_requests_are_refused(client: httpx.Client, form: dict[str, str], error: str) -> None:
    response = client.post("/oauth/token", data=form)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_a_json_body_is_not_a_token_request(client: httpx.Client) -> None:
    response = client.post("/oauth/token", json={"grant_type": "password", "username": "officer1"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# -- service identities -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("client_id", "role"), [("dept-system", "DEPARTMENT_SYSTEM"), ("supervision-engine", "SUPERVISOR")])
def test_service_clients_get_service_tokens(client: httpx.Client, base_url: str, client_id: str, role: str) -> None:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": f"{client_id}-secret"}

    response = client.post("/oauth/token", data=form)
    claims = verify(response.json()["access_token"], jwks_of(client), issuer=base_url)

    assert response.status_code == 200
    assert claims["client_id"] == client_id
    assert claims["typ_sub"] == "service"
    assert claims["sub"] == client_id
    assert claims["roles"] == [role]


def test_client_may_authenticate_with_http_basic(client: httpx.Client, base_url: str) -> None:
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("dept-system", "dept-system-secret")
    )

    assert response.status_code == 200
    assert verify(response.json()["access_token"], jwks_of(client), issuer=base_url)["client_id"] == "dept-system"


@pytest.mark.parametrize(("client_id", "secret"), [("dept-system", "wrong"), ("stranger", "stranger-secret")])
def test_unknown_client_or_wrong_secret_is_invalid_client(client: httpx.Client, client_id: str, secret: str) -> None:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}

    response = client.post("/oauth/token", data=form)

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


def test_bad_basic_header_is_invalid_client(client: httpx.Client) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    )

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


# -- verification failures ----------------------------------------------------------------------------------


def test_audience_can_be_chosen_and_is_checked(client: httpx.Client, base_url: str) -> None:
    token = token_of(client, "officer1", audience="population-subgraph")
    jwks = jwks_of(client)

    assert verify(token, jwks, issuer=base_url, audience="population-subgraph")["aud"] == "population-subgraph"
    with pytest.raises(jwt.InvalidAudienceError):
        verify(token, jwks, issuer=base_url)


def test_a_token_from_another_issuer_fails(client: httpx.Client) -> None:
    token = token_of(client, "officer1")

    with pytest.raises(jwt.InvalidIssuerError):
        verify(token, jwks_of(client), issuer="http://127.0.0.1:1")


def test_a_tampered_token_fails(client: httpx.Client, base_url: str) -> None:
    header, payload, signature = token_of(client, "public1").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["SUPERVISOR"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(jwt.InvalidSignatureError):
        verify(f"{header}.{forged_payload}.{signature}", jwks_of(client), issuer=base_url)


def test_scope_can_be_narrowed_but_not_widened(client: httpx.Client, base_url: str) -> None:
    narrowed = password_token(client, "officer1", scope="cases:read")
    widened = password_token(client, "officer1", scope="cases:read audit:read")

    assert verify(narrowed.json()["access_token"], jwks_of(client), issuer=base_url)["scope"] == "cases:read"
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope"


# -- expiry ---------------------------------------------------------------------------------------------------


def test_an_expired_token_fails_verification(client: httpx.Client, base_url: str) -> None:
    token = token_of(client, "officer1", expires_in="-30")

    with pytest.raises(jwt.ExpiredSignatureError):
        verify(token, jwks_of(client), issuer=base_url)


def test_short_lifetimes_need_the_test_flag(tmp_path: Path) -> None:
    with start(tmp_path) as url, httpx.Client(base_url=url) as c:
        negative = password_token(c, "officer1", expires_in="-30")
        short = password_token(c, "officer1", expires_in="5")
        normal = password_token(c, "officer1", expires_in="600")

    assert negative.status_code == 400
    assert negative.json()["error"] == "invalid_request"
    assert short.status_code == 400
    assert normal.status_code == 200
    assert normal.json()["expires_in"] == 600


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, str]]:
    directory = tmp_path_factory.mktemp("identity")
    with start(directory, allow_test_expiry="1") as url, httpx.Client(base_url=url, timeout=10.0) as c:
        yield c, url


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lifetime=st.integers(min_value=5, max_value=86_400), username=st.sampled_from(sorted(DEMO_USERS)))
def test_lifetime_asked_for_is_the_lifetime_given(shared: tuple[httpx.Client, str], lifetime: int, username: str) -> None:
    client, url = shared

    claims = verify(token_of(client, username, expires_in=str(lifetime)), jwks_of(client), issuer=url)

    assert claims["exp"] - claims["iat"] == lifetime
    assert claims["roles"] == DEMO_USERS[username]


# -- key rotation and persistence -------------------------------------------------------------------------


def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    client: httpx.Client, base_url: str
) -> None:
    old_token = token_of(client, "supervisor1")
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    rotated = client.post("/__admin/rotate-key").json()
    new_token = token_of(client, "supervisor1")
    jwks = jwks_of(client)

    assert rotated["kid"] != old_kid
    assert rotated["kids"] == [old_kid, rotated["kid"]]
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, rotated["kid"]}
    assert jwt.get_unverified_header(new_token)["kid"] == rotated["kid"]
    assert verify(old_token, jwks, issuer=base_url)["roles"] == ["SUPERVISOR"]
    assert verify(new_token, jwks, issuer=base_url)["roles"] == ["SUPERVISOR"]


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    with start(tmp_path) as url, httpx.Client(base_url=url) as c:
        c.post("/__admin/rotate-key")
        before = [k["kid"] for k in jwks_of(c)["keys"]]
        token = token_of(c, "auditor1")
        first_url = url
    with start(tmp_path, issuer=first_url) as url, httpx.Client(base_url=url) as c:
        after = [k["kid"] for k in jwks_of(c)["keys"]]
        jwks = jwks_of(c)

    assert len(before) == 2
    assert after == before
    assert verify(token, jwks, issuer=first_url)["roles"] == ["AUDITOR"]  # signed before the restart
    assert (tmp_path / "identity_keys" / "key-0001.pem").stat().st_mode & 0o077 == 0


def test_ephemeral_keys_touch_no_disk(tmp_path: Path) -> None:
    with start(tmp_path, ephemeral_keys="1") as url, httpx.Client(base_url=url) as c:
        assert len(jwks_of(c)["keys"]) == 1

    assert not (tmp_path / "identity_keys").exists()


def test_fixed_issuer_from_credentials(tmp_path: Path) -> None:
    with start(tmp_path, issuer="https://idp.example.test") as url, httpx.Client(base_url=url) as c:
        token = token_of(c, "officer1")
        jwks = jwks_of(c)
        config = c.get("/.well-known/openid-configuration").json()

    assert config["issuer"] == "https://idp.example.test"
    assert verify(token, jwks, issuer="https://idp.example.test")["iss"] == "https://idp.example.test"


# -- users from the seeded data ------------------------------------------------------------------------------


BODY_A = uscc("11445103MB2E00011")
BODY_B = uscc("11445122MB2E00021")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def test_seeded_officers_and_bodies_become_users(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "bodies.jsonl", [
        {"uscc": BODY_A, "name": "潮州市潮安区市场监督管理局", "level": "COUNTY", "region_code": "445103"},
        {"uscc": BODY_B, "name": "饶平县综合行政执法局", "level": "COUNTY", "region_code": "445122"},
    ])
    write_jsonl(tmp_path / "officers.jsonl", [
        {"id": "OF-0001", "name": "蔡一", "body_uscc": BODY_B},
        {"id": "OF-0002", "name": "蔡二", "body_uscc": BODY_A, "is_legal_reviewer": True},
        {"id": "OF-0003", "name": "蔡三", "body_uscc": BODY_A},
    ])
    with start(tmp_path) as url, httpx.Client(base_url=url) as c:
        jwks = jwks_of(c)
        seeded = verify(token_of(c, "OF-0002"), jwks, issuer=url)
        lone = verify(token_of(c, "OF-0001"), jwks, issuer=url)
        demo = verify(token_of(c, "officer1"), jwks, issuer=url)
        head = verify(token_of(c, f"head-{BODY_B}"), jwks, issuer=url)
        wrong = password_token(c, "OF-0003", "officer1-pass")

    assert seeded["sub"] == "OF-0002"
    assert seeded["name"] == "蔡二"
    assert seeded["roles"] == ["OFFICER", "LEGAL_REVIEWER"]
    assert seeded["body_uscc"] == BODY_A
    assert seeded["region_code"] == "445103"
    assert lone["region_code"] == "445122"
    assert demo["sub"] == "OF-0002"  # officer1 is the first officer of the first body with two
    assert demo["body_uscc"] == BODY_A
    assert head["roles"] == ["BODY_HEAD"]
    assert head["body_uscc"] == BODY_B
    assert wrong.status_code == 400


# -- faults and counters --------------------------------------------------------------------------------------


def put_knobs(client: httpx.Client, **knobs: Any) -> None:
    assert client.put("/__admin/knobs", json=knobs).status_code == 200


def test_error_rate_one_makes_the_token_endpoint_unavailable(client: httpx.Client) -> None:
    put_knobs(client, error_rate=1.0)

    response = password_token(client, "officer1")

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert "access_token" not in response.json()


def test_down_provider_serves_no_jwks(client: httpx.Client) -> None:
    put_knobs(client, down=True)
    down = client.get("/jwks.json")
    put_knobs(client, down=False)

    assert down.status_code == 503
    assert down.json()["error"] == "temporarily_unavailable"
    assert client.get("/jwks.json").status_code == 200


def test_hanging_provider_times_a_client_out(client: httpx.Client) -> None:
    put_knobs(client, hang_rate=1.0)
    started = time.monotonic()

    with pytest.raises(httpx.TimeoutException):
        client.get("/jwks.json", timeout=0.5)

    assert time.monotonic() - started < 5.0


def test_call_counter_counts_tokens_and_jwks_and_resets(client: httpx.Client) -> None:
    client.post("/__admin/reset")
    token_of(client, "officer1")
    password_token(client, "officer1", "wrong")
    jwks_of(client)
    client.get("/.well-known/openid-configuration")  # discovery is not counted

    counted = client.get("/__admin/calls").json()
    client.post("/__admin/reset")

    assert counted == {"total": 3, "by_operation": {"token": 2, "jwks": 1}}
    assert client.get("/__admin/calls").json() == {"total": 0, "by_operation": {}}
