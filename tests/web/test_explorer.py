"""接口调试 over real HTTP: the page, and its proxy to the real gateway as the signed-in user.

The figures the proxy returns are compared with the gateway's own answer to the same request, asked
directly with the user's token; the purpose headers are checked in the gateway's access log.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.support.servers import serve
from tests.web.stack import InProcessConsole
from web.app import create_app
from web.config import WebConfig
from web.pages.explorer import MAX_BODY_BYTES

# a stable read of the personnel seed that a supervisor may make and an officer may not
# (statistics:read or supervision:read)
EXPIRING = ("query ExplorerExpiring($days: Int!) { supervisionExpiringCertificates(withinDays: $days, "
            'asOf: "2026-10-30") { bodyId count } }')
EXPIRING_VARS = {"days": 3660}
LOG_WAIT_S = 20.0


@contextmanager
def signed_in(console: InProcessConsole, username: str) -> Iterator[tuple[httpx.Client, str]]:
    """A client with a session cookie, and that session's CSRF token."""
    cookie = console.cookie(username)
    csrf = console.app.state.sessions.get(cookie["hub_session"]).csrf
    with httpx.Client(base_url=console.url, cookies=cookie, timeout=60, follow_redirects=False) as client:
        yield client, csrf


def post(client: httpx.Client, payload: Any, csrf: str | None, **headers: str) -> httpx.Response:
    sent = {"content-type": "application/json", **headers}
    if csrf is not None:
        sent["x-csrf-token"] = csrf
    return client.post("/explorer/graphql", content=json.dumps(payload), headers=sent)


def codes(answer: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.json().get("errors", [])]


def gateway_direct(console: InProcessConsole, username: str, payload: dict[str, Any],
                   purpose: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"authorization": f"Bearer {console.stack.token(username)}", "content-type": "application/json",
               "accept": "application/graphql-response+json"}
    if purpose:
        headers["x-purpose-code"] = purpose
    answer = httpx.post(f"{console.stack.gateway}/graphql", content=json.dumps(payload), headers=headers, timeout=30)
    return answer.status_code, answer.json()


# --- the page -------------------------------------------------------------------------------------------


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []
        self.options: list[str] = []
        self.meta: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.inline_handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(found)
        elif tag == "option":
            self.options.append(found.get("value") or "")
        elif tag == "meta" and found.get("name"):
            self.meta[str(found["name"])] = found.get("content")


def test_the_page_names_the_user_offers_the_purposes_and_loads_graphiql_from_files(console: InProcessConsole) -> None:
    with signed_in(console, "supervisor1") as (client, csrf):
        answer = client.get("/explorer")
    assert answer.status_code == 200
    page = Scripts()
    page.feed(answer.text)
    assert page.meta["csrf-token"] == csrf
    assert set(page.options) == {"CASE_HANDLING", "LEGAL_REVIEW", "INSPECTION", "SUPERVISION", "CASE_FILE_REVIEW",
                                 "DATA_EXCHANGE"}
    sources = [str(s["src"]) for s in page.scripts if s.get("src")]
    assert {"/static/vendor/react/react.production.min.js", "/static/vendor/react-dom/react-dom.production.min.js",
            "/static/vendor/graphiql/graphiql.min.js", "/static/js/explorer.js"} <= set(sources)
    assert all(s.get("src") or s.get("type") == "application/json" for s in page.scripts), "inline script code"
    assert not page.inline_handlers
    assert all(src and src.startswith("/static/") for src in sources)
    assert "执法监督人员" in answer.text
    assert 'for="purpose-code"' in answer.text
    assert 'for="purpose-ref"' in answer.text
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "unsafe-eval" not in answer.headers["content-security-policy"]
    with httpx.Client(base_url=console.url, timeout=30) as anonymous:  # the bundles are served, locally
        for src in sources:
            assert anonymous.get(src).status_code == 200, src


def test_the_page_needs_a_session_and_a_role_other_than_public(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/explorer")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fexplorer"
    with console.client("public1") as client:
        refused = client.get("/explorer")
    assert refused.status_code == 403
    assert "无权访问" in refused.text
    assert "Traceback" not in refused.text
    with console.client("officer1") as client:  # every working role may explore (the gateway decides the data)
        assert client.get("/explorer").status_code == 200


def test_hub_up_serves_the_explorer_in_dev(console: InProcessConsole) -> None:
    """The console `hub up` started (dev profile) has the explorer on: it asks a visitor to sign in."""
    answer = httpx.get(f"{console.stack.web}/explorer", timeout=30, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fexplorer"
    proxy = httpx.post(f"{console.stack.web}/explorer/graphql", json={"query": "{ __typename }"}, timeout=30)
    assert proxy.status_code == 401
    assert codes(proxy) == ["UNAUTHENTICATED"]


# --- the proxy ------------------------------------------------------------------------------------------


def test_a_supervisors_query_gets_the_gateways_answer(console: InProcessConsole) -> None:
    payload = {"query": EXPIRING, "variables": EXPIRING_VARS, "operationName": "ExplorerExpiring"}
    with signed_in(console, "supervisor1") as (client, csrf):
        answer = post(client, payload, csrf, **{"x-purpose-code": "SUPERVISION"})
    status, direct = gateway_direct(console, "supervisor1", payload, purpose="SUPERVISION")
    assert answer.status_code == status == 200
    body = answer.json()
    assert "errors" not in body, body
    rows = body["data"]["supervisionExpiringCertificates"]
    assert rows, "the seed has certificates ending within ten years"
    assert rows == direct["data"]["supervisionExpiringCertificates"]
    assert all(isinstance(r["count"], int) and r["count"] > 0 for r in rows)
    assert answer.headers["cache-control"] == "no-store"


def test_the_same_query_as_an_officer_gets_the_gateways_refusal(console: InProcessConsole) -> None:
    payload = {"query": EXPIRING, "variables": EXPIRING_VARS}
    with signed_in(console, "officer1") as (client, csrf):
        answer = post(client, payload, csrf, **{"x-purpose-code": "CASE_HANDLING"})
    status, direct = gateway_direct(console, "officer1", payload, purpose="CASE_HANDLING")
    assert answer.status_code == status
    body = answer.json()
    assert body.get("data", {}).get("supervisionExpiringCertificates") is None
    assert codes(answer) == [e["extensions"]["code"] for e in direct["errors"]]
    assert set(codes(answer)) & {"FORBIDDEN", "UNAUTHORIZED_FIELD_OR_TYPE"}, body


def test_public_is_refused_by_the_console_itself(console: InProcessConsole) -> None:
    with signed_in(console, "public1") as (client, csrf):
        answer = post(client, {"query": EXPIRING, "variables": EXPIRING_VARS}, csrf)
    assert answer.status_code == 403
    assert codes(answer) == ["FORBIDDEN"]
    assert "data" not in answer.json()


def test_introspection_reaches_graphiql_through_the_proxy(console: InProcessConsole) -> None:
    query = "{ __schema { queryType { name fields { name } } } }"
    with signed_in(console, "supervisor1") as (client, csrf):
        answer = post(client, {"query": query}, csrf)
    assert answer.status_code == 200
    fields = {f["name"] for f in answer.json()["data"]["__schema"]["queryType"]["fields"]}
    assert {"supervisionExpiringCertificates", "supervisionAlerts", "penaltyCases"} <= fields


def _log_records(console: InProcessConsole) -> list[dict[str, Any]]:
    path = console.stack.data_dir / "access_log.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        records.append(entry.get("body", entry) if isinstance(entry, dict) else {})
    return records


def test_the_purpose_code_and_reference_reach_the_gateway_as_the_user(console: InProcessConsole) -> None:
    name = f"ExplorerProbe{secrets.token_hex(4)}"
    query = f'query {name} {{ searchEnforcementBodies(level: "CITY", first: 1) {{ items {{ name }} }} }}'
    with signed_in(console, "supervisor1") as (client, csrf):
        answer = post(client, {"query": query, "operationName": name}, csrf,
                      **{"x-purpose-code": "INSPECTION", "x-purpose-ref": "inspection:probe-1"})
    assert answer.json()["data"]["searchEnforcementBodies"]["items"], answer.text
    deadline = time.monotonic() + LOG_WAIT_S
    found: list[dict[str, Any]] = []
    while not found and time.monotonic() < deadline:
        found = [r for r in _log_records(console) if (r.get("operation") or {}).get("name") == name]
        if not found:
            time.sleep(0.2)
    assert len(found) == 1, "the gateway's access log has the request once"
    record = found[0]
    assert record["purposeCode"] == "INSPECTION"
    assert record["purposeRef"] == "inspection:probe-1"
    assert record["requester"]["subject"] == "supervisor1"
    assert "SUPERVISOR" in record["requester"]["roles"]


@pytest.mark.parametrize(("headers", "field"), [
    ({"x-purpose-code": "CURIOSITY"}, "purposeCode"),
    ({"x-purpose-code": "SUPERVISION", "x-purpose-ref": "case:" + "9" * 90}, "purposeRef"),
])
def test_a_bad_purpose_is_refused_naming_the_field(console: InProcessConsole, headers: dict[str, str],
                                                   field: str) -> None:
    with signed_in(console, "supervisor1") as (client, csrf):
        answer = post(client, {"query": "{ __typename }"}, csrf, **headers)
    assert answer.status_code == 400
    assert codes(answer) == ["BAD_USER_INPUT"]
    assert answer.json()["errors"][0]["extensions"]["field"] == field


def test_a_post_without_the_csrf_token_is_refused(console: InProcessConsole) -> None:
    with signed_in(console, "supervisor1") as (client, csrf):
        missing = post(client, {"query": "{ __typename }"}, None)
        wrong = post(client, {"query": "{ __typename }"}, csrf[::-1] + "x")
        foreign = post(client, {"query": "{ __typename }"}, csrf, origin="http://127.0.0.2:9")
        form = client.post("/explorer/graphql", data={"query": "{ __typename }"}, headers={"x-csrf-token": csrf})
    for answer in (missing, wrong, foreign):
        assert answer.status_code == 403
        assert codes(answer) == ["CSRF"]
        assert "data" not in answer.json()
    assert form.status_code == 415  # a form post is no GraphQL request
    assert codes(form) == ["UNSUPPORTED_MEDIA_TYPE"]


def test_an_oversize_body_is_refused_before_the_gateway(console: InProcessConsole) -> None:
    padding = "#" + "x" * MAX_BODY_BYTES + "\n{ __typename }"
    with signed_in(console, "supervisor1") as (client, csrf):
        declared = post(client, {"query": padding}, csrf)

        def chunks() -> Iterator[bytes]:  # no content-length: the proxy counts as it reads
            body = json.dumps({"query": padding}).encode()
            for start in range(0, len(body), 16 * 1024):
                yield body[start:start + 16 * 1024]

        streamed = client.post("/explorer/graphql", content=chunks(),
                               headers={"content-type": "application/json", "x-csrf-token": csrf})
        just_under = post(client, {"query": "#" + "x" * (MAX_BODY_BYTES - 200) + "\n{ __typename }"}, csrf)
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert codes(answer) == ["PAYLOAD_TOO_LARGE"]
    assert just_under.status_code != 413


def test_no_session_or_an_expired_one_gets_401_json(console: InProcessConsole) -> None:
    expected = {"errors": [{"message": "登录已失效", "extensions": {"code": "UNAUTHENTICATED"}}]}
    with console.client(None) as client:
        nobody = client.post("/explorer/graphql", json={"query": "{ __typename }"})
    assert nobody.status_code == 401
    assert nobody.json() == expected
    with signed_in(console, "supervisor1") as (client, csrf):
        session_id = client.cookies["hub_session"]
        console.app.state.sessions.get(session_id).expires_at = time.time() - 1
        expired = post(client, {"query": "{ __typename }"}, csrf)
    assert expired.status_code == 401
    assert expired.json() == expected
    assert console.app.state.sessions.get(session_id) is None


def test_a_token_the_gateway_refuses_ends_the_session(console: InProcessConsole) -> None:
    session = console.app.state.sessions.create("e30.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiU1VQRVJWSVNPUiJdfQ.bad", 3600)
    with httpx.Client(base_url=console.url, cookies={"hub_session": session.id}, timeout=30) as client:
        answer = post(client, {"query": "{ __typename }"}, session.csrf)
    assert answer.status_code == 401
    assert codes(answer) == ["UNAUTHENTICATED"]
    assert console.app.state.sessions.get(session.id) is None


def test_the_explorer_is_absent_when_switched_off(console: InProcessConsole) -> None:
    config = WebConfig(gateway_url=f"{console.stack.gateway}/graphql", identity_url=console.stack.identity,
                       public_url="http://127.0.0.1", explorer=False)
    app = create_app(config)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        session = app.state.sessions.create(console.stack.token("supervisor1"), 3600)
        client.cookies.set("hub_session", session.id)
        page = client.get("/explorer")
        proxy = client.post("/explorer/graphql", json={"query": "{ __typename }"},
                            headers={"x-csrf-token": session.csrf})
        officer = app.state.sessions.create(console.stack.token("officer1"), 3600)
        client.cookies.set("hub_session", officer.id)
        home = client.get("/")
    assert page.status_code == 404
    assert "页面不存在" in page.text
    assert proxy.status_code == 404
    assert "data" not in proxy.json()
    assert home.status_code == 200
    assert not re.search(r'href="/explorer"', home.text), "the start page offers no explorer"
    with console.client("officer1") as on:  # where it is on, the same start page offers it
        assert re.search(r'href="/explorer"', on.get("/").text)
