"""The console's sign-in, sessions and forms tried as an attacker would, over real HTTP against the real
stack (gateway, identity provider, subgraphs) and an in-process console running this tree's web code:

1. CSRF on every state-changing route the app has (no token, a wrong one, another session's, a foreign
   or opaque origin), with the fields of the very forms its pages show, and nothing changed in the graph;
2. open redirects through `/signin?next=`, a callback under another sign-in's state, a callback link
   from someone else's sign-in (login CSRF);
3. session fixation (a cookie never issued; a new session id at every sign-in, the old one ended);
4. the access token never reaching the browser.

The page-level attacks (XSS, roles, other bodies' data, headers, hostile filters) are in
test_console_attacks_pages.py. Routes are found from the running app, so pages merged later are
attacked too; a route family not merged yet is skipped with the reason.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
import pytest

from tests.web.attack_data import (
    EXPECTED,
    Samples,
    graph_state,
    present,
    samples,
)
from tests.web.attack_kit import (
    Form,
    RouteInfo,
    begin_sign_in,
    changing_routes,
    claims,
    crawl,
    get,
    has_trace,
    is_text,
    page_parts,
    page_routes,
    provider_redirect,
    session_cookie,
    sign_in,
)
from tests.web.stack import InProcessConsole
from web.roles import NAV

FOREIGN_ORIGIN = "http://127.0.0.2:9"
ROLE_REFUSAL = "您的角色无权访问此页面"
#: a JSON Web Token: base64url JSON header (`{"` is `eyJ`), payload, signature
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")

@pytest.fixture(scope="module")
def seeded(console: InProcessConsole) -> Samples:
    return samples(console.stack)


def _refusal_kind(answer: httpx.Response) -> str:
    """'csrf', 'role', 'other' for a 403; what kind of refusal it is."""
    if "json" in answer.headers.get("content-type", ""):
        body = answer.json()
        codes = {str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []}
        if isinstance(body.get("error"), dict):  # the phone app's script calls: {"error": {"code", "message"}}
            codes.add(str(body["error"].get("code")))
        return "csrf" if codes & {"CSRF", "UNAUTHENTICATED"} else "other"
    if "代码：CSRF" in answer.text:
        return "csrf"
    return "role" if ROLE_REFUSAL in answer.text else "other"


# --- 1. CSRF --------------------------------------------------------------------------------------------------

def _route_regex(route: RouteInfo) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+(?::\w+)?\\\}", "[^/]+", re.escape(route.path)) + "$")


def _post_forms(console: InProcessConsole, seeded: Samples) -> list[Form]:
    """The POST forms of every page the users who act can reach (what an attacker would copy)."""
    forms: list[Form] = []
    for user in ("supervisor1", "reviewer1"):
        with console.client(user) as client:
            for section in ("/", *EXPECTED):
                starts = [section, *(seeded.fill(r) for r in page_routes(console.app) if r.params and r.section == section)]
                for path, answer in crawl(client, console.url, starts, limit=25, within=section):
                    if answer.status_code == 200 and "text/html" in answer.headers.get("content-type", ""):
                        forms.extend(f for f in page_parts(answer.text, console.url + path).forms if f.method == "post")
    return forms


def _attempts(route: RouteInfo, forms: list[Form], seeded: Samples) -> list[tuple[str, dict[str, str]]]:
    """(path, fields) to forge for a route: each distinct form posting to it, else a filled path and a field."""
    pattern = _route_regex(route)
    found: dict[str, dict[str, str]] = {}
    for form in forms:
        path = urlsplit(form.action).path
        if pattern.match(path) and path not in found:
            found[path] = {k: v for k, v in form.fields.items() if k != "csrf"}
    return list(found.items()) or [(seeded.fill(route), {"probe": "1"})]


def test_every_state_changing_route_refuses_a_forged_post_and_changes_nothing(
        console: InProcessConsole, seeded: Samples) -> None:
    targets = changing_routes(console.app)
    assert any(r.path == "/signout" for r in targets)  # the enumeration finds the core's own form at least
    forms = _post_forms(console, seeded)
    before = graph_state(console)
    refused: list[tuple[str, str, int]] = []
    for route in targets:
        method = next(m for m in ("POST", "PUT", "PATCH", "DELETE") if m in route.methods)  # the route's own verb
        for path, fields in _attempts(route, forms, seeded):
            for user in ("supervisor1", "reviewer1", "head1"):
                victim, other = console.cookie(user), console.cookie(user)
                store = console.app.state.sessions
                csrf, other_csrf = store.get(victim["hub_session"]).csrf, store.get(other["hub_session"]).csrf
                forged = {
                    "no token": ({}, {}),
                    "a wrong token": ({"csrf": secrets.token_urlsafe(24)}, {"x-csrf-token": secrets.token_urlsafe(24)}),
                    "another session's token": ({"csrf": other_csrf}, {"x-csrf-token": other_csrf}),
                    "a foreign origin": ({"csrf": csrf}, {"x-csrf-token": csrf, "origin": FOREIGN_ORIGIN}),
                    "an opaque origin": ({"csrf": csrf}, {"x-csrf-token": csrf, "origin": "null"}),
                }
                kinds = set()
                with httpx.Client(base_url=console.url, cookies=victim, timeout=60) as client:
                    for how, (token_field, headers) in forged.items():
                        answer = client.request(method, path, data={**fields, **token_field}, headers=headers)
                        assert answer.status_code in (401, 403), (path, user, how, answer.status_code, answer.text[:300])
                        assert not has_trace(answer.text), (path, how)
                        kinds.add(_refusal_kind(answer))
                        refused.append((path, how, answer.status_code))
                    lured = get(client, f"{path}?{urlencode(fields)}")  # <img src=...>: a GET must do nothing
                    assert lured.status_code < 500, (path, "GET", lured.status_code)
                assert store.get(victim["hub_session"]) is not None, (path, "the victim's session was ended")
                if kinds != {"role"}:  # this user may use the route: every forgery was refused as one
                    assert kinds == {"csrf"}, (path, user, kinds)
                    break
    assert graph_state(console) == before, "a refused post changed the graph's data"
    assert len(refused) >= 5 * len(targets)


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_form_post_the_browser_calls_cross_site_is_refused_even_with_the_token(
        console: InProcessConsole, site: str) -> None:
    """Defence in depth on the core's form check: `Sec-Fetch-Site` from another site (a sibling port of
    127.0.0.1 is same-site, not same-origin) is refused even if the token were known."""
    cookie = console.cookie("supervisor1")
    csrf = console.app.state.sessions.get(cookie["hub_session"]).csrf
    with httpx.Client(base_url=console.url, cookies=cookie, timeout=60) as client:
        answer = client.post("/signout", data={"csrf": csrf}, headers={"sec-fetch-site": site})
    assert answer.status_code == 403
    assert _refusal_kind(answer) == "csrf"
    assert console.app.state.sessions.get(cookie["hub_session"]) is not None


def test_an_oversized_form_is_refused_before_it_is_read(console: InProcessConsole) -> None:
    cookie = console.cookie("supervisor1")
    csrf = console.app.state.sessions.get(cookie["hub_session"]).csrf
    with httpx.Client(base_url=console.url, cookies=cookie, timeout=60) as client:
        answer = client.post("/signout", data={"csrf": csrf, "filler": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413
    assert not has_trace(answer.text)
    assert console.app.state.sessions.get(cookie["hub_session"]) is not None


def test_the_forged_sign_out_works_with_the_right_token(console: InProcessConsole) -> None:
    """The control of the test above: the same post with the session's own token does what it says."""
    cookie = console.cookie("supervisor1")
    csrf = console.app.state.sessions.get(cookie["hub_session"]).csrf
    with httpx.Client(base_url=console.url, cookies=cookie, timeout=60) as client:
        answer = client.post("/signout", data={"csrf": csrf}, headers={"origin": console.url,
                                                                         "sec-fetch-site": "same-origin"})
    assert answer.status_code == 200
    assert "您已安全退出" in answer.text
    assert console.app.state.sessions.get(cookie["hub_session"]) is None


# --- 2. open redirects ------------------------------------------------------------------------------------------

#: as they would appear in the query string (already percent-encoded where it matters)
HOSTILE_NEXT = ("//evil.example/x", "https://evil.example/", "https:%2F%2Fevil.example", "/%5Cevil.example",
                "%5C%5Cevil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example", "%2F%5Cevil.example",
                "/%09/evil.example", "%2F%0A%2Fevil.example", "/%0D%0ALocation:%20https://evil.example",
                "%20//evil.example", "javascript:alert(1)", "/%00//evil.example", "%E3%80%82//evil.example",
                "/" + "a" * 5000)


def _browser_target(location: str, origin: str) -> str:
    """Where a browser goes for a Location header: it drops tabs and newlines and trims spaces first."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(" \x00")
    return urljoin(origin + "/", cleaned)


@pytest.mark.parametrize("raw_next", HOSTILE_NEXT)
def test_sign_in_never_returns_to_another_site(console: InProcessConsole, raw_next: str) -> None:
    with httpx.Client(timeout=60, follow_redirects=False) as client:
        start = client.get(f"{console.url}/signin?next={raw_next}")
        assert start.status_code == 302
        assert start.headers["location"].startswith(f"{console.stack.identity}/oauth/authorize?")
        posted = provider_redirect(client, start.headers["location"], "supervisor1")
        landing = client.get(posted.headers["location"])
    assert landing.status_code == 303, landing.text[:300]
    location = landing.headers["location"]
    target = urlsplit(_browser_target(location, console.url))
    assert f"{target.scheme}://{target.netloc}" == console.url, (raw_next, location)
    assert "evil" not in target.netloc


def test_sign_in_returns_to_the_page_asked_for(console: InProcessConsole) -> None:
    done = sign_in(console, "supervisor1", next_path="/alerts?severity=RED")
    with done:
        assert done.landing.status_code == 303
        assert done.landing.headers["location"] == "/alerts?severity=RED"


def _state_of(authorize_location: str) -> str:
    return dict(p.split("=", 1) for p in urlsplit(authorize_location).query.split("&"))["state"]


def test_a_callback_returns_only_to_its_own_sign_ins_page(console: InProcessConsole) -> None:
    """Three sign-ins in one browser: a code under another sign-in's state signs no one in (and spends
    both); a callback with its own state returns to its own page; a replay finds nothing."""
    with httpx.Client(timeout=60, follow_redirects=False) as client:
        first = begin_sign_in(client, console, "/alerts")
        second = begin_sign_in(client, console, "/workforce")
        third = begin_sign_in(client, console, "/cases?status=FILED")
        callback = urlsplit(provider_redirect(client, first.headers["location"], "supervisor1").headers["location"])
        swapped = re.sub(r"state=[^&]+", f"state={_state_of(second.headers['location'])}", callback.query)
        answer = client.get(f"{console.url}{callback.path}?{swapped}")  # the second's state, the first's code
        assert answer.status_code == 400
        assert session_cookie(client) is None
        assert client.get(f"{console.url}{callback.path}?{callback.query}").status_code == 400  # spent
        own = urlsplit(provider_redirect(client, third.headers["location"], "supervisor1").headers["location"])
        landed = client.get(f"{console.url}{own.path}?{own.query}")
        assert landed.status_code == 303
        assert landed.headers["location"] == "/cases?status=FILED"
        assert session_cookie(client) is not None
        replayed = client.get(f"{console.url}{own.path}?{own.query}")
        assert replayed.status_code == 400


def test_a_callback_link_from_someone_elses_sign_in_signs_no_one_in(console: InProcessConsole) -> None:
    """Login CSRF: the attacker signs in as themself, stops before the callback and sends the link."""
    with httpx.Client(timeout=60, follow_redirects=False) as attacker:
        start = begin_sign_in(attacker, console, "/")
        link = provider_redirect(attacker, start.headers["location"], "officer1").headers["location"]
    with httpx.Client(timeout=60, follow_redirects=False) as victim:
        answer = victim.get(link)
        assert answer.status_code == 400, answer.text[:300]
        assert session_cookie(victim) is None
        assert "hub_session" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize("error", ['<script>alert(1)</script>', "请拨打 400-000-0000 找回账号" * 20, "a\nb"])
def test_a_callback_error_shows_no_text_of_the_link(console: InProcessConsole, error: str) -> None:
    """The provider's `error` comes from the query string: only an OAuth error code is shown (and logged)."""
    with console.client(None) as client:
        answer = client.get("/auth/callback", params={"error": error, "state": "x"})
    assert answer.status_code == 400
    assert error not in answer.text
    assert "unknown_error" in answer.text


# --- 3. session fixation ------------------------------------------------------------------------------------------

def test_a_cookie_the_server_never_issued_is_no_session(console: InProcessConsole) -> None:
    planted = secrets.token_urlsafe(32)
    with httpx.Client(base_url=console.url, cookies={"hub_session": planted}, timeout=60) as client:
        for section in (path for path in EXPECTED if present(console, path)):
            answer = get(client, section)
            assert answer.status_code == 303, (section, answer.status_code)
            assert answer.headers["location"].startswith("/signin?next="), section
        home = get(client, "/")
        assert home.status_code == 200
        assert "退出登录" not in home.text
        assert "统一身份认证登录" in home.text
    assert console.app.state.sessions.get(planted) is None


@pytest.mark.parametrize("planted_kind", ["never issued", "someone's live session"])
def test_signing_in_issues_a_new_session_id(console: InProcessConsole, planted_kind: str) -> None:
    planted = secrets.token_urlsafe(32) if planted_kind == "never issued" else console.cookie("public1")["hub_session"]
    client = httpx.Client(timeout=60, follow_redirects=False)
    client.cookies.set("hub_session", planted, domain="127.0.0.1", path="/")
    done = sign_in(console, "supervisor1", next_path="/", client=client)
    with done:
        issued = session_cookie(done.client)
        assert issued
        assert issued != planted
        assert console.app.state.sessions.get(planted) is None, "the planted session still works"
        session = console.app.state.sessions.get(issued)
        assert session is not None
        assert session.user.subject == claims(console.stack.token("supervisor1"))["sub"]
        binding = done.steps[0].headers["set-cookie"].lower()  # the sign-in's own cookie, set by /signin
        assert binding.startswith("hub_signin=")
        assert "httponly" in binding
        assert "samesite=lax" in binding  # it must come back on the provider's redirect, a top-level GET
        assert "path=/auth/callback" in binding
        cookie = done.landing.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/" in cookie


# --- 4. the token never in the browser ----------------------------------------------------------------------------

def test_no_page_gives_the_browser_the_access_token(console: InProcessConsole, seeded: Samples) -> None:
    done = sign_in(console, "supervisor1", next_path="/")
    assert done.token
    assert done.token.startswith("eyJ")
    assert JWT.fullmatch(done.token), "the pattern below would not find the token"
    signature = done.token.rsplit(".", 1)[-1]
    starts = ["/", *(item.path for item in NAV), *(seeded.fill(r) for r in page_routes(console.app))]
    seen = 0
    with done:
        done.client.base_url = httpx.URL(console.url)
        for answer in [*done.steps, done.landing]:
            assert done.token not in str(answer.headers)
            assert signature not in str(answer.headers)
        for path, answer in crawl(done.client, console.url, starts, limit=80):
            seen += 1
            headers = str(list(answer.headers.items()))
            for secret in (done.token, signature):
                assert secret not in headers, (path, "the token in a header")
                assert secret not in answer.text, (path, "the token in the body")
            # any JWT at all (an opaque page cursor may start with eyJ too: it is no token)
            found = JWT.search(answer.text) if is_text(answer) else None
            assert found is None, (path, found.group(0)[:12] if found else "")
            assert JWT.search(headers) is None, path
    assert seen >= 3


