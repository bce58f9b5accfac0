"""Request hygiene: each rule on its own, then through a small Starlette GraphQL endpoint."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, build_schema, graphql, parse, validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.security.errors import (
    BatchingDisabled,
    CsrfPrevented,
    IntrospectionDisabled,
    MutationOverGet,
    SecurityError,
)
from gateway.security.hygiene import (
    HygienePolicy,
    ensure_batch_allowed,
    ensure_csrf_safe,
    ensure_introspection_allowed,
    ensure_not_mutation_over_get,
    format_error,
    introspection_fields,
    media_type,
    strip_suggestions,
)
from trust.responses import security_error_response

SCHEMA = build_schema("""
type Query { caseCount: Int  secretCase: Case  boom: Int }
type Case { id: ID  title: String }
type Mutation { closeCase(id: ID!): Case }
""")


class _Boom(Exception):
    pass


def _boom(*_: Any) -> int:
    raise _Boom("db password is hunter2 at /srv/app/store.py line 12")


ROOT = {"caseCount": 3, "boom": _boom}


def make_app(policy: HygienePolicy) -> Starlette:
    async def endpoint(request: Request) -> Response:
        try:
            ensure_csrf_safe(request.method, request.headers)
            if request.method == "GET":
                payload: Any = dict(request.query_params)
            else:
                payload = json.loads(await request.body())
            ensure_batch_allowed(payload, policy)
            document = parse(payload["query"])
            ensure_not_mutation_over_get(request.method, document, payload.get("operationName"))
            ensure_introspection_allowed(document, policy)
        except SecurityError as exc:
            return security_error_response(exc)
        errors = validate(SCHEMA, document)
        if errors:
            return JSONResponse({"errors": [format_error(e, policy=policy) for e in errors]}, status_code=400)
        result = await graphql(SCHEMA, payload["query"], root_value=ROOT)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, policy=policy) for e in result.errors]
        return JSONResponse(body)

    return Starlette(routes=[Route("/graphql", endpoint, methods=["GET", "POST"])])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app(HygienePolicy()))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


# --- CSRF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", None, "application/xml"],
)
def test_simple_posts_are_csrf(content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    with pytest.raises(CsrfPrevented):
        ensure_csrf_safe("POST", headers)
    with pytest.raises(CsrfPrevented):
        ensure_csrf_safe("POST", {**headers, "x-hub-preflight": "  "})  # empty does not count
    ensure_csrf_safe("POST", {**headers, "X-Apollo-Operation-Name": "Cases"})
    ensure_csrf_safe("POST", {**headers, "apollo-require-preflight": "true"})


def test_json_posts_pass() -> None:
    assert ensure_csrf_safe("POST", {"content-type": "application/json; charset=utf-8"}) is None
    assert ensure_csrf_safe("POST", {"Content-Type": "Application/GraphQL-Response+JSON"}) is None


def test_get_rule() -> None:
    with pytest.raises(CsrfPrevented):
        ensure_csrf_safe("GET", {"accept": "text/html,*/*"})
    with pytest.raises(CsrfPrevented):
        ensure_csrf_safe("GET", {})
    for accept in ("application/json", "text/html, application/graphql-response+json;q=0.9"):
        with pytest.raises(CsrfPrevented):  # a no-cors fetch may set any Accept: not a preflight
            ensure_csrf_safe("GET", {"accept": accept})
    with pytest.raises(CsrfPrevented):
        ensure_csrf_safe("GET", {"accept": "application/json", "x-hub-preflight": " "})
    ensure_csrf_safe("GET", {"x-hub-preflight": "1"})
    ensure_csrf_safe("GET", {"Apollo-Require-Preflight": "true", "accept": "*/*"})
    ensure_csrf_safe("GET", {"x-apollo-operation-name": "Cases"})


def test_media_type() -> None:
    assert media_type(" Application/JSON ; charset=utf-8") == "application/json"
    assert media_type(None) == ""


async def test_form_encoded_post_rejected_over_http(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", data={"query": "{ caseCount }"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
    response = await client.post("/graphql", content='{"query":"{ caseCount }"}', headers={"content-type": "text/plain"})
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"


async def test_json_post_runs(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ caseCount }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"caseCount": 3}}


# --- batching, GET mutations -------------------------------------------------------------------------


async def test_ten_query_batch_rejected(client: httpx.AsyncClient) -> None:
    batch = [{"query": "{ caseCount }"} for _ in range(10)]
    response = await client.post("/graphql", json=batch)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_DISABLED"


def test_batch_size_when_enabled() -> None:
    policy = HygienePolicy(batching=True, max_batch_size=5)
    ensure_batch_allowed([{}] * 5, policy)
    with pytest.raises(BatchingDisabled):
        ensure_batch_allowed([{}] * 6, policy)
    ensure_batch_allowed({"query": "{ a }"}, HygienePolicy())


async def test_mutation_over_get_rejected(client: httpx.AsyncClient) -> None:
    headers = {"accept": "application/json", "apollo-require-preflight": "true"}
    response = await client.get("/graphql", params={"query": "mutation { closeCase(id: 1) { id } }"}, headers=headers)
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    response = await client.get("/graphql", params={"query": "{ caseCount }"}, headers=headers)
    assert response.json() == {"data": {"caseCount": 3}}


def test_mutation_over_get_with_operation_names() -> None:
    document = parse("query Q { caseCount } mutation M { closeCase(id: 1) { id } }")
    ensure_not_mutation_over_get("GET", document, "Q")
    with pytest.raises(MutationOverGet):
        ensure_not_mutation_over_get("GET", document, "M")
    with pytest.raises(MutationOverGet):  # ambiguous: refuse
        ensure_not_mutation_over_get("GET", document, None)
    ensure_not_mutation_over_get("POST", document, "M")


async def test_get_without_a_preflight_header_is_csrf(client: httpx.AsyncClient) -> None:
    for accept in ("*/*", "application/json"):
        response = await client.get("/graphql", params={"query": "{ caseCount }"}, headers={"accept": accept})
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"


# --- introspection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name } } }",
        '{ t: __type(name: "Case") { name } }',
        "{ ...F } fragment F on Query { __schema { queryType { name } } }",
        "{ secretCase { ... on Case { id } } ... on Query { ...G } } fragment G on Query { __type(name: \"Q\") { name } }",
        "query A { caseCount } fragment Unused on Query { __schema { description } }",
    ],
)
def test_introspection_detected_everywhere(query: str) -> None:
    assert introspection_fields(parse(query))
    with pytest.raises(IntrospectionDisabled):
        ensure_introspection_allowed(parse(query), HygienePolicy())
    ensure_introspection_allowed(parse(query), HygienePolicy(introspection=True))


def test_typename_is_not_introspection() -> None:
    assert introspection_fields(parse("{ __typename secretCase { __typename id } }")) == []


async def test_introspection_rejected_over_http(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ ...F } fragment F on Query { __schema { types { name } } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


# --- error hygiene -----------------------------------------------------------------------------------


def test_strip_suggestions_from_real_validation_messages() -> None:
    errors = validate(SCHEMA, parse("{ caseCont secretCase { titel } }"))
    raw = [e.message for e in errors]
    assert any("Did you mean" in m for m in raw)  # graphql-core does suggest
    cleaned = [strip_suggestions(m) for m in raw]
    assert all("Did you mean" not in m for m in cleaned)
    assert "Cannot query field 'caseCont' on type 'Query'." in cleaned
    assert strip_suggestions("Unknown type 'Cse'. Did you mean 'Case', 'Query', or 'Mutation'?") == "Unknown type 'Cse'."


async def test_validation_errors_over_http_have_no_suggestions(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ caseCont }"})
    message = response.json()["errors"][0]["message"]
    assert message == "Cannot query field 'caseCont' on type 'Query'."


async def test_internal_errors_are_masked(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ boom caseCount }"})
    body = response.json()
    assert body["data"] == {"boom": None, "caseCount": 3}
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["boom"]
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


def test_format_error_drops_exception_extensions_keeps_intended_codes() -> None:
    error = GraphQLError("nope", extensions={"code": "FORBIDDEN", "exception": {"stacktrace": ["x"]}, "stacktrace": ["y"]})
    assert format_error(error) == {"message": "nope", "extensions": {"code": "FORBIDDEN"}}
    intended = GraphQLError("blocked", original_error=CsrfPrevented("blocked"))
    assert format_error(intended)["extensions"] == {"code": "CSRF_PREVENTED"}
    wrapped = GraphQLError("secret detail", original_error=RuntimeError("secret detail"))
    assert format_error(wrapped)["message"] == "Internal server error"
    assert format_error(wrapped, expose_internal=True)["message"] == "secret detail"
