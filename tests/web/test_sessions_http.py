"""Sessions and forms over real HTTP, tried as an attacker would: no cookie, a forged or expired token,
a form without its CSRF token or from another origin, a role that may not, an open redirect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.web.stack import InProcessConsole


def test_a_page_without_a_session_sends_the_user_to_sign_in_and_back(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/alerts?severity=RED")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/signin"
    assert parse_qs(target.query)["next"] == ["/alerts?severity=RED"]


def test_sign_in_goes_to_the_identity_provider_with_pkce(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/signin", params={"next": "/dashboard"})
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}" == console.stack.identity
    assert target.path == "/oauth/authorize"
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["client_id"] == ["supervision-console"]
    assert query["redirect_uri"] == [f"{console.url}/auth/callback"]


def test_a_callback_with_a_forged_state_signs_no_one_in(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/auth/callback", params={"code": "made-up", "state": "made-up"})
        assert answer.status_code == 400
        assert "登录请求已失效" in answer.text
        assert "hub_session" not in answer.cookies


def test_a_forged_token_in_a_session_ends_it(console: InProcessConsole) -> None:
    session = console.app.state.sessions.create("e30.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiU1VQRVJWSVNPUiJdfQ.bad", 3600)
    with console.client(None) as client:
        client.cookies.set("hub_session", session.id)
        answer = client.get("/alerts")
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"].startswith("/signin?next=")
    assert console.app.state.sessions.get(session.id) is None  # the gateway refused it: the session is gone


def test_every_page_carries_the_security_headers(console: InProcessConsole) -> None:
    with console.client("supervisor1") as client:
        for path in ("/", "/alerts", "/no-such-page", "/static/css/app.css"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "default-src 'self'" in csp
            assert "script-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"


def test_sign_out_needs_the_forms_csrf_token(console: InProcessConsole) -> None:
    with console.client("supervisor1") as client:
        session_id = client.cookies["hub_session"]
        refused = client.post("/signout", data={})
        assert refused.status_code == 403
        assert "未执行任何操作" in refused.text
        assert console.app.state.sessions.get(session_id) is not None
        csrf = console.app.state.sessions.get(session_id).csrf
        other_origin = client.post("/signout", data={"csrf": csrf}, headers={"origin": "http://127.0.0.2:9"})
        assert other_origin.status_code == 403
        assert console.app.state.sessions.get(session_id) is not None
        done = client.post("/signout", data={"csrf": csrf})
        assert done.status_code == 200
        assert "您已安全退出" in done.text
        assert console.app.state.sessions.get(session_id) is None


def test_a_role_without_the_page_gets_a_refusal_page_not_a_trace(console: InProcessConsole) -> None:
    for user in ("public1", "officer1"):
        with console.client(user) as client:
            answer = client.get("/dashboard")
        assert answer.status_code == 403, (user, answer.status_code)
        assert "无权访问" in answer.text
        assert "执法监督人员" in answer.text
        assert "Traceback" not in answer.text
        assert "File \"" not in answer.text


def test_an_unknown_page_is_a_chinese_404(console: InProcessConsole) -> None:
    with console.client("supervisor1") as client:
        answer = client.get("/no-such-page")
    assert answer.status_code == 404
    assert "页面不存在" in answer.text
