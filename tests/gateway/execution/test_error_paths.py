"""A failed fetch is reported at the client's paths: aliases, list indices, nested entity fetches.

The shop subgraphs run on loopback ports; a failing one is a closed port (connection refused), a
subgraph answering HTTP 500, or a recorded one that answers after the gateway's timeout. Expected
paths are built from the shop's fixture data (users, their reviews, the products reviewed), not from
the gateway's answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from tests.gateway.execution.conftest import Shop
from tests.gateway.shop import IN_STOCK, PRODUCTS, REVIEWS, USERS
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import free_port, serve


def _failing_app() -> Starlette:
    async def graphql(_: Request) -> JSONResponse:
        return JSONResponse({"errors": [{"message": "boom"}]}, status_code=500)

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


@contextlib.contextmanager
def _gateway(tmp_path: Path, shop: Shop, replace: dict[str, str], timeout_s: float = 5.0) -> Iterator[str]:
    urls = {**shop.urls, **replace}
    path = tmp_path / "supergraph.graphql"
    path.write_text(shop_supergraph(urls), encoding="utf-8")
    with serve(create_app(str(path), subgraph_timeout_s=timeout_s, poll_interval_s=None)) as url:
        yield url


def _closed() -> str:
    return f"http://127.0.0.1:{free_port()}/graphql"  # nothing listens there


def _ask(url: str, query: str) -> dict[str, Any]:
    response = httpx.post(url + "/graphql", json={"query": query}, timeout=20)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _review_positions(user_key: str = "u", reviews_key: str = "reviews") -> list[tuple[list[str | int], str]]:
    """(path of each review under each user, the reviewed product's upc), in the users' order."""
    out: list[tuple[list[str | int], str]] = []
    for i, uid in enumerate(USERS):
        mine = [r for r in REVIEWS if r[3] == uid]
        out.extend(([user_key, i, reviews_key, j], r[2]) for j, r in enumerate(mine))
    return out


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"].get("code", "") for e in body.get("errors", [])}


def test_a_refused_entity_fetch_is_reported_at_each_aliased_field_in_each_list_item(
        tmp_path: Path, fresh: Shop) -> None:
    with _gateway(tmp_path, fresh, {"products": _closed()}) as url:
        body = _ask(url, "{ u: users { who: name reviews { p: product { n: name stock: inStock } } } }")
    # the accounts and inventory subgraphs still answer
    assert [u["who"] for u in body["data"]["u"]] == [name for name, _ in USERS.values()]
    expected = [[*at, "p", "n"] for at, _upc in _review_positions()]
    assert [e["path"] for e in body["errors"]] == expected
    assert _codes(body) == {"SUBGRAPH_UNAVAILABLE"}
    assert {e["extensions"]["serviceName"] for e in body["errors"]} == {"products"}
    for at, upc in _review_positions():
        product = body["data"]["u"][at[1]]["reviews"][at[3]]["p"]
        assert product["n"] is None
        assert product["stock"] == {"1": True, "2": False, "3": True}.get(upc)


def test_a_fetch_that_depends_on_a_failed_one_reports_its_own_fields(tmp_path: Path, fresh: Shop) -> None:
    # shippingEstimate @requires price and weight from the products subgraph, which is down: the
    # inventory fetch cannot be made for those products and its field is reported, not silently null
    with _gateway(tmp_path, fresh, {"products": _closed()}) as url:
        body = _ask(url, "{ users { reviews { product { upc ship: shippingEstimate } } } }")
    expected = [[*at, "product", "ship"] for at, _upc in _review_positions("users")]
    assert sorted(map(str, (e["path"] for e in body["errors"]))) == sorted(map(str, expected))
    assert _codes(body) == {"SUBGRAPH_UNAVAILABLE"}
    assert fresh.recorders["inventory"].entity_calls() == []


def test_a_failed_root_fetch_is_reported_at_the_aliased_root_field(tmp_path: Path, fresh: Shop) -> None:
    with _gateway(tmp_path, fresh, {"products": _closed()}) as url:
        body = _ask(url, "{ me { name } t: topProducts(first: 2) { upc } }")
    assert body["data"] == {"me": {"name": USERS["1"][0]}, "t": None}
    [error] = body["errors"]
    assert error["path"] == ["t"]
    assert error["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"


def test_a_non_null_field_of_a_failed_fetch_nulls_its_parent_without_an_internal_error(
        tmp_path: Path, fresh: Shop) -> None:
    with _gateway(tmp_path, fresh, {"products": _closed()}) as url:
        body = _ask(url, "{ users { reviews { product { upc strictName } } } }")
        root = _ask(url, "{ n: inventorySize r: reviewCount }")
    assert all(r["product"] is None for u in body["data"]["users"] for r in u["reviews"])
    assert _codes(body) == {"SUBGRAPH_UNAVAILABLE"}
    assert [e["path"] for e in body["errors"]] == [
        [*at, "product", "strictName"] for at, _ in _review_positions("users")]
    assert root["data"] == {"n": 3, "r": len(REVIEWS)}


def test_a_non_null_root_field_of_a_dead_subgraph_nulls_data_with_one_error(tmp_path: Path, fresh: Shop) -> None:
    with _gateway(tmp_path, fresh, {"inventory": _closed()}) as url:
        body = _ask(url, "{ n: inventorySize r: reviewCount }")
    assert body["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["n"], "SUBGRAPH_UNAVAILABLE")]


def test_an_http_500_is_reported_at_the_client_paths(tmp_path: Path, fresh: Shop) -> None:
    with serve(_failing_app()) as broken, _gateway(tmp_path, fresh, {"inventory": broken + "/graphql"}) as url:
        body = _ask(url, "{ top: topProducts(first: 3) { name s: inStock } }")
    assert [p["name"] for p in body["data"]["top"]] == [PRODUCTS[k][0] for k in list(PRODUCTS)[:3]]
    assert [e["path"] for e in body["errors"]] == [["top", i, "s"] for i in range(3)]
    assert _codes(body) == {"SUBREQUEST_HTTP_ERROR"}


def test_a_timeout_is_reported_at_the_client_paths(tmp_path: Path, fresh: Shop) -> None:
    fresh.recorders["inventory"].delay_s = 3.0
    with _gateway(tmp_path, fresh, {}, timeout_s=0.3) as url:
        body = _ask(url, "{ topProducts(first: 2) { upc inStock } }")
    assert [p["upc"] for p in body["data"]["topProducts"]] == list(PRODUCTS)[:2]
    assert [e["path"] for e in body["errors"]] == [["topProducts", 0, "inStock"], ["topProducts", 1, "inStock"]]
    assert _codes(body) == {"SUBREQUEST_TIMEOUT"}


def test_a_subgraph_error_reaches_every_object_that_shared_the_representation(
        gateway_url: str, fresh: Shop) -> None:
    # product 1 is reviewed twice (by both users): one representation, two client paths
    body = _ask(gateway_url, "{ u: users { reviews { product { f: failing } } } }")
    expected = [[*at, "product", "f"] for at, upc in _review_positions() if upc in PRODUCTS]
    assert sorted(map(str, (e["path"] for e in body["errors"]))) == sorted(map(str, expected))
    assert all(e["extensions"]["serviceName"] == "products" for e in body["errors"])
    assert "INTERNAL_SERVER_ERROR" not in _codes(body)


@pytest.mark.parametrize("skip", [True, False])
def test_a_field_the_client_skipped_gets_no_error(tmp_path: Path, fresh: Shop, skip: bool) -> None:
    query = "query($s: Boolean!) { topProducts(first: 1) { upc inStock @skip(if: $s) } }"
    with _gateway(tmp_path, fresh, {"inventory": _closed()}) as url:
        body = httpx.post(url + "/graphql", json={"query": query, "variables": {"s": skip}}, timeout=20).json()
    paths = [e["path"] for e in body.get("errors", [])]
    assert paths == ([] if skip else [["topProducts", 0, "inStock"]])


_NAMES = st.from_regex(r"[a-z][a-zA-Z0-9]{0,6}", fullmatch=True).filter(
    lambda s: s not in {"on", "true", "false", "null", "fragment", "query"})


def test_error_paths_are_exactly_the_null_fields_of_the_dead_subgraph(tmp_path: Path, shop: Shop) -> None:
    """Property: with products down, whatever the aliases, the errors' paths are exactly the client paths
    of the product names the answer holds null, one each; every other field is answered."""
    with _gateway(tmp_path, shop, {"products": _closed()}) as url:

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(aliases=st.lists(_NAMES, min_size=5, max_size=5, unique=True), stock=st.booleans())
        def check(aliases: list[str], stock: bool) -> None:
            u, r, p, n, s = aliases
            extra = f" {s}: inStock" if stock else ""
            body = _ask(url, f"{{ {u}: users {{ {r}: reviews {{ {p}: product {{ {n}: name{extra} }} }} }} }}")
            positions = _review_positions(u, r)
            assert [e["path"] for e in body["errors"]] == [[*at, p, n] for at, _ in positions]
            for (_, i, _, j), upc in positions:
                product = body["data"][u][i][r][j][p]
                assert product[n] is None
                if stock:
                    assert product[s] == IN_STOCK.get(upc)  # inventory still answers
            assert _codes(body) == {"SUBGRAPH_UNAVAILABLE"}

        check()
