"""Plans executed against real Strawberry subgraphs over loopback HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx

from gateway.app import create_app
from tests.gateway.execution.conftest import Shop
from tests.gateway.shop import IN_STOCK, PRODUCTS, REVIEWS, USERS
from tests.support.servers import serve


def _post(url: str, query: str, variables: dict[str, Any] | None = None, timeout: float = 10.0) -> httpx.Response:
    return httpx.post(url + "/graphql", json={"query": query, "variables": variables}, timeout=timeout)


def test_data_from_four_subgraphs_is_merged_by_response_key(gateway_url: str, fresh: Shop) -> None:
    query = ("{ users { id username name reviews { body product { upc name price shippingEstimate inStock } } } "
             "top: topProducts(first: 2) { upc n: name } }")
    body = _post(gateway_url, query).json()
    assert "errors" not in body
    expected_users = []
    for uid, (name, username) in USERS.items():
        reviews = []
        for _rid, text, upc, author in REVIEWS:
            if author != uid:
                continue
            if upc in PRODUCTS:
                pname, price, weight = PRODUCTS[upc]
                product = {"upc": upc, "name": pname, "price": price,
                           "shippingEstimate": 0 if price > 1000 else weight // 2, "inStock": IN_STOCK[upc]}
            else:  # the product subgraph does not know it: its fields are null
                product = {"upc": upc, "name": None, "price": None, "shippingEstimate": None, "inStock": None}
            reviews.append({"body": text, "product": product})
        expected_users.append({"id": uid, "username": username, "name": name, "reviews": reviews})
    top = [{"upc": upc, "n": PRODUCTS[upc][0]} for upc in list(PRODUCTS)[:2]]
    assert body["data"] == {"users": expected_users, "top": top}


def test_one_entities_request_per_fetch_with_deduplicated_representations(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ topProducts { reviews { author { name } } } }").json()
    assert "errors" not in body
    calls = fresh.recorders["accounts"].entity_calls()
    assert len(calls) == 1
    reps = calls[0]["variables"]["representations"]
    # authors 1 and 2 each wrote several reviews: still one representation each
    assert sorted(r["id"] for r in reps) == ["1", "2"]
    assert all(r["__typename"] == "User" for r in reps)
    assert len(fresh.recorders["reviews"].entity_calls()) == 1


def test_missing_non_null_field_nulls_the_nearest_nullable_parent(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ users { id reviews { id product { upc strictName } } } }").json()
    grace = body["data"]["users"][1]
    by_id = {r["id"]: r for r in grace["reviews"]}
    assert by_id["5"]["product"] is None  # product 9 is unknown to products: strictName missing -> product null
    assert by_id["3"]["product"] == {"upc": "3", "strictName": "Chair"}
    paths = {tuple(e["path"]): e for e in body["errors"]}
    # the gateway's own null propagation names the position it nulled
    assert ("users", 1, "reviews", 2, "product", "strictName") in paths
    # products itself nulled the Couch (strictName null): its error is rewritten from _entities to the client path
    assert body["data"]["users"][0]["reviews"][1]["product"] is None
    assert paths[("users", 0, "reviews", 1, "product", "strictName")]["extensions"]["serviceName"] == "products"


def test_subgraph_errors_are_rewritten_to_client_paths_with_service_name(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ me { reviews { product { upc failing } } } }").json()
    assert body["data"]["me"]["reviews"][0]["product"] == {"upc": "1", "failing": None}
    paths = sorted(tuple(e["path"]) for e in body["errors"])
    assert paths == [("me", "reviews", 0, "product", "failing"), ("me", "reviews", 1, "product", "failing")]
    assert {e["extensions"]["serviceName"] for e in body["errors"]} == {"products"}


def test_a_hanging_subgraph_times_out_and_the_rest_of_the_data_is_served(fresh: Shop) -> None:
    fresh.recorders["inventory"].delay_s = 3.0
    with serve(create_app(str(fresh.supergraph_path), subgraph_timeout_s=0.5, poll_interval_s=None)) as url:
        started = time.monotonic()
        body = _post(url, "{ topProducts(first: 1) { name inStock } }").json()
        elapsed = time.monotonic() - started
        assert elapsed < 2.5
        assert body["data"] == {"topProducts": [{"name": "Table", "inStock": None}]}
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SUBREQUEST_TIMEOUT"
        assert error["extensions"]["serviceName"] == "inventory"
        fresh.recorders["inventory"].delay_s = 0.0
        again = _post(url, "{ topProducts(first: 1) { name } }").json()
        assert again == {"data": {"topProducts": [{"name": "Table"}]}}


def test_variables_defaults_and_conditions(gateway_url: str, fresh: Shop) -> None:
    query = ("query($n: Int! = 1, $withStock: Boolean!) { topProducts(first: $n) { upc "
             "inStock @include(if: $withStock) } }")
    assert _post(gateway_url, query, {"withStock": False}).json() == {"data": {"topProducts": [{"upc": "1"}]}}
    assert fresh.recorders["inventory"].bodies == []  # the condition skipped the whole inventory fetch
    both = _post(gateway_url, query, {"withStock": True, "n": 2}).json()
    assert both == {"data": {"topProducts": [{"upc": "1", "inStock": True}, {"upc": "2", "inStock": False}]}}
    bad = _post(gateway_url, query, {"withStock": "yes"})
    assert bad.status_code == 200  # application/json (the client's */*): a coercion failure still answers 200
    assert "data" not in bad.json()
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_typename_fragments_and_aliases_are_shaped_like_the_client_asked(gateway_url: str, fresh: Shop) -> None:
    query = ("query Q { me { __typename ...U } } fragment U on User { who: name reviews { t: __typename "
             "... on Review { body } } }")
    body = _post(gateway_url, query).json()
    assert body == {"data": {"me": {"__typename": "User", "who": "Ada Lovelace", "reviews": [
        {"t": "Review", "body": "Love it"}, {"t": "Review", "body": "Too expensive"}]}}}
