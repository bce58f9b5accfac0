"""The sign-in page of the identity provider, over real HTTP: what it shows, whom it redirects to, and
which submissions it refuses."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.simulators.identity_flow import (
    CONSOLE,
    OFFICER_APP,
    Clock,
    Provider,
    authorize_params,
    callback,
    exchange,
    open_sign_in,
    parse_page,
    pkce_pair,
    provider,
    redirect_query,
    submit,
)


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[Provider]:
    with provider(tmp_path, Clock(time.time())) as p:
        yield p


@pytest.fixture
def challenge() -> str:
    return pkce_pair()[1]


# -- the page --------------------------------------------------------------------------------------------------


def test_the_page_asks_for_username_and_password_in_chinese(idp: Provider, challenge: str) -> None:
    response, page = open_sign_in(idp, authorize_params(challenge, scope="supervision:read"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "统一身份认证 登录" in page.text
    assert "监督平台" in page.text  # the client's name
    assert "登录" in page.text
    assert page.labels == {"username": "用户名", "password": "密码"}
    assert page.inputs["username"]["id"] == "username"
    assert page.inputs["password"]["id"] == "password"
    assert page.inputs["password"]["type"] == "password"
    assert page.form_action == "/oauth/authorize"
    hidden = page.hidden()
    assert {k: hidden[k] for k in authorize_params(challenge, scope="supervision:read")} == authorize_params(
        challenge, scope="supervision:read")
    assert hidden["form_token"]


def test_the_page_loads_nothing_and_cannot_be_framed_or_cached(idp: Provider, challenge: str) -> None:
    response, _ = open_sign_in(idp, authorize_params(challenge, redirect_uri=callback(42_424)))
    policy = response.headers["content-security-policy"]
    html = response.text

    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "form-action 'self' http://127.0.0.1:42424" in policy
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in html
    assert re.findall(r"(?:src|href)=\"([^\"]*)\"", html) == ["data:,"]
    assert "url(" not in html
    assert "@import" not in html


def test_request_values_are_escaped_in_the_page(idp: Provider, challenge: str) -> None:
    hostile = '"><script>alert(1)</script>'

    response, page = open_sign_in(idp, authorize_params(challenge, state=hostile))

    assert "<script" not in response.text
    assert page.hidden()["state"] == hostile


# -- requests that never redirect ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:5000/other",
        "http://127.0.0.1:5000/auth/callback/",
        "http://127.0.0.1:5000/auth/callback?next=/x",
        "http://127.0.0.1:5000/auth/callback#top",
        "http://localhost:5000/auth/callback",
        "https://127.0.0.1:5000/auth/callback",
        "http://127.0.0.1.attacker.test/auth/callback",
        "http://attacker.test\\@127.0.0.1:5000/auth/callback",
        "http://user@127.0.0.1:5000/auth/callback",
        "http://127.0.0.1:99999/auth/callback",
        "http://127.0.0.1:05000/auth/callback",
        "http://127.0.0.1:5000/auth/callback\n",
        "https://console.example.gov.cn/auth/callback",
        "",
    ],
)
def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(
    idp: Provider, challenge: str, redirect_uri: str
) -> None:
    params = authorize_params(challenge)
    params["redirect_uri"] = redirect_uri

    response, page = open_sign_in(idp, params)

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "回调地址" in " ".join(page.text)
    assert "password" not in page.inputs


@pytest.mark.parametrize("client_id", ["unknown-app", "dept-system", ""])
def test_an_unknown_client_gets_an_error_page_not_a_redirect(idp: Provider, challenge: str, client_id: str) -> None:
    response, page = open_sign_in(idp, authorize_params(challenge, client_id=client_id))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "password" not in page.inputs


def test_a_tampered_redirect_uri_in_the_form_is_not_followed(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, "supervisor1", "supervisor1-pass", redirect_uri="http://attacker.test/auth/callback")

    assert response.status_code == 400
    assert "location" not in response.headers


def test_a_client_given_more_than_once_is_not_trusted(idp: Provider, challenge: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in authorize_params(challenge).items()) + "&client_id=officer-app"

    response = idp.http.get(f"/oauth/authorize?{query}")

    assert response.status_code == 400
    assert "location" not in response.headers


def test_extra_exact_redirect_uris_come_from_the_credentials(tmp_path: Path, challenge: str) -> None:
    deployed = "https://console.example.gov.cn/auth/callback"
    with provider(tmp_path, Clock(time.time()),
                  console_redirect_uris=f"{deployed}, http://10.0.0.5:8080/oidc/cb") as p:
        verifier, pkce_challenge = pkce_pair()
        _, page = open_sign_in(p, authorize_params(pkce_challenge, redirect_uri=deployed))
        target, query = redirect_query(submit(p, page, "supervisor1", "supervisor1-pass"))
        token = exchange(p, query["code"], verifier, redirect_uri=deployed)
        other = open_sign_in(p, authorize_params(challenge, redirect_uri="http://10.0.0.5:8080/oidc/cb"))[0]
        variant = open_sign_in(p, authorize_params(challenge, redirect_uri=deployed + "/"))[0]
        not_for_app = open_sign_in(p, authorize_params(challenge, client_id=OFFICER_APP, redirect_uri=deployed))[0]

    assert target == deployed
    assert token.status_code == 200
    assert other.status_code == 200
    assert variant.status_code == 400
    assert not_for_app.status_code == 400


def test_a_native_apps_private_scheme_redirect_is_allowed_by_the_page_policy(tmp_path: Path, challenge: str) -> None:
    uri = "cn.gov.chaozhou.officer:/auth/callback"
    with provider(tmp_path, Clock(time.time()), officer_app_redirect_uris=uri) as p:
        response, page = open_sign_in(p, authorize_params(challenge, client_id=OFFICER_APP, redirect_uri=uri))
        redirect = submit(p, page, "officer1", "officer1-pass")

    assert "form-action 'self' cn.gov.chaozhou.officer:;" in response.headers["content-security-policy"]
    assert redirect.headers["location"].startswith(uri + "?code=")


# -- requests that redirect with an error ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),  # absent means "plain", not supported
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"scope": 'cases:read "quoted"'}, "invalid_scope"),
    ],
)
def test_other_faults_go_back_to_the_client_with_the_state(
    idp: Provider, challenge: str, change: dict[str, str | None], error: str
) -> None:
    params: dict[str, str] = authorize_params(challenge, state="keep-me")
    for name, value in change.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value

    response, _ = open_sign_in(idp, params)
    target, query = redirect_query(response)

    assert target == callback()
    assert query["error"] == error
    assert query["state"] == "keep-me"
    assert "code" not in query


def test_an_error_redirect_without_a_state_has_none(idp: Provider, challenge: str) -> None:
    response, _ = open_sign_in(idp, authorize_params(challenge, state=None, response_type="token"))

    _, query = redirect_query(response)

    assert query["error"] == "unsupported_response_type"
    assert "state" not in query


# -- signing in -------------------------------------------------------------------------------------------------


def test_a_wrong_password_shows_the_page_again_and_issues_nothing(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, "supervisor1", "Wrong-Pa55word!")
    again = parse_page(response.text)

    assert response.status_code == 200
    assert "location" not in response.headers
    assert "用户名或密码错误" in again.text
    assert again.inputs["username"]["value"] == "supervisor1"
    assert "value" not in again.inputs["password"]
    assert "Wrong-Pa55word!" not in response.text
    assert again.inputs["username"]["aria-invalid"] == "true"
    assert idp.app.state.codes.live_count() == 0


def test_an_unknown_user_gets_the_same_message(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, "nobody", "nobody-pass")

    assert response.status_code == 200
    assert "用户名或密码错误" in parse_page(response.text).text
    assert idp.app.state.codes.live_count() == 0


@pytest.mark.parametrize(("username", "password", "hint"), [("", "x", "请输入用户名"), ("supervisor1", "", "请输入密码")])
def test_an_empty_field_is_named_next_to_it(
    idp: Provider, challenge: str, username: str, password: str, hint: str
) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, username, password)

    assert response.status_code == 400
    assert hint in parse_page(response.text).text
    assert idp.app.state.codes.live_count() == 0


def test_the_page_again_can_still_sign_in(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))
    again = parse_page(submit(idp, page, "supervisor1", "nope").text)

    target, query = redirect_query(submit(idp, again, "supervisor1", "supervisor1-pass"))

    assert target == callback()
    assert query["code"]


# -- forged and stale submissions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://127.0.0.1:1"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
     {"Sec-Fetch-Site": "same-site"}],
)
def test_a_cross_origin_submission_is_refused(idp: Provider, challenge: str, headers: dict[str, str]) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, "supervisor1", "supervisor1-pass", headers=headers)

    assert response.status_code == 403
    assert "location" not in response.headers
    assert idp.app.state.codes.live_count() == 0


def test_a_same_origin_browser_submission_is_accepted(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))

    response = submit(idp, page, "supervisor1", "supervisor1-pass",
                      headers={"Origin": idp.url, "Sec-Fetch-Site": "same-origin"})

    assert redirect_query(response)[1]["code"]


def test_a_form_without_its_cookie_is_refused(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))
    idp.http.cookies.clear()

    response = submit(idp, page, "supervisor1", "supervisor1-pass")

    assert response.status_code == 403
    assert "登录页面已失效" in response.text
    assert idp.app.state.codes.live_count() == 0


def test_a_form_token_of_another_browser_is_refused(idp: Provider, challenge: str) -> None:
    _, attacker_page = open_sign_in(idp, authorize_params(challenge))
    idp.http.cookies.clear()
    open_sign_in(idp, authorize_params(challenge))  # the victim's own cookie

    response = submit(idp, attacker_page, "supervisor1", "supervisor1-pass")

    assert response.status_code == 403


def test_a_stale_form_asks_again_and_the_fresh_one_works(idp: Provider, challenge: str) -> None:
    _, page = open_sign_in(idp, authorize_params(challenge))
    idp.clock.now += 901

    stale = submit(idp, page, "supervisor1", "supervisor1-pass")
    fresh = submit(idp, parse_page(stale.text), "supervisor1", "supervisor1-pass")

    assert stale.status_code == 403
    assert redirect_query(fresh)[1]["code"]


def test_the_form_cookie_is_http_only_and_strict(idp: Provider, challenge: str) -> None:
    response, _ = open_sign_in(idp, authorize_params(challenge))
    cookie = response.headers["set-cookie"]

    assert cookie.startswith("idp_form=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/oauth/authorize" in cookie


# -- faults ------------------------------------------------------------------------------------------------------


def test_a_down_provider_says_so_on_a_page(idp: Provider, challenge: str) -> None:
    assert idp.http.put("/__admin/knobs", json={"down": True}).status_code == 200

    response, page = open_sign_in(idp, authorize_params(challenge, client_id=CONSOLE))

    assert response.status_code == 503
    assert "统一身份认证服务暂不可用" in page.text
    assert "location" not in response.headers
