"""A client alias named ``__typename`` on another field is answered under that key and never decides the type
the gateway works with (representations sent to other subgraphs, entity fetches), over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import parse, print_ast

from gateway import typename_alias
from tests.gateway.execution.conftest import Shop
from tests.gateway.shop import IN_STOCK, PRODUCTS, REVIEWS


def _post(url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(url + "/graphql", json={"query": query}, timeout=10.0).json()
    return body


def _representations(shop: Shop, subgraph: str) -> list[dict[str, Any]]:
    return [r for call in shop.recorders[subgraph].entity_calls() for r in call["variables"]["representations"]]


def test_a_field_value_cannot_pose_as_the_type_of_an_entity(gateway_url: str, fresh: Shop,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # the value of the aliased field is the name of another entity type of the graph
    monkeypatch.setitem(PRODUCTS, "1", ("User", *PRODUCTS["1"][1:]))
    body = _post(gateway_url, "{ topProducts { __typename: name inStock reviews { body } } }")
    assert "errors" not in body, body
    assert body["data"]["topProducts"] == [
        {"__typename": PRODUCTS[upc][0], "inStock": IN_STOCK[upc],
         "reviews": [{"body": text} for _id, text, product, _author in REVIEWS if product == upc]}
        for upc in PRODUCTS]
    for subgraph in ("inventory", "reviews"):
        sent = _representations(fresh, subgraph)
        assert sent, subgraph
        assert {r["__typename"] for r in sent} == {"Product"}, sent


def test_the_alias_beside_the_real_typename(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ me { kind: __typename __typename: name reviews { body } } }")
    assert body == {"data": {"me": {"kind": "User", "__typename": "Ada Lovelace",
                                    "reviews": [{"body": "Love it"}, {"body": "Too expensive"}]}}}
    assert [r["__typename"] for r in _representations(fresh, "reviews")] == ["User"]


def test_an_error_path_names_the_alias_the_client_wrote(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ topProducts { __typename: failing upc } }")
    assert [error["path"] for error in body["errors"]] == [["topProducts", n, "__typename"] for n in range(3)]
    assert body["data"]["topProducts"] == [{"__typename": None, "upc": upc} for upc in PRODUCTS]


def test_the_two_fields_on_one_key_stay_a_validation_error(gateway_url: str) -> None:
    body = _post(gateway_url, "{ me { __typename: name __typename } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in body


def test_the_hidden_key_avoids_every_key_of_the_document() -> None:
    document = parse("{ a: x __typename_client_alias: y b { __typename: z __typename } }")
    renamed, key = typename_alias.hide(document)
    assert key == "__typename_client_alias1"
    assert print_ast(renamed).split() == print_ast(parse(
        "{ a: x __typename_client_alias: y b { __typename_client_alias1: z __typename } }")).split()
    plain = parse("{ me { __typename id: name } }")
    assert typename_alias.hide(plain) == (plain, None)
    restored = typename_alias.restore({"data": {"b": [{"c": 2, key: "x", "d": 3}]},
                                       "errors": [{"message": "m", "path": ["b", 0, key]}]}, key)
    assert restored == {"data": {"b": [{"c": 2, "__typename": "x", "d": 3}]},
                        "errors": [{"message": "m", "path": ["b", 0, "__typename"]}]}
    assert list(restored["data"]["b"][0]) == ["c", "__typename", "d"]  # the client's order
