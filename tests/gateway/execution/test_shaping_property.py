"""Property: over a single-subgraph supergraph, the gateway's response equals the subgraph's own answer."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from tests.gateway.sdl import supergraph_v03
from tests.gateway.shop import subgraph_apps
from tests.support.servers import serve

PRODUCTS_ONLY = '''
type Product @join__type(graph: PRODUCTS, key: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
  failing: String
  strictName: String!
}

type Query @join__type(graph: PRODUCTS) {
  topProducts(first: Int! = 5): [Product]
}
'''
FIELDS = ["upc", "name", "price", "weight", "strictName", "__typename"]


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    products = subgraph_apps()["products"]
    with contextlib.ExitStack() as stack:
        sub = stack.enter_context(serve(products)) + "/graphql"
        path: Path = tmp_path_factory.mktemp("single") / "sg.graphql"
        path.write_text(supergraph_v03({"products": sub}, PRODUCTS_ONLY), encoding="utf-8")
        gw = stack.enter_context(serve(create_app(str(path), poll_interval_s=None))) + "/graphql"
        yield gw, sub


selection = st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from([None, "a", "b", "upc"])),
                     min_size=1, max_size=6)


def _render(items: list[tuple[str, str | None]]) -> str | None:
    seen: dict[str, str] = {}
    parts = []
    for field, alias in items:
        key = alias or field
        if key in seen and seen[key] != field:
            return None  # would be an invalid query (same key, different fields)
        seen[key] = field
        parts.append(f"{alias}: {field}" if alias else field)
    return " ".join(parts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=selection, first=st.integers(min_value=0, max_value=3), fragment=st.booleans())
def test_gateway_response_equals_direct_subgraph_response(endpoints: tuple[str, str],
                                                          items: list[tuple[str, str | None]], first: int,
                                                          fragment: bool) -> None:
    rendered = _render(items)
    if rendered is None:
        return
    inner = f"... on Product {{ {rendered} }}" if fragment else rendered
    query = f"{{ topProducts(first: {first}) {{ {inner} }} }}"
    gw, sub = endpoints
    through = httpx.post(gw, json={"query": query}).json()
    direct = httpx.post(sub, json={"query": query}).json()
    assert through.get("data") == direct.get("data"), query
    assert [e.get("path") for e in through.get("errors", [])] == [e.get("path") for e in direct.get("errors", [])]
