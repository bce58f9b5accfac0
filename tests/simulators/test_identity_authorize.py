"""The authorization code flow with PKCE, over real HTTP: codes buy the password grant's token, once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulators.identity.codes import s256
from tests.simulators.identity_flow import (
    CONSOLE,
    OFFICER_APP,
    Clock,
    Provider,
    authorize_params,
    callback,
    challenge_of,
    exchange,
    open_sign_in,
    pkce_pair,
    provider,
    redirect_query,
    sign_in_for_code,
    submit,
    verify,
)

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[Provider]:
    with provider(tmp_path, Clock(time.time()), allow_test_expiry="1") as p:
        yield p


def password_claims(p: Provider, username: str) -> dict[str, object]:
    form = {"grant_type": "password", "username": username, "password": f"{username}-pass"}
    return verify(p, p.http.post("/oauth/token", data=form).json()["access_token"])


def test_s256_matches_the_rfc_7636_example() -> None:
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_discovery_advertises_the_code_flow_with_s256_only(idp: Provider) -> None:
    config = idp.http.get("/.well-known/openid-configuration").json()

    assert config["authorization_endpoint"] == idp.url + "/oauth/authorize"
    assert "authorization_code" in config["grant_types_supported"]
    assert "code" in config["response_types_supported"]
    assert config["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.parametrize(("username", "client_id"), [("supervisor1", CONSOLE), ("head1", CONSOLE), ("officer1", OFFICER_APP)])
def test_full_flow_gives_the_users_token(idp: Provider, username: str, client_id: str) -> None:
    verifier, challenge = pkce_pair()
    redirect_uri = callback(47_311)

    code, query = sign_in_for_code(idp, username, challenge, client_id=client_id, redirect_uri=redirect_uri,
                                   state="s-Δ 1&2")
    response = exchange(idp, code, verifier, client_id=client_id, redirect_uri=redirect_uri)
    body = response.json()
    claims = verify(idp, body["access_token"])
    expected = password_claims(idp, username)

    assert query["state"] == "s-Δ 1&2"
    assert query["iss"] == idp.url
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert claims["exp"] - claims["iat"] == 3600
    for claim in ("sub", "name", "roles", "body_uscc", "region_code", "scope"):
        assert claims[claim] == expected[claim], claim
    assert claims["sub"] == username
    assert "typ_sub" not in claims
    assert "client_id" not in claims


def test_the_redirect_goes_to_the_callback_given(idp: Provider) -> None:
    _, challenge = pkce_pair()
    _, page = open_sign_in(idp, authorize_params(challenge, redirect_uri=callback(51_002)))

    target, query = redirect_query(submit(idp, page, "supervisor1", "supervisor1-pass"))

    assert target == callback(51_002)
    assert set(query) == {"code", "state", "iss"}
    assert len(query["code"]) >= 40


def test_a_missing_state_stays_missing(idp: Provider) -> None:
    verifier, challenge = pkce_pair()

    code, query = sign_in_for_code(idp, "supervisor1", challenge, state=None)

    assert "state" not in query
    assert exchange(idp, code, verifier).status_code == 200


def test_a_wrong_verifier_is_invalid_grant_and_spends_the_code(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    other, _ = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge)

    wrong = exchange(idp, code, other)
    right_after = exchange(idp, code, verifier)

    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant"}
    assert "access_token" not in wrong.json()
    assert right_after.json() == {"error": "invalid_grant"}


def test_a_code_is_good_once(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge)

    first = exchange(idp, code, verifier)
    second = exchange(idp, code, verifier)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant"}


def test_a_code_expires_after_60_seconds(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    late_code, _ = sign_in_for_code(idp, "supervisor1", challenge)
    idp.clock.now += 61
    in_time_code, _ = sign_in_for_code(idp, "supervisor1", challenge)
    idp.clock.now += 59

    late = exchange(idp, late_code, verifier)
    in_time = exchange(idp, in_time_code, verifier)

    assert late.status_code == 400
    assert late.json() == {"error": "invalid_grant"}
    assert in_time.status_code == 200


def test_the_code_is_bound_to_its_redirect_uri(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge, redirect_uri=callback(40_001))

    response = exchange(idp, code, verifier, redirect_uri=callback(40_002))

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


def test_the_code_is_bound_to_its_client(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge)
    stranger_code, _ = sign_in_for_code(idp, "supervisor1", challenge)

    other_client = exchange(idp, code, verifier, client_id=OFFICER_APP)
    unknown_client = exchange(idp, stranger_code, verifier, client_id="dept-system")
    still_good = exchange(idp, stranger_code, verifier)  # an unknown client does not spend the code

    assert other_client.status_code == 400
    assert other_client.json() == {"error": "invalid_grant"}
    assert unknown_client.status_code == 401
    assert unknown_client.json() == {"error": "invalid_client"}
    assert still_good.status_code == 200


@pytest.mark.parametrize("left_out", ["code", "redirect_uri", "client_id", "code_verifier"])
def test_a_code_request_without_a_part_is_invalid_request(idp: Provider, left_out: str) -> None:
    form = {"grant_type": "authorization_code", "code": "c" * 43, "redirect_uri": callback(),
            "client_id": CONSOLE, "code_verifier": "v" * 43}
    del form[left_out]

    response = idp.http.post("/oauth/token", data=form)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert left_out in response.json()["error_description"]


def test_an_unknown_code_is_invalid_grant(idp: Provider) -> None:
    verifier, _ = pkce_pair()

    response = exchange(idp, "not-a-code-this-provider-issued", verifier)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


# -- PKCE: the verifier's alphabet and length, and only the right one --------------------------------------

verifiers = st.text(alphabet=UNRESERVED, min_size=43, max_size=128)


@pytest.fixture(scope="module")
def shared_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with provider(tmp_path_factory.mktemp("identity-pkce"), Clock(time.time())) as p:
        yield p


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verifier=verifiers, other=verifiers)
def test_only_the_matching_verifier_is_accepted(shared_idp: Provider, verifier: str, other: str) -> None:
    assume(other != verifier)
    challenge = challenge_of(verifier)
    refused_code, _ = sign_in_for_code(shared_idp, "supervisor1", challenge)
    accepted_code, _ = sign_in_for_code(shared_idp, "supervisor1", challenge)

    refused = exchange(shared_idp, refused_code, other)
    accepted = exchange(shared_idp, accepted_code, verifier)

    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant"}
    assert accepted.status_code == 200, accepted.text
    assert verify(shared_idp, accepted.json()["access_token"])["sub"] == "supervisor1"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verifier=st.one_of(st.text(alphabet=UNRESERVED, min_size=1, max_size=42),
                          st.text(alphabet=UNRESERVED, min_size=129, max_size=160),
                          st.text(alphabet="+/=!* %", min_size=1, max_size=3).map(lambda bad: "a" * 43 + bad)))
def test_a_verifier_outside_the_rules_is_refused_even_with_its_own_challenge(
    shared_idp: Provider, verifier: str
) -> None:
    code, _ = sign_in_for_code(shared_idp, "supervisor1", challenge_of(verifier))

    response = exchange(shared_idp, code, verifier)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


# -- scope and lifetime ---------------------------------------------------------------------------------------


def test_the_scope_asked_for_is_the_scope_given(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge, scope="supervision:read cases:read")

    body = exchange(idp, code, verifier).json()

    assert body["scope"] == "supervision:read cases:read"
    assert verify(idp, body["access_token"])["scope"] == "supervision:read cases:read"


def test_a_scope_beyond_the_users_roles_is_sent_back_as_invalid_scope(idp: Provider) -> None:
    _, challenge = pkce_pair()
    _, page = open_sign_in(idp, authorize_params(challenge, scope="cases:read audit:read"))

    target, query = redirect_query(submit(idp, page, "supervisor1", "supervisor1-pass"))

    assert target == callback()
    assert query["error"] == "invalid_scope"
    assert query["state"] == "st-1"
    assert "code" not in query


@pytest.mark.parametrize("lifetime", [5, 120])
def test_a_test_lifetime_asked_for_at_authorize_reaches_the_token(idp: Provider, lifetime: int) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge, expires_in=str(lifetime))

    body = exchange(idp, code, verifier).json()
    claims = verify(idp, body["access_token"])

    assert body["expires_in"] == lifetime
    assert claims["exp"] - claims["iat"] == lifetime


def test_an_already_expired_test_token_fails_verification(idp: Provider) -> None:
    verifier, challenge = pkce_pair()
    code, _ = sign_in_for_code(idp, "supervisor1", challenge, expires_in="-30")

    token = exchange(idp, code, verifier).json()["access_token"]

    with pytest.raises(jwt.ExpiredSignatureError):
        verify(idp, token)


def test_expires_in_at_authorize_needs_the_test_flag(tmp_path: Path) -> None:
    _, challenge = pkce_pair()
    with provider(tmp_path, Clock(time.time())) as p:
        response, _ = open_sign_in(p, authorize_params(challenge, expires_in="5"))

    target, query = redirect_query(response)
    assert target == callback()
    assert query["error"] == "invalid_request"
    assert "expires_in" in query["error_description"]


def test_the_test_flag_can_be_turned_on_and_off_over_the_admin_api(tmp_path: Path) -> None:
    verifier, challenge = pkce_pair()
    with provider(tmp_path, Clock(time.time())) as p:
        before = p.http.get("/__admin/test-expiry").json()
        turned_on = p.http.put("/__admin/test-expiry", json={"allow": True}).json()
        code, _ = sign_in_for_code(p, "supervisor1", challenge, expires_in="5")
        body = exchange(p, code, verifier).json()
        turned_off = p.http.put("/__admin/test-expiry", json={"allow": False}).json()
        refused, _ = open_sign_in(p, authorize_params(challenge, expires_in="5"))
        bad = p.http.put("/__admin/test-expiry", json={"allow": "yes"})

    assert before == {"allow": False}
    assert turned_on == {"allow": True}
    assert body["expires_in"] == 5
    assert turned_off == {"allow": False}
    assert redirect_query(refused)[1]["error"] == "invalid_request"
    assert bad.status_code == 400


def test_the_test_flag_switch_is_admin_only(tmp_path: Path) -> None:
    with provider(tmp_path, Clock(time.time()), admin=False) as p:
        response = p.http.put("/__admin/test-expiry", json={"allow": True})

    assert response.status_code == 404


# -- the log ---------------------------------------------------------------------------------------------------


def test_sign_ins_are_logged_without_passwords(idp: Provider, caplog: pytest.LogCaptureFixture) -> None:
    _, challenge = pkce_pair()
    caplog.set_level(logging.INFO, logger="simulators.identity")
    _, page = open_sign_in(idp, authorize_params(challenge))
    submit(idp, page, "44512219800101123X", "a-secret-typed-by-mistake")
    _, page = open_sign_in(idp, authorize_params(challenge))
    submit(idp, page, "supervisor1", "supervisor1-pass")

    messages = [record.getMessage() for record in caplog.records if record.name == "simulators.identity"]

    assert "sign-in: sub=supervisor1 client=supervision-console" in messages
    assert not any("supervisor1-pass" in m or "a-secret-typed-by-mistake" in m for m in messages)
    assert not any("44512219800101123X" in m for m in messages)  # a username typed may be an ID number
