"""Client aliases that reuse the names of keys or required fields do not change any answer."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gateway.execution.conftest import Shop
from tests.gateway.shop import IN_STOCK, PRODUCTS

# the client fields of Product asked for, and the internal names an alias may collide with
_FIELDS = ("name", "inStock", "shippingEstimate", "price", "upc")
_KEYS = ("upc", "price", "weight", "name", "upc__hub", "price__hub", "x")


def _post(url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(url + "/graphql", json={"query": query}, timeout=10.0).json()
    return body


def _value(upc: str, field: str) -> Any:
    name, price, weight = PRODUCTS[upc]
    return {"name": name, "inStock": IN_STOCK[upc], "shippingEstimate": 0 if price > 1000 else weight // 2,
            "price": price, "upc": upc}[field]


def test_alias_named_like_the_key_and_required_fields(gateway_url: str, fresh: Shop) -> None:
    body = _post(gateway_url, "{ topProducts { upc: name price: weight inStock shippingEstimate } }")
    assert "errors" not in body
    assert body["data"]["topProducts"] == [
        {"upc": PRODUCTS[upc][0], "price": PRODUCTS[upc][2], "inStock": IN_STOCK[upc],
         "shippingEstimate": _value(upc, "shippingEstimate")} for upc in PRODUCTS]
    (call,) = fresh.recorders["inventory"].entity_calls()
    assert [r["upc"] for r in call["variables"]["representations"]] == list(PRODUCTS)
    assert [(r["price"], r["weight"]) for r in call["variables"]["representations"]] == [
        (price, weight) for _name, price, weight in PRODUCTS.values()]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FIELDS), st.sampled_from(_KEYS)), min_size=1, max_size=5,
                unique_by=lambda pair: pair[1]))
def test_any_aliasing_gives_the_same_values(gateway_url: str, picks: list[tuple[str, str]]) -> None:
    selection = " ".join(f"{alias}: {field}" for field, alias in picks)
    body = _post(gateway_url, "{ topProducts { " + selection + " } }")
    assert "errors" not in body, body
    assert body["data"]["topProducts"] == [{alias: _value(upc, field) for field, alias in picks}
                                           for upc in PRODUCTS]
