"""GraphQL over HTTP on the wire: each kind of request, under each media type, gets the spec's status and type.

Regression: clients that send ``accept: application/graphql-response+json`` (Apollo Client 4) got the
legacy behaviour, a bare 400 for a validation error under application/json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.media import GRAPHQL_RESPONSE_JSON, JSON
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import free_port, serve

MODERN = {"accept": GRAPHQL_RESPONSE_JSON}
LEGACY = {"accept": JSON}
APOLLO_CLIENT_4 = {"accept": "application/graphql-response+json,application/json;q=0.9"}


def _post(url: str, body: bytes | dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    content = body if isinstance(body, bytes) else httpx.Request("POST", url, json=body).content
    return httpx.post(url + "/graphql", content=content, headers={"content-type": JSON, **headers}, timeout=10)


def _media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


#: well-formed requests that fail as GraphQL: the code each must carry
REQUEST_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "parse": ({"query": "{ me { "}, "GRAPHQL_PARSE_FAILED"),
    "validation": ({"query": "{ me { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
    "coercion": ({"query": "query Q($n: Int!) { topProducts(first: $n) { upc } }", "variables": {"n": "x"}},
                 "BAD_USER_INPUT"),
    "missing variable": ({"query": "query Q($n: Int!) { topProducts(first: $n) { upc } }"}, "BAD_USER_INPUT"),
    "ambiguous operation": ({"query": "query A { me { id } } query B { me { id } }"}, "BAD_USER_INPUT"),
    "unknown operation name": ({"query": "query A { me { id } }", "operationName": "B"}, "BAD_USER_INPUT"),
}


@pytest.mark.parametrize("kind", sorted(REQUEST_ERRORS))
def test_a_request_error_is_400_without_data_under_graphql_response_json(gateway_url: str, kind: str) -> None:
    body, code = REQUEST_ERRORS[kind]
    for headers in (MODERN, APOLLO_CLIENT_4):
        response = _post(gateway_url, body, headers)
        assert response.status_code == 400, response.text
        assert _media(response) == GRAPHQL_RESPONSE_JSON
        answer = response.json()
        assert "data" not in answer
        assert answer["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("kind", sorted(REQUEST_ERRORS))
def test_a_request_error_is_200_under_application_json(gateway_url: str, kind: str) -> None:
    body, code = REQUEST_ERRORS[kind]
    for headers in (LEGACY, {"accept": "*/*"}, {}):
        response = _post(gateway_url, body, headers)
        assert response.status_code == 200, response.text
        assert _media(response) == JSON
        assert response.json()["errors"][0]["extensions"]["code"] == code


def test_accept_absent_means_application_json(gateway_url: str) -> None:
    request = httpx.Request("POST", gateway_url + "/graphql", content=b'{"query": "{ me { name } }"}',
                            headers={"content-type": JSON})
    assert "accept" not in request.headers  # a client's send() adds no default headers
    with httpx.Client(timeout=10) as client:
        response = client.send(request)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}


def test_partial_data_and_field_errors_are_200_under_both_types(gateway_url: str) -> None:
    for headers in (MODERN, LEGACY):
        response = _post(gateway_url, {"query": "{ topProducts(first: 1) { name failing } }"}, headers)
        assert response.status_code == 200, response.text
        assert _media(response) == headers["accept"]
        answer = response.json()
        assert answer["data"] == {"topProducts": [{"name": "Table", "failing": None}]}
        assert answer["errors"][0]["path"] == ["topProducts", 0, "failing"]


@pytest.mark.parametrize("body", [
    b"", b"{not json", b"[]", b'"query"', b'{"notquery": "{ me { id } }"}', b'{"query": 7}',
    b'{"query": "{ me { id } }", "variables": "x"}', b'{"query": "{ me { id } }", "operationName": false}',
    b'{"query": "{ me { id } }", "extensions": ["a"]}', b'[{"query": "{ me { id } }"}]', b"\xff\xfe{}",
])
def test_a_body_that_is_not_a_graphql_request_is_400_under_both_types(gateway_url: str, body: bytes) -> None:
    for headers in (MODERN, LEGACY):
        response = _post(gateway_url, body, headers)
        assert response.status_code == 400, (body, response.text)
        assert _media(response) == headers["accept"]
        assert response.json()["errors"][0]["extensions"]["code"] in {"BAD_USER_INPUT", "BATCHING_DISABLED"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=iso-8859-1"])
def test_a_post_body_not_declared_json_in_utf8_is_415(gateway_url: str, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = httpx.post(gateway_url + "/graphql", content=b'{"query": "{ me { id } }"}', headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_a_charset_parameter_of_utf8_is_read_as_utf8(gateway_url: str) -> None:
    raw = '{"query": "query Q($n: String!) { __type(name: $n) { name } }", "variables": {"n": "Run🏃"}}'
    response = httpx.post(gateway_url + "/graphql", content=raw.encode("utf-8"),
                          headers={"content-type": "application/json; charset=utf-8", **MODERN})
    assert response.status_code == 200
    assert response.json() == {"data": {"__type": None}}


def test_an_unacceptable_accept_is_406_before_anything_runs(gateway_url: str) -> None:
    for accept in ("text/html", "application/xml", "application/json;q=0"):
        response = _post(gateway_url, {"query": "{ me { name } }"}, {"accept": accept})
        assert response.status_code == 406, accept
        assert _media(response) == JSON
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_get_carries_the_parameters_in_the_query_string(gateway_url: str) -> None:
    params = {"query": "query Q($n: Int!) { topProducts(first: $n) { name } }", "variables": '{"n": 1}',
              "operationName": "Q", "extensions": "{}"}
    for headers in (MODERN, LEGACY):
        response = httpx.get(gateway_url + "/graphql", params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert _media(response) == headers["accept"]
        assert response.json() == {"data": {"topProducts": [{"name": "Table"}]}}
    for bad in ({"variables": "{nope"}, {"variables": "[1]"}, {"extensions": "7"}, {"query": ""}):
        response = httpx.get(gateway_url + "/graphql", params={**params, **bad}, headers=MODERN)
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_mutation_over_get_is_405_with_allow_post(gateway_url: str) -> None:
    for headers in (MODERN, LEGACY, {}):
        response = httpx.get(gateway_url + "/graphql", params={"query": 'mutation { rename(name: "x") { id } }'},
                             headers=headers)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_data_null_from_a_field_error_stays_200_under_graphql_response_json(tmp_path: Path) -> None:
    # inventorySize is non-null and its subgraph is down: data is null, yet the request was executed
    urls = {name: f"http://127.0.0.1:{free_port()}/graphql" for name in ("accounts", "inventory", "products",
                                                                        "reviews")}
    path = tmp_path / "supergraph.graphql"
    path.write_text(shop_supergraph(urls), encoding="utf-8")
    with serve(create_app(str(path), poll_interval_s=None)) as url:
        response = _post(url, {"query": "{ inventorySize }"}, MODERN)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
