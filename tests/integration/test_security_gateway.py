"""The production-profile gateway over real HTTP: operation limits, request hygiene, and bypass attempts.

Tokens come from the simulated identity provider; both subgraphs sit behind signed-call verification.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.gateway.security.secure_graph import SIGNING_KEY, Stack, secure_stack
from trust.signing import CallerContext, CallSigner

# clients that follow GraphQL over HTTP: a refused request is a 4xx (under application/json it would be 200)
JSON = {"content-type": "application/json", "accept": "application/graphql-response+json"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with secure_stack(tmp_path_factory.mktemp("secure")) as running:
        yield running


@pytest.fixture(scope="module")
def officer(stack: Stack) -> str:
    return stack.token("officer1")


def post(stack: Stack, token: str | None, payload: Any, **headers: str) -> httpx.Response:
    all_headers = dict(JSON)
    if token is not None:
        all_headers["authorization"] = f"Bearer {token}"
    all_headers.update(headers)
    return httpx.post(f"{stack.gateway}/graphql", json=payload, headers=all_headers, timeout=10)


def codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


def assert_safe(response: httpx.Response) -> None:
    """Nothing a client could learn the schema or the server's internals from."""
    text = response.text
    assert "Did you mean" not in text
    assert "stacktrace" not in text.lower()
    assert "traceback" not in text.lower()
    body = response.json()
    assert "extensions" not in body  # no tracing data
    for error in body.get("errors", []):
        assert "exception" not in error.get("extensions", {})


# --- operation limits and hygiene --------------------------------------------------------------------


def test_101_aliases_rejected(stack: Stack, officer: str) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }"
    response = post(stack, officer, {"query": query})
    assert response.status_code == 400
    assert "MAX_ALIASES_EXCEEDED" in codes(response)
    assert_safe(response)


def test_batch_of_ten_rejected(stack: Stack, officer: str) -> None:
    response = post(stack, officer, [{"query": "{ notices { id } }"}] * 10)
    assert response.status_code == 400
    assert codes(response) == ["BATCHING_DISABLED"]
    assert "data" not in response.json()


def test_deep_circular_introspection_rejected(stack: Stack, officer: str) -> None:
    nested = "name"
    for _ in range(12):
        nested = f"name fields {{ type {{ {nested} }} }}"
    response = post(stack, officer, {"query": "{ __schema { types { " + nested + " } } }"})
    assert response.status_code == 400
    assert response.json().get("data") is None
    assert "MAX_DEPTH_EXCEEDED" in codes(response)


def test_ten_repeated_directives_rejected_with_one_error(stack: Stack, officer: str) -> None:
    query = "{ notices { id " + "@skip(if: false) " * 10 + "} }"
    response = post(stack, officer, {"query": query})
    assert response.status_code == 400
    assert codes(response) == ["MAX_DIRECTIVES_EXCEEDED"]


def test_500_typename_rejected(stack: Stack, officer: str) -> None:
    response = post(stack, officer, {"query": "{ " + "__typename " * 500 + "}"})
    assert response.status_code == 400
    assert "MAX_FIELDS_EXCEEDED" in codes(response)


def test_no_did_you_mean_in_validation_errors(stack: Stack, officer: str) -> None:
    response = post(stack, officer, {"query": "{ notice { titel } personByIdNumbr(idNumber: \"1\") { id } }"})
    assert response.status_code == 400
    assert codes(response)[0] == "GRAPHQL_VALIDATION_FAILED"
    assert_safe(response)


def test_mutation_over_get_rejected(stack: Stack, officer: str) -> None:
    response = httpx.get(f"{stack.gateway}/graphql", params={"query": "mutation { noop }"},
                         headers={"x-hub-preflight": "1", "authorization": f"Bearer {officer}"}, timeout=10)
    assert response.status_code == 405
    assert codes(response) == ["METHOD_NOT_ALLOWED"]
    query_over_get = httpx.get(f"{stack.gateway}/graphql", params={"query": "{ notices { id } }"},
                               headers={"x-hub-preflight": "1", "authorization": f"Bearer {officer}"},
                               timeout=10)
    assert query_over_get.status_code == 200
    assert query_over_get.json()["data"]["notices"][0]["id"] == "n1"


def test_get_with_only_a_json_accept_header_is_csrf(stack: Stack, officer: str) -> None:
    """A cross-site page can send `Accept: application/json` without a preflight: not enough for a GET."""
    for headers in ({"accept": "application/json"}, {"accept": "*/*"}, {}):
        response = httpx.get(f"{stack.gateway}/graphql", params={"query": "{ notices { id } }"},
                             headers={**headers, "authorization": f"Bearer {officer}"}, timeout=10)
        assert response.status_code == 400
        assert codes(response) == ["CSRF_PREVENTED"]
        assert "data" not in response.json()
    for preflight in ("apollo-require-preflight", "x-apollo-operation-name", "x-hub-preflight"):
        response = httpx.get(f"{stack.gateway}/graphql", params={"query": "{ notices { id } }"},
                             headers={preflight: "1", "authorization": f"Bearer {officer}"}, timeout=10)
        assert response.status_code == 200, preflight
        assert response.json() == {"data": {"notices": [{"id": "n1"}]}}


def test_form_encoded_post_rejected(stack: Stack, officer: str) -> None:
    response = httpx.post(f"{stack.gateway}/graphql", content="query=%7B+notices+%7B+id+%7D+%7D",
                          headers={"content-type": "application/x-www-form-urlencoded",
                                   "authorization": f"Bearer {officer}"}, timeout=10)
    assert response.status_code == 400
    assert codes(response) == ["CSRF_PREVENTED"]


def test_no_ide_page_for_a_browser(stack: Stack) -> None:
    for path in ("/graphql", "/console", "/"):
        response = httpx.get(f"{stack.gateway}{path}", headers={"accept": "text/html"}, timeout=10)
        if path == "/console":
            assert response.status_code == 404
        assert "text/html" not in response.headers.get("content-type", "")
        assert "<html" not in response.text.lower()
        assert "<script" not in response.text.lower()


def test_introspection_off(stack: Stack, officer: str) -> None:
    for query in ("{ __schema { queryType { name } } }", "{ __type(name: \"Person\") { name } }",
                  "{ ...F } fragment F on Query { s: __schema { types { name } } }"):
        response = post(stack, officer, {"query": query})
        assert response.status_code == 400
        assert codes(response) == ["INTROSPECTION_DISABLED"]
    allowed = post(stack, officer, {"query": "{ __typename }"})
    assert allowed.json() == {"data": {"__typename": "Query"}}


def test_malformed_query_has_no_exception_details(stack: Stack, officer: str) -> None:
    for query in ("{ notices { id ", "{ notices(first: ) }", "\u0000", "query ($a: ) { x }"):
        response = post(stack, officer, {"query": query})
        assert response.status_code == 400
        assert codes(response) == ["GRAPHQL_PARSE_FAILED"]
        assert_safe(response)


def test_oversized_body_rejected(stack: Stack, officer: str) -> None:
    response = post(stack, officer, {"query": "{ notices { id } }", "variables": {"pad": "x" * 300_000}})
    assert response.status_code == 413
    assert codes(response) == ["BODY_TOO_LARGE"]


def test_ordinary_query_has_no_tracing_data(stack: Stack, officer: str) -> None:
    response = post(stack, officer, {"query": "{ notices { id title } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"notices": [{"id": "n1", "title": "公示"}]}}


# --- authentication ------------------------------------------------------------------------------------


def test_anonymous_refused(stack: Stack) -> None:
    response = post(stack, None, {"query": "{ notices { id } }"})
    assert response.status_code == 401
    assert codes(response) == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_for_another_audience_refused(stack: Stack) -> None:
    token = stack.token("officer1", audience="some-other-system")
    response = post(stack, token, {"query": "{ notices { id } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "WRONG_AUDIENCE"}


def test_expired_token_refused(stack: Stack) -> None:
    token = stack.token("officer1", expires_in="-120")
    response = post(stack, token, {"query": "{ notices { id } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["reason"] == "TOKEN_EXPIRED"


def test_ten_year_token_refused(stack: Stack) -> None:
    """Signed by the identity provider's own key, every other claim right: only the lifetime is wrong."""
    genuine = jwt.decode(stack.token("officer1"), options={"verify_signature": False})
    assert post(stack, stack.mint(genuine), {"query": "{ notices { id } }"}).status_code == 200
    now = int(time.time())
    token = stack.mint({**genuine, "iat": now, "nbf": now, "exp": now + 10 * 365 * 86400})
    response = post(stack, token, {"query": "{ notices { id } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED",
                                                          "reason": "TOKEN_LIFETIME_TOO_LONG"}


def test_forged_token_refused(stack: Stack, officer: str) -> None:
    header, payload, signature = officer.split(".")
    forged = ".".join([header, payload, signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")])
    assert post(stack, forged, {"query": "{ notices { id } }"}).status_code == 401


# --- authorization bypass attempts ---------------------------------------------------------------------


def people_queries(stack: Stack, since: int) -> str:
    return " ".join(s.body.decode() for s in stack.people.seen[since:])


def test_alias_does_not_bypass_scope(stack: Stack) -> None:
    token = stack.token("officer1", scope="cases:read")  # no population:read
    since = len(stack.people.seen)
    response = post(stack, token, {"query": "{ p: person(idHash: \"h-zhang\") { idHash hidden: mobile n: idNumber } }"})
    body = response.json()
    assert body["data"] == {"p": None}  # idNumber is String!: its null reaches the nullable p
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["p", "n"], "UNAUTHORIZED_FIELD_OR_TYPE")]
    assert "idNumber" not in people_queries(stack, since)  # never fetched


def test_fragment_does_not_bypass_scope(stack: Stack) -> None:
    token = stack.token("officer1", scope="cases:read")
    since = len(stack.people.seen)
    query = "{ cases { id party { ...P } } } fragment P on Person { idHash ... on Person { x: idNumber } }"
    response = post(stack, token, {"query": query})
    body = response.json()
    assert body["data"] is None  # cases: [Case!]! -> party: Person! -> idNumber: String!
    assert body["errors"][0]["path"] == ["cases", "party", "x"]
    assert "idNumber" not in people_queries(stack, since)


def test_typename_does_not_bypass_a_protected_type(stack: Stack, officer: str) -> None:
    since = len(stack.cases.seen)
    response = post(stack, officer, {"query": "{ notices { id } v: vault { __typename } }"})
    body = response.json()
    assert body["data"] is None or body["data"].get("v") is None
    assert ["v"] in [e.get("path") for e in body["errors"]]
    assert all(b"vault" not in s.body for s in stack.cases.seen[since:])


def test_policy_denies_other_roles(stack: Stack, officer: str) -> None:
    response = post(stack, officer, {"query": "{ notices { id } auditTrail }"})
    assert response.json()["errors"][0]["path"] == ["auditTrail"]
    auditor = post(stack, stack.token("auditor1"), {"query": "{ auditTrail }"})
    assert auditor.json() == {"data": {"auditTrail": "trail"}}


def test_direct_entities_call_to_a_subgraph_rejected(stack: Stack) -> None:
    query = {"query": "query($r:[_Any!]!){_entities(representations:$r){...on Person{idNumber name}}}",
             "variables": {"r": [{"__typename": "Person", "idHash": "h-zhang"}]}}
    response = httpx.post(stack.subgraph_urls["people"], json=query, timeout=10)
    assert response.status_code == 401
    assert codes(response) == ["UNSIGNED_CALL"]
    assert "445102" not in response.text


def test_replayed_altered_and_stale_signed_calls_rejected(stack: Stack, officer: str) -> None:
    since = len(stack.people.seen)
    assert post(stack, officer, {"query": "{ notices { id } }"}).status_code == 200
    original = stack.people.seen[since]
    assert original.headers["x-hub-signature"]
    headers = {k: v for k, v in original.headers.items() if k.startswith("x-hub-") or k == "content-type"}
    replay = httpx.post(stack.subgraph_urls["people"], content=original.body, headers=headers, timeout=10)
    assert replay.status_code == 401
    assert codes(replay) == ["REPLAYED_CALL"]
    altered = original.body.replace(b"notices", b"person(idHash:\\\"h-zhang\\\"){idNumber}")
    tampered = httpx.post(stack.subgraph_urls["people"], content=altered, headers=headers, timeout=10)
    assert tampered.status_code == 401
    assert codes(tampered) == ["BAD_SIGNATURE"]
    old = CallSigner(SIGNING_KEY, clock=lambda: time.time() - 3600)
    target = httpx.URL(stack.subgraph_urls["people"]).raw_path.decode()
    stale_headers = old.sign(audience="people", method="POST", target=target, body=original.body,
                             context=CallerContext("x", frozenset({"OFFICER"}), None, None, None, "r"))
    stale = httpx.post(stack.subgraph_urls["people"], content=original.body,
                       headers={**stale_headers, "content-type": "application/json"}, timeout=10)
    assert stale.status_code == 401
    assert codes(stale) == ["STALE_CALL"]


def test_signed_calls_carry_the_caller_context_and_purpose(stack: Stack, officer: str) -> None:
    since = len(stack.people.seen)
    post(stack, officer, {"query": "{ notices { id } }"}, **{"x-purpose-code": "CASE_HANDLING"})
    context = CallerContext.decode(stack.people.seen[since].headers["x-hub-context"])
    assert context.subject
    assert "OFFICER" in context.roles
    assert context.purpose_code == "CASE_HANDLING"
    unknown = post(stack, officer, {"query": "{ notices { id } }"}, **{"x-purpose-code": "CURIOSITY"})
    assert unknown.status_code == 400
    assert codes(unknown) == ["INVALID_PURPOSE_CODE"]


def test_rate_limit_per_principal(tmp_path: Path) -> None:
    from gateway.security.ratelimit import RateLimit

    with secure_stack(tmp_path, config_changes={"rate_limit": RateLimit(capacity=3, refill_per_s=0.01)}) as small:
        token = small.token("officer1")
        statuses = [post(small, token, {"query": "{ __typename }"}).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
        refused = post(small, token, {"query": "{ __typename }"})
        assert int(refused.headers["retry-after"]) >= 1
        assert post(small, small.token("head1"), {"query": "{ __typename }"}).status_code == 200
