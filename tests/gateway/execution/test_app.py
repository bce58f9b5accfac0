"""The HTTP surface: GET/POST, errors as GraphQL responses, /health, partial data, reload without drops."""

from __future__ import annotations

import threading
import time

import httpx

from gateway.app import create_app
from tests.gateway.execution.conftest import Shop
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import free_port, serve


def test_health_get_query_and_mutation_over_get(gateway_url: str, fresh: Shop) -> None:
    assert httpx.get(gateway_url + "/health").status_code == 200
    ok = httpx.get(gateway_url + "/graphql", params={"query": "{ me { name } }"})
    assert ok.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
    mutation = httpx.get(gateway_url + "/graphql", params={"query": "mutation { x }"},
                         headers={"accept": "application/graphql-response+json"})
    # the shop has no Mutation type: a validation error, not a 500
    assert mutation.status_code == 400


def test_bad_requests_get_graphql_errors_not_500(gateway_url: str) -> None:
    cases = {
        b"{not json": "BAD_USER_INPUT",
        b'{"query": "{ me { "}': "GRAPHQL_PARSE_FAILED",
        b'{"query": "{ me { nope } }"}': "GRAPHQL_VALIDATION_FAILED",
        b'{"query": "query A { me { id } } query B { me { id } }"}': "BAD_USER_INPUT",
        b'{"variables": {}}': "BAD_USER_INPUT",
    }
    for raw, code in cases.items():
        response = httpx.post(gateway_url + "/graphql", content=raw, headers={
            "content-type": "application/json", "accept": "application/graphql-response+json"})
        assert response.status_code == 400, raw
        assert response.json()["errors"][0]["extensions"]["code"] == code, raw


def test_mutation_over_get_is_405(tmp_path: object, shop: Shop) -> None:
    sdl = shop_supergraph(shop.urls).replace("  query: Query\n  \n", "  query: Query\n  mutation: Mutation\n")
    sdl += '''
type Mutation @join__type(graph: ACCOUNTS) {
  rename(name: String!): User @join__field(graph: ACCOUNTS)
}
'''
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    path = tmp_path / "sg.graphql"
    path.write_text(sdl, encoding="utf-8")
    with serve(create_app(str(path), poll_interval_s=None)) as url:
        response = httpx.get(url + "/graphql", params={"query": 'mutation { rename(name: "x") { id } }'})
        assert response.status_code == 405
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_stopped_subgraph_gives_partial_data_and_an_error_naming_it(tmp_path: object, shop: Shop) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    urls = dict(shop.urls)
    urls["inventory"] = f"http://127.0.0.1:{free_port()}/graphql"  # nothing listens there
    path = tmp_path / "sg.graphql"
    path.write_text(shop_supergraph(urls), encoding="utf-8")
    with serve(create_app(str(path), poll_interval_s=None)) as url:
        body = httpx.post(url + "/graphql", json={"query": "{ topProducts(first: 2) { name inStock } }"}).json()
        assert body["data"] == {"topProducts": [{"name": "Table", "inStock": None}, {"name": "Couch", "inStock": None}]}
        # one error per field left null, each at the client's path
        assert [e["path"] for e in body["errors"]] == [["topProducts", 0, "inStock"], ["topProducts", 1, "inStock"]]
        for error in body["errors"]:
            assert error["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "inventory"}
        # a root field of the missing subgraph: non-null -> data null, still a 200 GraphQL response
        down = httpx.post(url + "/graphql", json={"query": "{ inventorySize }"})
        assert down.status_code == 200
        assert down.json()["data"] is None
        # the other subgraphs keep being served
        assert httpx.post(url + "/graphql", json={"query": "{ me { name } }"}).json() == {
            "data": {"me": {"name": "Ada Lovelace"}}}


def test_reload_on_file_change_keeps_requests_in_flight(tmp_path: object, fresh: Shop) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    path = tmp_path / "sg.graphql"
    path.write_text(shop_supergraph(fresh.urls), encoding="utf-8")
    with serve(create_app(str(path), poll_interval_s=0.1)) as url:
        fresh.recorders["inventory"].delay_s = 1.0
        results: dict[str, httpx.Response] = {}

        def slow() -> None:
            results["slow"] = httpx.post(url + "/graphql", json={"query": "{ topProducts(first: 1) { inStock } }"},
                                         timeout=10)

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.3)  # the request is now waiting on inventory
        new_sdl = shop_supergraph(fresh.urls).replace("  reviewCount: Int! @join__field(graph: REVIEWS)\n", "")
        path.write_text(new_sdl, encoding="utf-8")
        deadline = time.monotonic() + 5
        reloaded = False
        while time.monotonic() < deadline and not reloaded:
            probe = httpx.post(url + "/graphql", json={"query": "{ reviewCount }"}).json()
            reloaded = "errors" in probe and probe["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            time.sleep(0.05)
        assert reloaded
        thread.join(timeout=10)
        assert results["slow"].json() == {"data": {"topProducts": [{"inStock": True}]}}
        # a broken file is ignored: the last good supergraph keeps serving
        path.write_text("type Query { broken: Int }", encoding="utf-8")
        time.sleep(0.4)
        assert httpx.get(url + "/health").status_code == 200
        assert httpx.post(url + "/graphql", json={"query": "{ me { name } }"}).json()["data"] == {
            "me": {"name": "Ada Lovelace"}}


def test_introspection_is_answered_from_the_api_schema(gateway_url: str) -> None:
    body = httpx.post(gateway_url + "/graphql", json={
        "query": '{ __type(name: "Product") { fields { name } } me { name } }'}).json()
    names = {f["name"] for f in body["data"]["__type"]["fields"]}
    assert "shippingEstimate" in names
    assert body["data"]["me"] == {"name": "Ada Lovelace"}
    schema = httpx.post(gateway_url + "/graphql", json={"query": "{ __schema { types { name } } }"}).json()
    type_names = {t["name"] for t in schema["data"]["__schema"]["types"]}
    assert "Product" in type_names
    assert not any(n.startswith(("join__", "link__", "_Entity")) for n in type_names)
